"""What's new since a date: documents that appeared and legal events that happened; and, for a followed
search or provision, what changed in exactly the provisions it follows.

WHY: one list feeds the 'What's new' page, `regkb whatsnew` and the Atom feeds,
so all of them always agree. Legal dates (publication, version date, milestones)
decide what is new, not when we happened to crawl a page.

A followed search is the set of (act, article or annex) its hits are in, across
every version of the acts (see `follow_search`); its changes are the comparisons
(compare.py) of consecutive versions of those acts, in one language per act,
kept for the followed units only. A unit is the top-level article or annex,
because that is what the comparison pairs between an OJ text and a consolidation.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel

from indexer.analysis.compare import Comparison, FigureChange, ObligationChange, compare, compare_obligations
from indexer.analysis.corpus import Corpus
from indexer.analysis.scope_rules import ScopeRules, load_scope_rules
from indexer.analysis.timeline import KIND_LABELS, timelines
from indexer.analysis.versions import VersionChains, _takes_effect, act_label
from indexer.analysis.wording import gettext_for
from indexer.search.base import SearchRequest, SearchResponse
from regkb.records import Document, Obligation


class Entry(BaseModel):
    id: str
    date: date
    kind: Literal["document", "event", "provision", "obligation"]
    category: str
    title: str
    summary: str
    url: str
    instrument: str | None = None
    document_id: str | None = None
    compare: tuple[str, str] | None = None
    provision_id: str | None = None  # the article or annex a provision or obligation entry is about
    category_label: str | None = None  # the category in words, in the feed's language (default: the category)
    by: list[str] = []               # the amending acts that made the change ('Directive (EU) 2026/470')


class WhatsNew(BaseModel):
    since: date
    until: date
    entries: list[Entry]
    upcoming: list[Entry]
    truncated: bool = False  # a followed search matched more records than were read (the feed says so)


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


# ---- followed searches and provisions ---------------------------------------------------------

FEED_TAG = "tag:regkb,2026"
MAX_PARTS_TOLD = 6  # changed paragraphs and points an entry names (the comparison it links to shows them all)
SEARCH_PAGE_SIZE = 200  # hits read per request when collecting what a search matches (the engines' largest page)


@dataclass
class Followed:
    """What a feed follows: per act, its top-level units (None: the whole act), and the languages its hits were
    in (the act's changes are read in the interface language, else English, else the hits' language)."""

    units: dict[str, set[str] | None] = field(default_factory=dict)
    languages: dict[str, Counter] = field(default_factory=dict)
    truncated: bool = False

    def add(self, act_id: str, provision_id: str | None, language: str | None) -> None:
        """One matched record: a provision or obligation follows its unit; a document its whole act."""
        if act_id not in self.units or provision_id is None:
            self.units[act_id] = None if provision_id is None else set()
        followed = self.units[act_id]
        if followed is not None and provision_id:
            followed.add(provision_id.split(".")[0])
        if language:
            self.languages.setdefault(act_id, Counter())[language] += 1


def across_versions(req: SearchRequest, versions_given: bool) -> SearchRequest:
    """A followed search matches in every version of the acts (an article deleted since, or only in an older
    text, is still followed), unless it asks for the law of one day (`as_of`) or names `versions` itself."""
    return req if versions_given or req.as_of else req.model_copy(update={"all_versions": True})


def follow_search(search: Callable[[SearchRequest], SearchResponse], req: SearchRequest, corpus: Corpus,
                  limit: int) -> Followed:
    """The acts and units the search's hits are in: every page, up to `limit` hits (then `truncated`)."""
    req = req.model_copy(update={"page": 1, "size": SEARCH_PAGE_SIZE, "facets": [], "highlight": False})
    out, read = Followed(), 0
    while True:
        resp = search(req)
        for hit in resp.hits[: limit - read]:
            rec = hit.record
            doc = corpus.get(rec.get("document_id"))
            act_id = rec.get("act_id") or (doc.act_id if doc else None)
            if act_id:
                out.add(act_id, rec.get("provision_id"), rec.get("language"))
        read += len(resp.hits)
        if read >= limit:
            out.truncated = resp.total > limit
            return out
        if not resp.hits or req.page * req.size >= resp.total:
            return out
        req = req.model_copy(update={"page": req.page + 1})


def followed_changes(corpus: Corpus, followed: Followed, since: date, until: date | None = None,
                     lang: str = "en", documents: bool = True) -> WhatsNew:
    """The changes to what `followed` follows between `since` and `until` (today), newest first: new texts of
    the followed acts (with `documents`), and the followed units added, changed and deleted, with the
    obligations in them added, changed and removed. Told in `lang` (an interface language)."""
    until = until or date.today()
    chains = corpus.derived("version chains", lambda c: VersionChains.build(c.all()))
    entries: list[Entry] = []
    for act_id, units in followed.units.items():
        chain = _language_chain(corpus, chains, act_id, followed.languages.get(act_id, Counter()), lang)
        for i, doc in enumerate(chain):
            day = chains.info[doc.id].valid_from
            if not since <= day <= until:
                continue
            prev = chain[i - 1] if i else None
            if documents:
                entries.append(_text_entry(doc, prev, day, lang))
            if prev is not None:
                entries += _unit_entries(corpus, chains, prev, doc, units, day, lang)
    entries.sort(key=lambda e: e.date, reverse=True)  # stable: on one day the new text, then its articles in order
    return WhatsNew(since=since, until=until, entries=entries, upcoming=[], truncated=followed.truncated)


