"""The Elasticsearch engine (8.x, official client).

Records live in versioned indices (`<prefix>-records-v<millis>`) behind the
alias `<prefix>-records`. A rebuild fills a new index and swaps the alias in
one atomic call, so searching never stops during a reindex. Analysis comes
from the index template and the regkb-analysis plugin (es/), identical to
the embedded engine's.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch import ConnectionError as ESConnectionError

from indexer.search.analysis import (
    PRESTEMMED_ANALYZER,
    STOP_MARK,
    TEXT_BASES,
    analyzer_name,
    elasticsearch_analysis,
    languages,
    prestemmed,
    shared_stem_languages,
    text_field,
    text_values,
)
from indexer.search.base import BackendUnavailable, QuerySyntaxError, RecordKind
from indexer.search.engine import AtLeast, Bonus, Boosted, Engine, NoMatch, Plan, Result, Terms, Weighted, meta_boost
from indexer.search.facets import FACETS, KEYWORD_FIELDS, field_for
from indexer.search.query import And, FieldMatch, MatchAll, Not
from indexer.search.settings import WHOLE_TEXT_CHARS, ElasticSettings, elastic_settings

INT_FIELDS = ("date_sort", "deadline_sort", "ordinal", "valid_from", "valid_to")
DERIVED = tuple(text_field(b, lang) for b in TEXT_BASES for lang in languages())
# Matched on, never returned: the matching fields (pre-stemmed) and a document's whole text.
SOURCE_EXCLUDES = ["body", *(text_field(b, lang) for b in ("all", "meta") for lang in languages())]
log = logging.getLogger(__name__)
logging.getLogger("elastic_transport").setLevel(
    logging.ERROR
)  # per-request and retry lines drown the progress and the real error


def _es_doc(rec: dict[str, Any]) -> dict[str, Any]:
    """The record plus its per-language text fields (the same split as the embedded engine); matching
    fields of shared-stem languages carry the stems (see config/search.yaml `shared_stems`)."""
    values = text_values(rec)
    for lang in shared_stem_languages():
        for base in ("all", "meta"):
            f = text_field(base, lang)
            if f in values:
                values[f] = prestemmed(values[f], lang)
    return {**rec, **values}


def _field_analyzer(base: str, lang: str) -> str:
    return PRESTEMMED_ANALYZER if base != "text" and lang in shared_stem_languages() else analyzer_name(lang)


def _record(source: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in source.items() if k not in DERIVED}


class ElasticBackend(Engine):
    name = "elasticsearch"

    def __init__(self, url: str | None = None, index_prefix: str | None = None, client: Elasticsearch | None = None,
                 shards: int | None = None, replicas: int | None = None):
        """`url` may list several nodes, comma-separated; the client then fails over between them."""
        settings = elastic_settings(url, index_prefix)
        self.settings: ElasticSettings = replace(settings, shards=shards or settings.shards,
                                                 replicas=settings.replicas if replicas is None else replicas)
        auth = (self.settings.username, self.settings.password or "") if self.settings.username else None
        hosts = [u.strip() for u in self.settings.url.split(",") if u.strip()]
        self.client = client or Elasticsearch(hosts, basic_auth=auth, request_timeout=self.settings.request_timeout_s,
                                              retry_on_timeout=True, max_retries=3)
        self.alias = f"{self.settings.index_prefix}-records"

    # -- index lifecycle -----------------------------------------------------------------------------------
    def _call(self, fn, *args, **kwargs):
        """Run a client call; turn 'cannot reach' into a message that says what to do. A 5xx answer (a node
        leaving the cluster mid-query, shards relocating) is retried twice: the replicas answer then."""
        for attempt in range(3):
            try:
                return fn(*args, **kwargs)
            except ESConnectionError as exc:
                raise BackendUnavailable(
                    f"Elasticsearch at {self.settings.url} cannot be reached ({exc.__class__.__name__}); "
                    "start it (scripts/es-cluster start) or set REGKB_ES_URL"
                ) from None
            except ApiError as exc:
                if (getattr(exc, "status_code", 0) or 0) < 500 or attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def ensure_template(self) -> None:
        mappings = {
            "dynamic": False,
            "_source": {"excludes": SOURCE_EXCLUDES},
            "properties": {
                **{f: {"type": "keyword"} for f in KEYWORD_FIELDS},
                **{
                    text_field(b, lang): {"type": "text", "analyzer": _field_analyzer(b, lang)}
                    for b in TEXT_BASES
                    for lang in languages()
                },
                **{f: {"type": "long"} for f in INT_FIELDS},
                "rank_weight": {"type": "float"},
            },
        }
        settings = {"number_of_shards": self.settings.shards, "number_of_replicas": self.settings.replicas,
                    "analysis": elasticsearch_analysis()}
        self._call(self.client.indices.put_index_template, name=self.alias, index_patterns=[f"{self.alias}-v*"],
                   template={"settings": settings, "mappings": mappings}, priority=500)

    def _current_indices(self) -> list[str]:
        try:
            return sorted(self._call(self.client.indices.get_alias, name=self.alias).body)
        except NotFoundError:
            return []

    def _new_index(self) -> str:
        self.ensure_template()
        name = f"{self.alias}-v{time.time_ns() // 1000}"
        self._call(self.client.indices.create, index=name, settings={"refresh_interval": "-1"})
        return name

    def replace_all(self, records: Iterable[dict[str, Any]], progress=None) -> int:
        """Fill a new index, then swap the alias atomically and drop the old one: searches never stop."""
        self._index_changed()
        new = self._new_index()
        try:
            n = self._bulk(new, records, progress)
            self._call(self.client.indices.put_settings, index=new, settings={"refresh_interval": "1s"})
            self._call(self.client.indices.refresh, index=new)
            self._call(self.client.cluster.health, index=new, wait_for_status="yellow", timeout="60s")
        except BaseException:
            self.client.options(ignore_status=404).indices.delete(index=new)
            raise
        old = self._current_indices()
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old] + [
            {"add": {"index": new, "alias": self.alias}}
        ]
        self._call(self.client.indices.update_aliases, actions=actions)
        for i in old:
            self.client.options(ignore_status=404).indices.delete(index=i)
        return n

    def index_records(self, kind: RecordKind, records: Iterable[dict[str, Any]]) -> int:
        self._index_changed()
        current = self._current_indices()
        if not current:
            self.replace_all([])
            current = self._current_indices()
        n = self._bulk(self.alias, ({**r, "kind": kind} for r in records))
        self._call(self.client.indices.refresh, index=self.alias)
        return n

    def _bulk(self, index: str, records: Iterable[dict[str, Any]], progress=None) -> int:
        def actions() -> Iterator[dict[str, Any]]:
            for rec in records:
                yield {"_index": index, "_id": f"{rec['kind']}:{rec['id']}", "_source": _es_doc(rec)}
        n, failed = 0, []
        for ok, item in helpers.streaming_bulk(self.client, actions(), chunk_size=self.settings.bulk_chunk,
                                               raise_on_error=False, raise_on_exception=True, max_retries=3):
            if ok:
                n += 1
            else:  # one bad record must not sink the others: report it and go on
                failed.append(item)
            if progress is not None:
                progress(1)
        if failed:
            log.warning("Elasticsearch rejected %d record(s); first: %s", len(failed), str(failed[0])[:500])
        return n

    def clear(self) -> None:
        self._index_changed()
        self.replace_all([])

    def close(self) -> None:
        self.client.close()

    def delete_all_indices(self) -> None:
        """Drop the alias, its indices and the template (tests, benchmarks)."""
        self.client.options(ignore_status=404).indices.delete(index=f"{self.alias}-v*")
        self.client.options(ignore_status=404).indices.delete_index_template(name=self.alias)

    # -- reading -------------------------------------------------------------------------------------------
    def get(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
        try:
            return _record(self._call(self.client.get, index=self.alias, id=f"{kind}:{record_id}")["_source"])
        except NotFoundError:
            return None

    def count(self) -> int:
        try:
            return int(self._call(self.client.count, index=self.alias)["count"])
        except NotFoundError:
            return 0

    def _execute(self, plan: Plan) -> Result:
        body = self._body(plan)
        try:
            resp = self._call(self.client.search, index=self.alias, **body)
        except NotFoundError:
            raise BackendUnavailable(
                f"Elasticsearch has no index {self.alias!r} yet; run `regkb index --backend elasticsearch`"
            ) from None
        except ApiError as exc:
            if getattr(exc, "status_code", None) == 400:
                raise QuerySyntaxError(f"Elasticsearch could not run this query ({exc.error}); simplify it.") from None
            raise
        except TransportError as exc:
            raise BackendUnavailable(f"Elasticsearch failed to answer ({exc}); try again") from None
        hits = []
        for h in resp["hits"]["hits"]:
            hl: dict[str, list[str]] = {}
            for f, frags in (h.get("highlight") or {}).items():
                hl.setdefault(f.rsplit("_", 1)[0], []).extend(frags)
            hits.append((float(h.get("_score") or 0.0) if plan.sort == "relevance" else 0.0, _record(h["_source"]), hl))
        facets = {}
        for name in plan.facets:
            agg = resp["aggregations"][name]
            agg = agg.get("values", agg)
            facets[name] = [(str(b["key"]), int(b["doc_count"])) for b in agg["buckets"]]
        return Result(total=int(resp["hits"]["total"]["value"]), hits=hits, facets=facets)

    def _count_groups(self, plan: Plan) -> int | None:
        """Distinct provision groups among all matches, counted exactly (a terms aggregation, like the embedded
        engine)."""
        body = self._body(replace(plan, offset=0, limit=0, facets=(), highlight=False))
        query = body["query"]
        if "post_filter" in body:
            query = {"bool": {"must": [query], "filter": [body["post_filter"]]}}
        resp = self._call(self.client.search, index=self.alias, query=query, size=0,
                          aggs={"g": {"terms": {"field": "group", "size": 50_000}}})
        agg = resp["aggregations"]["g"]
        return None if agg.get("sum_other_doc_count") else len(agg["buckets"])

    # -- query DSL -----------------------------------------------------------------------------------------
    def _body(self, plan: Plan) -> dict[str, Any]:
        filters: list[dict[str, Any]] = [{"term": {"kind": plan.kind}}]
        filters += [{"terms": {f: list(v)}} for f, v in plan.filters.items()]
        lo, hi = plan.date_range
        if lo is not None or hi is not None:
            filters.append({"range": {"date_sort": {k: v for k, v in (("gte", lo), ("lte", hi)) if v is not None}}})
        if plan.in_force_on is not None:
            filters += [
                {"range": {"valid_from": {"lte": plan.in_force_on}}},
                {"range": {"valid_to": {"gt": plan.in_force_on}}},
            ]
        query: dict[str, Any] = {"bool": {"must": [self._compile(plan.query) or {"match_all": {}}], "filter": filters}}
        body: dict[str, Any] = {"from": plan.offset, "size": plan.limit, "track_total_hits": True}
        if plan.sort == "relevance":
            query = {
                "function_score": {
                    "query": query,
                    "boost_mode": "multiply",
                    "field_value_factor": {"field": "rank_weight", "modifier": "log2p", "missing": 0},
                }
            }
        else:
            field, order = {
                "date": ("date_sort", "desc"),
                "deadline": ("deadline_sort", "asc"),
                "ordinal": ("ordinal", "asc"),
            }[plan.sort]
            body["sort"] = [{field: order}]
        body["query"] = query
        facet_terms = {n: {"terms": {field_for(n): list(v)}} for n, v in plan.facet_filters.items()}
        if facet_terms:
            body["post_filter"] = {"bool": {"filter": list(facet_terms.values())}}
        if plan.facets:
            body["aggs"] = {}
            for name in plan.facets:
                terms = {"terms": {"field": FACETS[name].field, "size": FACETS[name].size}}
                others = [t for n, t in facet_terms.items() if n != name]
                body["aggs"][name] = (
                    {"filter": {"bool": {"filter": others}}, "aggs": {"values": terms}} if others else terms
                )
        if plan.highlight and plan.limit > 0:
            hl = [self._text(text_field("text", t.lang), t.value) for t in plan.texts]
            hl_query = {"bool": {"should": hl}} if hl else None
            if hl_query is not None:
                body["highlight"] = {
                    "pre_tags": ["<mark>"],
                    "post_tags": ["</mark>"],
                    "encoder": "html",
                    # sentences up to this long stay whole; longer ones are cut after it (unified highlighter)
                    "fragment_size": WHOLE_TEXT_CHARS,
                    "number_of_fragments": 1,
                    "highlight_query": hl_query,
                    "fields": {text_field("text", lang): {} for lang in languages()},
                }
        return body

    def _compile(self, node: Any) -> dict[str, Any] | None:
        """Plan query (engine.LNode) → ES query DSL, the same shape as the embedded engine's tantivy query."""
        if node is None or isinstance(node, MatchAll):
            return None
        if isinstance(node, NoMatch):
            return {"match_none": {}}
        if isinstance(node, Terms):
            text = _query_text(node.value, node.lang, node.terms)
            return {"bool": {"must": [self._text(text_field("all", node.lang), text, 1.0, node.slop)],
                             "should": [self._text(text_field("meta", node.lang), text, meta_boost(), node.slop)]}}
        if isinstance(node, Boosted):
            inner = self._compile(node.query) or {"match_all": {}}
            if isinstance(node.extra, Terms) and node.extra.slop:  # a fixed bonus, as in the embedded engine
                near = self._text(
                    text_field("all", node.extra.lang),
                    _query_text(node.extra.value, node.extra.lang, node.extra.terms),
                    1.0,
                    node.extra.slop,
                )
                return {
                    "bool": {"must": [inner], "should": [{"constant_score": {"filter": near, "boost": node.weight}}]}
                }
            extra = self._compile(node.extra)
            if extra is None:
                return inner
            return {"bool": {"must": [inner], "should": [{"bool": {"must": [extra], "boost": node.weight}}]}}
        if isinstance(node, Bonus):
            return {"constant_score": {"filter": {"term": {field_for(node.field): node.value}}, "boost": node.weight}}
        if isinstance(node, Weighted):
            inner = self._compile(node.query) or {"match_all": {}}
            return {"bool": {"must": [inner], "boost": node.weight}}
        if isinstance(node, FieldMatch):
            return {"constant_score": {"filter": {"term": {field_for(node.name): node.value}}, "boost": 0.0}}
        if isinstance(node, Not):
            negated = self._compile(node.child)  # scores under must_not do not count in Elasticsearch
            return {"bool": {"must": [{"match_all": {}}], "must_not": [negated]}} if negated is not None else None
        children = [self._compile(c) or {"match_all": {}} for c in node.children]
        if isinstance(node, AtLeast):
            return {"bool": {"should": children, "minimum_should_match": node.minimum}}
        if isinstance(node, And):
            return {"bool": {"must": children}}
        return {"bool": {"should": children, "minimum_should_match": 1}}

    @staticmethod
    def _text(field: str, value: str, boost: float = 1.0, slop: int = 0) -> dict[str, Any]:
        """A phrase query that Elasticsearch analyses with the field's analyser."""
        # Which fields get a clause (stop-word-only words get none) is decided in Python for both engines.
        return {"match_phrase": {field: {"query": value, "boost": boost, **({"slop": slop} if slop else {})}}}


def _query_text(value: str, lang: str, terms: tuple[tuple[int, str], ...]) -> str:
    """What to send for a word/phrase: as typed, or (shared-stem languages) the stems with gaps kept."""
    if lang not in shared_stem_languages():
        return value
    slots = [STOP_MARK] * (terms[-1][0] - terms[0][0] + 1)
    for pos, term in terms:
        slots[pos - terms[0][0]] = term
    return " ".join(slots)
