"""`regkb applicability`, `regkb timeline`, `regkb compare`, `regkb whatsnew`."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from indexer.analysis.corpus import Corpus
from regkb.settings import add_data_dir

console = Console(stderr=True)
out = Console()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("applicability", help="which instruments apply to a company profile (JSON), why and from when")
    add_data_dir(p)
    p.add_argument("--profile", metavar="FILE.json", help="company profile (see tests/analysis/profiles/ for examples)")
    p.add_argument(
        "--check-rules",
        action="store_true",
        help="compare the thresholds of config/scope_rules.yaml with those extracted from the cited provisions",
    )
    p.add_argument("--register", action="store_true",
                   help="print the compliance register: the obligations of each applicable instrument for the company")
    p.add_argument("--json", action="store_true", help="print the full answer as JSON")
    p.set_defaults(func=applicability_command)

    p = sub.add_parser(
        "timeline", help="dates of one instrument or all: proposal, adoption, entry into force, application"
    )
    add_data_dir(p)
    p.add_argument("--act", help="instrument id, short title or CELEX number (e.g. csddd, EUDR, 32023R1115)")
    p.add_argument("--svg", metavar="FILE", help="also write the chart as SVG")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=timeline_command)

    p = sub.add_parser("compare", help="what changed between two versions of an act (provisions, obligations, figures)")
    add_data_dir(p)
    p.add_argument("old", metavar="OLD_DOC_ID")
    p.add_argument("new", metavar="NEW_DOC_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=compare_command)

    p = sub.add_parser("whatsnew", help="documents and legal events since a date (also as an Atom feed)")
    add_data_dir(p)
    p.add_argument("--since", required=True, type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--atom", metavar="FILE", help="write the Atom feed to FILE")
    p.add_argument("--json", action="store_true")
    follow = p.add_argument_group("follow a search (the entries of its feed, /feed.atom?q=...)")
    follow.add_argument("--query", metavar="TEXT", help="the search's query, as typed in the search box")
    follow.add_argument("--kind", choices=("obligation", "provision", "document"), help="default: obligation")
    follow.add_argument("--facet", action="append", default=[], metavar="NAME=VALUE",
                        help="a filter of the search page, e.g. instrument=CSDDD or modality=obligation (repeatable)")
    follow.add_argument("--as-of", metavar="YYYY-MM-DD", help="follow what the law of that day matches")
    follow.add_argument("--versions", choices=("all", "current"), help="default: all versions of the acts")
    follow.add_argument("--expand", choices=("on", "off"), help="search the query's translations too (default on)")
    follow.add_argument("--lang", choices=("en", "nl"), default="en", help="language of the entries' texts")
    follow.add_argument("--backend", help="search engine (default: config/search.yaml)")
    p.set_defaults(func=whatsnew_command)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _rules_ok() -> bool:
    """config/scope_rules.yaml loads and validates; otherwise say where it is wrong."""
    import yaml

    from indexer.analysis.scope_rules import load_scope_rules

    try:
        load_scope_rules()
    except (ValidationError, yaml.YAMLError, OSError) as exc:
        console.print(f"[red]config/scope_rules.yaml cannot be used: {exc}[/]\nFix the file (every rule needs its "
                      f"citation, conditions and versions) and run the command again.")
        return False
    return True


def _corpus(args: argparse.Namespace) -> Corpus:
    corpus = Corpus.at(args.data_dir)
    if not corpus.all():
        console.print(f"[yellow]No documents in {args.data_dir}/documents: links point to the official texts only "
                      f"(run `regkb crawl` first for links into the knowledge base).[/]")
    for err in corpus.errors:
        console.print(f"[yellow]skipped {err}[/]")
    return corpus


# ---- applicability -------------------------------------------------------------------------

def applicability_command(args: argparse.Namespace) -> int:
    from indexer.analysis.applicability import CompanyProfile, evaluate
    from indexer.analysis.register import build_register

    if not _rules_ok():
        return 2
    if args.check_rules:
        return _check_rules(args)
    if not args.profile:
        console.print("[red]Give --profile FILE.json (or --check-rules).[/]")
        return 2
    try:
        profile = CompanyProfile.model_validate_json(Path(args.profile).read_bytes())
    except OSError as exc:
        console.print(f"[red]Cannot read the profile {args.profile}: {exc.strerror}.[/]")
        return 2
    except ValidationError as exc:
        console.print(f"[red]The profile {args.profile} is not valid; fix these fields:[/]")
        for err in exc.errors():
            console.print(f"  {'.'.join(map(str, err['loc'])) or '(file)'}: {err['msg']}")
        return 2
    corpus = _corpus(args)
    answer = evaluate(profile, corpus)
    if args.register:
        return _print_register(build_register(profile, corpus, answer=answer), args.json)
    if args.json:
        out.print_json(answer.model_dump_json())
        return 0
    _print_answer(answer)
    return 0


def _print_register(register, as_json: bool) -> int:
    if as_json:
        out.print_json(register.model_dump_json())
        return 0
    for section in register.sections:
        for title, entries in (("duties", section.duties), ("depends on facts", section.depends)):
            if not entries:
                continue
            table = Table(title=f"{section.short_title}: {title} ({len(entries)})", show_lines=True)
            for col in ("Citation", "Who", "What", "When", "Depends on" if title != "duties" else "Conditions"):
                table.add_column(col, overflow="fold")
            for e in entries:
                who = e.duty_bearer_label + (f" (via {e.via})" if e.via else "")
                when = "; ".join(e.deadlines) or e.applies_from or "-"
                table.add_row(e.citation, who, e.action or "-", when,
                              e.question or "" if title != "duties" else "; ".join(e.conditions))
            out.print(table)
    console.print(f"{register.duty_count} duties, {register.depends_count} more depending on facts the profile lacks")
    return 0


def _print_answer(answer) -> None:
    out.print(f"[bold]{answer.profile.name or 'Company'}[/] (size class: {answer.derived['size_class'] or 'unknown'})")
    for title, items in (("Applicable", answer.applicable), ("Needs more facts", answer.undetermined),
                         ("Not applicable", answer.not_applicable)):
        if not items:
            continue
        table = Table(title=title, show_lines=True)
        for col in ("Instrument", "Citation", "Applies from", "Reason"):
            table.add_column(col, overflow="fold")
        for item in items:
            table.add_row(f"{item.short_title}\n{item.official_identifier}", item.citation,
                          item.applies_from.text if item.applies_from else "-", item.reason)
        out.print(table)
        for item in items:
            if item.changes_summary and any(c.status != item.status for c in item.changes):
                out.print(f"[magenta]{item.short_title} across versions:[/] {item.changes_summary}")
    out.print(answer.summary)


def _check_rules(args: argparse.Namespace) -> int:
    from indexer.analysis.rulecheck import check_rules

    rows = check_rules(_corpus(args))
    if args.json:
        out.print_json(json.dumps([r.model_dump() for r in rows]))
    else:
        table = Table(title="Scope rule thresholds vs extracted thresholds")
        for col in ("Instrument", "Version", "Rule", "Provision", "Threshold", "Found", "Status"):
            table.add_column(col, overflow="fold")
        colour = {"ok": "green", "disagrees": "red", "not_checkable": "yellow"}
        for r in rows:
            table.add_row(r.instrument, r.version, r.rule, f"{r.document_id}\n{r.provision_id}",
                          f"{r.metric} {r.comparison} {r.rule_value:,.0f}", "; ".join(r.found[:4]) or r.message,
                          f"[{colour[r.status]}]{r.status}[/]")
        out.print(table)
    counts = {s: sum(r.status == s for r in rows) for s in ("ok", "disagrees", "not_checkable")}
    console.print(f"{counts['ok']} agree, {counts['disagrees']} disagree, {counts['not_checkable']} not checkable")
    return 1 if counts["disagrees"] else 0


# ---- timeline ------------------------------------------------------------------------------

def timeline_command(args: argparse.Namespace) -> int:
    from indexer.analysis.timeline import (
        KIND_LABELS,
        find_instrument,
        svg_chart,
        timelines,
    )

    if not _rules_ok():
        return 2
    if args.act and find_instrument(args.act) is None:
        console.print(f"[red]Unknown act {args.act!r}: use an instrument id, short title or CELEX number from "
                      f"config/scope_rules.yaml (e.g. csddd, EUDR, 32023R1115).[/]")
        return 2
    lines = timelines(_corpus(args), act=args.act)
    if args.svg:
        Path(args.svg).write_text(svg_chart(lines), encoding="utf-8")
        console.print(f"chart written to {args.svg}")
    if args.json:
        out.print_json(json.dumps([t.model_dump(mode="json") for t in lines]))
        return 0
    for tl in lines:
        table = Table(title=f"{tl.short_title} - {tl.title}")
        for col in ("Date", "Event", "Details", "Source"):
            table.add_column(col, overflow="fold")
        for ev in tl.events:
            table.add_row(ev.date.isoformat(), KIND_LABELS[ev.kind], ev.label, ev.document_id or ev.source)
        out.print(table)
    return 0


# ---- compare -------------------------------------------------------------------------------

def compare_command(args: argparse.Namespace) -> int:
    from indexer.analysis.compare import compare

    corpus = _corpus(args)
    missing = [d for d in (args.old, args.new) if corpus.get(d) is None]
    if missing:
        console.print(f"[red]Not in {args.data_dir}/documents: {', '.join(missing)}. "
                      f"List the ids with `ls {args.data_dir}/documents` (file names without .json).[/]")
        return 2
    old, new = corpus.get(args.old), corpus.get(args.new)
    assert old is not None and new is not None  # (neither is missing)
    result = compare(old, new, corpus.obligations(old.id), corpus.obligations(new.id))
    if args.json:
        out.print_json(result.model_dump_json())
        return 0
    table = Table(title=f"{old.id} -> {new.id}", show_lines=True)
    for col in ("Provision", "Change", "Similarity", "Figures changed"):
        table.add_column(col, overflow="fold")
    for p in result.provisions:
        figs = "; ".join(f"{f.kind}: -{', '.join(f.removed) or '0'} +{', '.join(f.added) or '0'}" for f in p.figures)
        table.add_row(
            f"{p.citation} {p.heading or ''}", p.status, f"{p.similarity:.2f}" if p.similarity is not None else "", figs
        )
    out.print(table)
    out.print(result.counts(), f"unchanged: {result.unchanged}")
    for note in result.notes:
        console.print(f"[yellow]{note}[/]")
    return 0


# ---- what's new ----------------------------------------------------------------------------

def whatsnew_command(args: argparse.Namespace) -> int:
    from indexer.analysis.changes import whats_new
    from indexer.analysis.feed import atom_feed

    if not _rules_ok():
        return 2
    if args.until and args.until < args.since:
        console.print("[red]--until is before --since.[/]")
        return 2
    followed = args.query or args.facet or args.kind or args.as_of or args.versions or args.expand
    feed: dict[str, str] = {}  # a followed search's feed title, subtitle and id: those of its /feed.atom twin
    news = _followed_search(args, feed) if followed else whats_new(_corpus(args), args.since, args.until)
    if news is None:
        return 2
    if args.atom:
        Path(args.atom).write_bytes(atom_feed(news, self_url=f"file://{Path(args.atom).resolve()}",
                                              site_url="http://127.0.0.1:8000/whatsnew", **feed))
        console.print(f"Atom feed written to {args.atom}")
    if args.json:
        out.print_json(news.model_dump_json())
        return 0
    table = Table(title=f"What's new {news.since} - {news.until}")
    for col in ("Date", "Kind", "Title", "Summary"):
        table.add_column(col, overflow="fold")
    for e in news.entries:
        table.add_row(e.date.isoformat(), e.category, e.title, e.summary)
    out.print(table)
    if news.upcoming:
        out.print("[bold]Coming up:[/] " + "; ".join(f"{e.date} {e.title}" for e in news.upcoming[:8]))
    return 0


def _followed_search(args: argparse.Namespace, feed: dict[str, str]):
    """The entries of the search's feed (None, said why, when the search cannot run); `feed` gets its title,
    subtitle and id."""
    from werkzeug.datastructures import MultiDict

    from indexer.analysis.changes import FEED_TAG, across_versions, follow_search, followed_changes
    from indexer.analysis.wording import gettext_for
    from indexer.search import open_backend
    from indexer.search.base import BackendUnavailable, QuerySyntaxError
    from regkb.settings import load_config
    from search_app.params import BadParameter, parse_search, search_url_args

    params = MultiDict([(k, v) for k, v in (("q", args.query), ("kind", args.kind), ("as_of", args.as_of),
                                             ("versions", args.versions), ("expand", args.expand)) if v])
    for facet in args.facet:
        name, eq, value = facet.partition("=")
        if not eq or not name.strip():
            console.print(f"[red]--facet {facet!r}: write NAME=VALUE, e.g. --facet instrument=CSDDD.[/]")
            return None
        params.add(name.strip(), value)
    settings = load_config("app")
    try:
        req = across_versions(parse_search(params, settings), args.versions is not None)
        backend = open_backend(args.data_dir, args.backend)
    except BadParameter as exc:
        console.print(f"[red]{exc}[/]")
        return None
    except Exception as exc:  # a bad setting or an unreachable server: say so
        console.print(f"[red]cannot open the search backend: {exc}[/]")
        return None
    corpus = _corpus(args)
    try:
        followed = follow_search(backend.search, req.model_copy(update={"languages": [args.lang]}), corpus,
                                 settings["export_max_rows"])
    except (QuerySyntaxError, BackendUnavailable) as exc:
        console.print(f"[red]{exc}[/]")
        return None
    finally:
        backend.close()
    if followed.truncated:
        console.print(f"[yellow]the search finds more than {settings['export_max_rows']} records: only the changes "
                      f"to the first ones are listed; narrow the search to follow all of it[/]")
    news = followed_changes(corpus, followed, args.since, args.until, lang=args.lang)
    _ = gettext_for(args.lang)
    feed["title"] = (_("RegKB: changes to the search “%(q)s”") % {"q": req.query} if req.query
                     else _("RegKB: changes to a filtered search"))
    feed["subtitle"] = _("Texts, provisions and obligations this search finds, changed from %(since)s to "
                         "%(until)s") % {"since": news.since.isoformat(), "until": news.until.isoformat()}
    feed["feed_id"] = f"{FEED_TAG}:search?{search_url_args(req, page=None)}"
    return news


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: regkb applicability|timeline|compare|whatsnew")
