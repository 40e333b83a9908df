"""The one corpus store: the documents, obligations, resolved references and defined terms of a data dir.

WHY one store: the CLI stages, the analyses and the web app read the same files, so they read them the
same way, with one rule for bad input: a file (or line) that does not load is logged once, counted and
named in `Corpus.problems`, and skipped; nothing crashes and nothing else is lost.

WHY snapshots: a `Corpus` is complete and never changes. `CorpusStore.current()` builds a new one when a
file of the data dir changed (names, sizes and modification times of documents/, obligations/,
references/ and terms/) and swaps it in whole, so a concurrent reader sees the old complete corpus or the new one,
never a half-loaded one. Unchanged files are not parsed again.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from regkb.records import DefinedTerm, Document, Obligation, TextReference

log = logging.getLogger(__name__)
T = TypeVar("T")

# The folders of a data dir the store reads (regkb.settings.DataDir names them), and what each file holds.
DOCUMENTS, OBLIGATIONS, REFERENCES, TERMS = "documents", "obligations", "references", "terms"
FOLDERS = (DOCUMENTS, OBLIGATIONS, REFERENCES, TERMS)
SUFFIX = {DOCUMENTS: ".json", OBLIGATIONS: ".jsonl", REFERENCES: ".jsonl", TERMS: ".jsonl"}
RECORD: dict[str, type[BaseModel]] = {OBLIGATIONS: Obligation, REFERENCES: TextReference, TERMS: DefinedTerm}
WHAT = {OBLIGATIONS: "obligation", REFERENCES: "reference", TERMS: "defined term"}

FileKey = tuple[str, int, int]          # (name, mtime in ns, size): a file changed when its key did
Stamp = tuple[tuple[FileKey, ...], ...]  # one tuple of file keys per folder


@dataclass(frozen=True)
class LoadProblem:
    """A file or line of the data dir that did not load, and why."""

    folder: str
    name: str
    reason: str
    line: int | None = None

    @property
    def stem(self) -> str:
        """The document id the file is named after."""
        return self.name.rsplit(".", 1)[0]

    def __str__(self) -> str:
        return f"{self.name}{f':{self.line}' if self.line else ''}: {self.reason}; skipped"


@dataclass
class _Parsed:
    """One file as parsed, kept while its key stays the same."""

    key: FileKey
    value: Any
    problems: tuple[LoadProblem, ...]


class Corpus:
    """One complete, unchanging state of a data dir (or of documents held in memory)."""

    def __init__(self, documents: Iterable[Document] = (), obligations: dict[str, list[Obligation]] | None = None,
                 references: dict[str, list[TextReference]] | None = None, problems: Iterable[LoadProblem] = (),
                 root: Path | None = None, stamp: Stamp | None = None,
                 terms: dict[str, list[DefinedTerm]] | None = None):
        self.documents: dict[str, Document] = {d.id: d for d in documents}
        self._obligations = obligations or {}
        self._references = references or {}
        self._terms = terms or {}
        self.problems: tuple[LoadProblem, ...] = tuple(problems)
        self.root = root
        self.stamp = stamp
        self._derived: dict[str, Any] = {}
        self._derived_lock = threading.RLock()

    @classmethod
    def at(cls, data_dir: str | Path | None) -> Corpus:
        """The current state of a data dir (empty when there is none)."""
        return CorpusStore(data_dir).current() if data_dir else cls()

    @classmethod
    def of(cls, docs: Iterable[Document], obligations: Iterable[Obligation] = ()) -> Corpus:
        """A corpus held in memory (tests, and callers that already have the documents)."""
        by_doc: dict[str, list[Obligation]] = {}
        for ob in obligations:
            by_doc.setdefault(ob.document_id, []).append(ob)
        return cls(docs, by_doc)

    # -- documents ---------------------------------------------------------------------------------
    def all(self) -> list[Document]:
        """Every document that loaded, in file-name order."""
        return list(self.documents.values())

    def get(self, doc_id: str | None) -> Document | None:
        return self.documents.get(doc_id) if doc_id else None

    def by_celex(self, celex: str, language: str = "en") -> list[Document]:
        """Every document of that CELEX number (original and consolidations)."""
        base = celex[1:] if celex[0] in "0123" else celex
        return [d for d in self.documents.values() if d.language == language and base in (d.identifiers.celex or d.id)]

    # -- obligations and references ----------------------------------------------------------------
    def obligations(self, doc_id: str) -> list[Obligation]:
        """The obligations extracted from one document, in file order ([] when none)."""
        return list(self._obligations.get(doc_id, ()))

    def all_obligations(self) -> Iterator[Obligation]:
        """The obligations of every document that loaded (those of a document that does not are dropped)."""
        for doc_id, obligations in self._obligations.items():
            if doc_id in self.documents:
                yield from obligations

    def obligation(self, obligation_id: str) -> Obligation | None:
        by_id = self.derived("obligations by id", lambda c: {o.id: o for o in c.all_obligations()})
        return by_id.get(obligation_id)

    # -- the same provision and obligation in the other languages ---------------------------------------------------
    def language_twins(self, doc_id: str) -> list[Document]:
        """The other language versions of a document: the same act version (version_id) in another language."""
        doc = self.get(doc_id)
        if doc is None:
            return []
        groups = self.derived("documents by version", _by_version)
        return sorted((d for d in groups.get(doc.version_id, []) if d.language != doc.language),
                      key=lambda d: d.language)

    def provision_twins(self, doc_id: str, provision_id: str) -> list[Twin]:
        """The provision with this id in each other language version that has it (ids follow the numbering of
        the act, which every language version shares)."""
        return [Twin(d.language, d.id, provision_id) for d in self.language_twins(doc_id)
                if d.provision(provision_id) is not None]

    def twins(self, obligation_id: str) -> list[Twin]:
        """The same obligation in the other language versions: the n-th obligation of a provision in one language
        is the n-th of that provision in another.

        WHY position is enough: language versions of an act are aligned provision by provision (same articles,
        paragraphs and points, hence the same provision ids) and within a provision they state the same duties in
        the same order. Where the extractor found a different number of obligations in the two texts (a sentence
        split differently, a duty read in one language only), position proves nothing: the twin is then the
        provision itself (`obligation_id` None), which still holds the duty."""
        ob = self.obligation(obligation_id)
        if ob is None:
            return []
        by_provision = self.derived("obligation ids by provision", _obligations_by_provision)
        mine = by_provision.get((ob.document_id, ob.provision_id), [])
        out = []
        for twin in self.provision_twins(ob.document_id, ob.provision_id):
            theirs = by_provision.get((twin.document_id, twin.provision_id), [])
            paired = theirs[mine.index(ob.id)] if len(theirs) == len(mine) and ob.id in mine else None
            out.append(Twin(twin.language, twin.document_id, twin.provision_id, paired))
        return out

    def references(self, doc_id: str) -> list[TextReference]:
        """The resolved cross-references `regkb extract` wrote for one document."""
        return list(self._references.get(doc_id, ()))

    def terms(self, doc_id: str) -> list[DefinedTerm]:
        """The defined terms `regkb extract` found in one document ([] when none)."""
        return list(self._terms.get(doc_id, ())) if doc_id in self.documents else []

    def has_terms(self, doc_id: str) -> bool:
        """True when `regkb extract` has written the document's defined terms (none found is an answer too)."""
        return doc_id in self._terms

    @property
    def linked(self) -> bool:
        """True when `regkb extract` has written resolved references for this data dir."""
        return bool(self._references)

    # -- what did not load -------------------------------------------------------------------------
    @property
    def errors(self) -> list[str]:
        return [str(p) for p in self.problems]

    def unreadable_documents(self) -> list[LoadProblem]:
        """Document files that exist but do not load."""
        return [p for p in self.problems if p.folder == DOCUMENTS]

    def orphans(self, folder: str = OBLIGATIONS) -> list[str]:
        """Ids of documents that no longer load (deleted or unreadable) but still have records in `folder`."""
        folders: dict[str, dict[str, Any]] = {OBLIGATIONS: self._obligations, REFERENCES: self._references,
                                              TERMS: self._terms}
        held = folders[folder]
        return [doc_id for doc_id in held if doc_id not in self.documents]

    # -- derived data ------------------------------------------------------------------------------
    def derived(self, name: str, build: Callable[[Corpus], T]) -> T:
        """`build(self)`, computed once for this state of the corpus (concurrent callers wait for it)."""
        with self._derived_lock:
            if name not in self._derived:
                self._derived[name] = build(self)
            return self._derived[name]


