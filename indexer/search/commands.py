"""`regkb index` (build the search index of a data dir), `regkb bench` (both engines, side by side),
`regkb eval-search`."""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from indexer.search.settings import BACKENDS
from regkb.settings import add_data_dir

console = Console(stderr=True)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build the search index from documents/ and obligations/ of a data dir")
    add_data_dir(p)
    p.add_argument("--backend", choices=BACKENDS, default=None, help="search engine (default from config/search.yaml)")
    p.set_defaults(func=index_command)

    b = sub.add_parser("bench", help="benchmark both search engines on N obligation records")
    add_data_dir(b)
    b.add_argument(
        "--records", type=int, default=100_000, help="how many obligation records to index (default %(default)s)"
    )
    b.add_argument("--backends", default="embedded,elasticsearch", help="comma-separated engines (default %(default)s)")
    b.add_argument("--queries", type=int, default=300, help="queries per engine (default %(default)s)")
    b.add_argument("--es-url", default=None, help="Elasticsearch URL (default REGKB_ES_URL or config/search.yaml)")
    b.set_defaults(func=bench_command)

    from indexer.search.evaluate import register as register_eval
    register_eval(sub)


def index_command(args: argparse.Namespace) -> int:
    from indexer.search import open_backend
    from indexer.search.base import BackendUnavailable
    from indexer.search.build import build_index
    from indexer.search.records import LoadReport
    from regkb.settings import DataDir

    data_dir = DataDir.at(args.data_dir)
    report = LoadReport()
    started = time.monotonic()
    try:
        backend = open_backend(data_dir.root, getattr(args, "backend", None))
    except Exception as exc:  # a bad setting or an unreachable server: say so, do not crash the pipeline
        console.print(f"[red]cannot open the search backend: {exc}[/]")
        return 2
    try:
        with Progress(
            TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as bar:
            task = bar.add_task("index", total=None)
            built = build_index(backend, data_dir, report, progress=lambda k: bar.advance(task, k))
    except BackendUnavailable as exc:
        console.print(f"[red]indexing failed: {exc}[/]")
        return 2
    finally:
        backend.close()
    for doc_id, count in sorted(report.dropped.items()):
        console.print(f"[yellow]dropped {count} obligation(s) of {doc_id}: its document does not load or is gone "
                      f"(`regkb extract` removes them)[/]")
    for err in report.errors:
        console.print(f"[red]failed: {err}[/]")
    if built.translations is None:  # search still works with the glossary alone
        console.print(f"[yellow]translations not learned ({built.learn_error}); cross-language search uses the "
                      "glossary only[/]")
    else:
        console.print(f"learned {built.translations} word translations from aligned language versions in "
                      f"{built.learn_seconds:.1f}s")
    n = built.records
    console.print(f"[green]indexed {n} records ({report.documents} documents, {report.obligations} obligations) "
                  f"with the {backend.name} engine in {time.monotonic() - started:.1f}s[/]"
                  + (f"; [yellow]{len(report.errors)} bad input file(s)/line(s) skipped[/]" if report.errors else ""))
    if n == 0:
        console.print(f"[yellow]nothing to index in {data_dir.root}: run `regkb extract` first[/]")
    if report.errors:  # the index is complete for everything else, but something is missing from it: say what
        names = ", ".join(dict.fromkeys(e.split(":", 1)[0] for e in report.errors))
        console.print(
            f"[red]regkb index: {len(report.errors)} failed ({names}): rebuild document files with `regkb crawl "
            f"--data-dir {data_dir.root}`, obligation files with `regkb extract --data-dir {data_dir.root}`[/]"
        )
        return 1
    return 0


def bench_command(args: argparse.Namespace) -> int:
    from indexer.search.bench import run_bench
    return run_bench(args)
