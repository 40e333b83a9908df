"""`regkb bench-serve`: a bounded load on the production server, per endpoint class and concurrency.

It starts `regkb serve` on a free loopback port against a data folder (or measures `--url`), then for
each endpoint class of config/bench_serve.yaml and each concurrency runs that many closed-loop clients
(one keep-alive connection each, the next request only after the previous answer) for `duration`
seconds, and reports req/s, p50/p95/p99 latency, errors, the server's memory (RSS and PSS summed over
the master and its workers, from /proc) and the load average. The clients run on the same two cores as
the server: the `client CPU` column says how much of them the load generator itself used.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from regkb.settings import PROJECT_ROOT, load_config

console = Console(stderr=True, soft_wrap=True)
URL_LINE = re.compile(r"served at (http://[^\s/]+/)")


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    endpoint: str
    concurrency: int
    min_rps: float | None = None
    max_p95_ms: float | None = None
    max_errors: int | None = None


class BenchSettings(BaseModel):
    """config/bench_serve.yaml."""

    model_config = ConfigDict(extra="forbid")
    queries_file: str
    queries: int = Field(ge=1)
    endpoints: dict[str, str]
    concurrency: list[int]
    duration: float = Field(gt=0)
    warmup: float = Field(ge=0)
    request_timeout: float = Field(gt=0)
    targets: list[Target] = []
    max_worker_rss_mb: float | None = None


@dataclass
class Memory:
    """The server's processes as /proc shows them (MB)."""

    rss: float
    pss: float
    workers: int
    max_worker_rss: float


@dataclass
class Step:
    """One endpoint class at one concurrency."""

    endpoint: str
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    errors: Counter
    client_cpu: float
    memory: Memory | None
    load1: float
    server_cpu_s: float | None = None  # CPU seconds the server's processes used during the step

    @property
    def server_cpu_ms(self) -> float | None:
        """Server CPU per answered request: what bounds req/s on busy cores, whatever else runs."""
        if self.server_cpu_s is None or not self.latencies_ms:
            return None
        return self.server_cpu_s * 1000 / len(self.latencies_ms)

    @property
    def cpu_ceiling(self) -> float | None:
        """req/s this server would reach with every core to itself, at this CPU cost per request."""
        ms = self.server_cpu_ms
        return (os.cpu_count() or 1) * 1000 / ms if ms else None

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float | None:
        data = self.latencies_ms
        if not data:
            return None
        if len(data) == 1:
            return data[0]
        return statistics.quantiles(data, n=100, method="inclusive")[p - 1]

    def summary(self) -> dict:
        return {
            "endpoint": self.endpoint,
            "concurrency": self.concurrency,
            "requests": len(self.latencies_ms),
            "rps": round(self.rps, 1),
            "p50_ms": _round(self.percentile(50)),
            "p95_ms": _round(self.percentile(95)),
            "p99_ms": _round(self.percentile(99)),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "client_cpu": round(self.client_cpu, 2),
            "memory": asdict(self.memory) if self.memory else None,
            "load1": self.load1,
            "server_cpu_ms": _round(self.server_cpu_ms),
            "cpu_ceiling_rps": _round(self.cpu_ceiling),
        }


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="measure this running server instead of starting one (e.g. http://127.0.0.1:8000)")
    p.add_argument("--pid", type=int, help="with --url: the server's master pid, for its memory")
    p.add_argument(
        "--concurrency", type=_int_list, help="clients at once, comma-separated (default from config/bench_serve.yaml)"
    )
    p.add_argument("--duration", type=float, help="seconds per endpoint class and concurrency")
    p.add_argument("--warmup", type=float, help="seconds of unmeasured load over the whole mix first")
    p.add_argument(
        "--endpoints",
        type=lambda s: [e for e in s.split(",") if e],
        help="only these endpoint classes, comma-separated",
    )
    p.add_argument("--workers", type=int, help="server worker processes (default: config/app.yaml server.workers)")
    p.add_argument("--threads", type=int, help="threads per server worker")
    p.add_argument("--backend", default=None, help="search backend of the started server")


def bench_serve(args: argparse.Namespace) -> int:
    settings = BenchSettings.model_validate(load_config("bench_serve"))
    concurrency = args.concurrency or settings.concurrency
    duration = args.duration or settings.duration
    if args.warmup is not None:
        settings.warmup = args.warmup
    try:
        classes = endpoint_paths(settings, args.endpoints)
    except (OSError, ValueError, KeyError) as exc:
        console.print(f"[red]cannot build the request mix: {exc}. Check config/bench_serve.yaml.[/]")
        return 2
    if args.url:
        return _run(args.url.rstrip("/") + "/", args.pid, classes, concurrency, duration, settings)
    try:
        with started_server(args) as (url, pid):
            return _run(url, pid, classes, concurrency, duration, settings)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/]")
        return 1


