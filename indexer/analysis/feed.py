"""The 'What's new' list as an Atom 1.0 feed (RFC 4287).

WHY: lawyers and policy staff follow changes in their feed readers; a feed
that does not validate is silently dropped by some readers, so the tests
validate it against a RELAX NG schema written from the RFC. Text from documents
may hold characters XML cannot carry (a form feed from a PDF): they are
dropped. Entry links are absolute http(s) URLs; any other points to the site.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from urllib.parse import urljoin

from lxml import etree

from indexer.analysis.changes import WhatsNew
from regkb.urls import http_url

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ID = "tag:regkb,2026:whatsnew"
# What XML 1.0 cannot carry (its Char production), with the C1 controls it discourages.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters an XML document cannot hold."""
    return _NOT_XML.sub("", text)


def _stamp(d: date) -> str:
    return datetime.combine(d, time(0, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", {k: xml_text(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = xml_text(text)
    return el


def atom_feed(
    news: WhatsNew, self_url: str, site_url: str, title: str = "Responsible business conduct law: what's new",
    feed_id: str | None = None, subtitle: str | None = None,
) -> bytes:
    """Serialised feed; `updated` is the newest entry's date (stable output for the same data). A followed
    search or provision passes its own `feed_id` (the same for every `since`) and `subtitle`."""
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _el(root, "id", feed_id or f"{FEED_ID}?since={news.since.isoformat()}")
    _el(root, "title", title)
    _el(root, "subtitle", subtitle or
        f"Documents and legal events from {news.since.isoformat()} to {news.until.isoformat()}")
    newest = max((e.date for e in news.entries), default=news.since)
    _el(root, "updated", _stamp(newest))
    author = _el(root, "author")
    _el(author, "name", "regkb")
    _el(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _el(root, "link", rel="alternate", type="text/html", href=site_url)
    _el(root, "generator", "regkb")
    for e in news.entries:
        entry = _el(root, "entry")
        _el(entry, "id", e.id)
        _el(entry, "title", e.title)
        _el(entry, "updated", _stamp(e.date))
        _el(entry, "link", rel="alternate", href=http_url(urljoin(site_url, e.url)) or site_url)
        _el(entry, "category", term=e.category, label=e.category_label or e.category.replace("_", " "))
        _el(entry, "summary", e.summary, type="text")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
