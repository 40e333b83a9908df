"""Flat index records, one per obligation, provision and document.

Both engines index exactly these dicts (kind, keyword fields for facets and
filters, text fields per language, sortable dates as YYYYMMDD integers), so
what one engine finds the other finds too. `load_records` reads a data dir.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from indexer.analysis.versions import OPEN_END, Deletion, VersionChains, VersionInfo
from indexer.parsing.metadata import DATE_RE
from indexer.search.settings import search_config
from regkb.corpus import Corpus
from regkb.records import DefinedTerm, Document, Obligation, Provision
from regkb.settings import DataDir, load_config
from regkb.taxonomy import ALL_SECTORS, NO_SECTOR, role_ancestors, sector_ancestors

if TYPE_CHECKING:  # compounds loads the analysers: imported when first needed
    from indexer.search.compounds import Decompounder

log = logging.getLogger(__name__)

AMENDS_LABEL = {"en": "amends", "fr": "modifie", "nl": "wijzigt"}
NO_DATE = 0            # date_sort for records without a date (sorts last when newest first)
NO_DEADLINE = 99991231  # deadline_sort for records without a deadline (sorts last when soonest first)


def ymd(d: date | None) -> int | None:
    return d.year * 10000 + d.month * 100 + d.day if d else None


def _weight(kind: str | None, modality: str | None = None, deleted: bool = False, heading_only: bool = False,
            instruction: bool = False, glossary: bool = False) -> float:
    """The engines multiply relevance by log2(2 + weight): a provision-kind weight (operative text above
    annexes above recitals) times a factor for the modality (duties before permissions), for deleted text and
    for an amending instruction whose effect the amended act's own text in the corpus already shows."""
    b = search_config()["boosts"]
    base = math.log2(2.0 + float(b["provision_kind"].get(kind or "", b.get("default_weight", 1.0))))
    factor = float((b.get("modality") or {}).get(modality or "", 1.0)) * (
        float(b.get("deleted", 1.0)) if deleted else 1.0
    )
    factor *= float(b.get("heading_only", 1.0)) if heading_only else 1.0
    factor *= float(b.get("amending_instruction", 1.0)) if instruction else 1.0
    factor *= float(b.get("glossary_entry", 1.0)) if glossary else 1.0
    return 2.0 ** (base * factor) - 2.0


def _doc_date(doc: Document) -> date | None:
    d = doc.dates
    return d.version_date or d.adopted or d.published or d.entry_into_force


@lru_cache(maxsize=1)
def act_names() -> dict[str, tuple[str, str]]:
    """act_id → (short_title, name for people) from config/acts.yaml: one instrument value per act whatever its
    language versions call themselves ("Taxonomy Regulation" / "TAXO"), the value a query's act name filters
    on, and how pages name the act when the short title is a code (BATT → Batteries Regulation)."""
    acts = (load_config("acts") or {}).get("acts") or {}
    return {a["act_id"]: (a["short_title"], a.get("name") or a["short_title"])
            for a in acts.values() if a.get("act_id") and a.get("short_title")}


@lru_cache(maxsize=1)
def _dutch_act_names() -> dict[str, str]:
    acts = (load_config("acts") or {}).get("acts") or {}
    return {a["act_id"]: a["name_nl"] for a in acts.values() if a.get("act_id") and a.get("name_nl")}


def act_name_in(act_id: str | None, lang: str) -> str | None:
    """How pages in `lang` name the act (config/acts.yaml `name_nl` for Dutch, else `name`); None if unknown."""
    if not act_id or act_id not in act_names():
        return None
    return (_dutch_act_names().get(act_id) if lang == "nl" else None) or act_names()[act_id][1]


