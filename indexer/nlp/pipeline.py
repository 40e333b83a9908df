"""One spaCy pipeline per language, and the extractor that turns documents into Obligation records.

WHY the candidate filter: parsing every sentence with the statistical model
is what costs time; normative sentences almost always carry a cue word, so
sentences are split cheaply on the raw text first and only candidates go
through `nlp.pipe` (Dutch operative provisions are all candidates because of
present-tense duties; the Dutch pipeline is rule-based and cheap).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from functools import cache

from spacy.language import Language

import indexer.nlp.components  # noqa: F401  (registers the factories)
from indexer.nlp.components import PRIOR, Prior, make_doc, text_of
from indexer.nlp.fields import find_references
from indexer.nlp.lang import has_pack, pack
from indexer.nlp.lang.en import load_english  # noqa: F401  (regkb bench-extract's plain model)
from indexer.nlp.lexicon import Lexicon, lexicon
from indexer.nlp.normative import analyse, is_candidate
from indexer.nlp.sectors import record_sectors, scope_of
from indexer.nlp.segment import segment_text
from regkb.records import Deadline, Document, Entity, Obligation, Reference, TextReference, Threshold

PIPELINE_VERSION = "nlp-11"  # bump when code changes what is extracted (config changes are detected by hash)
OUR_COMPONENTS = ("regkb_legal_sentences", "regkb_entities", "regkb_normative", "regkb_fields", "regkb_classify")


@cache
def build_pipeline(lang: str) -> Language:
    """The language pack's spaCy pipeline (en_core_web_sm NER; blank Dutch + lookup lemmatizer) + our components.

    NoLanguagePack (a ValueError naming the languages that have one) for any other language."""
    nlp = pack(lang).make_nlp()
    for name in OUR_COMPONENTS[1:]:
        nlp.add_pipe(name)
    return nlp


def text_context(lang: str, kind: str = "article", instrument_type: str = "other") -> dict:
    """What the rules know of a text's origin: the provision kind and instrument type (recitals and news never bind)."""
    operative = instrument_type not in lexicon(lang).non_normative_instruments and kind != "recital"
    return {"kind": kind, "instrument_type": instrument_type, "operative": operative, "language": lang}


def document_context(doc: Document, kind: str) -> dict:
    return text_context(doc.language, kind, doc.instrument_type)


@dataclass
class Finding:
    """One normative sentence as plain data (what `regkb analyze` prints)."""

    text: str
    start: int
    end: int
    modality: str
    addressee: str | None
    addressee_text: str | None
    duty_bearer: str | None  # who must act in the end ("Member States shall ensure that companies ..." → companies)
    action: str | None
    conditions: list[str]
    deadlines: list[dict]
    thresholds: list[dict]
    references: list[dict]
    entities: list[dict]
    sectors: list[str]  # none from text alone: extract_document gives a record its scope (indexer/nlp/sectors.py)
    topics: list[str]


def candidate(sentence: str, lex: Lexicon, ctx: dict) -> Prior | None:
    """A sentence worth parsing (a cue word or a Dutch operative sentence, and a positive rule analysis on the raw
    text): its analysis and the words whose lemma that asked for; None for any other sentence.

    The rule analysis needs no model (lemmas from the pack's lookup), so only sentences that will become records
    reach the statistical model, and the pipeline reuses this analysis where its own lemmas of those words agree.
    """
    if not is_candidate(sentence, lex, ctx):
        return None
    asked: list[str] = []

    def lemma(word: str) -> str:
        asked.append(word)
        return lex.pack.lemma(word)

    found = analyse(sentence, lex, ctx, lemma)
    return Prior(found, tuple(asked)) if found.modality else None


_CACHE: OrderedDict[tuple, list[Finding]] = OrderedDict()  # parsed sentences → their findings
_REJECTED: OrderedDict[tuple, None] = OrderedDict()  # sentences the candidate filter turned down
CACHE_SIZE = 100_000


