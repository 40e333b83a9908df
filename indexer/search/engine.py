"""The search flow both engines share: citation look-up, query semantics, versions, collapsing, facets.

A backend only executes a `Plan` (`Engine._execute`); everything that decides
*what* to search lives here once, so both engines answer alike:

- Query words are analysed per language: a record is searched with its own
  language's analyser only, so a word one language drops ("with", "of") is never
  required in another language's field. The query becomes one branch per
  language, OR-ed.
- Every word is required; when fewer than a handful of records contain them
  all, the records with most of them are shown (`best_match`).
- Only the law in force on `as_of` (today by default) is searched, one hit per
  provision (versions and language versions of the same provision collapse to
  the best-scoring one).
"""
from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from indexer.search.analysis import analyze, function_words, languages, raw_words, term_signature

if TYPE_CHECKING:  # expansion imports this module's neighbours: imported when first needed
    from indexer.search.expansion import QueryExpander
from indexer.search.base import FacetValue, Hit, QuerySyntaxError, SearchBackend, SearchRequest, SearchResponse
from indexer.search.citations import CitationRef, parse_citation
from indexer.search.facets import FACETS, facet, field_for, filter_values, normalize_value
from indexer.search.query import And, FieldMatch, MatchAll, Node, Not, Or, Text, parse, typed_word
from indexer.search.records import ymd
from indexer.search.settings import search_config


@dataclass(frozen=True)
class Terms:
    """A word or phrase as one language's analyser indexes it: (position, stem); stop words leave gaps."""
    lang: str
    value: str
    terms: tuple[tuple[int, str], ...]
    slop: int = 0


@dataclass(frozen=True)
class AtLeast:
    """At least `minimum` of the children match (best-match fallback)."""
    children: tuple[LNode, ...]
    minimum: int


@dataclass(frozen=True)
class Boosted:
    """`query` decides what matches; `extra` (words close together, a definitions heading) only adds
    `weight` × its score."""
    query: LNode
    extra: LNode
    weight: float


@dataclass(frozen=True)
class Bonus:
    """A fixed score for records whose keyword `field` has `value` (e.g. provisions that state a date)."""
    field: str
    value: str
    weight: float


@dataclass(frozen=True)
class Weighted:
    """`query`'s score times `weight` (a language branch the query fits less well)."""
    query: LNode
    weight: float


@dataclass(frozen=True)
class NoMatch:
    """Matches nothing: a query whose words no one language's texts hold all of (Dutch "NCP" and English
    "Dutch" in one query): the best-match then finds the records with most of them."""


_PLAN_LOCK = threading.Lock()
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window: no engine reads further into a ranking

LNode = Terms | FieldMatch | And | Or | Not | MatchAll | AtLeast | Boosted | Weighted | Bonus | NoMatch


@dataclass(frozen=True)
class Plan:
    """What to search, in engine-neutral terms; `query` is already analysed per language."""
    kind: str
    query: Any  # LNode
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)        # field → any-of values (always applied)
    facet_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet name → any-of values
    date_range: tuple[int | None, int | None] = (None, None)          # YYYYMMDD on date_sort
    in_force_on: int | None = None                                       # YYYYMMDD: valid_from <= d < valid_to
    sort: str = "relevance"  # relevance | date | deadline | ordinal
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = ()
    highlight: bool = False
    texts: tuple[Terms, ...] = ()  # what snippets mark
    languages: tuple[str, ...] = ("en", "nl", "fr")  # which language version of a provision to show, best first
    fit: dict[str, float] = field(default_factory=dict)  # language → weight of its query branch
    definition: bool = False  # the query asks what a term means
    defined: tuple[str, ...] = ()  # ... and which term (signatures, indexer/search/analysis.term_signature)
    intents: tuple[str, ...] = ()  # what kind of answer the query asks for (config matching.intents)


@dataclass
class Result:
    total: int
    hits: list[tuple[float, dict[str, Any], dict[str, list[str]]]]  # (score, record, highlights)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    groups: int | None = None  # distinct `group` values among all matches, when the engine counted them