def version_fields(doc: Document, v: VersionInfo | None) -> dict[str, Any]:
    """Which version of the act this text is and when it was the law (`as_of` filters on valid_from/valid_to)."""
    if v is None:
        return {"valid_from": 0, "valid_to": ymd(OPEN_END), "consolidated": doc.consolidated}
    return {
        "valid_from": ymd(v.valid_from) if v.valid_from > date.min else 0, "valid_to": ymd(v.valid_to),
        "consolidated": doc.consolidated, "version_date": v.valid_from.isoformat() if v.valid_from > date.min else None,
        "version_published": bool(doc.consolidated or doc.dates.published),
        "superseded_on": v.valid_to.isoformat() if v.valid_to < OPEN_END else None,
        "amended_since": list(v.amended_since),
    }


def _document_fields(doc: Document, version: VersionInfo | None = None) -> dict[str, Any]:
    """What every record of a document carries: facets, titles, links, dates, version."""
    years = sorted({a.date.year for a in doc.dates.application})
    day = _doc_date(doc)
    return {
        **version_fields(doc, version),
        "document_id": doc.id,
        "act_id": doc.act_id,
        "short_title": doc.short_title,
        "act_name": act_names().get(doc.act_id, (None, doc.short_title))[1],
        "instrument": act_names().get(doc.act_id, (None,))[0]
        or doc.short_title
        or doc.identifiers.number
        or doc.title[:80],
        "document_title": doc.title,
        "jurisdiction": doc.jurisdiction,
        "document_type": doc.instrument_type,
        "language": doc.language,
        "status": doc.status,
        "source_url": doc.source_url,
        "official_url": doc.official_url or doc.source_url,
        "application_years": [str(y) for y in years],
        "application_dates": [a.date.isoformat() for a in doc.dates.application],
        "date": day.isoformat() if day else None,
        "date_sort": ymd(day) or NO_DATE,
        "sectors": _specific_or_all(_sectors(doc.sectors)),
        "topics": list(doc.topics),
    }


def _specific_or_all(codes: list[str]) -> list[str]:
    """The record's sectors, or ALL_SECTORS when it names none (a rule of general scope concerns every sector);
    NO_SECTOR (legislative machinery, indexer/nlp/sectors.py) overrides its instrument's sectors."""
    if NO_SECTOR in codes:
        return [NO_SECTOR]
    specific = [c for c in dict.fromkeys(codes) if c != ALL_SECTORS]
    return specific or [ALL_SECTORS]


def _sectors(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(a for c in codes if c for a in sector_ancestors(c)))


@lru_cache(maxsize=1)
def _definition_heading_words() -> frozenset[str]:
    """The words that head a definitions article or glossary, any language (config matching.definition_headings)."""
    heads = (search_config().get("matching") or {}).get("definition_headings") or {}
    return frozenset(str(w).lower() for words in heads.values() for w in words)


@dataclass
class _ProvisionIndex:
    """Parent links of one document's provisions: ancestry paths, headings, article numbers."""
    doc: Document
    by_id: dict[str, Provision] = field(init=False)
    order: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.doc.provisions}
        self.order = {p.id: i for i, p in enumerate(self.doc.provisions)}
        self._first_child: dict[str, str] = {}
        for p in self.doc.provisions:
            if p.parent_id:
                self._first_child.setdefault(p.parent_id, p.id)

    def lead_heading(self, p: Provision) -> str | None:
        """The heading a provision is found by: its own or, for the first paragraph of an article without
        text of its own, the article's, since that paragraph states the article's main rule."""
        if p.heading or not p.parent_id or p.kind != "paragraph":
            return p.heading
        parent = self.by_id.get(p.parent_id)
        if parent is None or parent.kind != "article" or parent.text or self._first_child.get(parent.id) != p.id:
            return None
        return parent.heading

    def in_glossary(self, p: Provision) -> bool:
        """Whether `p` is in a glossary or list of definitions inside an annex (ESRS Annex II, "Acronyms and
        glossary of terms"): it explains a word the act uses, it imposes nothing."""
        chain = self.chain(p.id)
        words = _definition_heading_words()
        return any(c.kind == "annex" for c in chain) and any(
            words & set(re.findall(r"\w+", (c.heading or "").lower())) for c in chain)

    def chain(self, pid: str) -> list[Provision]:
        out, seen = [], set()
        p = self.by_id.get(pid)
        while p is not None and p.id not in seen:
            out.append(p)
            seen.add(p.id)
            p = self.by_id.get(p.parent_id) if p.parent_id else None
        return list(reversed(out))

    def path(self, pid: str) -> list[str]:
        chain = self.chain(pid)
        if chain:
            return [p.id for p in chain]
        parts = pid.split(".")  # unknown id: fall back on the dotted-id convention
        return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]

    def heading(self, pid: str) -> str:
        return " — ".join(p.heading for p in self.chain(pid) if p.heading)

    def cite_key(self, p: Provision) -> str | None:
        """What citation look-up matches: '8', '8(2)', '8(2)(a)', '22(2)¶2', 'rct:12', 'anx:1/p1(10)',
        'esrs:e1/ar21' (indexer/search/citations.py), computed once per document."""
        from indexer.search.citations import document_cite_keys
        keys = self.__dict__.get("_cite_keys")
        if keys is None:
            keys = self.__dict__["_cite_keys"] = document_cite_keys(self.doc.provisions)
        return keys.get(p.id)