def _language_chain(corpus: Corpus, chains: VersionChains, act_id: str, hit_languages: Counter,
                    lang: str) -> list[Document]:
    """The act's versions in one language, oldest first: the interface language, else English, else the
    language most hits had, else the language with most versions. (Not the hits' language first: a query is
    also searched in its translations, so an English query can find the French text more often.)"""
    versions = chains.chains.get(act_id, [])
    per_language: dict[str, list[str]] = {}
    for ids in versions:
        for doc_id in ids:
            per_language.setdefault(chains.languages[doc_id], []).append(doc_id)
    if not per_language:
        return []
    ranked = [lang, "en"] + [code for code, _ in hit_languages.most_common()]
    chosen = next((code for code in ranked if code in per_language),
                  max(per_language, key=lambda code: (len(per_language[code]), code)))
    return [doc for doc_id in per_language[chosen] if (doc := corpus.get(doc_id)) is not None]


def _act_name(doc: Document) -> str:
    return doc.short_title or act_label(doc)


def _compare_url(old: Document, new: Document, unit_id: str | None = None) -> str:
    return f"/compare?{urlencode({'old': old.id, 'new': new.id})}" + (f"#change-{unit_id}" if unit_id else "")


def _text_entry(doc: Document, prev: Document | None, day: date, lang: str) -> Entry:
    """A new text of a followed act: the act itself, or a new consolidated version of it."""
    _ = gettext_for(lang)
    when = day.isoformat()
    if prev is None:
        title = _("%(act)s: new text of %(date)s") % {"act": _act_name(doc), "date": when}
    elif doc.consolidated:
        title = _("%(act)s: consolidated version of %(date)s") % {"act": _act_name(doc), "date": when}
    else:
        title = _("%(act)s: new version of %(date)s") % {"act": _act_name(doc), "date": when}
    return Entry(id=f"{FEED_TAG}:document/{doc.id}", date=day, kind="document",
                 category="consolidation" if doc.consolidated else doc.instrument_type, title=title[:200],
                 category_label=_("Consolidated version") if doc.consolidated else None,
                 summary=doc.title[:500], url=_compare_url(prev, doc) if prev else f"/documents/{doc.id}",
                 instrument=doc.act_id, document_id=doc.id, compare=(prev.id, doc.id) if prev else None)


def _comparison(corpus: Corpus, old: Document, new: Document) -> Comparison:
    """Two versions compared (provisions only), once per corpus state."""
    return corpus.derived(f"feed comparison {old.id} {new.id}", lambda _: compare(old, new))


def _amenders(corpus: Corpus, chains: VersionChains, old: Document, new: Document) -> list[str]:
    """The amending acts that took effect after `old` became the act's wording and by `new`'s day."""
    start, end = chains.info[old.id].valid_from, chains.info[new.id].valid_from
    ids = {link.document_id for d in (old, new) for link in d.links if link.relation == "amended_by"}
    acts = [a for i in ids if (a := corpus.get(i)) is not None and (day := _takes_effect(a)) and start < day <= end]
    return list(dict.fromkeys(act_label(a) for a in sorted(acts, key=lambda a: (_takes_effect(a), a.id))))


