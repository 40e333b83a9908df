"""Documents on disk: one JSON file per document id, written atomically.

When two fetched URLs give the same document id (the EUR-Lex HTML page and
the Cellar Formex zip of one CELEX version and language), the file holds the
document from the best-ranked URL (earlier source in config/sources.yaml,
then HTML before XHTML, XML, zip ...; see `kind_rank` in config/crawler.yaml)
and lists the other URLs in `alternate_urls`. The outcome depends only on the
set of URLs, never on the order they were fetched in, so an interrupted and
resumed crawl ends with the same files as an uninterrupted one.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from crawler.state import CrawlState
from regkb.records import Document
from regkb.storage import write_bytes_atomic

log = logging.getLogger(__name__)


def serialise(doc: Document) -> bytes:
    """The stored bytes: pydantic's JSON (UTF-8, fields in model order), deterministic for equal documents."""
    return doc.model_dump_json(indent=1).encode("utf-8")


class DocumentStore:
    def __init__(self, docs_dir: Path, state: CrawlState) -> None:
        self.docs_dir = docs_dir
        self.state = state

    def remove_leftover_temp_files(self) -> None:
        """Drop half-written files a killed run left behind (regkb.storage writes `.<name>.<random>.tmp`)."""
        for tmp in self.docs_dir.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)

    def path(self, doc_id: str) -> Path:
        return self.docs_dir / f"{doc_id}.json"

    def store(self, url_key: str, url: str, rank: str, docs: list[Document]) -> int:
        """Write the documents one URL produced, merging with other manifestations; returns files written."""
        written = 0
        for doc in docs:
            others = [r for r in self.state.doc_sources(doc.id) if r["url_key"] != url_key]
            if not others or rank < min(r["rank"] for r in others):
                alternates = set(doc.alternate_urls) | {r["url"] for r in others}
                doc = doc.model_copy(update={"alternate_urls": sorted(alternates - {doc.source_url})})
            else:
                existing = self.load(doc.id)
                if existing is not None:
                    doc = existing.model_copy(update={
                        "alternate_urls": sorted((set(existing.alternate_urls) | {url}) - {existing.source_url})})
            written += self.write(doc)
        return written

    def write(self, doc: Document) -> int:
        """Write if the bytes differ (1) or leave the file alone (0)."""
        data = serialise(doc)
        path = self.path(doc.id)
        if path.is_file() and path.read_bytes() == data:
            return 0
        write_bytes_atomic(path, data)
        return 1

    def load(self, doc_id: str) -> Document | None:
        path = self.path(doc_id)
        try:
            return Document.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except (ValidationError, ValueError) as exc:
            log.warning("stored document %s is unreadable (%s); it will be replaced", path.name, exc)
            return None

    def damaged(self, doc_ids: list[str]) -> dict[str, str]:
        """{doc id: what is wrong} for files that are missing or do not read as a Document (truncated, not JSON)."""
        damaged = {}
        for doc_id in doc_ids:
            path = self.path(doc_id)
            try:
                Document.model_validate_json(path.read_bytes())
            except FileNotFoundError:
                damaged[doc_id] = "is missing"
            except (ValidationError, ValueError, OSError) as exc:
                damaged[doc_id] = f"is unreadable ({_first_line(exc)})"
        return damaged

    def load_all(self) -> list[Document]:
        docs = []
        for path in sorted(self.docs_dir.glob("*.json")):
            doc = self.load(path.stem)
            if doc is not None:
                docs.append(doc)
        return docs

    def relink(self, link: Callable[[list[Document]], list[Document]]) -> int:
        """Run the parser's cross-document linking over the whole corpus; rewrite what changed."""
        return sum(self.write(doc) for doc in link(self.load_all()))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(text[:2]) if text else type(exc).__name__