_AMENDED_ACT = re.compile(
    r"\b(?:Directive|Regulation|Richtlijn|Verordening|Règlement)\s+(?:\((?:EU|EG|UE|CE)\)\s*(?:No\s+|nr\.\s+|n°\s+)?)?"
    r"((?:19|20)\d{2}/\d{1,4})",
    re.I,
)
# "… is replaced by", "wordt als volgt gewijzigd", "est inséré": the words of an amending instruction
_INSTRUCTION = re.compile(
    r"\b(?:is|are)\s+(?:amended|replaced|inserted|added|deleted|repealed)\b"
    r"|\bwordt\s+(?:als volgt\s+)?(?:gewijzigd|vervangen|ingevoegd|toegevoegd|geschrapt)\b|\b(?:vervalt|vervallen)\b"
    r"|\b(?:est|sont)\s+(?:modifiée?s?|remplacée?s?|insérée?s?|ajoutée?s?|supprimée?s?)\b",
    re.I,
)
# between a unit and the act it belongs to: "(1), second subparagraph, of ", " van ", " de la "
_UNIT_OF = re.compile(r"(?:\(\w+\))*(?:,?\s+[\w ]{0,40}?)?,?\s+(?:of|van|de\s+la|du|de)\s+(?:the\s+|de\s+)?", re.I)
_AMENDED_UNIT = re.compile(
    r"^\W*(?:in\s+|à\s+)?(?:Article|Artikel|l.article|Annex|Bijlage|l.annexe)\s+(\d+[a-z]?|[IVX]+)\b", re.I
)


