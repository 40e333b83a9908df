"""`regkb eval-search`: relevance of the search engines on a labelled query set (tests/relevance/*.json).

Each query lists the provisions a user would cite (grade 2) and close relatives (grade 1), by act and
version/language-independent provision id; a hit inside a listed provision counts too. Printed per
engine: MRR@10, nDCG@10, recall@10 of the grade-2 provisions, the zero-result rate, the share of hits in
the top 10 that repeat a provision already shown, and (with two engines) how often both rank the same
provision first. The last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from regkb.settings import add_data_dir, load_config

K = 10


class Relevant(BaseModel):
    act: str | None = None      # short_title (config/acts.yaml)
    act_id: str | None = None   # or the act_id itself
    provision: str
    grade: int = 2


class EvalQuery(BaseModel):
    id: str
    query: str
    kind: str = "provision"
    as_of: date | None = None
    persona: str | None = None
    language: str | None = None
    type: str | None = None
    relevant: list[Relevant] = Field(default_factory=list)
    note: str | None = None


class QuerySet(BaseModel):
    description: str = ""
    queries: list[EvalQuery]


def load_query_set(path: Path | str) -> QuerySet:
    return QuerySet.model_validate_json(Path(path).read_bytes())


def _act_ids() -> dict[str, str]:
    """short_title → act_id (config/acts.yaml), case-insensitive."""
    acts = (load_config("acts") or {}).get("acts") or {}
    return {
        str(a["short_title"]).lower(): a["act_id"] for a in acts.values() if a.get("short_title") and a.get("act_id")
    }


def grade(hit: dict[str, Any], relevant: list[Relevant], act_ids: dict[str, str]) -> tuple[int, int | None]:
    """The best grade of a gold provision that contains the hit's provision, and which one (0, None: none)."""
    pid = hit.get("provision_id") or ""
    best: tuple[int, int | None] = (0, None)
    for i, r in enumerate(relevant):
        act = r.act_id or act_ids.get((r.act or "").lower())
        if (
            act
            and hit.get("act_id") == act
            and (pid == r.provision or pid.startswith(r.provision + "."))
            and r.grade > best[0]
        ):
            best = (r.grade, i)
    return best


def repeat_key(hit: dict[str, Any]) -> tuple[str, ...]:
    """What makes two hits the same result for a reader: the same provision of the same act (any version or
    language); for obligations also the same opening words."""
    key: tuple[str, ...] = (str(hit.get("act_id")), str(hit.get("provision_id") or hit.get("id")))
    if hit.get("kind") == "obligation":
        key += (" ".join((hit.get("text") or "").lower().split())[:80],)
    return key


@dataclass
class QueryScore:
    query: EvalQuery
    total: int
    grades: list[int]
    repeats: int
    top_key: tuple[str, ...] | None
    top: list[str] = field(default_factory=list)
    gains: list[int] = field(default_factory=list)  # nDCG gains: a gold provision counts once, at its first hit

    @property
    def reciprocal_rank(self) -> float:
        return next((1.0 / (i + 1) for i, g in enumerate(self.grades) if g > 0), 0.0)

    @property
    def ndcg(self) -> float:
        dcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(self.gains))
        ideal_grades = sorted((r.grade for r in self.query.relevant), reverse=True)[:K]
        ideal = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal_grades))
        return dcg / ideal if ideal else 0.0


def score_query(backend: Any, q: EvalQuery, act_ids: dict[str, str], expand: bool = True) -> QueryScore:
    from indexer.search.base import SearchRequest
    req = SearchRequest(query=q.query, kind=q.kind, size=K, as_of=q.as_of, highlight=False, expand=expand,
                        languages=[q.language] if q.language else [])
    resp = backend.search(req)
    hits = [h.record for h in resp.hits][:K]
    seen: set[tuple[str, ...]] = set()
    repeats = 0
    for h in hits:
        key = repeat_key(h)
        repeats += key in seen
        seen.add(key)
    graded = [grade(h, q.relevant, act_ids) for h in hits]
    found = [g for g, _ in graded]
    credited: set[int] = set()
    gains = []
    for g, which in graded:
        gains.append(g if which is not None and which not in credited else 0)
        if which is not None:
            credited.add(which)
    top = [f"{h.get('instrument')} {h.get('citation')} [{h.get('language')}] g{g}" for h, g in zip(hits, found)]
    return QueryScore(q, resp.total, found, repeats, repeat_key(hits[0])[:2] if hits else None, top, gains)


