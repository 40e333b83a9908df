"""Read-only access to a data folder's documents and obligations for the analyses.

WHY: applicability, timelines, comparisons and the feed all look documents up
by id and provisions by id; parsers differ in how deep they split a text, so a
provision id that a rule cites ('art_2.par_1.pt_a') falls back to the nearest
ancestor the parser produced ('art_2.par_1', then 'art_2').
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

from pydantic import ValidationError

from regkb.records import Document, Obligation, Provision
from regkb.settings import DataDir

log = logging.getLogger(__name__)


@dataclass
class Corpus:
    """Documents (loaded once, on first use) and obligations (per document, on demand)."""

    root: Optional[Path] = None
    documents: dict[str, Document] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    _loaded: bool = False

    @classmethod
    def at(cls, data_dir: str | Path | None) -> "Corpus":
        return cls(root=Path(data_dir) if data_dir else None)

    @classmethod
    def of(cls, docs: Iterable[Document]) -> "Corpus":
        """A corpus held in memory (tests, and callers that already have the documents)."""
        return cls(documents={d.id: d for d in docs}, _loaded=True)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.root is None or not (self.root / "documents").is_dir():
            return
        for path in sorted(DataDir(self.root).documents.glob("*.json")):
            try:
                doc = Document.model_validate_json(path.read_bytes())
            except (ValidationError, ValueError, OSError) as exc:  # one bad file must not hide the rest
                self.errors.append(f"{path.name}: {str(exc).splitlines()[0]}")
                log.warning("skipping unreadable document %s: %s", path, exc)
                continue
            self.documents[doc.id] = doc

    def all(self) -> list[Document]:
        self._load()
        return list(self.documents.values())

    def get(self, doc_id: Optional[str]) -> Optional[Document]:
        self._load()
        return self.documents.get(doc_id) if doc_id else None

    def by_celex(self, celex: str, language: str = "en") -> list[Document]:
        """Every document of that CELEX number (original and consolidations)."""
        self._load()
        base = celex[1:] if celex[0] in "0123" else celex
        return [d for d in self.documents.values() if d.language == language and base in (d.identifiers.celex or d.id)]

    def obligations(self, doc_id: str) -> list[Obligation]:
        if self.root is None:
            return []
        path = self.root / "obligations" / f"{doc_id}.jsonl"
        if not path.exists():
            return []
        out = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(Obligation.model_validate_json(line))
            except (ValidationError, ValueError) as exc:
                self.errors.append(f"{path.name}:{n}: {str(exc).splitlines()[0]}")
        return out


def resolve_provision(doc: Document, provision_id: str) -> Optional[Provision]:
    """The provision, or its nearest ancestor that the parser produced."""
    parts = provision_id.split(".")
    while parts:
        found = doc.provision(".".join(parts))
        if found is not None:
            return found
        parts.pop()
    return None


def subtree(doc: Document, provision_id: str) -> Iterator[Provision]:
    """The provision and every descendant, in reading order."""
    ids = {provision_id}
    for p in doc.provisions:
        if p.id == provision_id or (p.parent_id in ids):
            ids.add(p.id)
            yield p


def subtree_text(doc: Document, provision_id: str) -> str:
    return " ".join(p.text for p in subtree(doc, provision_id) if p.text).strip()


def anchor(provision_id: Optional[str]) -> str:
    """EUR-Lex HTML anchors are per article ('#art_2')."""
    return provision_id.split(".")[0] if provision_id else ""


def dump_json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)