@dataclass
class AmendmentTargets:
    """What an amending act's provisions amend: 'Article 29 is amended as follows' in the article headed
    'Amendments to Directive (EU) 2024/1760' amends CSDDD Article 29, whose heading says what it is about
    ('Civil liability of companies and right to full compensation'), so that a search for the topic finds
    the amendment too."""
    headings: dict[tuple[str, str, str], str]  # (act number, language, unit id) → heading

    @classmethod
    def of(cls, docs: Iterable[Document]) -> AmendmentTargets:
        out: dict[tuple[str, str, str], str] = {}
        for d in docs:
            if d.identifiers.number and d.instrument_type != "corrigendum" and not d.consolidated:
                for p in d.provisions:
                    if p.kind in ("article", "annex") and p.heading:
                        out[(d.identifiers.number, d.language, p.id)] = f"{p.citation} ({p.heading})"
        return cls(out)

    def instructs(self, doc: Document, idx: _ProvisionIndex, p: Provision) -> bool:
        """An amending instruction (or the text it inserts) aimed at an act whose own text is in the corpus:
        a reader wants that act's provision first, and the instruction that changed it after."""
        if p.kind in ("recital", "citation", "preamble") or not self.headings:
            return False
        chain = idx.chain(p.id)
        context = " ".join(f"{c.heading or ''} {(c.text or '')[:200]}" for c in chain)
        act = _AMENDED_ACT.search(context)
        return bool(act and act.group(1) != doc.identifiers.number and act.group(1) in self.numbers
                    and _INSTRUCTION.search(context))

    @property
    def numbers(self) -> frozenset[str]:
        """The acts (numbers such as 2024/1760) whose text the corpus holds."""
        found = self.__dict__.get("_numbers")
        if found is None:
            found = self.__dict__["_numbers"] = frozenset(number for number, _, _ in self.headings)
        return found

    def heading(self, doc: Document, idx: _ProvisionIndex, p: Provision) -> str | None:
        m = _AMENDED_UNIT.match(p.text or "")
        if not m or not self.headings:
            return None
        # the act named right after the unit ("In Article 37(1) of Directive (EU) 2024/1760, …"), else in the
        # enclosing article ("Amendments to Directive (EU) 2024/1760")
        act = _act_after_unit(p.text or "", m.end())
        if act is None:
            chain = idx.chain(p.id)
            act = _AMENDED_ACT.search(" ".join(f"{c.heading or ''} {(c.text or '')[:200]}" for c in chain[:-1]))
        if not act or act.group(1) == doc.identifiers.number:
            return None
        number = m.group(1)
        unit = f"art_{number.lower()}" if not re.match(r"^[IVX]+$", number) else f"anx_{number}"
        return self.headings.get((act.group(1), doc.language, unit)) or self.headings.get((act.group(1), "en", unit))


def _act_after_unit(text: str, at: int) -> re.Match[str] | None:
    """The act named right after the unit mentioned at `at` ("… (1) of Directive (EU) 2024/1760")."""
    between = _UNIT_OF.match(text, at)
    return _AMENDED_ACT.match(text, between.end()) if between else None


def provision_record(
    doc: Document,
    p: Provision,
    idx: _ProvisionIndex,
    base: dict[str, Any],
    modality: str | None = None,
    amends: str | None = None,
    instruction: bool = False,
) -> dict[str, Any]:
    heading = idx.heading(p.id)
    if amends:  # an amending instruction says what it amends
        heading = f"{heading} — {AMENDS_LABEL.get(doc.language, AMENDS_LABEL['en'])} {amends}".strip(" —")
    return {
        **base,
        "id": f"{doc.id}#{p.id}",
        "kind": "provision",
        "provision_id": p.id,
        "provision_path": idx.path(p.id),
        "group": f"{doc.act_id}#{p.id}",
        "amends": amends,
        "provision_kind": p.kind,
        "citation": p.citation,
        "heading": heading,
        "own_heading": idx.lead_heading(p),
        "text": p.text,
        "number": p.number,
        "page": p.page,
        "cite_key": idx.cite_key(p),
        "ordinal": idx.order.get(p.id, 0),
        "dated": "yes" if DATE_RE.search(p.text or "") else None,  # states a date: an answer to "when …?"
        "modality": modality,
        "rank_weight": _weight(p.kind, modality, heading_only=not p.text, instruction=instruction,
                               glossary=idx.in_glossary(p)),
        "deadline": None,
        "deadline_sort": NO_DEADLINE,
    }


