"""`regkb bench`: both engines on the same N obligation records and the same query mix.

Records are the data dir's obligations (or, while it has none, the search test
fixtures) scaled up with variation: words are resampled from the corpus
vocabulary, and facet values, dates and deadlines are redrawn from what the
corpus contains. The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from indexer.search.base import SearchBackend, SearchRequest
from indexer.search.records import LoadReport, load_records
from regkb.settings import PROJECT_ROOT, DataDir

console = Console(stderr=True)
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "search"
BENCH_FACETS = ["modality", "addressee", "instrument", "sector", "language", "application_year"]
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def seed_records(data_dir: DataDir) -> tuple[list[dict[str, Any]], str]:
    recs = [r for r in load_records(data_dir, LoadReport()) if r["kind"] == "obligation"]
    if recs:
        return recs, str(data_dir.root)
    return [r for r in load_records(DataDir(FIXTURES), LoadReport()) if r["kind"] == "obligation"], str(FIXTURES)


class Generator:
    """Deterministic variations of seed obligation records."""

    def __init__(self, seeds: list[dict[str, Any]], seed: int = 1760):
        self.seeds = seeds
        self.seed = seed
        self.vocab = {lang: [w for r in seeds if r.get("language") == lang for w in _WORD.findall(r["text"])]
                      for lang in {r.get("language") for r in seeds}}
        self.values = {
            f: [r.get(f) for r in seeds] for f in ("modality", "addressee", "instrument", "sectors", "topics")
        }

    def records(self, n: int) -> Iterator[dict[str, Any]]:
        rnd = random.Random(self.seed)
        for i in range(n):
            base = self.seeds[i % len(self.seeds)]
            words = base["text"].split()
            vocab = self.vocab.get(base.get("language")) or words
            for _ in range(max(1, len(words) // 4)):  # a quarter of the words swapped for corpus words
                words[rnd.randrange(len(words))] = rnd.choice(vocab)
            year = rnd.randint(2019, 2031)
            deadline = rnd.random() < 0.4
            yield {**base, "id": f"bench-{i}", "group": f"bench-{i}", "text": " ".join(words),
                   "modality": rnd.choice(self.values["modality"]), "addressee": rnd.choice(self.values["addressee"]),
                   "instrument": rnd.choice(self.values["instrument"]), "sectors": rnd.choice(self.values["sectors"]),
                   "topics": rnd.choice(self.values["topics"]), "application_years": [str(year)],
                   "date_sort": rnd.randint(2014, 2026) * 10000 + 101,
                   "deadline_sort": year * 10000 + rnd.randint(1, 12) * 100 + 1 if deadline else 99991231,
                   "deadline": f"{year}-01-01" if deadline else None, "ordinal": i}

    def queries(self, n: int) -> list[SearchRequest]:
        """A realistic mix: 1-3 words, phrases, field filters, facet selections; always 6 facets, highlights,
        20 hits."""
        rnd = random.Random(self.seed + 1)
        common = Counter(w.lower() for ws in self.vocab.values() for w in ws)
        words = [w for w, c in common.most_common(400) if len(w) > 3]
        out = []
        for i in range(n):
            k = i % 6
            if k == 0:
                q = rnd.choice(words)
            elif k == 1:
                q = " ".join(rnd.sample(words, 2))
            elif k == 2:
                base = rnd.choice(self.seeds)["text"].split()
                j = rnd.randrange(max(1, len(base) - 2))
                q = '"' + " ".join(base[j:j + 2]).replace('"', "") + '"'
            elif k == 3:
                q = f"{rnd.choice(words)} OR {rnd.choice(words)}"
            elif k == 4:
                q = f"{rnd.choice(words)} modality:{rnd.choice(self.values['modality'])}"
            else:
                q = f"{rnd.choice(words)} -{rnd.choice(words)}"
            filters = {"language": [rnd.choice(list(self.vocab))]} if i % 4 == 3 else {}
            out.append(SearchRequest(query=q, facets=BENCH_FACETS, size=20, highlight=True, filters=filters))
        return out


def rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def build(backend: SearchBackend, gen: Generator, n: int, label: str) -> float:
    started = time.monotonic()
    with Progress(
        TextColumn(f"indexing {label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task(label, total=n)
        backend.replace_all(gen.records(n), progress=lambda k: bar.advance(task, k))
    return time.monotonic() - started


def measure(search: Callable[[SearchRequest], Any], queries: list[SearchRequest], warmup: int = 20) -> dict[str, float]:
    for q in queries[:warmup]:
        search(q)
    times, cpu = [], []
    started = time.perf_counter()
    for q in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        search(q)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    wall = time.perf_counter() - started
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": _p95(times), "qps": round(len(times) / wall, 1),
            "client_cpu_p95_ms": _p95(cpu)}


def _p95(values: list[float]) -> float:
    """95th percentile. client_cpu_p95_ms is the CPU the searching thread used: for the embedded engine that
    is the whole search (it runs in-process), and it stays meaningful on a machine busy with other work."""
    values = sorted(values)
    return round(values[int(0.95 * (len(values) - 1))], 2)


def run_bench(args: argparse.Namespace) -> int:
    seeds, origin = seed_records(DataDir.at(args.data_dir))
    if not seeds:
        console.print("[red]no obligation records to scale from (data dir and fixtures are empty)[/]")
        return 2
    gen = Generator(seeds)
    queries = gen.queries(args.queries)
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    console.print(f"benchmark: {args.records:,} obligation records scaled from {len(seeds)} in {origin}; "
                  f"{len(queries)} queries each ({', '.join(BENCH_FACETS)} facets, highlights, 20 hits)")
    figures: dict[str, Any] = {"records": args.records}
    for name in wanted:
        try:
            figures[name] = _bench_one(name, gen, args, queries)
        except Exception as exc:  # an engine that cannot run is reported, the other still measured
            console.print(f"[red]{name}: {exc}[/]")
            figures[name] = {"error": str(exc)}
        gc.collect()
    _table(figures, wanted)
    if (
        "embedded" in figures
        and "elasticsearch" in figures
        and "qps" in figures["embedded"]
        and "qps" in figures["elasticsearch"]
    ):
        ratio = figures["embedded"]["qps"] / max(figures["elasticsearch"]["qps"], 1e-9)
        console.print(f"embedded throughput = {ratio:.1f}× single-node Elasticsearch")
    print(json.dumps(figures))
    return 0


def _bench_one(name: str, gen: Generator, args: argparse.Namespace, queries: list[SearchRequest]) -> dict[str, Any]:
    if name == "embedded":
        from indexer.search.embedded import EmbeddedBackend
        tmp = Path(tempfile.mkdtemp(prefix="regkb-bench-", dir=os.environ.get("REGKB_BENCH_DIR")))
        try:
            embedded = EmbeddedBackend(tmp, writer_heap=1_000_000_000)
            index_s = build(embedded, gen, args.records, name)
            result = measure(embedded.search, queries)
            return {"index_s": round(index_s, 1), **result, "rss_mb": round(rss_mb(), 1)}
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if name == "elasticsearch":
        from indexer.search.elastic import ElasticBackend
        backend = ElasticBackend(url=args.es_url, index_prefix="regkb-bench")
        try:
            index_s = build(backend, gen, args.records, name)
            backend.client.options(request_timeout=3600).indices.forcemerge(index=backend.alias, max_num_segments=1)
            result = measure(backend.search, queries)
            nodes = backend.client.nodes.info(node_id="_local", metric="process")["nodes"]
            pid = next(iter(nodes.values()))["process"]["id"]
            return {"index_s": round(index_s, 1), **result, "rss_mb": round(rss_mb(pid), 1)}
        finally:
            backend.delete_all_indices()
    raise ValueError(f"unknown backend {name!r}: use embedded and/or elasticsearch")


def _table(figures: dict[str, Any], names: list[str]) -> None:
    table = Table(title=f"search benchmark, {figures['records']:,} records")
    table.add_column("engine")
    for col in ("index_s", "p50_ms", "p95_ms", "qps", "rss_mb", "client_cpu_p95_ms"):
        table.add_column(col, justify="right")
    for n in names:
        f = figures.get(n, {})
        table.add_row(
            n,
            *(
                str(f.get(c, f.get("error", "-")))
                for c in ("index_s", "p50_ms", "p95_ms", "qps", "rss_mb", "client_cpu_p95_ms")
            ),
        )
    console.print(table)
    console.print(f"machine load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
                  "(latencies are inflated when other work shares the cores)")