def clear_cache() -> None:
    """Forget every sentence seen (`regkb bench-extract` measures from cold)."""
    _CACHE.clear()
    _REJECTED.clear()


def analyze_texts(items: Iterable[tuple[str, dict]], lang: str, batch_size: int = 256,
                  prefilter: bool = True) -> Iterator[list[Finding]]:
    """For each (text, context): the normative sentences found, with offsets into that text.

    A corpus holds several versions and manifestations of the same act, so most sentences recur: each distinct
    (sentence, context) is parsed once and its findings reused (bounded LRU cache). `prefilter=False` parses
    every sentence (for measuring what the cheap candidate filter costs in recall).
    """
    nlp, lex = build_pipeline(lang), lexicon(lang)
    items = list(items)
    results: list[list[Finding]] = [[] for _ in items]
    pending: dict[tuple, list[tuple[int, int]]] = {}
    priors: dict[tuple, Prior | None] = {}
    for i, (text, ctx) in enumerate(items):
        for s, e in segment_text(text, lang):
            key = (lang, prefilter, text[s:e], ctx.get("kind"), ctx.get("instrument_type"), ctx.get("operative"))
            if key in _CACHE:
                _CACHE.move_to_end(key)
                results[i].extend(_shift(f, s) for f in _CACHE[key])
            elif key in _REJECTED:
                _REJECTED.move_to_end(key)
            elif key in pending:
                pending[key].append((i, s))
            elif not prefilter or (prior := candidate(key[2], lex, ctx)) is not None:
                pending[key] = [(i, s)]
                priors[key] = None if not prefilter else prior
            else:
                _REJECTED[key] = None
    docs = []
    for key in pending:
        d = make_doc(nlp, key[2])
        d._.context = {"kind": key[3], "instrument_type": key[4], "operative": key[5], "language": lang}
        d.user_data[PRIOR] = priors[key]
        docs.append(d)
    for (key, places), doc in zip(pending.items(), nlp.pipe(docs, batch_size=batch_size)):
        found = list(_findings(doc, 0))
        _CACHE[key] = found
        for i, offset in places:
            results[i].extend(_shift(f, offset) for f in found)
    for seen in (_CACHE, _REJECTED):
        while len(seen) > CACHE_SIZE:
            seen.popitem(last=False)
    for r in results:
        r.sort(key=lambda f: f.start)
    yield from results


def _shift(f: Finding, offset: int) -> Finding:
    return replace(f, start=f.start + offset, end=f.end + offset,
                   entities=[e | {"start": e["start"] + offset, "end": e["end"] + offset} for e in f.entities])


def _findings(doc, offset: int) -> Iterator[Finding]:
    for sent in doc._.obligations or []:
        yield Finding(
            text=text_of(sent), start=offset + sent.start_char, end=offset + sent.end_char, modality=sent._.modality,
            addressee=sent._.addressee, addressee_text=sent._.addressee_text, duty_bearer=sent._.duty_bearer,
            action=sent._.action,
            conditions=sent._.conditions or [], deadlines=sent._.deadlines or [], thresholds=sent._.thresholds or [],
            references=[r.__dict__ | {"start": r.start, "end": r.end} for r in sent._.references or []],
            entities=[{"text": e.text, "label": e.label_, "start": offset + e.start_char, "end": offset + e.end_char}
                      for e in doc.ents if e.start >= sent.start and e.end <= sent.end],
            sectors=[], topics=sent._.topics or [])


def analyze_text(text: str, lang: str, ctx: dict | None = None) -> list[Finding]:
    return next(analyze_texts([(text, ctx or text_context(lang))], lang))


# --- corpus level ------------------------------------------------------------------------------------------------
_PROV_ID = re.compile(
    r"art_(?P<art>[0-9]+[a-z]*)(?:\.par_(?P<par>[0-9]+[a-z]*))?(?:\.(?:pt|point)_(?P<pt>[a-z]+|[ivx]+))?$"
)
_ANNEX_ID = re.compile(r"^anx_(?P<anx>[IVXL]+|[0-9]+)$")


