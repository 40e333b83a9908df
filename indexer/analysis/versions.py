"""Which text of an act was the law on a given day: version chains, validity, deletions.

WHY: a lawyer asks for the law in force on the date that matters. The corpus
holds, per act and language, the text as adopted (the OJ act) and EUR-Lex
consolidations. Ordered by the day each text became the act's wording they
form a chain; each version is valid from its own day until the next one's.
A provision present in one version and gone from the next was deleted by an
amending act on the later version's day: search keeps it findable, marked
deleted, instead of silently dropping it (or worse, showing the old text as
current).

Pure functions over `Document`s, shared by the index records and the web app.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from regkb.records import Document, Provision

OPEN_END = date(9999, 12, 31)
# Texts that are not a wording of the act itself.
NOT_A_VERSION = {"corrigendum", "proposal"}
UNIT_KINDS = ("article", "annex", "appendix")
NUMBERED_PARTS = ("paragraph", "point")  # parts whose id is their number, which stays when one is deleted


@dataclass(frozen=True)
class Deletion:
    """A unit (article, annex), or a numbered paragraph or point of one that remains, that a later version
    no longer has."""

    unit_id: str
    last_document_id: str           # the last version that still has the text
    deleted_on: date                # the day the version without it took over
    by_document_id: str | None   # the amending act that deleted it, when known
    by_label: str | None         # e.g. "Directive (EU) 2026/470"


@dataclass
class VersionInfo:
    """One document's place in its act's chain (per language)."""

    document_id: str
    valid_from: date
    valid_to: date = OPEN_END
    consolidated: bool = False
    previous_id: str | None = None
    next_id: str | None = None
    amended_since: list[str] = field(default_factory=list)  # later amending acts no text here includes yet

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day < self.valid_to


def effective_date(doc: Document) -> date | None:
    """The day this text became the act's wording: the consolidation date, or the OJ act's publication."""
    d = doc.dates
    if doc.consolidated and d.version_date:
        return d.version_date
    return d.published or d.adopted or d.entry_into_force or d.version_date


def _chain_key(doc: Document) -> tuple[str, str] | None:
    if doc.instrument_type in NOT_A_VERSION:
        return None
    return doc.act_id, doc.language


@dataclass
class VersionChains:
    """Every document's validity, and the units deleted between consecutive versions.

    A version (one `version_id`) is valid from its day until the next version of the act takes over, in
    whatever language that next version exists: a Dutch text of 2019 is superseded in 2020 even when the
    2020 consolidation exists only in English and French.
    """

    info: dict[str, VersionInfo] = field(default_factory=dict)
    deletions: dict[str, list[Deletion]] = field(default_factory=dict)  # by the last document that has the unit
    chains: dict[str, list[list[str]]] = field(default_factory=dict)  # act_id → versions (document ids), oldest first
    languages: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, documents: Iterable[Document]) -> VersionChains:
        docs = {d.id: d for d in documents}
        out = cls(languages={d.id: d.language for d in docs.values()})
        by_act: dict[str, dict[str, list[Document]]] = {}
        days: dict[str, date] = {}  # effective dates of the chained (dated) documents
        for doc in docs.values():
            day = effective_date(doc)
            out.info[doc.id] = VersionInfo(doc.id, day or date.min, consolidated=doc.consolidated)
            if doc.instrument_type not in NOT_A_VERSION and day is not None:
                by_act.setdefault(doc.act_id, {}).setdefault(doc.version_id, []).append(doc)
                days[doc.id] = day
        for act_id, versions in by_act.items():
            # On the same day the authentic OJ text wins over a consolidation of it (it comes later, so it rules).
            ordered = sorted(versions.values(), key=lambda ds: (min(days[d.id] for d in ds),
                                                                 not ds[0].consolidated, ds[0].version_id))
            out.chains[act_id] = [sorted(d.id for d in ds) for ds in ordered]
            starts = [min(days[d.id] for d in ds) for ds in ordered]
            for i, ds in enumerate(ordered):
                for d in ds:
                    v = out.info[d.id]
                    v.valid_from = starts[i]
                    v.valid_to = starts[i + 1] if i + 1 < len(ordered) else OPEN_END
            out._date_corrigenda(act_id, starts, docs)
            amenders = _amending_acts([d for ds in ordered for d in ds], docs)
            out._link_languages(ordered, amenders)
            for d in ordered[-1]:
                out.info[d.id].amended_since = list(dict.fromkeys(
                    act_label(a) for a in amenders if (day := _takes_effect(a)) and day > starts[-1]))
        return out

    def _date_corrigenda(self, act_id: str, starts: list[date], docs: dict[str, Document]) -> None:
        """A corrigendum is part of the law from its publication until a version of the act after it (which
        incorporates the correction) takes over."""
        for doc in docs.values():
            if doc.act_id == act_id and doc.instrument_type == "corrigendum" and (day := effective_date(doc)):
                info = self.info[doc.id]
                info.valid_from = day
                info.valid_to = next((s for s in starts if s > day), OPEN_END)

    def _link_languages(self, ordered: list[list[Document]], amenders: list[Document]) -> None:
        """previous/next per language, and the units each language's next version no longer has."""
        for lang in sorted({d.language for ds in ordered for d in ds}):
            chain = [d for ds in ordered for d in ds if d.language == lang]
            for older, newer in zip(chain, chain[1:]):
                self.info[older.id].next_id, self.info[newer.id].previous_id = newer.id, older.id
                self._record_deletions(older, newer, amenders)

    def _record_deletions(self, older: Document, newer: Document, amenders: list[Document]) -> None:
        kept = {p.id for p in newer.provisions if p.kind in UNIT_KINDS}
        if not kept:  # a version without units is a parse failure, not a repeal of everything
            return
        start, end = self.info[older.id].valid_from, self.info[newer.id].valid_from
        have = {p.id for p in newer.provisions}
        numbered = {p.id for p in older.provisions if p.kind in UNIT_KINDS + NUMBERED_PARTS}
        missing = {p.parent_id for p in older.provisions
                   if p.kind in NUMBERED_PARTS and p.id not in have and p.parent_id in have}
        numbered -= _renumbered(older, newer, missing & numbered)
        for p in older.provisions:
            if p.kind in UNIT_KINDS and p.id not in kept and (p.text or p.heading or _has_children(older, p.id)):
                act = _deleting_act(p.id, start, end, amenders)
            elif (p.kind in NUMBERED_PARTS and p.number and p.id not in have and p.parent_id in have
                  and p.parent_id in numbered):
                # a numbered paragraph or lettered point gone from a numbered part that remains: numbers are
                # ids (consolidations never renumber), so it was deleted ("▼M2 —————" in EUR-Lex's text); a
                # subparagraph's id is its position, so the points of a replaced one are not counted
                act = _deleting_act(p.id, start, end, amenders, stated=False)
            else:
                continue
            self.deletions.setdefault(older.id, []).append(
                Deletion(p.id, older.id, end, act.id if act else None, act_label(act) if act else None))

    def version(self, doc_id: str) -> VersionInfo | None:
        return self.info.get(doc_id)

    def _versions_of(self, doc_id: str) -> list[list[str]]:
        """The versions of the act this document belongs to (an index built on first use: pages ask per card)."""
        chain_of = self.__dict__.get("_chain_of")
        if chain_of is None:
            chain_of = self.__dict__["_chain_of"] = {d: vs for vs in self.chains.values() for v in vs for d in v}
        return chain_of.get(doc_id, [])

    def current(self, doc_id: str, day: date | None = None) -> str | None:
        """The document of the same act in force on `day` (today by default), in this language if it exists.
        None when no version was in force then (before adoption)."""
        day = day or date.today()
        versions = self._versions_of(doc_id)
        if not versions:
            return doc_id
        for ids in versions:
            if ids and self.info[ids[0]].in_force_on(day):
                lang = self.languages.get(doc_id)
                return next((i for i in ids if self.languages.get(i) == lang), None) or _preferred(ids, self.languages)
        return None

    def others(self, doc_id: str) -> list[str]:
        """The other versions of the act, oldest first, one document each (this language if it exists)."""
        lang = self.languages.get(doc_id)
        out = []
        for ids in self._versions_of(doc_id):
            if doc_id in ids:
                continue
            same = [i for i in ids if self.languages.get(i) == lang]
            out.append(same[0] if same else _preferred(ids, self.languages))
        return out

    def removed_before(self, doc_id: str) -> list[Deletion]:
        """The units that earlier versions of this document (same language) had and a later one deleted,
        oldest first: what its reader marks as deleted where the text once was."""
        out: list[Deletion] = []
        seen = {doc_id}
        prev = self.info[doc_id].previous_id if doc_id in self.info else None
        while prev and prev not in seen:
            seen.add(prev)
            out = self.deletions.get(prev, []) + out
            prev = self.info[prev].previous_id if prev in self.info else None
        return out

    def deletion_of(self, doc_id: str, provision_id: str) -> Deletion | None:
        """The deletion of `provision_id` or of the part that contains it, if it is gone after this version."""
        return next((d for d in self.deletions.get(doc_id, [])
                     if provision_id == d.unit_id or provision_id.startswith(d.unit_id + ".")), None)