def _unit_entries(corpus: Corpus, chains: VersionChains, old: Document, new: Document, units: set[str] | None,
                  day: date, lang: str) -> list[Entry]:
    """The followed units that `new` adds, changes or deletes compared with `old`, and their obligations."""
    _ = gettext_for(lang)
    amenders = _amenders(corpus, chains, old, new)
    deleted = {d.unit_id: d for d in chains.deletions.get(old.id, [])}
    out = []
    for p in _comparison(corpus, old, new).provisions:
        if units is not None and p.unit_id not in units:
            continue
        stated = deleted[p.unit_id].by_label if p.status == "removed" and p.unit_id in deleted else None
        by = [stated] if stated else amenders  # a deletion names the act whose text deletes the unit
        what = {"act": _act_name(new), "citation": p.citation, "by": ", ".join(by)}
        title = {
            ("removed", True): _("%(act)s: %(citation)s deleted by %(by)s"),
            ("removed", False): _("%(act)s: %(citation)s deleted"),
            ("added", True): _("%(act)s: %(citation)s added by %(by)s"),
            ("added", False): _("%(act)s: %(citation)s added"),
            ("changed", True): _("%(act)s: %(citation)s amended by %(by)s"),
            ("changed", False): _("%(act)s: %(citation)s changed"),
        }[(p.status, bool(by))] % what
        told = [p.heading or ""] + [_figure_text(f, lang) for f in p.figures]
        parts = [c.citation for c in p.parts if c.status != "unchanged"]
        if parts:
            told.append(_("Parts changed: %(parts)s") % {"parts": "; ".join(parts[:MAX_PARTS_TOLD])
                                                          + ("; …" if len(parts) > MAX_PARTS_TOLD else "")})
        told.append(_("Takes effect on %(date)s.") % {"date": day.isoformat()})
        out.append(Entry(
            id=f"{FEED_TAG}:provision/{old.id}/{new.id}/{p.unit_id}", date=day, kind="provision", category=p.status,
            category_label=_status_label(p.status, lang),
            title=title[:200], summary=" · ".join(t for t in told if t), url=_compare_url(old, new, p.unit_id),
            instrument=new.act_id, document_id=old.id if p.status == "removed" else new.id, compare=(old.id, new.id),
            provision_id=p.unit_id, by=by))
    out += _obligation_entries(corpus, old, new, units, day, amenders, lang)
    return out


def _status_label(status: str, lang: str) -> str:
    _ = gettext_for(lang)
    return {"added": _("added"), "changed": _("changed"), "removed": _("deleted")}[status]


def _figure_text(change: FigureChange, lang: str) -> str:
    """'1 000 → 5 000 employees', 'EUR 450 million → EUR 1 500 million', '26 July 2027 → 26 July 2028'."""
    _ = gettext_for(lang)
    pairs = [f"{p.old or '–'} → {p.new or '–'}" for p in change.pairs]
    if change.kind == "employees":
        return _("threshold %(figures)s employees") % {"figures": "; ".join(pairs)}
    if change.kind == "amount":
        return _("amount %(figures)s") % {"figures": "; ".join(pairs)}
    return _("date %(figures)s") % {"figures": "; ".join(pairs)}


def _obligation_entries(corpus: Corpus, old: Document, new: Document, units: set[str] | None, day: date,
                        by: list[str], lang: str) -> list[Entry]:
    """The obligations of the followed units added, changed and removed (when both texts have extracted ones)."""
    changes = _obligation_changes(corpus, old, new)
    _ = gettext_for(lang)
    titles = {"added": _("%(act)s: obligation added in %(citation)s"),
              "changed": _("%(act)s: obligation changed in %(citation)s"),
              "removed": _("%(act)s: obligation removed from %(citation)s")}
    out = []
    for unit, unit_changes in changes.items():
        if units is not None and unit not in units:
            continue
        for n, change in enumerate(unit_changes):
            out.append(Entry(
                id=f"{FEED_TAG}:obligation/{old.id}/{new.id}/{unit}/{n}", date=day, kind="obligation",
                category=change.status, category_label=_status_label(change.status, lang),
                title=(titles[change.status] % {"act": _act_name(new), "citation": change.citation})[:200],
                summary=_obligation_text(change, lang), url=_compare_url(old, new, unit), instrument=new.act_id,
                document_id=new.id, compare=(old.id, new.id), provision_id=unit, by=by))
    return out


def _obligation_changes(corpus: Corpus, old: Document, new: Document) -> dict[str, list[ObligationChange]]:
    """Per changed article or annex, its obligations added, changed and removed (none unless both texts have
    extracted obligations), once per corpus state. An article whose text did not change has the same
    obligations: pairing them would cost seconds for nothing."""
    def build(c: Corpus) -> dict[str, list[ObligationChange]]:
        before, after = _by_unit(c.obligations(old.id)), _by_unit(c.obligations(new.id))
        if not before or not after:
            return {}
        changed = [p.unit_id for p in _comparison(c, old, new).provisions]
        return {unit: found for unit in changed
                if (found := compare_obligations(before.get(unit, []), after.get(unit, [])))}

    return corpus.derived(f"feed obligation changes {old.id} {new.id}", build)


def _by_unit(obligations: list[Obligation]) -> dict[str, list[Obligation]]:
    out: dict[str, list[Obligation]] = {}
    for ob in obligations:
        out.setdefault(ob.provision_id.split(".")[0], []).append(ob)
    return out


def _obligation_text(change: ObligationChange, lang: str) -> str:
    """The obligation's text now (or as it was), with its thresholds and deadlines before → after."""
    _ = gettext_for(lang)
    told = [" ".join((change.new_text or change.old_text or "").split())[:400]]
    for name, gone, came in ((_("thresholds"), change.thresholds_removed, change.thresholds_added),
                             (_("deadlines"), change.deadlines_removed, change.deadlines_added)):
        if gone or came:
            told.append(f"{name}: {', '.join(gone) or '–'} → {', '.join(came) or '–'}")
    return " · ".join(told)