def _run(url: str, pid: int | None, classes: dict[str, list[str]], concurrency: list[int],
         duration: float, settings: BenchSettings) -> int:
    target = urlsplit(url)
    if target.scheme != "http" or not target.hostname:
        console.print(f"[red]--url must be an http:// address (got {url}).[/]")
        return 2
    host, port = target.hostname, target.port or 80
    mix = [p for paths in classes.values() for p in paths]
    steps: list[Step] = []
    with Progress(console=console, transient=True) as progress:
        if settings.warmup:
            task = progress.add_task("warm-up (whole mix, not counted)", total=None)
            drive(host, port, mix, 4, settings.warmup, settings.request_timeout, "warm-up", pid)
            progress.remove_task(task)
        task = progress.add_task("measuring", total=len(classes) * len(concurrency))
        for name, paths in classes.items():
            for n in concurrency:
                progress.update(task, description=f"{name} at concurrency {n}")
                steps.append(drive(host, port, paths, n, duration, settings.request_timeout, name, pid))
                progress.advance(task)
    out = Console(width=max(Console().width, 240))  # a narrow pipe must not fold the columns
    out.print(results_table(steps, url, pid))
    verdicts = check_targets(steps, settings)
    for line in verdicts:
        out.print(line, highlight=False)
    print(json.dumps({"url": url, "steps": [s.summary() for s in steps], "targets": verdicts}))
    silent = [f"{s.endpoint} at {s.concurrency}" for s in steps if not s.latencies_ms]
    if silent:
        console.print(f"[red]no request succeeded for {', '.join(silent)}: is the server at {url} up and serving?[/]")
        return 1
    return 0


def endpoint_paths(settings: BenchSettings, only: list[str] | None = None) -> dict[str, list[str]]:
    """Endpoint class → the paths it requests; `{q}` in a template takes each query of the mix."""
    unknown = set(only or ()) - set(settings.endpoints)
    if unknown:
        raise ValueError(f"unknown endpoint class {sorted(unknown)}; known: {sorted(settings.endpoints)}")
    queries = query_mix(PROJECT_ROOT / settings.queries_file, settings.queries)
    out = {}
    for name, template in settings.endpoints.items():
        if only and name not in only:
            continue
        out[name] = [template.format(q=q) for q in queries] if "{q}" in template else [template]
    return out


def query_mix(path: Path, count: int) -> list[str]:
    """`count` query strings from the relevance set, taken in turn from each (type, language) group."""
    entries = json.loads(path.read_text(encoding="utf-8"))["queries"]
    groups: dict[tuple, list[dict]] = {}
    for e in entries:
        groups.setdefault((e.get("type"), e.get("language")), []).append(e)
    picked: list[dict] = []
    for round_ in itertools.count():
        row = [g[round_] for _, g in sorted(groups.items()) if len(g) > round_]
        if not row:
            break
        picked += row
    out = []
    for e in picked[:count]:
        params = {"q": e["query"], "kind": e.get("kind") or "provision"}
        if e.get("as_of"):
            params["as_of"] = e["as_of"]
        out.append(urlencode(params))
    return out


