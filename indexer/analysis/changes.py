"""What's new since a date: documents that appeared and legal events that happened.

WHY: one list feeds the 'What's new' page, `regkb whatsnew` and the Atom feed,
so all three always agree. Legal dates (publication, version date, milestones)
decide what is new, not when we happened to crawl a page.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from indexer.analysis.compare import compare
from indexer.analysis.corpus import Corpus
from indexer.analysis.scope_rules import ScopeRules, load_scope_rules
from indexer.analysis.timeline import KIND_LABELS, timelines


class Entry(BaseModel):
    id: str
    date: date
    kind: Literal["document", "event"]
    category: str
    title: str
    summary: str
    url: str
    instrument: str | None = None
    document_id: str | None = None
    compare: tuple[str, str] | None = None


class WhatsNew(BaseModel):
    since: date
    until: date
    entries: list[Entry]
    upcoming: list[Entry]


def whats_new(corpus: Corpus, since: date, until: date | None = None, rules: ScopeRules | None = None,
              upcoming_days: int = 400) -> WhatsNew:
    """Entries dated in [since, until] (newest first) and the events of the next `upcoming_days`."""
    rules = rules or load_scope_rules()
    until = until or date.today()
    events = _event_entries(corpus, rules)
    docs = _document_entries(corpus, rules)
    seen: set[str] = set()
    entries = []
    for e in sorted(docs + events, key=lambda e: (e.date, e.kind == "document"), reverse=True):
        if since <= e.date <= until and e.id not in seen:
            seen.add(e.id)
            entries.append(e)
    upcoming = sorted(
        (e for e in events if until < e.date and (e.date - until).days <= upcoming_days), key=lambda e: e.date
    )
    return WhatsNew(since=since, until=until, entries=entries, upcoming=upcoming)


def _event_entries(corpus: Corpus, rules: ScopeRules) -> list[Entry]:
    out = []
    for tl in timelines(corpus, rules=rules):
        for ev in tl.events:
            if ev.kind == "consolidation":  # the document entry of that version says it, with the comparison
                continue
            out.append(Entry(
                id=f"tag:regkb,2026:event/{tl.instrument}/{ev.date.isoformat()}/{ev.kind}",
                date=ev.date, kind="event", category=ev.kind, instrument=tl.instrument, document_id=ev.document_id,
                title=f"{tl.short_title}: {KIND_LABELS[ev.kind]}", summary=ev.label, url=ev.url or tl.official_url))
    return out


def _document_entries(corpus: Corpus, rules: ScopeRules) -> list[Entry]:
    """One entry per version of a text (its language versions together); a consolidated version says
    what changed since the previous one."""
    previous = _previous_versions(rules)
    by_version: dict[str, list] = {}
    for doc in corpus.all():
        by_version.setdefault(doc.version_id, []).append(doc)
    out = []
    for version_id, docs in by_version.items():
        doc = next((d for d in docs if d.language == "en"), docs[0])
        when = doc.dates.version_date or doc.dates.published or doc.dates.adopted
        if when is None:
            continue
        langs = ", ".join(sorted(d.language.upper() for d in docs))
        kind = "Consolidated version" if doc.consolidated else doc.instrument_type.replace("_", " ").capitalize()
        summary = f"{kind} of {when.isoformat()} ({langs})"
        pair = None
        prev = corpus.get(previous.get(doc.id))
        if prev is not None:
            counts = _counts(prev, doc)
            summary += (f". Compared with {prev.id}: {counts['provisions_changed']} articles changed, "
                        f"{counts['provisions_added']} added, {counts['provisions_removed']} removed")
            pair = (prev.id, doc.id)
        title = f"{doc.short_title}: {doc.title}" if doc.short_title else doc.title
        out.append(
            Entry(
                id=f"tag:regkb,2026:document/{version_id}",
                date=when,
                kind="document",
                category=doc.instrument_type,
                title=title[:200],
                summary=summary,
                url=doc.official_url or doc.source_url,
                document_id=doc.id,
                instrument=doc.act_id,
                compare=pair,
            )
        )
    return out


_COUNTS: dict[tuple, dict[str, int]] = {}


def _counts(old, new) -> dict[str, int]:
    """Comparison counts, remembered per pair of texts (same ids and content hashes give the same counts)."""
    key = (old.id, old.content_sha256, new.id, new.content_sha256)
    if key not in _COUNTS:
        _COUNTS[key] = compare(old, new).counts()
    return _COUNTS[key]


def _previous_versions(rules: ScopeRules) -> dict[str, str]:
    """document id -> document id of the version before it, from the version lists of the scope rules."""
    out = {}
    for inst in rules.instruments:
        docs = [v.document for v in inst.versions if v.document and v.document.startswith("celex-0")
                or v is inst.versions[0] and v.document]
        for before, after in zip(docs, docs[1:]):
            out[after] = before
    return out