@dataclass
class ReferenceResolver:
    """Maps act numbers to corpus documents and article/paragraph/point keys to provision ids."""

    acts: dict[str, dict[str, str]] = field(default_factory=dict)     # "2013/34" -> {lang: doc_id}
    provisions: dict[str, dict[tuple, str]] = field(default_factory=dict)  # doc_id -> {(art, par, pt): provision_id}

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> ReferenceResolver:
        r = cls()
        for d in docs:
            number = d.identifiers.number or _celex_number(d.identifiers.celex or d.id)
            for key in filter(None, (number, (d.short_title or "").lower())):
                r.acts.setdefault(key, {}).setdefault(d.language, d.id)
            table = r.provisions.setdefault(d.id, {})
            for p in d.provisions:
                m = _PROV_ID.search(p.id)
                if m:
                    table.setdefault((m["art"], m["par"], m["pt"]), p.id)
                annex = _ANNEX_ID.match(p.id)
                if annex:
                    table.setdefault(("annex", annex["anx"]), p.id)
        return r

    def resolve(self, ref: dict, doc: Document, provision_id: str | None = None) -> Reference:
        """Other acts by number or short title; provisions of this or that act; "paragraph 2" / "point (a)"
        relative to the provision the reference stands in."""
        if ref.get("external"):  # "Article 3 of the ILO Convention": never a provision of this document
            return Reference(text=ref["text"])
        target_doc: str | None = doc.id
        act = ref.get("act") or (ref.get("short_title") or "").lower()
        if act:
            by_lang = self.acts.get(act, {})
            target_doc = by_lang.get(doc.language) or next(iter(by_lang.values()), None)
        table = self.provisions.get(target_doc or "", {})
        article, paragraph, point = ref.get("article"), ref.get("paragraph"), ref.get("point")
        here = _PROV_ID.search(provision_id or "") if not act else None
        if here and not article and (paragraph or point):
            article = here["art"]
            paragraph = paragraph or (here["par"] if point else None)
        prov = table.get(("annex", ref["annex"])) if ref.get("annex") and not article else None
        if article:
            for key in ((article, paragraph, point), (article, paragraph, None), (article, None, None)):
                if key in table:
                    prov = table[key]
                    break
        return Reference(text=ref["text"], target_document_id=target_doc if (act or prov) else None,
                         target_provision_id=prov, act=ref.get("act") or ref.get("short_title"))

    def digest(self) -> str:
        """What resolution depends on (act numbers, short titles, provision ids of every document): persisted
        references are resolved again when it changes, e.g. when a crawl brings the act a text cites."""
        tables = {doc_id: sorted((repr(k), v) for k, v in table.items()) for doc_id, table in self.provisions.items()}
        payload = json.dumps([sorted(self.acts.items()), sorted(tables.items())], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def text_references(self, doc: Document) -> list[TextReference]:
        """Every cross-reference in the document's provision texts that resolves to a corpus document, in reading
        order: what `regkb extract` persists for the reader (which then draws links without the extractor)."""
        out = []
        for prov in doc.provisions:
            for ref in find_references(prov.text, doc.language) if prov.text else ():
                r = self.resolve(asdict(ref), doc, prov.id)
                if r.target_document_id:
                    out.append(TextReference(document_id=doc.id, provision_id=prov.id, start=ref.start, end=ref.end,
                                             text=ref.text, target_document_id=r.target_document_id,
                                             target_provision_id=r.target_provision_id))
        return out


def _celex_number(text: str) -> str | None:
    m = re.search(r"3(\d{4})[LRD](\d{4})", text)
    return f"{m.group(1)}/{int(m.group(2))}" if m else None


POINT_KINDS = ("point", "subpoint", "indent")


@dataclass
class Unit:
    """Text analysed as one piece: a provision, or an introductory provision ending in ':' with its points
    (the parser stores points as their own provisions; the sentence only makes sense whole)."""

    text: str
    ctx: dict
    pieces: list[tuple[int, int]]  # (provision index, offset of its text in `text`)


def _quoted(p) -> bool:
    return p.amendment is not None and bool(p.amendment.quoted)


def analysis_units(doc: Document) -> list[Unit]:
    provs = doc.provisions
    parent = {p.id: p.parent_id for p in provs}

    def descends(pid: str | None, ancestor: str) -> bool:
        while pid:
            if pid == ancestor:
                return True
            pid = parent.get(pid)
        return False

    units, i = [], 0
    while i < len(provs):
        p = provs[i]
        if not p.text.strip():
            i += 1
            continue
        text, pieces, j = p.text, [(i, 0)], i + 1
        if p.text.rstrip().endswith(":"):
            # an amending instruction's points are read with it, but the text it quotes ("punt d) wordt vervangen
            # door: d) de personen ... beschikken over ...") speaks for itself: a unit of its own
            while (j < len(provs) and provs[j].kind in POINT_KINDS and descends(provs[j].parent_id, p.id)
                   and (_quoted(p) or not _quoted(provs[j]))):
                label = (
                    f"({provs[j].number}) " if provs[j].number and not provs[j].text.lstrip().startswith("(") else ""
                )
                text += " " + label
                pieces.append((j, len(text)))
                text += provs[j].text
                j += 1
        units.append(Unit(text, document_context(doc, p.kind), pieces))
        i = j
    return units


def locate(unit: Unit, start: int, end: int) -> list[tuple[int, int, int]]:
    """(provision index, start, end) of each provision a unit span covers, in that provision's own offsets."""
    out = []
    for k, (idx, off) in enumerate(unit.pieces):
        nxt = unit.pieces[k + 1][1] if k + 1 < len(unit.pieces) else len(unit.text) + 1
        a, b = max(start, off), min(end, nxt)
        if a < b:
            out.append((idx, a - off, b - off))
    return out


def extract_document(doc: Document, resolver: ReferenceResolver | None = None) -> list[Obligation]:
    """All obligation records of one document (its language's pipeline; languages without a pack are skipped)."""
    if not has_pack(doc.language):
        return []
    resolver = resolver or ReferenceResolver.from_documents([doc])
    units = analysis_units(doc)
    scope = record_sectors(doc)  # instrument and scope provisions, never words of the sentence
    out: list[Obligation] = []
    counter: dict[str, int] = {}
    for unit, findings in zip(units, analyze_texts([(u.text, u.ctx) for u in units], doc.language)):
        for f in findings:
            spans = locate(unit, f.start, f.end)
            if not spans:
                continue
            idx, start, end = spans[0]
            prov = doc.provisions[idx]
            n = counter[prov.id] = counter.get(prov.id, 0) + 1
            out.append(Obligation(
                id=f"{doc.id}/{prov.id}/{n}", document_id=doc.id, provision_id=prov.id, citation=prov.citation,
                language=doc.language, text=f.text, start=start, end=end, modality=f.modality, addressee=f.addressee,
                addressee_text=f.addressee_text, duty_bearer=f.duty_bearer, action=f.action, conditions=f.conditions,
                deadlines=[Deadline(text=d["text"], date=d["date"], relative=d["relative"]) for d in f.deadlines],
                thresholds=[Threshold(text=t["text"], metric=t["metric"], value=t["value"], unit=t["unit"],
                                      comparison=t["comparison"]) for t in f.thresholds],
                references=[resolver.resolve(r, doc, prov.id) for r in f.references],
                entities=[Entity(**e) for e in f.entities],
                sectors=scope_of(set().union(*(scope[doc.provisions[i].id] for i, _, _ in spans)), doc.language,
                                 f.duty_bearer or f.addressee, f.action), topics=f.topics,
                point_ids=[doc.provisions[i].id for i, _, _ in spans[1:]]))
    return out