class CorpusStore:
    """The corpus of one data dir, loaded once and reloaded whole when its files change."""

    def __init__(self, data_dir: str | Path, recheck_seconds: float = 0.0):
        """`recheck_seconds`: between two full checks of every file, only the folders are looked at (a file
        added, removed or replaced by an atomic rename is seen at once; one rewritten in place within that
        time). The web app sets it, because listing every file on every request costs more than the request."""
        self.root = Path(data_dir)
        self.recheck_seconds = recheck_seconds
        self._snapshot: Corpus | None = None
        self._parsed: dict[tuple[str, str], _Parsed] = {}
        self._lock = threading.Lock()
        self._checked: tuple[float, tuple[int | None, ...]] = (0.0, ())

    def current(self) -> Corpus:
        """The corpus as the files are now. While another thread loads a newer state, the previous complete
        one is returned; before the first state exists, callers wait for it."""
        snapshot = self._snapshot
        now = time.monotonic()
        folders = self._folders() if self.recheck_seconds else ()
        if snapshot is not None and self.recheck_seconds and now - self._checked[0] < self.recheck_seconds \
                and folders == self._checked[1]:
            return snapshot
        if snapshot is not None and snapshot.stamp == self.stamp():
            self._checked = (now, folders)
            return snapshot
        if not self._lock.acquire(blocking=snapshot is None):
            assert snapshot is not None  # acquire() can only fail without blocking, i.e. with a snapshot
            return snapshot
        try:
            stamp = self.stamp()
            if self._snapshot is None or self._snapshot.stamp != stamp:
                self._snapshot = self._load(stamp)
            self._checked = (now, folders)
            return self._snapshot
        finally:
            self._lock.release()

    def _folders(self) -> tuple[int | None, ...]:
        """The record folders' modification times (None for a missing one)."""
        out: list[int | None] = []
        for folder in FOLDERS:
            try:
                out.append(os.stat(self.root / folder).st_mtime_ns)
            except OSError:
                out.append(None)
        return tuple(out)

    def stamp(self) -> Stamp:
        """What the loaded state depends on: every file's name, modification time and size."""
        return tuple(
            tuple(_listing(self.root / folder, SUFFIX[folder])) for folder in FOLDERS
        )

    # -- loading -----------------------------------------------------------------------------------
    def _load(self, stamp: Stamp) -> Corpus:
        docs_keys, obligation_keys, reference_keys, term_keys = stamp
        parsed: dict[tuple[str, str], _Parsed] = {}

        def parse(folder: str, key: FileKey, reader: Callable[[Path], tuple[Any, list[LoadProblem]]]) -> Any:
            hit = self._parsed.get((folder, key[0]))
            if hit is None or hit.key != key:
                value, problems = reader(self.root / folder / key[0])
                hit = _Parsed(key, value, tuple(problems))
            parsed[(folder, key[0])] = hit
            return hit.value

        documents = [d for k in docs_keys if (d := parse(DOCUMENTS, k, _read_document)) is not None]
        obligations = {
            k[0].rsplit(".", 1)[0]: parse(OBLIGATIONS, k, _records_reader(OBLIGATIONS)) for k in obligation_keys
        }
        references = {k[0].rsplit(".", 1)[0]: parse(REFERENCES, k, _records_reader(REFERENCES)) for k in reference_keys}
        terms = {k[0].rsplit(".", 1)[0]: parse(TERMS, k, _records_reader(TERMS)) for k in term_keys}
        self._parsed = parsed  # files that are gone are forgotten
        problems = [p for hit in parsed.values() for p in hit.problems]
        return Corpus(documents, obligations, references, problems, root=self.root, stamp=stamp, terms=terms)


