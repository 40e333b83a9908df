"""`regkb bench-serve` starts the production server, loads it briefly and reports every column."""
from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import parse_qs

from regkb.settings import PROJECT_ROOT, load_config
from search_app.bench import BenchSettings, query_mix

COLUMNS = ("endpoint", "conc.", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "server RSS MB",
           "server PSS MB", "workers", "max worker RSS MB", "server CPU ms/req", "CPU ceiling req/s", "client CPU",
           "load 1m")


def test_bench_serve_prints_the_table_for_every_endpoint_and_concurrency(indexed_dir):
    done = subprocess.run([sys.executable, "-m", "regkb.cli", "bench-serve", "--data-dir", str(indexed_dir),
                           "--concurrency", "1,2", "--duration", "1", "--warmup", "0.5", "--workers", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    for column in COLUMNS:
        assert column in done.stdout, column
    report = json.loads(done.stdout.strip().splitlines()[-1])
    endpoints = list(BenchSettings.model_validate(load_config("bench_serve")).endpoints)
    assert [(s["endpoint"], s["concurrency"]) for s in report["steps"]] == [(e, c) for e in endpoints for c in (1, 2)]
    for step in report["steps"]:
        assert step["requests"] > 0, step
        # The small fixture corpus lacks acts some citations of the mix name: the search classes may get a 400.
        assert step["errors"] == 0 or set(step["error_kinds"]) == {"HTTP 400"} and "search" in step["endpoint"], step
        assert step["p50_ms"] <= step["p95_ms"] <= step["p99_ms"]
        memory = step["memory"]
        assert memory["workers"] == 2 and memory["rss"] > memory["max_worker_rss"] > 0 and memory["pss"] > 0
        assert step["server_cpu_ms"] is None or step["server_cpu_ms"] >= 0
    search = [s for s in report["steps"] if s["endpoint"] == "api-search"]
    assert all(s["server_cpu_ms"] > 0 and s["cpu_ceiling_rps"] > 0 for s in search), search
    static = [s for s in report["steps"] if s["endpoint"] == "static"]
    assert static[0]["rps"] > 50  # a static file on loopback: far above any page that searches
    assert any(line.startswith("target api-search at concurrency 32: not measured") for line in report["targets"])
    assert "Traceback" not in done.stderr


def test_query_mix_covers_every_kind_of_query():
    settings = BenchSettings.model_validate(load_config("bench_serve"))
    source = json.loads((PROJECT_ROOT / settings.queries_file).read_text(encoding="utf-8"))["queries"]
    by_text = {(q["query"], q.get("as_of")): q for q in source}
    mix = [parse_qs(params) for params in query_mix(PROJECT_ROOT / settings.queries_file, settings.queries)]
    assert len(mix) == settings.queries == len({m["q"][0] for m in mix})
    picked = [by_text[m["q"][0], m.get("as_of", [None])[0]] for m in mix]
    assert {"keywords", "phrase", "citation", "question", "crosslingual"} <= {q["type"] for q in picked}
    assert {"en", "nl", "fr"} <= {q["language"] for q in picked}
    assert all(m["kind"] == [q["kind"]] for m, q in zip(mix, picked))


def test_bench_serve_reports_a_server_that_is_not_there(indexed_dir):
    done = subprocess.run([sys.executable, "-m", "regkb.cli", "bench-serve", "--url", "http://127.0.0.1:9",
                           "--concurrency", "1", "--duration", "0.3", "--warmup", "0", "--endpoints", "static"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "no request succeeded" in done.stderr, done.stderr
    step = json.loads(done.stdout.strip().splitlines()[-1])["steps"][0]
    assert step["requests"] == 0 and step["errors"] > 0 and "ConnectionRefusedError" in step["error_kinds"]
