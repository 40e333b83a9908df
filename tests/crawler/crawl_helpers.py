"""Crawler test helpers: sources pointing at the loopback server, a small strict parser, a crawl runner.

The parser here stands in for indexer.parsing so that the crawler's own
behaviour (what reaches the parser, what happens when it fails, how
documents are stored) is tested independently of the real parsers' progress;
the end-to-end tests use the real parsers.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import lxml.html
import pypdf

from crawler.crawl import Crawler, CrawlSummary, Parser
from crawler.settings import CrawlSettings
from regkb.records import Document, Link, RawResource
from regkb.settings import DataDir
from regkb.sources import DocumentHint, Source

TEST_SETTINGS = dict(politeness_delay_seconds=0.0, backoff_seconds=0.01, retries=1, connect_timeout_seconds=1.0,
                     read_timeout_seconds=0.5, total_timeout_seconds=3.0, max_response_bytes=200_000,
                     max_retry_after_seconds=3.0, workers=4, parse_processes=0)


class StrictParseError(Exception):
    pass


SEEN_RAW: list[RawResource] = []
SEEN_PARSER_KEYS: list[str] = []


def strict_parse(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Document]:
    """HTML needs a <title>, PDFs must open with pypdf, '/raises' crashes like a parser bug."""
    SEEN_RAW.append(raw)
    SEEN_PARSER_KEYS.append(source.parser)
    if raw.url.endswith("/raises"):
        raise RuntimeError("unexpected parser bug")
    if raw.content_type == "application/pdf":
        try:
            title = f"PDF with {len(pypdf.PdfReader(io.BytesIO(raw.body)).pages)} pages"
        except Exception as exc:  # noqa: BLE001
            raise StrictParseError(f"{raw.url}: not a readable PDF ({exc})") from exc
    elif raw.content_type in ("text/html", "application/xhtml+xml"):
        titles = lxml.html.document_fromstring(raw.body or b"<html/>").xpath("//title/text()")
        if not titles or not titles[0].strip():
            raise StrictParseError(f"{raw.url}: no <title>; malformed or truncated HTML")
        title = titles[0].strip()
    else:
        title = raw.body.decode("utf-8", "replace").splitlines()[0] if raw.body else "(empty)"
    doc_id = (
        hint.short_title if hint and hint.short_title else "page-" + re.sub(r"[^a-z0-9]+", "-", raw.url.lower())[-40:]
    )
    return [Document(id=doc_id, act_id=doc_id, version_id=doc_id, source_id=source.id, title=title,
                     instrument_type=source.instrument_type, jurisdiction=source.jurisdiction,
                     language=(hint.language if hint and hint.language else source.language), status=source.status,
                     source_url=raw.url, fetched_at=raw.fetched_at, content_sha256=raw.sha256,
                     content_type=raw.content_type)]


def title_links(docs: list[Document]) -> list[Document]:
    """Links documents that share a title (a deterministic stand-in for link_documents)."""
    out = []
    for doc in docs:
        links = [Link(document_id=o.id, language=o.language, relation="language_version")
                 for o in docs if o.id != doc.id and o.title == doc.title]
        out.append(doc.model_copy(update={"links": links}))
    return out


def test_parser(version: str = "t1") -> Parser:
    return Parser(parse=strict_parse, link=title_links, version=version, error_type=StrictParseError)


test_parser.__test__ = False  # a factory, not a test


def make_source(urls: list[str] | list[DocumentHint], source_id: str = "test", **kw) -> Source:
    seeds = [u if isinstance(u, DocumentHint) else DocumentHint(url=u) for u in urls]
    fields = dict(id=source_id, name=f"test source {source_id}", site="127.0.0.1", parser="policy_page",
                  instrument_type="other", jurisdiction="NL", language="nl", status="published", seeds=seeds)
    fields.update(kw)
    return Source(**fields)


def run_crawl(data: Path, sources: list[Source], parser: Parser | None = None, mirror_url: str | None = None,
              **settings) -> CrawlSummary:
    cfg = CrawlSettings.load(mirror=mirror_url is not None, **{**TEST_SETTINGS, **settings})
    return Crawler(DataDir.at(data), sources, cfg, mirror_url=mirror_url, parser=parser or test_parser()).run()