@dataclass(frozen=True)
class Twin:
    """A provision (and, where the pairing holds, the obligation) in another language version of the same act."""

    language: str
    document_id: str
    provision_id: str
    obligation_id: str | None = None  # None: linked at provision level (see Corpus.twins)


def _by_version(corpus: Corpus) -> dict[str, list[Document]]:
    groups: dict[str, list[Document]] = {}
    for d in corpus.all():
        groups.setdefault(d.version_id, []).append(d)
    return groups


def _obligations_by_provision(corpus: Corpus) -> dict[tuple[str, str], list[str]]:
    """(document id, provision id) → obligation ids in reading order (the order `regkb extract` numbered them)."""
    out: dict[tuple[str, str], list[str]] = {}
    for ob in sorted(corpus.all_obligations(), key=lambda o: (o.document_id, o.provision_id, o.start)):
        out.setdefault((ob.document_id, ob.provision_id), []).append(ob.id)
    return out


def _listing(folder: Path, suffix: str) -> Iterator[FileKey]:
    """The folder's record files in name order; temporary files of an atomic write (dot-names) are not."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.endswith(suffix) and not entry.name.startswith("."):
            try:
                st = entry.stat()
            except OSError:  # removed since the folder was listed
                continue
            yield entry.name, st.st_mtime_ns, st.st_size


def _read_document(path: Path) -> tuple[Document | None, list[LoadProblem]]:
    try:
        return Document.model_validate_json(path.read_bytes()), []
    except (OSError, ValidationError, ValueError) as exc:
        problem = LoadProblem(DOCUMENTS, path.name, f"not a valid document ({_first_line(exc)})")
        log.warning("cannot read document %s (%s); skipped: run `regkb crawl --data-dir %s` to rebuild the document "
                    "files, then `regkb extract`", path, _first_line(exc), path.parent.parent)
        return None, [problem]


def _records_reader(folder: str) -> Callable[[Path], tuple[list[BaseModel], list[LoadProblem]]]:
    model, what = RECORD[folder], WHAT[folder]

    def read(path: Path) -> tuple[list[BaseModel], list[LoadProblem]]:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot read %ss %s (%s); skipped: run `regkb extract` to rewrite it", what, path, exc)
            return [], [LoadProblem(folder, path.name, f"unreadable ({exc})")]
        records: list[BaseModel] = []
        problems: list[LoadProblem] = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                records.append(model.model_validate_json(line))
            except (ValidationError, ValueError) as exc:
                problems.append(LoadProblem(folder, path.name, f"not a valid {what} ({_first_line(exc)})", n))
                log.warning("skipping bad %s record %s:%d (%s)", what, path, n, _first_line(exc))
        return records, problems

    return read


def _first_line(exc: Exception) -> str:
    """What went wrong, in one line: pydantic's first error with where it is ('Invalid JSON: EOF while parsing …')."""
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first['msg']}" if where else first["msg"]
    return (str(exc).splitlines() or [type(exc).__name__])[0]
