"""URL identity and link discovery.

`canonical()` is the one key for "the same URL" everywhere (frontier dedup,
mirror lookup), so `?uri=CELEX:32024L1760R(02)` and its percent-encoded form
are one page.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from w3lib.url import canonicalize_url

DEFAULT_PORTS = {"http": 80, "https": 443}
SCHEMES = ("http", "https")


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


@dataclass(frozen=True)
class Scope:
    """Where one source's fetches (and their redirects) may go.

    `hosts`: the host keys its config names (site, seeds, scope prefixes), their subdomains included.
    `literal_hosts`: seed hosts written as an IP address (e.g. a test server on 127.0.0.1:8080), the only
    non-public addresses that may be fetched.
    """

    hosts: frozenset[str]
    literal_hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, site: str, seeds: list[str], prefixes: list[str]) -> Scope:
        hosts = {host_key(u) for u in [*seeds, *prefixes] if urlsplit(u).scheme in SCHEMES}
        if site:
            hosts.add(host_key(f"https://{site}"))
        return cls(frozenset(hosts), frozenset(host_key(u) for u in seeds if _is_ip_literal(u)))

    @classmethod
    def around(cls, url: str) -> Scope:
        """The scope of a lone URL (a fetch without a source): its own host only."""
        return cls.of("", [url], [])

    def refusal(self, url: str) -> str | None:
        """Why a fetch of `url` leaves this scope (scheme or host), or None when it stays inside."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in SCHEMES:
            return f"{scheme or '(no scheme)'}: URLs are not fetched (only http and https)"
        key = host_key(url)
        if any(key == h or key.endswith("." + h) for h in self.hosts):
            return None
        return f"{key or '(no host)'} is outside the source's scope (allowed: {', '.join(sorted(self.hosts))})"


def _is_ip_literal(url: str) -> bool:
    try:
        ipaddress.ip_address(urlsplit(url).hostname or "")
        return True
    except ValueError:
        return False
