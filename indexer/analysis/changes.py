"""What's new since a date: documents that appeared and legal events that happened.

WHY: one list feeds the 'What's new' page, `regkb whatsnew` and the Atom feed,
so all three always agree. Legal dates (publication, version date, milestones)
decide what is new, not when we happened to crawl a page.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

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
    instrument: Optional[str] = None
    document_id: Optional[str] = None
    compare: Optional[tuple[str, str]] = None


class WhatsNew(BaseModel):
    since: date
    until: date
    entries: list[Entry]
    upcoming: list[Entry]


def whats_new(corpus: Corpus, since: date, until: Optional[date] = None, rules: Optional[ScopeRules] = None,
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
    upcoming = sorted((e for e in events if until < e.date and (e.date - until).days <= upcoming_days), key=lambda e: e.date)
    return WhatsNew(since=since, until=until, entries=entries, upcoming=upcoming)


def _event_entries(corpus: Corpus, rules: ScopeRules) -> list[Entry]:
    out = []
    for tl in timelines(corpus, rules=rules):
        for ev in tl.events:
            out.append(Entry(
                id=f"tag:regkb,2026:event/{tl.instrument}/{ev.date.isoformat()}/{ev.kind}",
                date=ev.date, kind="event", category=ev.kind, instrument=tl.instrument, document_id=ev.document_id,
                title=f"{tl.short_title}: {KIND_LABELS[ev.kind]}", summary=ev.label, url=ev.url or tl.official_url))
    return out


def _document_entries(corpus: Corpus, rules: ScopeRules) -> list[Entry]:
    """One entry per document with a legal date; consolidated versions say what changed since the previous one."""
    previous = _previous_versions(rules)
    out = []
    for doc in corpus.all():
        when = doc.dates.version_date or doc.dates.published or doc.dates.adopted
        if when is None:
            continue
        summary = f"{doc.instrument_type.replace('_', ' ')}, {doc.language.upper()}"
        if doc.consolidated:
            summary = f"Consolidated version of {when.isoformat()} ({doc.language.upper()})"
        pair = None
        prev = corpus.get(previous.get(doc.id))
        if prev is not None:
            counts = compare(prev, doc).counts()
            summary += (f". Compared with {prev.id}: {counts['provisions_changed']} articles changed, "
                        f"{counts['provisions_added']} added, {counts['provisions_removed']} removed")
            pair = (prev.id, doc.id)
        out.append(Entry(id=f"tag:regkb,2026:document/{doc.id}", date=when, kind="document",
                         category=doc.instrument_type, title=doc.short_title and f"{doc.short_title}: {doc.title}" or doc.title,
                         summary=summary, url=doc.official_url or doc.source_url, document_id=doc.id,
                         instrument=doc.act_id, compare=pair))
    return out


def _previous_versions(rules: ScopeRules) -> dict[str, str]:
    """document id -> document id of the version before it, from the version lists of the scope rules."""
    out = {}
    for inst in rules.instruments:
        docs = [v.document for v in inst.versions if v.document and v.document.startswith("celex-0")
                or v is inst.versions[0] and v.document]
        for before, after in zip(docs, docs[1:]):
            out[after] = before
    return out
