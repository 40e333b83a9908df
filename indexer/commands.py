"""`regkb extract`, `analyze`, `eval` and `bench-extract`: obligations and entities from the corpus.

`extract` is the step `regkb run` calls after crawling; the others are for
people checking quality (`eval` against the gold set, `bench-extract` for
speed) or trying the extractor on any text (`analyze`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from indexer.nlp.lang import has_pack, languages
from regkb.settings import PROJECT_ROOT, add_data_dir

console = Console(stderr=True)
STATE_FILE = "_state.json"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="find obligations, entities, sectors and topics in every corpus document")
    add_data_dir(p)
    p.add_argument("--force", action="store_true", help="re-process documents even if unchanged")
    add_workers(p)
    p.set_defaults(func=extract_command)

    p = sub.add_parser(
        "analyze", help="print the obligations found in plain text read from stdin (one JSON object per line)"
    )
    add_data_dir(p)
    p.add_argument("--lang", choices=languages(), required=True, help="a language with a pack (indexer/nlp/lang)")
    p.add_argument("--kind", default="article", help="provision kind the text comes from (recitals never bind)")
    p.add_argument("--instrument-type", default="other", help="e.g. directive, national_act, news (news never binds)")
    p.set_defaults(func=analyze_command)

    p = sub.add_parser("eval", help="precision/recall of obligation extraction on a gold set, next to a naive baseline")
    add_data_dir(p)
    p.add_argument("gold", nargs="+", type=Path, help="gold JSONL files (tests/gold/en.jsonl, tests/gold/nl.jsonl)")
    p.add_argument("--from-mirror", type=Path, metavar="DIR",
                   help="crawl an offline mirror into a scratch folder and evaluate on that instead of the data dir")
    p.add_argument("--errors", action="store_true", help="list every disagreement with the gold labels")
    p.set_defaults(func=eval_command)

    p = sub.add_parser("eval-sectors", help="precision of sector tags on labelled (record, sector) pairs, old vs new")
    add_data_dir(p)
    p.add_argument("gold", nargs="?", type=Path, default=PROJECT_ROOT / "tests" / "gold" / "sectors.jsonl",
                   help="labelled pairs (default: tests/gold/sectors.jsonl)")
    p.set_defaults(func=_eval_sectors)

    p = sub.add_parser(
        "bench-extract", help="words per second of the extractor vs plain en_core_web_sm over the corpus"
    )
    add_data_dir(p)
    p.add_argument("--from-mirror", type=Path, metavar="DIR",
                   help="crawl an offline mirror into a scratch folder and measure on that instead of the data dir")
    p.add_argument("--gold", nargs="*", type=Path, default=[], metavar="FILE",
                   help="also report gold F1 with and without the cheap candidate filter (same-or-better check)")
    p.set_defaults(func=bench_command)


def _eval_sectors(args) -> int:
    from indexer.nlp.sector_eval import eval_sectors_command

    return eval_sectors_command(args)


# --- extract -----------------------------------------------------------------------------------------------------
REFERENCES_VERSION = "refs-1"  # bump when code changes what is persisted as a resolved reference


def _load_corpus(data_dir):
    """The data dir as the one corpus store reads it (documents that do not load are named in `problems`)."""
    from regkb.corpus import Corpus

    return Corpus.at(data_dir)


def _pipeline_key() -> str:
    """Code version plus the lexicons in config/: editing a word list re-extracts everything."""
    from indexer.nlp.pipeline import PIPELINE_VERSION
    from regkb.settings import CONFIG_DIR

    digest = hashlib.sha256()
    for name in ("legal_cues", "addressees", "topics", "nace"):
        digest.update((CONFIG_DIR / f"{name}.yaml").read_bytes())
    return f"{PIPELINE_VERSION}+{digest.hexdigest()[:12]}"


def add_workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", metavar="N", help="processes that extract (default: config/extract.yaml, "
                        "'auto' = one per core; 1 = in this process)")


def _extract_workers(args: argparse.Namespace, pending: list) -> int:
    """--workers, else config/extract.yaml; one process when the work would not pay for starting others."""
    from indexer.nlp.parallel import words
    from regkb.processes import worker_count
    from regkb.settings import load_config

    cfg = load_config("extract")
    setting = getattr(args, "workers", None)
    n = worker_count(setting if setting is not None else cfg.get("workers", "auto"), int(cfg.get("max_workers", 4)))
    if n > 1 and setting is None and words(pending) < int(cfg.get("min_words_for_workers", 0)):
        return 1
    return n


def _doc_key(doc, pipeline_key: str) -> str:
    content = hashlib.sha256(
        doc.model_dump_json(include={"provisions", "sectors", "instrument_type"}).encode()
    ).hexdigest()
    return f"{pipeline_key}:{content}"


def _references_key(doc, resolver_digest: str) -> str:
    content = hashlib.sha256(doc.model_dump_json(include={"provisions", "language"}).encode()).hexdigest()
    return f"{REFERENCES_VERSION}:{resolver_digest}:{content}"


def _read_state(path: Path) -> dict:
    """What each records file was computed from; a missing or damaged state file means: compute everything again."""
    from regkb.storage import read_json

    try:
        state = read_json(path) if path.exists() else {}
    except (OSError, ValueError) as exc:
        console.print(f"[yellow]{path} is damaged ({exc}); every document is processed again[/]")
        return {}
    return state if isinstance(state, dict) else {}


def _needs_rewrite(corpus, folder: str) -> set[str]:
    """Documents whose records file in `folder` has bad lines or cannot be read: written again."""
    return {p.stem for p in corpus.problems if p.folder == folder}


def drop_orphans(dd, corpus) -> dict[str, str]:
    """Remove the obligations and references of documents that no longer load, and their state entries.
    Returns document id → why (the document file is gone, or does not load)."""
    from regkb.corpus import OBLIGATIONS, REFERENCES
    from regkb.storage import write_json_atomic

    unreadable = {p.stem for p in corpus.unreadable_documents()}
    dropped: dict[str, str] = {}
    for folder, path_of in ((OBLIGATIONS, lambda i: dd.obligations / f"{i}.jsonl"),
                            (REFERENCES, lambda i: dd.references / f"{i}.jsonl")):
        for doc_id in corpus.orphans(folder):
            path_of(doc_id).unlink(missing_ok=True)
            dropped[doc_id] = "does not load" if doc_id in unreadable else "is gone"
    for folder in (dd.obligations, dd.references):
        state_path = folder / STATE_FILE
        state = _read_state(state_path)
        if any(doc_id not in corpus.documents for doc_id in state):
            write_json_atomic(state_path, {k: v for k, v in state.items() if k in corpus.documents})
    return dropped


def write_references(dd, corpus, resolver=None) -> Counter:
    """references/<doc_id>.jsonl for every document whose text or whose corpus changed what its references
    resolve to (the reader draws these links; the web process never runs the extractor)."""
    from indexer.nlp.pipeline import ReferenceResolver
    from regkb.corpus import REFERENCES
    from regkb.storage import write_bytes_atomic, write_json_atomic

    resolver = resolver or ReferenceResolver.from_documents(corpus.all())
    digest, counts = resolver.digest(), Counter[str]()
    state_path = dd.references / STATE_FILE
    state = _read_state(state_path)
    damaged = _needs_rewrite(corpus, REFERENCES)
    for doc in corpus.all():
        key, out = _references_key(doc, digest), dd.references / f"{doc.id}.jsonl"
        if state.get(doc.id) == key and out.exists() and doc.id not in damaged:
            counts["unchanged"] += 1
            continue
        refs = resolver.text_references(doc)
        write_bytes_atomic(out, "".join(r.model_dump_json() + "\n" for r in refs).encode("utf-8"))
        state[doc.id] = key
        counts["written"] += 1
        counts["links"] += len(refs)
    write_json_atomic(state_path, state)
    return counts


def extract_command(args: argparse.Namespace) -> int:
    """Write DataDir.obligations/<doc_id>.jsonl for every English/Dutch document whose content or pipeline changed
    and DataDir.references/<doc_id>.jsonl (resolved cross-references) for every document; drop both for documents
    that no longer load. Exit 1, naming them, when document files do not load or a document fails."""
    from indexer.analysis.terms import write_terms
    from indexer.nlp.parallel import extract_all
    from indexer.nlp.pipeline import ReferenceResolver, build_pipeline
    from regkb.corpus import OBLIGATIONS
    from regkb.settings import DataDir
    from regkb.storage import write_bytes_atomic, write_json_atomic

    started = time.monotonic()
    dd = DataDir.at(args.data_dir)
    corpus = _load_corpus(dd.root)
    docs = corpus.documents
    errors = [f"{p.name}: {p.reason}; left out: run `regkb crawl --data-dir {dd.root}` to rebuild the document "
              f"file, then `regkb extract`" for p in corpus.unreadable_documents()]
    dropped = drop_orphans(dd, corpus)
    if not docs:
        console.print(f"[yellow]no documents in {dd.documents}: run `regkb crawl --data-dir {dd.root}` first[/]")
        _print_outcome(dropped, errors)
        return 0 if not errors else 1
    state_path = dd.obligations / STATE_FILE
    state = _read_state(state_path)
    resolver = ReferenceResolver.from_documents(docs.values())
    counts: Counter = Counter()
    modalities: Counter = Counter()
    todo = [d for d in docs.values() if has_pack(d.language)]
    counts[f"skipped (no language pack; packs: {', '.join(languages())})"] = len(docs) - len(todo)
    pipeline_key = _pipeline_key()
    damaged = _needs_rewrite(corpus, OBLIGATIONS)
    pending = [d for d in todo if getattr(args, "force", False) or state.get(d.id) != _doc_key(d, pipeline_key)
               or not (dd.obligations / f"{d.id}.jsonl").exists() or d.id in damaged]
    try:
        workers = _extract_workers(args, pending)
    except ValueError as exc:
        console.print(f"[red]regkb extract: {exc}[/]")
        return 2
    if workers <= 1:
        for lang in sorted({d.language for d in pending}):
            build_pipeline(lang)  # load models before the progress bar starts (workers load their own)
    if len(todo) > len(pending):
        counts["unchanged"] = len(todo) - len(pending)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(f"extracting ({workers} process{'es' if workers > 1 else ''})", total=len(todo),
                                 completed=counts["unchanged"])
        outcomes = extract_all(pending, resolver, workers)
        if workers > 1:  # while the workers extract: references and defined terms do not depend on obligations
            progress.update(task, description="extracting; writing references and defined terms")
            refs, terms = write_references(dd, corpus, resolver), write_terms(dd, corpus)
        for outcome in outcomes:
            progress.update(task, description=f"extracted {outcome.doc_id}")
            progress.advance(task)
            if outcome.error:
                errors.append(f"{outcome.doc_id}: {outcome.error} — fix or remove the document, then run "
                              f"`regkb extract` again")
                continue
            write_bytes_atomic(dd.obligations / f"{outcome.doc_id}.jsonl", outcome.jsonl)
            state[outcome.doc_id] = _doc_key(docs[outcome.doc_id], pipeline_key)
            counts["processed"] += 1
            counts["obligations"] += outcome.obligations
            modalities.update(outcome.modalities)
    write_json_atomic(state_path, state)
    if workers <= 1:
        refs, terms = write_references(dd, corpus, resolver), write_terms(dd, corpus)
    table = Table(title="regkb extract", show_header=False)
    for label, value in [*counts.items(), *((f"  {m}", n) for m, n in modalities.most_common()),
                         ("references written", f"{refs['written']} documents, {refs['links']} links"),
                         ("defined terms written", f"{terms['written']} documents, {terms['terms']} terms"),
                         ("dropped (document no longer loads)", len(dropped)),
                         ("failed", len(errors)), ("time", f"{time.monotonic() - started:.1f}s")]:
        table.add_row(label, str(value))
    console.print(table)
    _print_outcome(dropped, errors)
    return 1 if errors else 0


def _print_outcome(dropped: dict[str, str], errors: list[str]) -> None:
    """What was dropped and what failed, one line each; the last line sums up the failures."""
    for doc_id, why in sorted(dropped.items()):
        console.print(f"[yellow]dropped[/] the obligations and references of {doc_id}: documents/{doc_id}.json {why}")
    for err in errors:
        console.print(f"[red]failed:[/] {err}")
    if errors:
        console.print(f"[red]regkb extract: {len(errors)} failed: {', '.join(e.split(':', 1)[0] for e in errors)}[/]")


# --- analyze -----------------------------------------------------------------------------------------------------
def analyze_command(args: argparse.Namespace) -> int:
    from indexer.nlp.pipeline import analyze_text, text_context

    text = sys.stdin.read()
    ctx = text_context(args.lang, args.kind, args.instrument_type)
    for finding in analyze_text(text, args.lang, ctx):
        print(json.dumps(asdict(finding), ensure_ascii=False, default=str))
    return 0


# --- eval --------------------------------------------------------------------------------------------------------
METRICS = ("precision", "recall", "f1", "modality_accuracy", "addressee_accuracy", "duty_bearer_accuracy",
           "role_accuracy", "deadline_exact", "threshold_exact",
           "action_match", "action_f1")  # action: token F1 >= 0.8 with the labelled verb phrase; its mean
# shown with the number of sentences they count
COUNTED = ("duty_bearer_accuracy", "role_accuracy", "deadline_exact", "threshold_exact", "action_match")


def _documents_for_eval(args) -> dict:
    if args.from_mirror:
        return _crawl_mirror(args.from_mirror)
    corpus = _load_corpus(args.data_dir)
    for problem in corpus.unreadable_documents():
        console.print(f"[yellow]skipping unreadable document {problem}[/]")
    return dict(corpus.documents)


def _crawl_mirror(mirror: Path) -> dict:
    """The documents the real crawler and parsers make of an offline mirror (crawled into a scratch folder): the
    gold set is anchored to that reading."""
    import shutil
    import tempfile

    from regkb.cli import main

    root = Path(tempfile.mkdtemp(prefix="regkb-mirror-"))
    try:
        if main(["crawl", "--mirror", str(mirror), "--data-dir", str(root)]) != 0:
            console.print(f"[red]crawling the mirror {mirror} failed[/]: check the path (it holds MANIFEST.tsv)")
            return {}
        return dict(_load_corpus(root).documents)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def eval_command(args: argparse.Namespace) -> int:
    """One table per gold file, then per language the pooled counts of all its files (per file n is 14-30: one
    sentence moves a figure by 0.03-0.07) and a summary row per file and language. A file that is no obligation gold
    set is skipped with the reason, the others are evaluated, and the exit status is 1."""
    from indexer.nlp.evaluate import GoldFormatError, Scores, evaluate, load_gold

    docs = _documents_for_eval(args)
    if not docs:
        console.print("[red]no documents to evaluate against[/]: crawl first (`regkb crawl --mirror ../shared/mirror "
                      f"--data-dir {args.data_dir}`) or pass --from-mirror ../shared/mirror")
        return 1
    skipped, rows = 0, []
    pooled: dict[str, tuple[Scores, Scores, int]] = {}
    for path in args.gold:
        try:
            gold = load_gold(path)
        except (OSError, GoldFormatError) as exc:
            console.print(f"[red]skipping[/] {exc}")
            skipped += 1
            continue
        lang = gold[0].get("language", "en") if gold else "en"
        result = evaluate(gold, docs, lang)
        _eval_table(f"{path} ({lang})", result.extractor, result.baseline, len(result.unresolved))
        if result.unresolved:
            Console().print(f"not found: {', '.join(result.unresolved)}")
        if args.errors:
            for e in result.extractor.errors:
                Console().print(f"  {e}")
        rows.append((str(path), result.extractor))
        ext, base, files = pooled.get(lang, (result.extractor, result.baseline, 0))
        pooled[lang] = ((ext.merged(result.extractor), base.merged(result.baseline), files + 1) if files
                        else (ext, base, 1))
    for lang, (ext, base, files) in sorted(pooled.items()):
        if files > 1:
            _eval_table(f"pooled {lang}: {files} files", ext, base, None)
            rows.append((f"pooled {lang} ({files} files)", ext))
    if len(rows) > 1:
        _eval_summary(rows)
    return 1 if skipped else 0


def _eval_table(title: str, extractor, baseline, unresolved: int | None) -> None:
    ext, base = extractor.summary(), baseline.summary()
    found = "" if unresolved is None else f", {unresolved} not found in this corpus"
    table = Table(title=f"{title}: {ext['n']} sentences resolved{found}")
    table.add_column("metric")
    table.add_column("extractor", justify="right")
    table.add_column("baseline (shall/must/may, moet/dient/kan)", justify="right")
    for m in METRICS:
        extra = f" (n={ext[m.rsplit('_', 1)[0] + '_n']})" if m in COUNTED else ""
        table.add_row(m + extra, f"{ext[m]:.3f}", f"{base[m]:.3f}")
    Console().print(table)


SUMMARY = ("f1", "modality_accuracy", "addressee_accuracy", "duty_bearer_accuracy", "deadline_exact",
           "threshold_exact", "action_f1")


def _eval_summary(rows: list) -> None:
    """The extractor's main figures, one row per file and per pooled language."""
    table = Table(title="summary (extractor)")
    table.add_column("gold")
    table.add_column("n", justify="right")
    for m in SUMMARY:
        table.add_column(m.replace("_accuracy", "").replace("_exact", ""), justify="right")
    for name, scores in rows:
        s = scores.summary()
        table.add_row(name, str(s["n"]), *(f"{s[m]:.3f}" for m in SUMMARY))
    Console(width=160).print(table)