def field_terms(value: str, lang: str) -> tuple[tuple[int, str], ...]:
    """(position, term) of a word or phrase as the analyser indexes it: stop words leave gaps."""
    out = []
    for pos, raw in enumerate(raw_words(value)):
        terms = analyze(raw, lang)
        if terms:
            out.append((pos, terms[0]))
    return tuple(out)


def text_targets(value: str) -> list[tuple[str, tuple[tuple[int, str], ...]]]:
    """(language, positioned terms) for every language in which the word/phrase leaves terms (not only stop words)."""
    return [(lang, terms) for lang in languages() if (terms := field_terms(value, lang))]


def meta_boost() -> float:
    """Extra weight of a match in a heading, citation or title (config/search.yaml boosts.meta)."""
    return float(search_config()["boosts"].get("meta", 1.5))


def _has_text(node: Node) -> bool:
    if isinstance(node, Text):
        return True
    if isinstance(node, (And, Or)):
        return any(_has_text(c) for c in node.children)
    return isinstance(node, Not) and _has_text(node.child)


def localize(node: Node, lang: str, min_share: float | None = None) -> LNode | None:
    """The query for records of one language: words analysed by that language's analyser, words it drops
    left out (None when nothing is left). With `min_share`, a top-level AND needs only that share of its parts."""
    if isinstance(node, Text):
        if not node.phrase and node.value.lower() in function_words():
            return None
        if node.langs and lang not in node.langs:
            return None
        terms = field_terms(node.value, lang)
        if not terms:
            return None
        found = Terms(lang, node.value, terms)
        return Weighted(found, node.weight) if node.weight != 1.0 else found
    if isinstance(node, (FieldMatch, MatchAll)):
        return node
    if isinstance(node, Not):
        inner = localize(node.child, lang)
        return Not(inner) if inner is not None else None  # type: ignore[arg-type]
    children = tuple(c for c in (localize(ch, lang) for ch in node.children) if c is not None)
    # words of other languages are absent from this language's texts: an AND needs them all, a best-match
    # counts them among the words a record lacks
    absent = sum(1 for ch in node.children if _foreign(ch, lang)) if isinstance(node, And) else 0
    if absent and min_share is None:
        return None
    if not children:
        return None
    if len(children) == 1 and not absent:
        return children[0]
    if isinstance(node, And) and min_share is not None:
        optional = tuple(c for c in children if _optional(c))
        required = tuple(c for c in children if not _optional(c))
        words = len(optional) + absent
        if words >= 2:
            k = max(1, min(words - 1, math.ceil(min_share * words)))
            if k > len(optional):
                return None
            best = AtLeast(optional, k) if len(optional) > 1 else optional[0]
            return And(required + (best,)) if required else best  # type: ignore[arg-type]
        if absent:
            return None
    return (And if isinstance(node, And) else Or)(children)  # type: ignore[arg-type]


def _foreign(node: Node, lang: str) -> bool:
    """A typed word (or a word with its translations) that is no word of `lang`'s texts (query.Text.langs)."""
    if isinstance(node, Text):
        return bool(node.langs) and lang not in node.langs and node.value.lower() not in function_words()
    if isinstance(node, Or):
        return all(_foreign(c, lang) for c in node.children)
    if isinstance(node, And):
        return any(_foreign(c, lang) for c in node.children)
    return False


def _optional(node: LNode | Node) -> bool:
    """Parts a best-match may leave out: words, a term of several words (what is left of a term and its
    translations in a language that has none of them) and alternatives of words (never filters or NOT)."""
    return isinstance(node, (Terms, Weighted)) or (
        isinstance(node, And) and all(isinstance(c, (Terms, Weighted)) for c in node.children)
    ) or (isinstance(node, Or) and all(isinstance(c, (Terms, And, Weighted, FieldMatch)) or _optional(c)
                                       for c in node.children)
          and not all(isinstance(c, FieldMatch) for c in node.children))  # an act named stays required


def _proximity(node: Node, lang: str) -> Terms | None:
    """The query's plain words in order, as a sloppy phrase: records with the words close together rank higher."""
    typed = [typed_word(c) for c in (node.children if isinstance(node, And) else ())]
    words = [c.value for c in typed if c is not None and not c.phrase and c.value.lower() not in function_words()]
    stems = [t for w in words for t in field_terms(w, lang)]
    if len(stems) < 2:
        return None
    slop = int(search_config()["boosts"].get("phrase_slop", 3))
    return Terms(lang, " ".join(words), tuple((i, s) for i, (_, s) in enumerate(stems)), slop=slop)