def timings(backend: Any, queries: list[EvalQuery], kinds: tuple[str, ...] = ("obligation", "provision", "document"),
            rounds: int = 3) -> dict[str, float]:
    """p50/p95 wall-clock per record kind over the query set (highlights on, as the pages ask), and the
    p95 size of a JSON answer of 20 document hits."""
    import time

    from indexer.search.base import QuerySyntaxError, SearchRequest
    out: dict[str, float] = {}
    for kind in kinds:
        times, sizes = [], []
        for _ in range(rounds):
            for q in queries:
                req = SearchRequest(query=q.query, kind=kind, size=20, as_of=q.as_of)
                start = time.perf_counter()
                try:
                    resp = backend.search(req)
                except QuerySyntaxError:
                    continue
                times.append((time.perf_counter() - start) * 1000)
                if kind == "document":
                    sizes.append(len(resp.model_dump_json()))
        times.sort()
        if times:
            out[f"{kind}_p50_ms"] = round(times[len(times) // 2], 1)
            out[f"{kind}_p95_ms"] = round(times[int(len(times) * 0.95)], 1)
        if sizes:
            sizes.sort()
            out["document_answer_p95_kb"] = round(sizes[int(len(sizes) * 0.95)] / 1024, 1)
    return out


def summarize(scores: list[QueryScore]) -> dict[str, float]:
    n = len(scores) or 1
    shown = sum(len(s.grades) for s in scores) or 1
    recalls = []
    for s in scores:
        gold = [r for r in s.query.relevant if r.grade >= 2]
        if gold:
            recalls.append(min(1.0, sum(1 for g in s.grades if g >= 2) / len(gold)))
    return {
        "queries": len(scores),
        "mrr@10": round(sum(s.reciprocal_rank for s in scores) / n, 3),
        "ndcg@10": round(sum(s.ndcg for s in scores) / n, 3),
        "recall@10": round(sum(recalls) / (len(recalls) or 1), 3),
        "zero_result_rate": round(sum(1 for s in scores if s.total == 0) / n, 3),
        "repeated_in_top10": round(sum(s.repeats for s in scores) / shown, 3),
        "queries_with_repeats": sum(1 for s in scores if s.repeats),
    }


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval-search", help="relevance of search on a labelled query set (MRR@10, nDCG@10, recall@10 ...)"
    )
    add_data_dir(p)
    p.add_argument("queries", nargs="+", help="query set(s), e.g. tests/relevance/queries.json")
    p.add_argument("--backend", "--backends", dest="backends", default="embedded",
                   help="engine(s), comma-separated: embedded, elasticsearch (default %(default)s)")
    p.add_argument("--no-expand", action="store_true", help="without cross-language expansion")
    p.add_argument("--errors", action="store_true", help="list the queries whose first hit is not relevant")
    p.add_argument("--timing", action="store_true", help="also time every query as obligation, provision and document "
                                                          "search (3 rounds; p50/p95 ms, document answer size)")
    p.set_defaults(func=eval_search_command)


def eval_search_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from indexer.search import open_backend
    from indexer.search.base import BackendUnavailable, QuerySyntaxError

    console = Console(stderr=True)
    queries = [q for path in args.queries for q in load_query_set(path).queries]
    act_ids = _act_ids()
    results: dict[str, dict[str, Any]] = {}
    tops: dict[str, list[tuple[str, ...] | None]] = {}
    for name in [b.strip() for b in args.backends.split(",") if b.strip()]:
        try:
            backend = open_backend(args.data_dir, name)
        except (BackendUnavailable, ValueError) as exc:
            console.print(f"[red]cannot open the {name} engine: {exc}[/]")
            return 2
        scores = []
        try:
            for q in queries:
                try:
                    scores.append(score_query(backend, q, act_ids, expand=not args.no_expand))
                except QuerySyntaxError as exc:
                    console.print(f"[yellow]{q.id} {q.query!r}: {exc}[/]")
                    scores.append(QueryScore(q, 0, [], 0, None))
            timed = timings(backend, queries) if args.timing else {}
        except BackendUnavailable as exc:
            console.print(f"[red]{name}: {exc}[/]")
            return 2
        finally:
            backend.close()
        results[name] = {**summarize(scores), **timed}
        tops[name] = [s.top_key for s in scores]
        if args.errors:
            for s in scores:
                if s.reciprocal_rank < 1:
                    console.print(
                        f"[bold]{s.query.id}[/] {s.query.query!r} (total {s.total}, RR {s.reciprocal_rank:.2f})"
                    )
                    for line in s.top[:5]:
                        console.print(f"    {line}")
    if len(tops) == 2:
        a, b = tops.values()
        agree = sum(1 for x, y in zip(a, b) if x == y) / (len(queries) or 1)
        for r in results.values():
            r["top_hit_agreement"] = round(agree, 3)
    table = Table(title=f"search relevance on {len(queries)} queries ({', '.join(args.queries)})")
    table.add_column("metric")
    for name in results:
        table.add_column(name, justify="right")
    for metric in next(iter(results.values()), {}):
        table.add_row(metric, *(str(r[metric]) for r in results.values()))
    Console().print(table)
    print(json.dumps(results))
    return 0