# --- bench -------------------------------------------------------------------------------------------------------
def bench_command(args: argparse.Namespace) -> int:
    """Words/second: our extractor (candidate filter + pipeline) per language, and plain en_core_web_sm over
    everything."""
    from indexer.nlp import pipeline
    from indexer.nlp.pipeline import (
        analyze_texts,
        build_pipeline,
        document_context,
        load_english,
    )

    docs = [d for d in _documents_for_eval(args).values() if has_pack(d.language)]
    if not docs:
        console.print(f"[red]no documents in a language with a pack ({', '.join(languages())})[/]: crawl first or "
                      f"pass --from-mirror ../shared/mirror")
        return 1
    by_lang: dict[str, list] = {}
    for d in docs:
        by_lang.setdefault(d.language, []).extend(
            (p.text, document_context(d, p.kind)) for p in d.provisions if p.text.strip())
    words = {lang: sum(len(t.split()) for t, _ in items) for lang, items in by_lang.items()}
    table = Table(title="regkb bench-extract (words/second, one process; CPU: this process's own time, which other "
                        "work on the machine does not inflate as much)")
    for col in ("pipeline", "language", "words", "seconds", "words/s", "CPU s", "words/CPU s"):
        table.add_column(col, justify="left" if col in ("pipeline", "language") else "right")
    ours_total_s = ours_total_cpu = 0.0
    for lang, items in sorted(by_lang.items()):
        build_pipeline(lang)
        list(analyze_texts(items[:50], lang))  # first use loads lookup tables: loading is not throughput
        pipeline.clear_cache()  # measure from cold: repeated sentences (other versions of an act) are parsed once
        t, cpu = time.perf_counter(), time.process_time()
        n = sum(len(f) for f in analyze_texts(items, lang))
        sec, cpu = time.perf_counter() - t, time.process_time() - cpu
        parsed = len(pipeline._CACHE)
        ours_total_s += sec
        ours_total_cpu += cpu
        table.add_row(f"regkb extractor ({n} obligations, {parsed} distinct sentences parsed)", lang, str(words[lang]),
                      *_rates(words[lang], sec, cpu))
    total_words = sum(words.values())
    table.add_row("regkb extractor", "all", str(total_words), *_rates(total_words, ours_total_s, ours_total_cpu))
    plain = load_english()
    texts = [t for items in by_lang.values() for t, _ in items]
    list(plain.pipe(texts[:50]))
    t, cpu = time.perf_counter(), time.process_time()
    for _ in plain.pipe(texts, batch_size=256):
        pass
    plain_s, plain_cpu = time.perf_counter() - t, time.process_time() - cpu
    table.add_row(
        "plain en_core_web_sm (all components)",
        "all",
        str(total_words),
        *_rates(total_words, plain_s, plain_cpu),
    )
    Console().print(table)
    Console().print(f"speed-up over plain en_core_web_sm: {plain_s / ours_total_s:.1f}x "
                    f"(CPU time: {plain_cpu / ours_total_cpu:.1f}x)")
    _bench_gold_f1(args, {d.id: d for d in docs})
    return 0


def _rates(words: int, seconds: float, cpu: float) -> tuple[str, str, str, str]:
    return f"{seconds:.1f}", f"{words / seconds:,.0f}", f"{cpu:.1f}", f"{words / cpu:,.0f}"


def _bench_gold_f1(args, docs: dict) -> None:
    """F1 on the gold set with the candidate filter (production) and parsing every sentence."""
    from indexer.nlp.evaluate import evaluate, load_gold

    for path in args.gold:
        gold = load_gold(path)
        lang = gold[0].get("language", "en") if gold else "en"
        with_filter = evaluate(gold, docs, lang, prefilter=True).extractor.summary()["f1"]
        without = evaluate(load_gold(path), docs, lang, prefilter=False).extractor.summary()["f1"]
        Console().print(f"{path}: F1 {with_filter:.3f} with the candidate filter, {without:.3f} parsing every sentence")
