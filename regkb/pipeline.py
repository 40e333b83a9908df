"""`regkb run`: the main job end to end (crawl → extract → index → serve).

Each step is the function its own subcommand calls. A step that fails (a URL that did not answer, a
document that does not load) does not stop the run: the later steps work on what there is, the failure is
repeated before serving, and with --no-serve the run exits non-zero. --strict stops at the first failure.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import NoReturn

from rich.console import Console

from crawler.commands import crawl_command
from indexer.commands import add_workers, extract_command
from indexer.search.commands import index_command
from regkb.settings import add_data_dir

console = Console(stderr=True)

STEPS: tuple[tuple[str, Callable[[argparse.Namespace], int]], ...] = (
    ("crawl", crawl_command), ("extract", extract_command), ("index", index_command))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="crawl, extract, index and serve, end to end")
    add_data_dir(p)
    p.add_argument(
        "--mirror",
        metavar="DIR",
        help="replay an offline mirror (a folder with MANIFEST.tsv) instead of the live sites",
    )
    p.add_argument("--sources", nargs="*", help="only these source ids from config/sources.yaml")
    p.add_argument("--backend", default=None, help="search backend (default from config/search.yaml)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="stop after indexing")
    p.add_argument("--strict", action="store_true", help="stop at the first step that fails")
    add_workers(p)
    p.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    started = time.monotonic()
    failed: list[tuple[str, int]] = []
    for label, step in STEPS:
        console.rule(f"regkb {label}")
        code = int(step(args) or 0)
        if code:
            failed.append((label, code))
            if args.strict or code == 2:  # 2: the step could not start (bad arguments, no backend)
                console.print(f"[red]step {label} failed (exit {code}); stopping[/]")
                return code
            console.print(f"[yellow]step {label} failed (exit {code}); going on with what it produced[/]")
    summary = ", ".join(f"{label} (exit {code})" for label, code in failed)
    if failed:
        console.print(f"[red]pipeline finished in {time.monotonic() - started:.1f}s with failures: {summary}; "
                      f"the messages above name what failed[/]")
    if args.no_serve:
        return max((code for _, code in failed), default=0)
    if not failed:
        console.print(f"[green]pipeline done in {time.monotonic() - started:.1f}s; starting the web app[/]")
    console.rule("regkb serve")
    _exec_serve(args)


def _exec_serve(args: argparse.Namespace) -> NoReturn:
    """Become `regkb serve` (same process id, same terminal): the server forks its workers from a fresh
    process, not from one holding the earlier steps' spaCy pipelines, index writer and threads."""
    cmd = [sys.executable, "-m", "regkb.cli", *(["-v"] if getattr(args, "verbose", False) else []), "serve",
           "--data-dir", str(args.data_dir), "--host", args.host, "--port", str(args.port)]
    if args.backend:
        cmd += ["--backend", args.backend]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, cmd)
