"""Which URLs from documents may become links.

WHY: an official URL is data from a crawled page or a config file; a
`javascript:` or `data:` URL there would run in the reader's browser (or feed
reader) when clicked. Only http(s) URLs become links, in the pages (through
search_app.present.external_link) and in the Atom feed.
"""
from __future__ import annotations

from urllib.parse import urlsplit

LINK_SCHEMES = ("http", "https")


def http_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL with a host, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None