def _has_cue(query: str, setting: str, not_before: frozenset[str] = frozenset()) -> bool:
    """The query contains one of the phrases of config matching.<setting> (whole words, any case), not
    followed by one of the words `not_before`."""
    return _cue_in(query, [str(c) for c in _matching().get(setting) or []], not_before)


def _cue_in(query: str, cues: list[str], not_before: frozenset[str] = frozenset()) -> bool:
    text = " ".join(raw_words(query.lower()))
    for cue in cues:
        for m in re.finditer(rf"(?:^| ){re.escape(' '.join(raw_words(str(cue).lower())))}(?= |$)", text):
            following = text[m.end():].split()
            if not following or following[0] not in not_before:
                return True
    return False


def is_definition_question(query: str) -> bool:
    """'what does remediation mean', 'wat wordt verstaan onder', 'définition de': the reader wants the definition.
    'what is the minimum age' asks for a value, not a meaning (config matching.definition_not_before)."""
    return _has_cue(query, "definition_cues", frozenset(str(w) for w in _matching().get("definition_not_before") or ()))


def intents_of(query: str) -> tuple[str, ...]:
    """The kinds of answer a question asks for (config matching.intents): 'when does … apply' → when,
    'which companies are exempt' → exemption."""
    return tuple(name for name, spec in (_matching().get("intents") or {}).items()
                 if _cue_in(query, [str(c) for c in spec.get("cues") or []]))


def _intent_bonus(name: str) -> Bonus | None:
    spec = (_matching().get("intents") or {}).get(name) or {}
    return Bonus(str(spec["field"]), str(spec["value"]), 1.0) if spec.get("field") else None


def asked_terms(typed: Node, expansions: dict[str, list[str]]) -> tuple[str, ...]:
    """The term a question about a meaning asks about, as term signatures in every language: its words
    without the cue and function words ('what does remediation mean' → remediation), and the translations
    of exactly those words ('wat betekent passende zorgvuldigheid' → due diligence)."""
    from indexer.search.query import positive_texts
    cue_words = _cue_words()
    words = [w for t in positive_texts(typed) for w in raw_words(t.value)
             if w.lower() not in cue_words and w.lower() not in function_words()]
    if not words or len(words) > 6:
        return ()
    phrase = " ".join(words)
    candidates = [phrase, *next((alts for key, alts in expansions.items() if key.lower() == phrase.lower()), [])]
    return tuple(dict.fromkeys(sig for c in candidates for lang in languages() if (sig := term_signature(c, lang))))[:8]


def _cue_words() -> frozenset[str]:
    return frozenset(w for cue in _matching().get("definition_cues") or [] for w in raw_words(str(cue).lower()))


def _without_cue_words(node: Node) -> Node:
    """The words of a question about a meaning without its cue words, which a definition in another language
    never contains ("verstaan" in an English-only act): at least one word stays."""
    if not isinstance(node, And):
        return node
    cues = _cue_words()
    kept = tuple(c for c in node.children if not (isinstance(c, Text) and not c.phrase and c.value.lower() in cues))
    if not any(isinstance(c, Text) for c in kept):
        return node
    return kept[0] if len(kept) == 1 else And(kept)


def _definition_heading(lang: str) -> LNode | None:
    """The heading of a definitions article in `lang` (config matching.definition_headings)."""
    words = (_matching().get("definition_headings") or {}).get(lang) or []
    parts = [Terms(lang, w, terms) for w in words if (terms := field_terms(str(w), lang))]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Or(tuple(parts))  # type: ignore[arg-type]


