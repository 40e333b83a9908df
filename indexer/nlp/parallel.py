"""Extraction of many documents on every core: what `regkb extract` runs.

WHY whole acts per task: the versions of one act (in one language) share most of their sentences, and each process
parses a distinct sentence once (pipeline._CACHE); an act's documents therefore go to the same worker, largest acts
first so the workers finish together. Each worker builds a language's pipeline once, on first use. Workers return
finished JSONL; the parent writes it through the store, so files stay atomic and the progress bar and summary stay in
one place. A document that fails is reported with its error; the others go on.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field

from regkb.records import Document

_RESOLVER = None  # a worker's ReferenceResolver (sent once, when the worker starts)


@dataclass
class Outcome:
    """One document's extraction: its records as JSONL, or why it failed."""

    doc_id: str
    jsonl: bytes = b""
    obligations: int = 0
    modalities: Counter[str] = field(default_factory=Counter)
    error: str | None = None


def extract_one(doc: Document, resolver) -> Outcome:
    """Records of one document, serialised; any exception becomes the outcome's error (one bad document must not
    stop the run)."""
    from indexer.nlp.pipeline import extract_document

    try:
        obligations = extract_document(doc, resolver)
    except Exception as exc:
        return Outcome(doc.id, error=f"{type(exc).__name__}: {exc}")
    return Outcome(doc.id, "".join(o.model_dump_json() + "\n" for o in obligations).encode("utf-8"),
                   len(obligations), Counter(o.modality for o in obligations))


def words(docs: Iterable[Document]) -> int:
    """How much work: the words of the distinct provision texts (repeated ones are parsed once)."""
    return sum(len(t.split()) for t in {p.text or "" for d in docs for p in d.provisions})


def act_groups(docs: Iterable[Document]) -> list[list[Document]]:
    """The documents per act and language, the largest group first."""
    groups: dict[tuple[str, str], list[Document]] = {}
    for d in docs:
        groups.setdefault((d.language, d.act_id), []).append(d)
    return sorted(groups.values(), key=words, reverse=True)


def extract_all(docs: list[Document], resolver, workers: int) -> Iterator[Outcome]:
    """The outcome of every document, as each finishes: in this process when `workers` ≤ 1 or there is only one act
    (lazily, as the iterator is read), else in `workers` spawned processes that start at once (the caller may do
    other work before reading the outcomes)."""
    groups = act_groups(docs)
    if workers <= 1 or len(groups) < 2:
        return (extract_one(doc, resolver) for doc in docs)
    from regkb.processes import worker_pool

    pool = worker_pool(min(workers, len(groups)), _start, (resolver,))
    running = {pool.submit(_extract_group, g): g for g in groups}
    return _collect(pool, running)


def _collect(pool, running: dict[Future[list[Outcome]], list[Document]]) -> Iterator[Outcome]:
    with pool:
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                group = running.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:  # the worker died (killed, out of memory): its documents failed
                    outcomes = [Outcome(d.id, error=f"the worker process failed ({type(exc).__name__}: {exc}); "
                                                    f"`regkb extract --workers 1` extracts in one process")
                                for d in group]
                yield from outcomes


def _start(resolver) -> None:
    global _RESOLVER
    _RESOLVER = resolver


def _extract_group(group: list[Document]) -> list[Outcome]:
    return [extract_one(doc, _RESOLVER) for doc in group]