def _preferred(ids: list[str], languages: dict[str, str]) -> str:
    order = {"en": 0, "fr": 1, "nl": 2}
    return min(ids, key=lambda i: (order.get(languages.get(i, ""), 9), i))


def _has_children(doc: Document, pid: str) -> bool:
    return any(p.parent_id == pid for p in doc.provisions)


_DELETED = r"\b(?:Article|Annex|Artikel|Bijlage)\s+{n}\s+(?:is|are|wordt|worden|est)\s+(?:deleted|geschrapt|supprimée?)"


def _amending_acts(chain_docs: list[Document], docs: dict[str, Document]) -> list[Document]:
    """The amending acts linked to any version of the chain (acts.yaml `amends` → `amended_by` links)."""
    ids = {link.document_id for d in chain_docs for link in d.links if link.relation == "amended_by"}
    return sorted((docs[i] for i in ids if i in docs), key=lambda d: (_takes_effect(d) or date.max, d.id))


def _takes_effect(doc: Document) -> date | None:
    return doc.dates.entry_into_force or doc.dates.published or doc.dates.adopted


def _renumbered(older: Document, newer: Document, parents: set[str]) -> set[str]:
    """Parts whose numbered children a later version renumbered (an article replaced as a whole, its old
    paragraph 5 now paragraph 1): a number whose new text is another number's old text. Their missing
    numbers moved rather than went."""
    siblings: dict[str, list[Provision]] = {}
    for p in older.provisions:
        if p.parent_id and p.parent_id in parents and p.kind in NUMBERED_PARTS and p.text:
            siblings.setdefault(p.parent_id, []).append(p)
    out = set()
    for p in newer.provisions:
        if not (p.parent_id and p.parent_id in siblings and p.kind in NUMBERED_PARTS and p.text):
            continue
        for old in siblings[p.parent_id]:
            if old.id != p.id and difflib.SequenceMatcher(None, old.text[:200], p.text[:200]).ratio() > 0.8:
                out.add(p.parent_id)
                break
    return out


def _deleting_act(unit: str, start: date, end: date, amenders: list[Document], stated: bool = True) -> Document | None:
    """The amending act effective between two versions; the one whose text deletes the unit when several are
    (`stated`: look for "Article 22 is deleted"; a part's deletion is worded too many ways)."""
    window = [a for a in amenders if (day := _takes_effect(a)) and start < day <= end]
    number = unit.split("_", 1)[-1]
    says = re.compile(_DELETED.format(n=re.escape(number)), re.I)
    saying = [a for a in window if any(says.search(p.text) for p in a.provisions if p.text)] if stated else []
    found = saying or window
    return found[-1] if found else None


def act_label(doc: Document) -> str:
    """'Directive (EU) 2026/470': how an act is cited."""
    kind = {"directive": "Directive", "regulation": "Regulation", "delegated_regulation": "Delegated Regulation",
            "implementing_regulation": "Implementing Regulation"}.get(doc.instrument_type)
    number = doc.identifiers.number
    return f"{kind} (EU) {number}" if kind and number else (doc.short_title or doc.title)
