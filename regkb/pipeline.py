"""`regkb run`: the main job end to end (crawl → extract → index → serve).

Each step is the same function its own subcommand calls; a step whose
package is not installed yet is reported and skipped, never faked.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

from rich.console import Console

console = Console(stderr=True)

# (label, module, function): each function takes the parsed arguments.
STEPS = (
    ("crawl", "crawler.commands", "crawl_command"),
    ("extract", "indexer.commands", "extract_command"),
    ("index", "indexer.search.commands", "index_command"),
    ("serve", "search_app.commands", "serve_command"),
)


def register(sub: argparse._SubParsersAction) -> None:
    from regkb.cli import add_data_dir

    p = sub.add_parser("run", help="crawl, extract, index and serve, end to end")
    add_data_dir(p)
    p.add_argument("--mirror", metavar="DIR", help="replay an offline mirror (a folder with MANIFEST.tsv) instead of the live sites")
    p.add_argument("--sources", nargs="*", help="only these source ids from config/sources.yaml")
    p.add_argument("--backend", default=None, help="search backend (default from config/search.yaml)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="stop after indexing")
    p.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    started = time.monotonic()
    for label, module_name, func_name in STEPS:
        if label == "serve" and args.no_serve:
            break
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            console.print(f"[yellow]skipping {label}: {module_name} is not part of this version[/]")
            continue
        if label == "serve":
            console.print(f"[green]pipeline done in {time.monotonic() - started:.1f}s; starting the web app[/]")
            console.rule(f"regkb {label}")
            _exec_serve(args)
        console.rule(f"regkb {label}")
        code = getattr(module, func_name)(args)
        if code:
            console.print(f"[red]step {label} failed (exit {code}); stopping[/]")
            return int(code)
    return 0


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