def obligation_record(
    ob: Obligation, idx: _ProvisionIndex | None, base: dict[str, Any], nth: int = 0
) -> dict[str, Any]:
    """`nth`: the obligation's rank within its provision; the same duty in another version or language of
    the act has the same rank, so they collapse into one hit (`group`)."""
    prov = idx.by_id.get(ob.provision_id) if idx else None
    deadline = min((d.date for d in ob.deadlines if d.date), default=None)
    years = set(base.get("application_years", [])) | ({str(deadline.year)} if deadline else set())
    return {
        **base, "id": ob.id, "kind": "obligation", "provision_id": ob.provision_id,
        "group": f"{base.get('act_id') or ob.document_id}#{ob.provision_id}#{nth}",
        "provision_path": idx.path(ob.provision_id) if idx else [ob.provision_id],
        "provision_kind": prov.kind if prov else None, "citation": ob.citation,
        "heading": idx.heading(ob.provision_id) if idx else "", "text": ob.text, "language": ob.language,
        "modality": ob.modality, "addressee": ob.addressee, "addressee_text": ob.addressee_text, "action": ob.action,
        # who must act in the end, and (for the Who facet's roll-up) every broader role: economic_operators finds it
        "duty_bearer": ob.duty_bearer or ob.addressee, "duty_bearers": role_ancestors(ob.duty_bearer or ob.addressee),
        "conditions": list(ob.conditions), "deadlines": [d.model_dump(mode="json") for d in ob.deadlines],
        "thresholds": [t.model_dump(mode="json") for t in ob.thresholds],
        "sectors": _specific_or_all([*base.get("sectors", []), *_sectors(ob.sectors)]),
        "topics": list(dict.fromkeys([*base.get("topics", []), *ob.topics])),
        "application_years": sorted(years),
        "deadline": deadline.isoformat() if deadline else None, "deadline_sort": ymd(deadline) or NO_DEADLINE,
        "dated": "yes" if deadline or DATE_RE.search(ob.text or "") else None,
        "ordinal": (idx.order.get(ob.provision_id, 0) * 1000 + min(ob.start, 999)) if idx else ob.start,
        "rank_weight": _weight(prov.kind if prov else "article", ob.modality),
    }


def document_record(doc: Document, base: dict[str, Any]) -> dict[str, Any]:
    """A document matches on its whole text (`body`, indexed, never stored or returned); its snippets come
    from its best-matching provisions."""
    body = "\n".join(p.text for p in doc.provisions if p.text)[:200_000]
    return {
        **base,
        "id": doc.id,
        "kind": "document",
        "provision_id": None,
        "provision_path": [],
        "provision_kind": None,
        "group": doc.id,
        "citation": doc.short_title or doc.title,
        "heading": "",
        "body": body,
        "ordinal": 0,
        "rank_weight": _weight("article"),
        "deadline": None,
        "deadline_sort": NO_DEADLINE,
        "identifiers": doc.identifiers.model_dump(mode="json", exclude_none=True),
    }


@dataclass
class LoadReport:
    """What reading a data dir found: counts, files or lines that did not load, records dropped with their document."""
    documents: int = 0
    obligations: int = 0
    errors: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # document id → obligations left out (it does not load)


def records_for(documents: Iterable[Document], obligations: Iterable[Obligation],
                stored_terms: Callable[[Document], list[DefinedTerm] | None] = lambda _: None,
                splitter: Decompounder | None = None) -> Iterator[dict[str, Any]]:
    """Index records for documents (with their provisions) and obligations (joined to their document).

    A unit (article, annex) that a later version deleted stays findable: after its deletion date its last
    text is indexed again as a tombstone record marked deleted (`deleted_on`, `deleted_by`)."""
    docs = {d.id: d for d in documents}
    obligations = list(obligations)
    strongest = _strongest_modality(obligations)
    chains = VersionChains.build(docs.values())
    targets = AmendmentTargets.of(docs.values())
    indexes = {d.id: _ProvisionIndex(d) for d in docs.values()}
    defines = _defined_terms(docs.values(), stored_terms)
    bases = {d.id: _document_fields(d, chains.version(d.id)) for d in docs.values()}
    versions = _version_starts(bases.values())
    parts = _compound_parts(docs.values(), splitter)
    for d in docs.values():
        yield parts(document_record(d, bases[d.id]))
        for p in d.provisions:
            if p.text or p.heading or indexes[d.id].cite_key(p):  # a citable provision is found even without text
                modality = strongest.get((d.id, p.id))
                rec = provision_record(d, p, indexes[d.id], bases[d.id], modality, targets.heading(d, indexes[d.id], p),
                                       targets.instructs(d, indexes[d.id], p))
                if terms := defines.get((d.id, p.id)):
                    rec["defines"] = terms
                if quoted := _quoted_group(p, docs):
                    rec.update(group=quoted, quoted_amendment=True, **_quotation_validity(rec, quoted, versions))
                yield parts(rec)
                if (gone := chains.deletion_of(d.id, p.id)) is not None:
                    yield tombstone(rec, gone, p.kind, modality, heading_only=not p.text)
    nth: Counter[tuple[str, str]] = Counter()
    for ob in obligations:
        nth[(ob.document_id, ob.provision_id)] += 1
        base = bases.get(ob.document_id) or {"document_id": ob.document_id, "language": ob.language,
                                             "date_sort": NO_DATE, "application_years": [], "sectors": [], "topics": [],
                                             "valid_from": 0, "valid_to": ymd(OPEN_END)}
        rec = obligation_record(ob, indexes.get(ob.document_id), base, nth[(ob.document_id, ob.provision_id)])
        prov = indexes[ob.document_id].by_id.get(ob.provision_id) if ob.document_id in indexes else None
        if prov is not None and (quoted := _quoted_group(prov, docs)):
            rec.update(group=f"{quoted}#{nth[(ob.document_id, ob.provision_id)]}", quoted_amendment=True,
                       **_quotation_validity(rec, quoted, versions))
        yield parts(rec)
        if (gone := chains.deletion_of(ob.document_id, ob.provision_id)) is not None:
            yield tombstone(rec, gone, rec.get("provision_kind"), ob.modality)


