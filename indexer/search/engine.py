"""The search flow both engines share: citation look-up, filters, multi-select facets.

A backend only executes a `Plan` (`Engine._execute`); everything that decides
*what* to search lives here once, so both engines answer alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

from indexer.search.analysis import analyze, languages, raw_words
from indexer.search.base import FacetValue, Hit, QuerySyntaxError, SearchBackend, SearchRequest, SearchResponse
from indexer.search.citations import CitationRef, parse_citation
from indexer.search.facets import facet, field_for, filter_values, normalize_value, spread_general_scope
from indexer.search.query import MatchAll, Node, parse
from indexer.search.records import ymd
from indexer.search.settings import search_config


@dataclass(frozen=True)
class Plan:
    """What to search, in engine-neutral terms."""
    kind: str
    query: Node
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)        # field → any-of values (always applied)
    facet_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet name → any-of values
    date_range: tuple[Optional[int], Optional[int]] = (None, None)          # YYYYMMDD on date_sort
    sort: str = "relevance"  # relevance | date | deadline | ordinal
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = ()
    highlight: bool = False


@dataclass
class Result:
    total: int
    hits: list[tuple[float, dict[str, Any], dict[str, list[str]]]]  # (score, record, highlights)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def field_terms(value: str, lang: str) -> list[tuple[int, str]]:
    """(position, term) of a word or phrase as the analyser indexes it: stop words leave gaps."""
    out = []
    for pos, raw in enumerate(raw_words(value)):
        terms = analyze(raw, lang)
        if terms:
            out.append((pos, terms[0]))
    return out


def text_targets(value: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """(language, positioned terms) for every language in which the word/phrase leaves terms (not only stop words)."""
    return [(lang, terms) for lang in languages() if (terms := field_terms(value, lang))]


def meta_boost() -> float:
    """Extra weight of a match in a heading, citation or title (config/search.yaml boosts.meta)."""
    return float(search_config()["boosts"].get("meta", 1.5))


class Engine(SearchBackend):
    """SearchBackend.search() on top of one primitive: execute a Plan."""

    def _execute(self, plan: Plan) -> Result:  # pragma: no cover - abstract
        raise NotImplementedError

    def search(self, request: SearchRequest) -> SearchResponse:
        check_request(request)
        plan, redirect = self._plan(request)
        result = self._execute(plan)
        hits = [Hit(id=rec["id"], kind=rec["kind"], score=float(score), record=rec, highlights=hl)
                for score, rec, hl in result.hits]
        facets = {name: [FacetValue(value=v, count=c) for v, c in _ordered(spread_general_scope(name, values))]
                  for name, values in result.facets.items()}
        return SearchResponse(total=result.total, hits=hits, facets=facets, query=request, redirect=redirect)

    def _plan(self, request: SearchRequest) -> tuple[Plan, Optional[dict[str, str]]]:
        facet_filters = {}
        for name, values in request.filters.items():
            field_for(name)  # unknown names raise a ValueError that lists the known ones
            vals = tuple(dict.fromkeys(x for v in values if str(v).strip()
                                       for x in filter_values(name, normalize_value(name, v))))
            if vals:
                facet_filters[name] = vals
        for name in request.facets:
            facet(name)
        base = Plan(kind=request.kind, query=MatchAll(), facet_filters=facet_filters,
                    date_range=(ymd(request.date_from), ymd(request.date_to)), sort=request.sort,
                    offset=(request.page - 1) * request.size, limit=request.size, facets=tuple(request.facets),
                    highlight=request.highlight)
        ref = parse_citation(request.query)
        if ref is not None:
            target = self._resolve(ref, facet_filters.get("language"))
            if target is not None:
                doc_id, prov_id = target
                filters = {"document_id": (doc_id,)}
                if request.kind == "document":
                    filters = {"id": (doc_id,)}
                else:
                    filters["provision_path"] = (prov_id,)
                sort = "ordinal" if request.sort == "relevance" else request.sort
                return replace(base, filters=filters, sort=sort), {"document_id": doc_id, "provision_id": prov_id}
        return replace(base, query=parse(request.query)), None

    def _resolve(self, ref: CitationRef, languages_wanted: Optional[tuple[str, ...]]) -> Optional[tuple[str, str]]:
        """The (document_id, provision_id) a citation names: preferred language, then the newest version."""
        plan = Plan(kind="provision", query=MatchAll(),
                    filters={"instrument": (ref.instrument,), "cite_key": (ref.cite_key,)}, sort="date", limit=100)
        candidates = [rec for _, rec, _ in self._execute(plan).hits]
        if not candidates and ref.paragraph:  # "Article 8(5)" when paragraphs are not split out: the article
            return self._resolve(CitationRef(ref.instrument, ref.article, None, ref.language), languages_wanted)
        if not candidates:
            return None
        wanted = list(languages_wanted or ()) + ([ref.language] if ref.language else [])
        default = {"EU": "en", "NL": "nl"}

        def rank(rec: dict[str, Any]) -> tuple[int, int, int, str]:
            lang = rec.get("language")
            return (0 if lang in wanted else 1 if lang == default.get(rec.get("jurisdiction") or "") else 2,
                    -(rec.get("date_sort") or 0), len(rec.get("provision_path") or []), rec["id"])

        best = min(candidates, key=rank)
        return best["document_id"], best["provision_id"]


def _ordered(values: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Count descending, then value: the same order from both engines."""
    return sorted(((v, c) for v, c in values if c > 0), key=lambda vc: (-vc[1], vc[0]))


def check_request(request: SearchRequest) -> None:
    """Raise QuerySyntaxError for impossible requests instead of letting an engine fail on them."""
    if request.page * request.size > 10_000:  # Elasticsearch's max_result_window; the same limit for both engines
        raise QuerySyntaxError("Results beyond the first 10,000 cannot be paged to; narrow the search with filters.")