def language_query(node: Node, min_share: float | None = None, fit: dict[str, float] | None = None,
                   definition: bool = False, intents: tuple[str, ...] = (), defined: tuple[str, ...] = ()
                   ) -> LNode | None:
    """One branch per language, OR-ed; a query without words (filters only) is the same in every language.
    `fit`: language → weight of its branch (how plausible the query is in that language); `definition`:
    provisions under a definitions heading rank higher."""
    if not _has_text(node):
        return localize(node, languages()[0])
    weight = float(search_config()["boosts"].get("phrase", 1.0))
    branches: list[LNode] = []
    for lang in languages():
        branch = localize(node, lang, min_share)
        if branch is None:
            continue
        near = _proximity(node, lang)
        branch = Boosted(branch, near, weight) if near is not None else branch
        defining = _definition_heading(lang) if definition else None
        if defining is not None:
            branch = Boosted(branch, defining, float(search_config()["boosts"].get("definition", 1.0)))
        defined_bonus = float(search_config()["boosts"].get("defined_term", 1.0))
        for sig in defined:  # the provision that defines the very term asked about
            branch = Boosted(branch, Bonus("defines", sig, 1.0), defined_bonus)
        for intent in intents:
            if (bonus := _intent_bonus(intent)) is not None:
                branch = Boosted(branch, bonus, float(_matching()["intents"][intent].get("bonus", 1.0)))
        w = round((fit or {}).get(lang, 1.0), 3)
        branches.append(Weighted(branch, w) if w != 1.0 else branch)
    if not branches:
        return NoMatch()
    return branches[0] if len(branches) == 1 else Or(tuple(branches))  # type: ignore[arg-type]


def positive_terms(node: Node) -> tuple[Terms, ...]:
    """The analysed words and phrases a hit may contain (for snippets), per language."""
    from indexer.search.query import positive_texts
    return tuple(Terms(lang, t.value, terms) for t in positive_texts(node) for lang, terms in text_targets(t.value)
                 if not t.langs or lang in t.langs)


def _matching() -> dict[str, Any]:
    return search_config().get("matching") or {}


def _mentions_act(node: Node) -> bool:
    if isinstance(node, FieldMatch):
        return node.name == "instrument" and bool(node.typed)
    if isinstance(node, (And, Or)):
        return any(_mentions_act(c) for c in node.children)
    return False


def _plain_words(node: Node | None) -> bool:
    """Words typed without operators (act names allowed): the queries a best-match may widen."""
    def act_name(c: Node) -> bool:
        return isinstance(c, FieldMatch) or (isinstance(c, Or) and all(isinstance(x, FieldMatch) for x in c.children))

    def word(c: Node) -> bool:  # a word, or a word naming an act's subject OR-ed with that act (not "a OR b")
        return isinstance(c, Text) or (isinstance(c, Or) and typed_word(c) is not None
                                       and all(isinstance(x, FieldMatch) for x in c.children[1:]))
    return (isinstance(node, And) and all(word(c) or act_name(c) for c in node.children)
            and sum(1 for c in node.children if word(c)) >= 2)


@lru_cache(maxsize=1)
def _glossary_expander() -> QueryExpander:
    """For an engine opened without a data dir (open_backend gives it the learned translations too)."""
    from indexer.search.expansion import QueryExpander
    return QueryExpander(None)


