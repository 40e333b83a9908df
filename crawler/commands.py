"""`regkb crawl`: fetch the configured sources (or replay a mirror) into a data folder."""
from __future__ import annotations

import argparse
import logging
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from crawler.crawl import Crawler, CrawlSummary
from crawler.mirror import MirrorServer
from crawler.settings import CrawlSettings
from regkb.settings import DataDir, add_data_dir
from regkb.sources import Source, load_sources

console = Console(stderr=True)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crawl", help="fetch the sources of config/sources.yaml into the data folder")
    add_data_dir(p)
    p.add_argument("--mirror", metavar="DIR", help="replay an offline mirror (a folder with MANIFEST.tsv) on 127.0.0.1")
    p.add_argument("--sources", nargs="*", metavar="ID", help="only these source ids (default: all)")
    p.add_argument("--delay", type=float, default=None, metavar="SECONDS",
                   help="politeness delay between requests to one host (default from config/crawler.yaml)")
    p.add_argument("--repair", action="store_true",
                   help="verify every stored response (WARC digests) first and fetch the damaged ones again")
    p.set_defaults(func=crawl_command)


def select_sources(ids: list[str] | None) -> list[Source]:
    sources = load_sources()
    if not ids:
        return sources
    known = {s.id for s in sources}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise SystemExit(f"unknown source id(s) {', '.join(unknown)}; see config/sources.yaml for the ids")
    return [s for s in sources if s.id in ids]


def crawl_command(args: argparse.Namespace) -> int:
    """Used by `regkb crawl` and `regkb run` (which passes data_dir, mirror and sources)."""
    sources = select_sources(getattr(args, "sources", None))
    mirror = getattr(args, "mirror", None)
    if mirror and not (Path(mirror) / "MANIFEST.tsv").is_file():
        console.print(
            f"[red]{mirror}/MANIFEST.tsv not found: --mirror must name a mirror folder with a MANIFEST.tsv[/]",
            soft_wrap=True,
        )
        return 2
    settings = CrawlSettings.load(mirror=bool(mirror), politeness_delay_seconds=getattr(args, "delay", None))
    data = DataDir.at(args.data_dir)
    _route_logging_through_rich()
    with ExitStack() as stack:
        mirror_url = stack.enter_context(MirrorServer(mirror)).url if mirror else None
        progress = stack.enter_context(Progress(
            TextColumn("[bold]crawl"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}", style="dim"), console=console, transient=False))
        task = progress.add_task("", total=None)

        def on_progress(done: int, known: int, url: str) -> None:
            progress.update(task, completed=done, total=known, description=url[-60:])

        summary = Crawler(data, sources, settings, mirror_url=mirror_url, progress=on_progress,
                          repair=bool(getattr(args, "repair", False))).run()
    print_summary(summary, data, mirror=bool(mirror))
    return 0 if summary.ok else 1


def _route_logging_through_rich() -> None:
    """Log lines above the progress bar instead of through it."""
    root = logging.getLogger()
    level = root.level
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(RichHandler(console=console, show_time=False, show_path=False, markup=False))
    root.setLevel(level)


def print_summary(s: CrawlSummary, data: DataDir, mirror: bool) -> None:
    if s.resumed:
        console.print(
            "[yellow]resumed an interrupted run: the counts below cover what this run did after the restart[/]",
            soft_wrap=True,
        )
    table = Table(title=f"crawl summary ({data.root})", show_header=False)
    rows = [
        ("fetched (new or changed)", s.fetched), ("unchanged (304 / same hash)", s.unchanged),
        ("failed", s.failed), ("not in mirror" if mirror else "not found", s.not_in_mirror),
        ("skipped (unsupported type)", s.skipped), ("parsed", s.parsed), ("parse failed", s.parse_failed),
        ("re-parse skipped (up to date)", s.reparse_skipped), ("documents written", s.documents_written),
        ("documents re-linked", s.documents_linked), ("damaged records found", s.damaged_records),
        ("repaired (records fetched again, documents rebuilt)", len(s.repaired)), ("time", f"{s.seconds:.1f}s"),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)
    if s.unchanged and not (s.fetched or s.parsed or s.documents_written):
        console.print(f"[green]nothing new since the last crawl: {s.unchanged} responses unchanged, nothing downloaded "
                      "again, nothing re-parsed[/]", soft_wrap=True)
    if s.parser_unavailable:
        console.print(
            f"[yellow]{s.parser_unavailable}: raw responses are stored; documents will be parsed by the next crawl[/]",
            soft_wrap=True,
        )
    for url, message in s.errors:
        console.print(f"[red]error[/] {escape(url)}: {escape(message)}", soft_wrap=True, highlight=False)
    if s.standing_errors:
        console.print(
            f"[yellow]{len(s.standing_errors)} unchanged URLs still fail to parse (as in an earlier run; they are "
            "parsed again when indexer.parsing.PARSER_VERSION changes):[/]",
            soft_wrap=True,
        )
        for url, message in s.standing_errors:
            console.print(f"  {escape(url)}: {escape(message)}", soft_wrap=True, highlight=False)
    if s.missing:
        console.print(
            f"[dim]{len(s.missing)} configured URLs are not in the mirror "
            "(expected for sources with in_mirror: false)[/]",
            soft_wrap=True,
        )
    if s.repaired:
        console.print(
            f"[green]repaired {len(s.repaired)}: {escape(_names(s.repaired))}[/]", soft_wrap=True, highlight=False
        )
    if not s.ok:
        console.print(f"[bold red]crawl failed: {escape(failure_line(s))}[/]", soft_wrap=True, highlight=False)


def failure_line(s: CrawlSummary) -> str:
    """What failed, counted and named: 'fetch 2 (url, url); damaged record 1 (url)'."""
    problems = dict(s.problems)
    if s.standing_errors:
        problems["parse (unchanged since an earlier run)"] = [url for url, _ in s.standing_errors]
    return "; ".join(f"{kind} {len(names)} ({_names(names)})" for kind, names in problems.items())


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", and {len(names) - limit} more" if len(names) > limit else "")
