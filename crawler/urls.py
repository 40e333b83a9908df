"""URL identity and link discovery.

`canonical()` is the one key for "the same URL" everywhere (frontier dedup,
mirror lookup), so `?uri=CELEX:32024L1760R(02)` and its percent-encoded form
are one page.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from w3lib.url import canonicalize_url

DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical(url: str) -> str:
    """Canonical form: lower-case host, no default port, no fragment, sorted and normalised query."""
    parts = urlsplit(canonicalize_url(url.strip()))
    netloc = parts.hostname or ""
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def host_key(url: str) -> str:
    """`host[:port]` of a URL: the unit of politeness and robots.txt."""
    return urlsplit(canonical(url)).netloc


def in_scope(url: str, prefixes: list[str]) -> bool:
    key = canonical(url)
    return any(key.startswith(canonical(p)) for p in prefixes)


def extract_links(body: bytes, base_url: str) -> list[str]:
    """Absolute http(s) links of an HTML/XHTML page (honouring <base href>); empty on unparsable input."""
    try:
        doc = lxml.html.document_fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = next(iter(doc.xpath("//base/@href")), None)
    base_url = urljoin(base_url, base) if base else base_url
    links = []
    for href in doc.xpath("//a/@href"):
        try:
            url = urljoin(base_url, href.strip())
            if urlsplit(url).scheme in ("http", "https") and canonical(url):
                links.append(url.split("#", 1)[0])
        except ValueError:  # e.g. an unclosed IPv6 bracket: not a link we can follow
            continue
    return sorted(set(links))