def _compound_parts(docs: Iterable[Document], splitter: Decompounder | None = None
                    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Adds to a Dutch record the parts of its compounds (`compound_parts`, matched with its text):
    "diversiteitsbeleid" is then found by "diversity policy". `splitter`: the one queries use
    (`Decompounder.learned`); without it, one over the frequencies of the Dutch texts indexed."""
    from indexer.search.compounds import LANGUAGE, Decompounder
    if splitter is None:
        splitter = Decompounder.from_texts(
            " ".join(filter(None, [p.heading, p.text])) for d in docs if d.language == LANGUAGE for p in d.provisions
        )

    def add(rec: dict[str, Any]) -> dict[str, Any]:
        if rec.get("language") == LANGUAGE:
            text = rec.get("body") if rec.get("kind") == "document" else rec.get("text")
            if found := splitter.parts_text(" ".join(filter(None, [rec.get("heading"), text]))):
                rec["compound_parts"] = found
        return rec
    return add


def _defined_terms(docs: Iterable[Document], stored: Callable[[Document], list[DefinedTerm] | None]
                   ) -> dict[tuple[str, str], list[str]]:
    """(document, provision) → the signatures of the terms it defines: 'what does remediation mean' then finds the
    definition itself, not every provision that uses the word. The terms `regkb extract` stored (what the term
    pages show), else found now (indexer/analysis/terms.py) for a document indexed without extraction."""
    from indexer.analysis.terms import extract_terms
    from indexer.search.analysis import term_signature
    out: dict[tuple[str, str], list[str]] = {}
    for d in docs:
        terms = stored(d)
        for t in extract_terms(d) if terms is None else terms:
            sigs = {sig for name in (t.term, *t.aliases) if (sig := term_signature(name, d.language))}
            if sigs:
                out.setdefault((d.id, t.provision_id), []).extend(sorted(sigs))
    return out


def _version_starts(bases: Iterable[dict[str, Any]]) -> dict[str, list[int]]:
    """act → the days (YYYYMMDD) on which each of its texts in the corpus became the law, in order."""
    out: dict[str, set[int]] = {}
    for b in bases:
        if b.get("act_id") and b.get("valid_from"):
            out.setdefault(b["act_id"], set()).add(b["valid_from"])
    return {act: sorted(days) for act, days in out.items()}


def _quotation_validity(rec: dict[str, Any], group: str, versions: Mapping[str, list[int]]) -> dict[str, Any]:
    """An amending act's quotation of a provision is the law only until the amended act's next text in the
    corpus (the consolidation that took it in, or a later one that may have changed it again): after that it
    is superseded, and search shows that text instead (Stop-the-clock's CSDDD Article 37(1) → 17 April 2025)."""
    later = [day for day in versions.get(group.split("#")[0], []) if day > (rec.get("valid_from") or 0)]
    if not later or later[0] >= (rec.get("valid_to") or ymd(OPEN_END) or 0):
        return {}
    day = later[0]
    return {"valid_to": day, "superseded_on": f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}"}


def _quoted_group(p: Provision, docs: Mapping[str, Document]) -> str | None:
    """The group of the amended act's provision that an amending act quotes ("Article 37(1) is replaced by the
    following: '…'"), when the corpus holds that act: the quoted text and the consolidation that took it in are
    one provision to a reader, so they collapse into one hit instead of two near-identical ones."""
    a = p.amendment
    target = docs.get(a.target_document_id or "") if a is not None and a.quoted and a.target_provision_id else None
    return f"{target.act_id}#{a.target_provision_id}" if target is not None and a is not None else None


MODALITY_STRENGTH = ("obligation", "prohibition", "exemption", "permission")


def _strongest_modality(obligations: list[Obligation]) -> dict[tuple[str, str], str]:
    """(document, provision) → the strongest modality among its obligations: a provision that imposes a duty
    ranks before one that only permits."""
    out: dict[tuple[str, str], str] = {}
    for ob in obligations:
        key = (ob.document_id, ob.provision_id)
        if key not in out or MODALITY_STRENGTH.index(ob.modality) < MODALITY_STRENGTH.index(out[key]):
            out[key] = ob.modality
    return out


DELETED_SUFFIX = "~deleted"


def tombstone(rec: dict[str, Any], gone: Deletion, kind: str | None, modality: str | None = None,
              heading_only: bool = False) -> dict[str, Any]:
    """The last text of a deleted provision, valid from the deletion on, saying who deleted it and when."""
    return {**rec, "id": rec["id"] + DELETED_SUFFIX, "status": "deleted", "valid_from": ymd(gone.deleted_on),
            "valid_to": ymd(OPEN_END), "superseded_on": None, "deleted_on": gone.deleted_on.isoformat(),
            "deleted_by": gone.by_label, "deleted_by_document": gone.by_document_id,
            "rank_weight": _weight(kind, modality, deleted=True, heading_only=heading_only)}


def read_documents(data_dir: DataDir, report: LoadReport) -> list[Document]:
    """The documents of a data dir that load (read by the one corpus store); the others are named in `report`."""
    return _read(data_dir, report).all()


def read_obligations(data_dir: DataDir, report: LoadReport) -> Iterator[Obligation]:
    """The obligations of the documents that load; those of a document that does not are dropped and counted."""
    corpus = _read(data_dir, report)
    for ob in corpus.all_obligations():
        report.obligations += 1
        yield ob


def _read(data_dir: DataDir, report: LoadReport, corpus: Corpus | None = None) -> Corpus:
    corpus = corpus if corpus is not None else Corpus.at(data_dir.root)
    report.documents = len(corpus.documents)
    report.errors = corpus.errors
    report.dropped = {doc_id: len(corpus.obligations(doc_id)) for doc_id in corpus.orphans()}
    return corpus


def load_records(data_dir: DataDir, report: LoadReport | None = None, splitter: Decompounder | None = None,
                 corpus: Corpus | None = None) -> Iterator[dict[str, Any]]:
    """All index records of a data dir; bad files are reported in `report.errors`, never fatal, and the
    obligations of a document that no longer loads are left out (`report.dropped`), never linked to a 404.
    `splitter`: Dutch compounds split as queries split them (`Decompounder.learned`); `corpus`: the data dir
    as already read (the index build reads it once for the translations and the records)."""
    report = report if report is not None else LoadReport()
    corpus = _read(data_dir, report, corpus)
    obligations = list(corpus.all_obligations())
    report.obligations = len(obligations)
    return records_for(corpus.all(), obligations, lambda d: corpus.terms(d.id) if corpus.has_terms(d.id) else None,
                       splitter)