def drive(host: str, port: int, paths: list[str], concurrency: int, duration: float, timeout: float,
          name: str, pid: int | None) -> Step:
    """`concurrency` closed-loop clients on keep-alive connections, for `duration` seconds."""
    counter = itertools.count()
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(_: int) -> tuple[list[float], Counter]:
        conn = HTTPConnection(host, port, timeout=timeout)
        latencies: list[float] = []
        errors: Counter = Counter()
        while time.monotonic() < stop_at:
            with lock:
                path = paths[next(counter) % len(paths)]
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    errors[f"HTTP {resp.status}"] += 1
                else:
                    latencies.append((time.perf_counter() - started) * 1000)
            except (OSError, HTTPException) as exc:
                errors[type(exc).__name__] += 1
                conn.close()
        conn.close()
        return latencies, errors

    server0 = server_cpu_seconds(pid) if pid else None
    cpu0, started = _cpu_seconds(), time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(client, range(concurrency)))
    seconds = time.monotonic() - started
    server_cpu = _cpu_used(server0, server_cpu_seconds(pid)) if server0 is not None and pid else None
    latencies = [x for lat, _ in results for x in lat]
    errors: Counter = sum((e for _, e in results), Counter())
    return Step(name, concurrency, seconds, latencies, errors, (_cpu_seconds() - cpu0) / seconds,
                server_memory(pid) if pid else None, os.getloadavg()[0], server_cpu)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU seconds so far of `pid` and each of its descendants (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return out


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples; a process started meanwhile counts in full, one that left is lost."""
    return sum(max(0.0, cpu - before.get(p, 0.0)) for p, cpu in after.items())


def server_memory(pid: int) -> Memory | None:
    """RSS and PSS of `pid` and its descendants (PSS counts each copy-on-write shared page once)."""
    tree = process_tree(pid)
    if not tree:
        return None
    rss = {p: _proc_kb(f"/proc/{p}/status", "VmRSS:") for p in tree}
    pss = sum(_proc_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree)
    workers = [p for p in tree if p != pid]
    return Memory(sum(rss.values()) / 1024, pss / 1024, len(workers), max((rss[p] for p in workers), default=0) / 1024)


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it, from /proc (empty when `pid` is gone)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    if not Path(f"/proc/{pid}").exists():
        return []
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _proc_kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


@contextmanager
def started_server(args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    """`regkb serve` on a free loopback port; yields its URL and master pid, stops it afterwards."""
    cmd = [sys.executable, "-m", "regkb.cli", "serve", "--data-dir", str(args.data_dir), "--port", "0"]
    for flag in ("workers", "threads", "backend"):
        if getattr(args, flag, None):
            cmd += [f"--{flag}", str(getattr(args, flag))]
    with tempfile.NamedTemporaryFile(prefix="regkb-bench-serve-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, COLUMNS="200"))
    keep_log = True
    try:
        url = _wait_for_url(proc, log_path, timeout=300)
        console.print(f"server: {url} (pid {proc.pid}; log {log_path})")
        yield url, proc.pid
        keep_log = False
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if keep_log or proc.returncode:
            console.print(f"the server's log is kept: {log_path}")
        else:
            log_path.unlink(missing_ok=True)


def _wait_for_url(proc: subprocess.Popen, log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        found = URL_LINE.search(text)
        if found:
            return found.group(1)
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before listening:\n{text[-2000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"the server printed no URL within {timeout:.0f}s; see {log_path}")


def results_table(steps: list[Step], url: str, pid: int | None) -> Table:
    table = Table(title=f"regkb bench-serve: {url}" + (f" (master pid {pid})" if pid else ""))
    for col in ("endpoint", "conc.", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                "server RSS MB", "server PSS MB", "workers", "max worker RSS MB", "server CPU ms/req",
                "CPU ceiling req/s", "client CPU", "load 1m"):
        table.add_column(col, justify="left" if col == "endpoint" else "right")
    for s in steps:
        m = s.memory
        table.add_row(s.endpoint, str(s.concurrency), str(len(s.latencies_ms)), f"{s.rps:.1f}",
                      _fmt(s.percentile(50)), _fmt(s.percentile(95)), _fmt(s.percentile(99)),
                      _errors(s.errors), _fmt(m.rss if m else None), _fmt(m.pss if m else None),
                      str(m.workers) if m else "n/a",
                      _fmt(m.max_worker_rss if m else None), _fmt(s.server_cpu_ms), _fmt(s.cpu_ceiling),
                      f"{s.client_cpu:.0%}", f"{s.load1:.2f}")
    return table


def check_targets(steps: list[Step], settings: BenchSettings) -> list[str]:
    """One line per target of config/bench_serve.yaml: what was measured, and whether it is met."""
    lines = []
    for t in settings.targets:
        step = next((s for s in steps if s.endpoint == t.endpoint and s.concurrency == t.concurrency), None)
        if step is None:
            lines.append(f"target {t.endpoint} at concurrency {t.concurrency}: not measured in this run")
            continue
        checks = []
        if t.min_rps is not None:
            checks.append((f"{step.rps:.1f} req/s (≥ {t.min_rps:g})", step.rps >= t.min_rps))
        if t.max_p95_ms is not None:
            p95 = step.percentile(95)
            checks.append((f"p95 {_fmt(p95)} ms (≤ {t.max_p95_ms:g})", p95 is not None and p95 <= t.max_p95_ms))
        if t.max_errors is not None:
            n = sum(step.errors.values())
            checks.append((f"{n} errors (≤ {t.max_errors})", n <= t.max_errors))
        ceiling = (f"; server CPU {_fmt(step.server_cpu_ms)} ms per request: at most {_fmt(step.cpu_ceiling)} req/s "
                   f"on {os.cpu_count()} idle cores" if step.cpu_ceiling else "")
        lines.append(f"target {t.endpoint} at concurrency {t.concurrency}: "
                     + ", ".join(f"{text} {'met' if ok else 'NOT met'}" for text, ok in checks) + ceiling)
    rss = [s.memory.max_worker_rss for s in steps if s.memory and s.memory.workers]
    if settings.max_worker_rss_mb is not None and rss:
        peak = max(rss)
        lines.append(f"target worker RSS: peak {peak:.0f} MB (≤ {settings.max_worker_rss_mb:g}) "
                     f"{'met' if peak <= settings.max_worker_rss_mb else 'NOT met'}")
    return lines


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, like 1,8,32 (got {text!r})") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"concurrency values must be at least 1 (got {text!r})")
    return values


def _errors(errors: Counter) -> str:
    total = sum(errors.values())
    if not total:
        return "0"
    return f"{total} (" + ", ".join(f"{k} ×{v}" for k, v in errors.most_common(3)) + ")"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
