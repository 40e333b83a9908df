"""The embedded engine: tantivy on disk under <data-dir>/index, no server.

Every record is one tantivy document: keyword fields (raw, fast) for facets
and filters, analysed text fields per language (all_en, meta_nl, text_en ...),
integer sort keys, a rank weight, and the whole record as stored JSON.
Replacing the index happens in one commit, so searches never see a half-built
index: readers keep the old segments until the commit lands.
"""
from __future__ import annotations

import html
import json
import logging
import shutil
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
import tantivy

from indexer.search.analysis import (
    TEXT_BASES,
    analyzer_name,
    languages,
    tantivy_analyzer,
    text_field,
    text_language,
    text_values,
)
from indexer.search.base import BackendUnavailable, QuerySyntaxError, RecordKind
from indexer.search.engine import AtLeast, Bonus, Boosted, Engine, NoMatch, Plan, Result, Terms, Weighted, meta_boost
from indexer.search.facets import FACETS, KEYWORD_FIELDS, field_for
from indexer.search.query import And, FieldMatch, MatchAll, Not
from indexer.search.settings import SNIPPET_CHARS, WHOLE_TEXT_CHARS

log = logging.getLogger(__name__)
INT_FIELDS = ("date_sort", "deadline_sort", "ordinal", "valid_from", "valid_to")
NOT_STORED = ("body",)  # matched on, never returned (a document's whole text)
# Facet counting reads one single-valued column per facet: all of a record's values joined ("combo").
# Counting combos and splitting them in Python is several times faster than counting a multi-valued
# column, because records share few distinct combinations (a document's sectors, its years ...).
COMBO_SEP = "\x1f"
COMBO_SIZE = 50_000
SCHEMA_VERSION = "7"


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for f in FACETS.values():
        sb.add_text_field(_combo(f.field), stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for lang in languages():
        for base in TEXT_BASES:
            sb.add_text_field(text_field(base, lang), stored=(base == "text"), tokenizer_name=analyzer_name(lang),
                              index_option="freq" if base == "text" else "position")
    for name in INT_FIELDS:
        sb.add_integer_field(name, indexed=True, fast=True)
    sb.add_float_field("rank_weight", fast=True)
    sb.add_bytes_field("source", stored=True)
    return sb.build()


def _document(rec: dict[str, Any]) -> tantivy.Document:
    doc = tantivy.Document()
    for name in KEYWORD_FIELDS:
        value = rec.get(name)
        for v in (value if isinstance(value, list) else [value]):
            if v is not None and v != "":
                doc.add_text(name, str(v))
    for f in FACETS.values():
        value = rec.get(f.field)
        values = sorted({str(v) for v in (value if isinstance(value, list) else [value]) if v is not None and v != ""})
        doc.add_text(_combo(f.field), COMBO_SEP.join(values))
    for field, value in text_values(rec).items():
        doc.add_text(field, value)
    for name in INT_FIELDS:
        doc.add_integer(name, int(rec.get(name) or 0))
    doc.add_float("rank_weight", float(rec.get("rank_weight") or 0.0))
    stored = {k: v for k, v in rec.items() if k not in NOT_STORED}
    doc.add_bytes("source", json.dumps(stored, ensure_ascii=False, default=str).encode())
    return doc


class EmbeddedBackend(Engine):
    name = "embedded"

    def __init__(self, index_dir: Path | str, writer_heap: int = 256_000_000):
        self.path = Path(index_dir)
        self.path.mkdir(parents=True, exist_ok=True)
        self.writer_heap = writer_heap
        self._lock = threading.Lock()
        self.schema = _schema()
        # one search compiles the same query 3-5 times (page, group count, facets, snippets), and people repeat queries
        self._compiled = lru_cache(maxsize=1024)(self._compile)
        self._open()

    @property
    def _marker(self) -> Path:
        """Written after the first successful write: says the index exists and which layout it has."""
        return self.path / "regkb-schema.txt"

    def _open(self) -> None:
        self.stale = self._marker.exists() and self._marker.read_text().strip() != SCHEMA_VERSION
        if self.stale:  # built by an older version: searching it would fail; `regkb index` rebuilds it
            return
        try:
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except ValueError as exc:  # another layout on disk (an older or newer version): `regkb index` rebuilds it
            log.warning("the index in %s has another layout (%s); it will be rebuilt by `regkb index`", self.path, exc)
            self.stale = True
            return
        for lang in languages():
            self.index.register_tokenizer(analyzer_name(lang), tantivy_analyzer(lang))

    def _ready(self, reading: bool = True) -> None:
        if self.stale:
            raise BackendUnavailable(
                f"the search index in {self.path} was built by an older version; rebuild it with `regkb index`"
            )
        if reading and not self._marker.exists():
            raise BackendUnavailable(f"there is no search index in {self.path} yet; build it with "
                                     f"`regkb index --data-dir {self.path.parent}`")

    # -- writing -------------------------------------------------------------------------------------------
    def index_records(self, kind: RecordKind, records: Iterable[dict[str, Any]]) -> int:
        return self._write(records, kind=kind, replace_all=False)

    def replace_all(self, records: Iterable[dict[str, Any]], progress=None) -> int:
        """Swap the whole index for these records in one commit (searches see old or new, never half)."""
        if self.stale:
            shutil.rmtree(self.path)
            self.path.mkdir(parents=True)
            self._open()
        return self._write(records, kind=None, replace_all=True, progress=progress)

    def _write(self, records: Iterable[dict[str, Any]], kind: str | None, replace_all: bool, progress=None) -> int:
        self._ready(reading=False)
        self._index_changed()
        with self._lock:
            try:
                writer = self.index.writer(self.writer_heap, 0)
            except ValueError as exc:  # tantivy allows one writer per index, across processes
                raise BackendUnavailable(f"cannot write the index in {self.path} ({exc}); is another `regkb index` "
                                         "running? Wait for it to finish and try again") from None
            try:
                if replace_all:
                    writer.delete_all_documents()
                n = skipped = 0
                for rec in records:
                    if kind is not None:
                        rec = {**rec, "kind": kind}
                    try:
                        doc = _document(rec)
                    except (ValueError, TypeError, KeyError) as exc:  # one bad record must not sink the others
                        skipped += 1
                        log.warning("record %s not indexed: %s", rec.get("id"), exc)
                        continue
                    if not replace_all:
                        writer.delete_documents_by_term("id", str(rec["id"]))
                    writer.add_document(doc)
                    n += 1
                    if progress is not None:
                        progress(1)
                writer.commit()
                writer.wait_merging_threads()
                if skipped:
                    log.warning("%d record(s) could not be indexed and were skipped", skipped)
            except BaseException:
                writer.rollback()
                del writer  # dropping the writer releases the index lock now, not when the traceback goes
                raise
            self._marker.write_text(SCHEMA_VERSION)
            self.index.reload()
            return n

    def clear(self) -> None:
        self.replace_all([])

    # -- reading -------------------------------------------------------------------------------------------
    def get(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
        self._ready()
        searcher = self.index.searcher()
        q = tantivy.Query.boolean_query([(tantivy.Occur.Must, self._terms("id", [record_id])),
                                         (tantivy.Occur.Must, self._terms("kind", [kind]))])
        hits = searcher.search(q, limit=1).hits
        return self._source(searcher, hits[0][1]) if hits else None

    def count(self) -> int:
        self._ready()
        return self.index.searcher().num_docs

    def _source(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
        return _source_of(searcher.doc(address))

    def _execute(self, plan: Plan) -> Result:
        self._ready()
        searcher = self.index.searcher()
        base = self._base_query(plan)
        main = self._with_facet_filters(base, plan.facet_filters)
        try:
            kwargs: dict[str, Any] = {"limit": max(plan.limit, 1), "offset": plan.offset, "count": True}
            if plan.sort == "relevance":
                kwargs["weight_by_field"] = "rank_weight"
            else:
                field, order = {
                    "date": ("date_sort", tantivy.Order.Desc),
                    "deadline": ("deadline_sort", tantivy.Order.Asc),
                    "ordinal": ("ordinal", tantivy.Order.Asc),
                }[plan.sort]
                kwargs.update(order_by_field=field, order=order)
            found = searcher.search(main, **kwargs)
        except ValueError as exc:
            raise QuerySyntaxError(f"The search engine could not run this query ({exc}); simplify it.") from None
        hits = []
        if plan.limit > 0:
            generators = self._snippet_generators(searcher, plan) if plan.highlight else {}
            for key, address in found.hits:
                doc = searcher.doc(address)
                rec = _source_of(doc)
                hl = self._highlight(generators, doc, rec) if generators else {}
                hits.append((float(key) if plan.sort == "relevance" else 0.0, rec, hl))
        facets = self._facets(searcher, self._base_query(plan, score=False), plan) if plan.facets else {}
        # tantivy's stub lacks SearchResult.count (set because count=True is the default)
        return Result(total=found.count or 0, hits=hits, facets=facets)  # type: ignore[attr-defined]

    def _count_groups(self, plan: Plan) -> int | None:
        """Distinct provision groups among all matches (the total once versions and languages collapse)."""
        self._ready()
        searcher = self.index.searcher()
        q = self._with_facet_filters(self._base_query(plan, score=False), plan.facet_filters)
        agg = searcher.aggregate(q, {"g": {"terms": {"field": "group", "size": COMBO_SIZE}}}).get("g", {})
        if agg.get("sum_other_doc_count"):
            return None
        return len(agg.get("buckets", []))

    # -- queries -------------------------------------------------------------------------------------------
    def _terms(self, field: str, values: Iterable[str]) -> tantivy.Query:
        values = [str(v) for v in values]
        if len(values) == 1:  # a plain term query is cheaper than a one-element set
            return tantivy.Query.term_query(self.schema, field, values[0])
        return tantivy.Query.term_set_query(self.schema, field, values)

    def _filter(self, q: tantivy.Query) -> tantivy.Query:
        return tantivy.Query.const_score_query(q, 0.0)

    def _base_query(self, plan: Plan, score: bool = True) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, self._compiled(plan.query, score) or tantivy.Query.all_query()),
                   (tantivy.Occur.Must, self._filter(self._terms("kind", [plan.kind])))]
        clauses += [(tantivy.Occur.Must, self._filter(self._terms(f, v))) for f, v in plan.filters.items()]
        lo, hi = plan.date_range
        if lo is not None or hi is not None:
            rng = tantivy.Query.range_query(self.schema, "date_sort", tantivy.FieldType.Integer, lo, hi)
            clauses.append((tantivy.Occur.Must, self._filter(rng)))
        if plan.in_force_on is not None:
            day = plan.in_force_on
            clauses.append((tantivy.Occur.Must, self._filter(self._int_range("valid_from", 0, day))))
            clauses.append((tantivy.Occur.Must, self._filter(self._int_range("valid_to", day + 1, 99999999))))
        return tantivy.Query.boolean_query(clauses)

    def _int_range(self, field: str, lo: int, hi: int) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, field, tantivy.FieldType.Integer, lo, hi)

    def _with_facet_filters(self, q: tantivy.Query, facet_filters: dict[str, tuple[str, ...]]) -> tantivy.Query:
        if not facet_filters:
            return q
        clauses = [(tantivy.Occur.Must, q)]
        clauses += [(tantivy.Occur.Must, self._filter(self._terms(field_for(n), v))) for n, v in facet_filters.items()]
        return tantivy.Query.boolean_query(clauses)

    def _compile(self, node: Any, score: bool = True) -> tantivy.Query | None:
        """Plan query (engine.LNode) → tantivy query; None for match-all.
        With score=False the heading/title and proximity boosts are left out (facet counting needs only matches)."""
        if isinstance(node, MatchAll):
            return None
        if isinstance(node, NoMatch):
            return tantivy.Query.empty_query()
        if isinstance(node, Terms):
            match = self._text(text_field("all", node.lang), node.terms, node.slop)
            if not score:
                return match
            boost = tantivy.Query.boost_query(
                self._text(text_field("meta", node.lang), node.terms, node.slop), meta_boost()
            )
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, match), (tantivy.Occur.Should, boost)])
        if isinstance(node, Boosted):
            inner = self._compile(node.query, score)
            if not score or inner is None:
                return inner
            if isinstance(node.extra, Terms) and node.extra.slop:  # words close together: a fixed bonus (sloppy
                # phrase scores differ between tantivy and Lucene; a constant keeps both engines alike)
                near = tantivy.Query.const_score_query(
                    self._text(text_field("all", node.extra.lang), node.extra.terms, node.extra.slop), node.weight)
                return tantivy.Query.boolean_query([(tantivy.Occur.Must, inner), (tantivy.Occur.Should, near)])
            extra = self._compile(node.extra, score)
            if extra is None:
                return inner
            near = tantivy.Query.boost_query(extra, node.weight)
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, inner), (tantivy.Occur.Should, near)])
        if isinstance(node, Bonus):
            return tantivy.Query.const_score_query(self._terms(field_for(node.field), [node.value]), node.weight)
        if isinstance(node, Weighted):
            inner = self._compile(node.query, score)
            return tantivy.Query.boost_query(inner, node.weight) if score and inner is not None else inner
        if isinstance(node, FieldMatch):
            return self._filter(self._terms(field_for(node.name), [node.value]))
        if isinstance(node, Not):
            inner = self._compile(node.child, score=False)
            if inner is None:
                return None
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
            )
        children = [q or tantivy.Query.all_query() for q in (self._compile(c, score) for c in node.children)]
        if isinstance(node, AtLeast):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in children], node.minimum)
        occur = tantivy.Occur.Must if isinstance(node, And) else tantivy.Occur.Should
        return tantivy.Query.boolean_query([(occur, c) for c in children])

    @staticmethod
    def _any(queries: list[tantivy.Query]) -> tantivy.Query:
        return (
            queries[0]
            if len(queries) == 1
            else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])
        )

    def _text(self, field: str, terms: Iterable[tuple[int, str]], slop: int = 0) -> tantivy.Query:
        terms = list(terms)
        if len(terms) == 1:
            return tantivy.Query.term_query(self.schema, field, terms[0][1])
        return tantivy.Query.phrase_query(self.schema, field, [(pos, term) for pos, term in terms], slop)

    # -- facets and snippets -------------------------------------------------------------------------------
    def _facets(self, searcher: tantivy.Searcher, base: tantivy.Query, plan: Plan) -> dict[str, list[tuple[str, int]]]:
        """One aggregation for the facets without a selection, one per selected facet (ignoring its own filter)."""
        out: dict[str, list[tuple[str, int]]] = {}
        plain = [n for n in plan.facets if n not in plan.facet_filters]
        if plain:
            q = self._with_facet_filters(base, plan.facet_filters)
            out.update(self._aggregate(searcher, q, plain))
        for name in plan.facets:
            if name in plan.facet_filters:
                others = {n: v for n, v in plan.facet_filters.items() if n != name}
                out.update(self._aggregate(searcher, self._with_facet_filters(base, others), [name]))
        return out

    def _aggregate(
        self, searcher: tantivy.Searcher, q: tantivy.Query, names: list[str]
    ) -> dict[str, list[tuple[str, int]]]:
        """Count combos, split them; a facet with more combos than COMBO_SIZE is counted on its own column."""
        spec = {n: {"terms": {"field": _combo(FACETS[n].field), "size": COMBO_SIZE}} for n in names}
        result = searcher.aggregate(q, spec)
        out, overflow = {}, []
        for n in names:
            agg = result.get(n, {})
            if agg.get("sum_other_doc_count"):
                overflow.append(n)
                continue
            counts: Counter[str] = Counter()
            for b in agg.get("buckets", []):
                for v in str(b["key"]).split(COMBO_SEP):
                    if v:
                        counts[v] += int(b["doc_count"])
            out[n] = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))[: FACETS[n].size]
        if overflow:
            spec = {n: {"terms": {"field": FACETS[n].field, "size": FACETS[n].size}} for n in overflow}
            result = searcher.aggregate(q, spec)
            out.update(
                {
                    n: [(str(b["key"]), int(b["doc_count"])) for b in result.get(n, {}).get("buckets", [])]
                    for n in overflow
                }
            )
        return out

    def _highlights(self, plan: Plan, records: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
        """Snippets straight from the records' own text (no second search): tantivy marks a document built
        from the text the record was indexed with."""
        self._ready()
        generators = self._snippet_generators(self.index.searcher(), plan)
        out: dict[str, dict[str, list[str]]] = {}
        for rec in records:
            lang = text_language(rec.get("language"))
            text = rec.get("text") if rec.get("kind") != "document" else None  # text_values' "text" field
            if generators.get(lang) is None or not text:
                continue
            doc = tantivy.Document()
            doc.add_text(text_field("text", lang), text)
            out[rec["id"]] = self._highlight(generators, doc, rec)
        return out

    def _snippet_generators(self, searcher: tantivy.Searcher, plan: Plan) -> dict[str, Any]:
        gens = {}
        for lang in languages():
            field = text_field("text", lang)
            parts = [self._text(field, t.terms) for t in plan.texts if t.lang == lang]
            if parts:
                q = tantivy.Query.boolean_query([(tantivy.Occur.Should, p) for p in parts])
                gen = tantivy.SnippetGenerator.create(searcher, q, self.schema, field)
                gen.set_max_num_chars(SNIPPET_CHARS)
                gens[lang] = gen
        return gens

    def _highlight(self, gens: dict[str, Any], doc: tantivy.Document, rec: dict[str, Any]) -> dict[str, list[str]]:
        gen = gens.get(text_language(rec.get("language")))
        if gen is None:
            return {}
        text = rec.get("text") or ""
        whole = len(text) <= WHOLE_TEXT_CHARS  # one window over all of it (the generator is this request's own)
        gen.set_max_num_chars(len(text) + 1 if whole else SNIPPET_CHARS)
        snippet = gen.snippet_from_doc(doc)
        fragment = snippet.fragment()
        if not snippet.highlighted():
            return {}
        if whole and text.startswith(fragment):  # up to its last full stop, which the fragment leaves out
            fragment = text
        return {"text": [mark_html(fragment, [(r.start, r.end) for r in snippet.highlighted()])]}


def _combo(field: str) -> str:
    return f"combo_{field}"


def mark_html(fragment: str, byte_ranges: list[tuple[int, int]]) -> str:
    """HTML-escape a fragment and wrap the matched byte ranges in <mark>."""
    raw = fragment.encode()
    out, pos = [], 0
    for start, end in sorted(byte_ranges):
        if start < pos:
            continue
        out.append(html.escape(raw[pos:start].decode(errors="ignore")))
        out.append(f"<mark>{html.escape(raw[start:end].decode(errors='ignore'))}</mark>")
        pos = end
    out.append(html.escape(raw[pos:].decode(errors="ignore")))
    return "".join(out)


def _source_of(doc: tantivy.Document) -> dict[str, Any]:
    """The record as indexed: every document of this schema stores it (SCHEMA_VERSION)."""
    source = doc.get_first("source")
    assert source is not None, "an index document without its stored record: rebuild with `regkb index`"
    return orjson.loads(bytes(source))
