"""Read-only access to the structured corpus (documents and obligations).

The document reader and the record API read the JSON files `regkb extract`
writes, not the search index: a document must be readable even when the
index is stale or the search engine is down. Files are re-read only when
their modification time changes, so a re-extraction shows up without a
restart.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from pydantic import ValidationError

from indexer.analysis.versions import VersionChains
from regkb.records import Document, Obligation
from regkb.settings import DataDir

log = logging.getLogger(__name__)

# A document id is a file name; anything else (slashes, dots first) is not one.
_SAFE_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def is_safe_id(record_id: str) -> bool:
    """True when `record_id` can name a file in the data folder without escaping it."""
    return bool(record_id) and not record_id.startswith(".") and set(record_id) <= _SAFE_ID_CHARS


@dataclass
class DocumentSummary:
    """What lists and the language switch need, without the provisions."""

    id: str
    act_id: str
    version_id: str
    title: str
    short_title: Optional[str]
    language: str
    instrument_type: str
    jurisdiction: str
    status: str
    sectors: list[str] = field(default_factory=list)


@dataclass
class _Cached:
    mtime: float
    value: object


@dataclass
class Corpus:
    """The documents and obligations of one data folder."""

    data_dir: DataDir
    _cache: dict[Path, _Cached] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _versions: Optional[tuple[tuple, VersionChains]] = None

    # -- documents -------------------------------------------------------
    def document(self, doc_id: str) -> Optional[Document]:
        """The document with this id, or None when it does not exist or cannot be read."""
        if not is_safe_id(doc_id):
            return None
        return self._load(self.data_dir.documents / f"{doc_id}.json", self._parse_document)

    def summaries(self) -> list[DocumentSummary]:
        """Every readable document, without provisions (for lists and language links)."""
        out = []
        for path in sorted(self.data_dir.documents.glob("*.json")):
            doc = self._load(path, self._parse_document)
            if doc is not None:
                out.append(DocumentSummary(doc.id, doc.act_id, doc.version_id, doc.title, doc.short_title,
                                           doc.language, doc.instrument_type, doc.jurisdiction, doc.status, list(doc.sectors)))
        return out

    def language_versions(self, doc: Document) -> list[DocumentSummary]:
        """The other language versions of the same version of the act (from links, then by version_id)."""
        linked = {link.document_id for link in doc.links if link.relation == "language_version"}
        versions = [s for s in self.summaries()
                    if s.id != doc.id and (s.id in linked or s.version_id == doc.version_id)]
        return sorted(versions, key=lambda s: s.language)

    def versions(self) -> VersionChains:
        """Every act's version chain (validity, previous/next, deletions), rebuilt when a document changes."""
        paths = sorted(self.data_dir.documents.glob("*.json"))
        key = tuple((p.name, _mtime(p)) for p in paths)
        with self._lock:
            if self._versions is not None and self._versions[0] == key:
                return self._versions[1]
        docs = [d for p in paths if (d := self._load(p, self._parse_document)) is not None]
        chains = VersionChains.build(docs)
        with self._lock:
            self._versions = (key, chains)
        return chains

    # -- obligations -----------------------------------------------------
    def obligations_of(self, doc_id: str) -> list[Obligation]:
        """The obligations extracted from one document, in file order ([] when none)."""
        if not is_safe_id(doc_id):
            return []
        return self._load(self.data_dir.obligations / f"{doc_id}.jsonl", self._parse_obligations) or []

    def obligation(self, obligation_id: str) -> Optional[Obligation]:
        """Find an obligation by id: first in the document its id starts with, then everywhere."""
        candidates = sorted(self.data_dir.obligations.glob("*.jsonl"),
                            key=lambda p: not obligation_id.startswith(p.stem))
        for path in candidates:
            for ob in self._load(path, self._parse_obligations) or []:
                if ob.id == obligation_id:
                    return ob
        return None

    # -- loading ---------------------------------------------------------
    def _load(self, path: Path, parse):
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        with self._lock:
            hit = self._cache.get(path)
            if hit is not None and hit.mtime == mtime:
                return hit.value
        value = parse(path)
        with self._lock:
            self._cache[path] = _Cached(mtime, value)
        return value

    @staticmethod
    def _parse_document(path: Path) -> Optional[Document]:
        try:
            return Document.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError) as exc:
            log.warning("cannot read document %s (%s); re-run `regkb extract` to rewrite it", path, exc)
            return None

    @staticmethod
    def _parse_obligations(path: Path) -> list[Obligation]:
        out = []
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            log.warning("cannot read obligations %s (%s)", path, exc)
            return out
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                out.append(Obligation.model_validate(json.loads(line)))
            except (ValidationError, ValueError) as exc:
                log.warning("skipping bad obligation record %s:%d (%s)", path, n, exc)
        return out


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