class Engine(SearchBackend):
    """SearchBackend.search() on top of one primitive: execute a Plan."""

    expander: QueryExpander | None = None  # cross-language query expansion (set by open_backend when available)

    def _execute(self, plan: Plan) -> Result:  # pragma: no cover - abstract
        raise NotImplementedError

    def _count_groups(self, plan: Plan) -> int | None:  # pragma: no cover - engines override
        return None

    def search(self, request: SearchRequest) -> SearchResponse:
        check_request(request)
        as_of = None if request.all_versions else (request.as_of or date.today())
        plan, redirect, typed, node, expansions = self._cached_plan(request, as_of)
        best_match = False
        result = self._run(plan, collapse=not request.all_versions)
        below = int(_matching().get("best_match_below", 5))
        if redirect is None and result.total < below and node is not None and _plain_words(typed):
            # most of the words (at least `best_match_share` of them), then any of them, best-scoring first
            for share in (float(_matching().get("best_match_share", 0.5)), 0.0):
                widened_query = language_query(node, share, plan.fit, plan.definition, plan.intents, plan.defined)
                wider = replace(plan, query=widened_query or MatchAll())
                widened = self._run(wider, collapse=not request.all_versions)
                if widened.total > result.total:
                    result, best_match = widened, True
                if result.total >= below:
                    break
        hits = [Hit(id=rec["id"], kind=rec["kind"], score=float(score), record=rec, highlights=hl)
                for score, rec, hl in result.hits]
        if request.kind == "document" and plan.highlight and hits:
            self._document_snippets(plan, hits)
        facets = {name: [FacetValue(value=v, count=c)
                         for v, c in FACETS[name].order(FACETS[name].spread(values))]
                  for name, values in result.facets.items()}
        return SearchResponse(total=result.total, hits=hits, facets=facets, query=request, redirect=redirect,
                              best_match=best_match, expansions=expansions, as_of=as_of)

    # -- collapsing --------------------------------------------------------------------------------------
    def _run(self, plan: Plan, collapse: bool) -> Result:
        """Execute; with `collapse`, one hit per provision group (the best-scoring version/language)."""
        if not collapse:
            raw = self._execute(plan)
            return replace(raw, hits=_ties_by_id(raw.hits)) if plan.sort == "relevance" else raw
        if plan.limit == 0:
            raw = self._execute(plan)
            groups = self._count_groups(plan) if raw.total else 0
            return replace(raw, total=raw.total if groups is None else groups)
        need = plan.offset + plan.limit
        window = min(max(need * 3, 90), MAX_WINDOW)
        while True:  # snippets only for the page shown, not for the whole window
            raw = self._execute(replace(plan, offset=0, limit=window, highlight=False))
            distinct = _collapse(_ties_by_id(raw.hits) if plan.sort == "relevance" else raw.hits, plan.languages)
            if len(distinct) >= need or len(raw.hits) < window or window >= min(5000, MAX_WINDOW):
                break
            window = min(window * 4, MAX_WINDOW)
        groups = self._count_groups(plan) if raw.total > len(raw.hits) else len(distinct)
        total = groups if groups is not None else raw.total
        if plan.sort == "relevance":
            distinct = _diversify(distinct)
        page = distinct[plan.offset:need]
        if plan.highlight and page:
            page = self._with_snippets(plan, page)
        return Result(total=total, hits=page, facets=raw.facets)

    def _with_snippets(self, plan: Plan, hits: list[tuple[float, dict[str, Any], dict[str, list[str]]]]
                       ) -> list[tuple[float, dict[str, Any], dict[str, list[str]]]]:
        """The same hits with their highlights (one query over just these records)."""
        marks = self._highlights(plan, [rec for _, rec, _ in hits])
        return [(score, rec, marks.get(rec["id"], {})) for score, rec, _ in hits]

    def _highlights(self, plan: Plan, records: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
        """id → highlights of these records: by default one query over just them (engines may do better)."""
        ids = tuple(rec["id"] for rec in records)
        found = self._execute(
            replace(
                plan,
                filters={**plan.filters, "id": ids},
                facet_filters={},
                facets=(),
                offset=0,
                limit=len(ids),
                in_force_on=None,
                date_range=(None, None),
                highlight=True,
            )
        )
        return {rec["id"]: hl for _, rec, hl in found.hits}

    def _document_snippets(self, plan: Plan, hits: list[Hit]) -> None:
        """A document's snippet comes from its best-matching provisions (never from the whole text)."""
        ids = tuple(h.id for h in hits)
        sub = replace(plan, kind="provision", filters={**plan.filters, "document_id": ids}, facet_filters={},
                      offset=0, limit=min(10 * len(ids), 400), facets=(), highlight=True)
        best: dict[str, dict[str, list[str]]] = {}
        for _, rec, hl in self._execute(sub).hits:
            if hl and rec.get("document_id") not in best:
                best[rec["document_id"]] = {"text": [f"{rec.get('citation', '')}: {s}" if rec.get("citation") else s
                                                     for s in hl.get("text", [])][:1]}
        for h in hits:
            h.highlights = best.get(h.id, {})

    # -- planning ------------------------------------------------------------------------------------------
    PLAN_CACHE_SIZE, PLAN_TTL_S = 512, 60.0

    def _cached_plan(self, request: SearchRequest, as_of: date | None
                     ) -> tuple[Plan, dict[str, str] | None, Node | None, Node | None, dict[str, list[str]]]:
        """`_plan`, remembered for a minute: parsing, expansion and per-language analysis cost more than the
        search itself, and people repeat queries (and page through them). A minute also bounds how long a
        reindex can go unseen (the same rule as the known acts)."""
        key = (request.model_dump_json(exclude={"page", "size", "highlight"}), as_of)
        now = time.monotonic()
        with _PLAN_LOCK:
            cache = self.__dict__.setdefault("_plans", OrderedDict())
            hit = cache.get(key)
            if hit is not None and now - hit[0] < self.PLAN_TTL_S:
                cache.move_to_end(key)
                plan, redirect, typed, node, expansions = hit[1]
                return (
                    replace(
                        plan, offset=(request.page - 1) * request.size, limit=request.size, highlight=request.highlight
                    ),
                    dict(redirect) if redirect else None,
                    typed,
                    node,
                    {k: list(v) for k, v in expansions.items()},
                )
        planned = self._plan(request, as_of)
        with _PLAN_LOCK:
            cache[key] = (now, planned)
            while len(cache) > self.PLAN_CACHE_SIZE:
                cache.popitem(last=False)
        plan, redirect, typed, node, expansions = planned
        return plan, dict(redirect) if redirect else None, typed, node, {k: list(v) for k, v in expansions.items()}

    def _plan(self, request: SearchRequest, as_of: date | None
              ) -> tuple[Plan, dict[str, str] | None, Node | None, Node | None, dict[str, list[str]]]:
        """(plan, citation redirect, the query as typed, the query expanded with translations, the expansions)."""
        facet_filters = {}
        for name, values in request.filters.items():
            field_for(name)  # unknown names raise a ValueError that lists the known ones
            vals = tuple(dict.fromkeys(x for v in values if str(v).strip()
                                       for x in filter_values(name, normalize_value(name, v))))
            if vals:
                facet_filters[name] = vals
        for name in request.facets:
            facet(name)
        base = Plan(
            kind=request.kind,
            query=MatchAll(),
            facet_filters=facet_filters,
            date_range=(ymd(request.date_from), ymd(request.date_to)),
            in_force_on=ymd(as_of),
            sort=request.sort,
            offset=(request.page - 1) * request.size,
            limit=request.size,
            facets=tuple(request.facets),
            highlight=request.highlight,
            languages=tuple(dict.fromkeys([*request.languages, "en", "nl", "fr"])),
        )
        ref = parse_citation(request.query)
        if ref is not None:
            target = self._resolve(ref, facet_filters.get("language"), base.in_force_on)
            if target is not None:
                doc_id, prov_id, in_force = target
                filters: dict[str, tuple[str, ...]] = {"document_id": (doc_id,)}
                if request.kind == "document":
                    filters = {"id": (doc_id,)}
                else:
                    filters["provision_path"] = (prov_id,)
                sort = "ordinal" if request.sort == "relevance" else request.sort
                # Records of the cited document valid on the day (a deleted article's are its tombstones); a
                # provision found only in an earlier version (a recital, a deleted point) in that version.
                return (replace(base, filters=filters, sort=sort, in_force_on=base.in_force_on if in_force else None),
                        {"document_id": doc_id, "provision_id": prov_id}, None, None, {})
        definition = is_definition_question(request.query)
        typed = node = self._unknown_acts_as_words(parse(request.query))
        if definition:  # "wat wordt verstaan onder X": the cue says what is asked, X is what is searched
            typed = node = _without_cue_words(node)
        expansions: dict[str, list[str]] = {}
        expander = self.expander or _glossary_expander()
        if request.expand and _has_text(node):
            targets = tuple(dict.fromkeys(["en", "nl", *request.languages[:1]]))
            node, expansions = expander(node, targets)
        fit = expander.language_fit(typed, expansions) if _has_text(typed) else {}
        intents = intents_of(request.query)
        defined = asked_terms(typed, expansions) if definition else ()
        query = language_query(node, fit=fit, definition=definition, intents=intents, defined=defined) or MatchAll()
        return (
            replace(base, query=query, texts=positive_terms(node), fit=fit, definition=definition, intents=intents,
                    defined=defined),
            None,
            typed,
            node,
            expansions,
        )

    _instruments: tuple[float, frozenset[str]] | None = None

    def _index_changed(self) -> None:
        """This process wrote the index: forget plans and the known acts now, not after their minute."""
        with _PLAN_LOCK:
            self.__dict__.pop("_plans", None)
        self._instruments = None

    def _known_instruments(self) -> frozenset[str]:
        """The acts the index holds text of (counted at most once a minute)."""
        now = time.monotonic()
        if self._instruments is None or now - self._instruments[0] > 60:
            counted = self._execute(Plan(kind="document", query=MatchAll(), limit=0, facets=("instrument",)))
            self._instruments = (now, frozenset(v for v, n in counted.facets.get("instrument", []) if n))
        return self._instruments[1]

    def _unknown_acts_as_words(self, node: Node) -> Node:
        """An act named in the query whose text the corpus does not hold ("OECD Guidelines" offline) is searched
        as the words typed, not as a filter that would find nothing."""
        def has_unknown(n: Node) -> bool:
            return isinstance(n, FieldMatch) and n.name == "instrument" and bool(n.typed) and n.value not in known

        def rewrite(n: Node) -> Node:
            if has_unknown(n) or (isinstance(n, Or) and n.children and has_unknown(n.children[0])):
                typed = (n if isinstance(n, FieldMatch) else n.children[0]).typed  # type: ignore[union-attr]
                return Text(typed, phrase=" " in typed)
            if isinstance(n, (And, Or)):
                return type(n)(tuple(rewrite(c) for c in n.children))
            return n

        if not _mentions_act(node):
            return node
        known = self._known_instruments()
        return rewrite(node)

    def _resolve(self, ref: CitationRef, languages_wanted: tuple[str, ...] | None, day: int | None
                 ) -> tuple[str, str, bool] | None:
        """(document_id, provision_id, in force on the day) of what a citation names: preferred language, newest.
        Each depth is tried in force on the day, then in any version (recitals exist only in the OJ text),
        before the enclosing provision (the article of a point) is tried."""
        wanted = list(languages_wanted or ()) + ([ref.language] if ref.language else [])
        default = {"EU": "en", "NL": "nl"}
        for group in _cite_key_groups(ref):
            for in_force in (day, None):
                plan = Plan(kind="provision", query=MatchAll(), in_force_on=in_force,
                            filters={"instrument": (ref.instrument,), "cite_key": tuple(group)}, sort="date", limit=200)
                candidates = [rec for _, rec, _ in self._execute(plan).hits]
                if not candidates:
                    continue

                def rank(rec: dict[str, Any]) -> tuple[int, int, int, int, int, str]:
                    lang = rec.get("language")
                    return (0 if lang in wanted else 1 if lang == default.get(rec.get("jurisdiction") or "") else 2,
                            -(rec.get("valid_from") or 0), -(rec.get("date_sort") or 0),
                            group.index(rec["cite_key"]) if rec.get("cite_key") in group else len(group),  # noqa: B023 (used at once)
                            len(rec.get("provision_path") or []), rec["id"])

                best = min(candidates, key=rank)
                return best["document_id"], best["provision_id"], in_force is not None
        return None


def _cite_key_groups(ref: CitationRef) -> list[list[str]]:
    """The citation's keys by depth, most specific first (alternative readings of one depth together)."""
    return [list(g) for g in ref.fallback_groups() if g]


TIE = 0.03  # scores this close are a tie (BM25 statistics differ in detail between the engines)


def _ties_by_id(hits: list[tuple[float, dict[str, Any], dict[str, list[str]]]]
               ) -> list[tuple[float, dict[str, Any], dict[str, list[str]]]]:
    """Equal scores in id order: engines break ties by internal document address, which depends on how
    indexing threads filled the segments, so without this the same query could rank differently per build.
    Equal to six significant digits: tantivy's float32 arithmetic leaves two identical texts 4e-6 apart
    (CSRD Art. 19a(3) and 29a(3) as Omnibus I amends them), where Lucene scores them the same."""
    return sorted(hits, key=lambda h: (-float(f"{h[0]:.6g}"), h[1]["id"]))


LANGUAGE_MARGIN = 0.0  # the reader's language version of a provision is shown whenever it matches at all


def _collapse(hits: list[tuple[float, dict[str, Any], dict[str, list[str]]]], languages: tuple[str, ...] = ()
              ) -> list[tuple[float, dict[str, Any], dict[str, list[str]]]]:
    """One hit per group, in the order of each group's best score. The member shown: the reader's preferred
    language among those that match well, then the best score (near-ties: newest version, smallest id, so
    that both engines pick the same one)."""
    members: dict[str, list[tuple[float, dict[str, Any], dict[str, list[str]]]]] = {}
    for hit in hits:
        members.setdefault(hit[1].get("group") or hit[1]["id"], []).append(hit)
    rank = {lang: i for i, lang in enumerate(languages)}
    out = []
    for group in members.values():
        top = max(h[0] for h in group)
        good = [h for h in group if h[0] >= top * LANGUAGE_MARGIN]
        lang = min((rank.get(h[1].get("language") or "", len(rank)) for h in good), default=0)
        pool = _own_text_first([h for h in good if rank.get(h[1].get("language") or "", len(rank)) == lang] or group)
        best_score = max(h[0] for h in pool)
        near = [h for h in pool if h[0] >= best_score * (1 - TIE)]
        best = min(near, key=lambda h: (-(h[1].get("valid_from") or 0), h[1]["id"]))
        out.append((top, best[1], best[2]))
    return out


def _own_text_first(pool: list[tuple[float, dict[str, Any], dict[str, list[str]]]]
                    ) -> list[tuple[float, dict[str, Any], dict[str, list[str]]]]:
    """Between an amending act's quotation of a provision and the amended act's own (consolidated) text, the
    act's own text when it is at least as recent: that is what a lawyer cites; the quotation only when no
    consolidation has taken the change in yet."""
    own = [h for h in pool if not h[1].get("quoted_amendment")]
    quoted = [h for h in pool if h[1].get("quoted_amendment")]
    if not own or not quoted:
        return pool
    def newest(hits: list[tuple[float, dict[str, Any], dict[str, list[str]]]]) -> int:
        return max(h[1].get("valid_from") or 0 for h in hits)
    return own if newest(own) >= newest(quoted) else quoted


DIVERSE_TOP = 60  # the first results are reordered so that no article fills them; the rest keep their order
PER_UNIT = 2
PER_ACT = 4


def _unit(rec: dict[str, Any]) -> tuple[str, str]:
    path = rec.get("provision_path") or []
    return str(rec.get("act_id")), str(path[0] if path else rec.get("id"))


def _diversify(
    hits: list[tuple[float, dict[str, Any], dict[str, list[str]]]],
) -> list[tuple[float, dict[str, Any], dict[str, list[str]]]]:
    """Among the first DIVERSE_TOP hits, the third and later hit of one article (annex, standard), and the
    fifth and later of one act, move behind the others: the reader sees the acts and articles that answer,
    each with its best provisions. Stable: the first DIVERSE_TOP distinct hits are the same whatever the
    window, so pages never shift."""
    head, tail = hits[:DIVERSE_TOP], hits[DIVERSE_TOP:]
    per_unit: dict[tuple[str, str], int] = {}
    per_act: dict[str, int] = {}
    first: list[tuple[float, dict[str, Any], dict[str, list[str]]]] = []
    later: list[tuple[float, dict[str, Any], dict[str, list[str]]]] = []
    for hit in head:
        unit = _unit(hit[1])
        per_unit[unit] = per_unit.get(unit, 0) + 1
        per_act[unit[0]] = per_act.get(unit[0], 0) + 1
        (first if per_unit[unit] <= PER_UNIT and per_act[unit[0]] <= PER_ACT else later).append(hit)
    return first + later + tail


def check_request(request: SearchRequest) -> None:
    """Raise QuerySyntaxError for impossible requests instead of letting an engine fail on them."""
    if request.page * request.size > MAX_WINDOW:  # the same limit for both engines
        raise QuerySyntaxError("Results beyond the first 10,000 cannot be paged to; narrow the search with filters.")
