"""The crawl: frontier → fetch → WARC → parse → documents, resumable at any point.

Fetching runs in worker threads (politeness per host is enforced by the
fetcher) and parsing of new content in worker processes (parsing is the
CPU-heavy part); everything that writes (WARC, documents, state) happens in
the calling thread, one URL at a time, so the write order of a URL is always:
WARC record (fsynced) → document files (atomic) → state row (one
transaction). A kill at any point leaves either a finished URL or one the
next run does again.

Integrity: a stored record is verified whenever it is read (crawler.warc); a
damaged one is an error naming its URL, its documents stay as they were, and
the URL is fetched again (by `--repair` at once, else by the next crawl).
Every run checks the document files the state knows of and rebuilds a
missing or unreadable one from its URL's record.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from crawler.fetch import Fetcher, FetchResult
from crawler.settings import CrawlSettings
from crawler.state import CrawlState, UrlRow
from crawler.store import DocumentStore
from crawler.urls import Scope, canonical, extract_links, in_scope
from crawler.warc import CorruptRecord, WarcStore, read_record, run_name
from regkb.processes import worker_pool
from regkb.records import Document, RawResource
from regkb.settings import DataDir
from regkb.sources import DocumentHint, Source, load_sources

log = logging.getLogger(__name__)

ParseFn = Callable[[RawResource, Source, "DocumentHint | None"], list[Document]]
LinkFn = Callable[[list[Document]], list[Document]]
ProgressFn = Callable[[int, int, str], None]

SNIFF = ((b"%PDF-", "application/pdf"), (b"PK\x03\x04", "application/zip"), (b"<?xml", "application/xml"),
         (b"<!doctype html", "text/html"), (b"<html", "text/html"), (b"{", "application/json"))


@dataclass
class Parser:
    """The parser package's entry points, or why they are unavailable."""

    parse: ParseFn | None = None
    link: LinkFn | None = None
    version: str | None = None
    error_type: type[Exception] = Exception
    unavailable: str | None = None

    @classmethod
    def load(cls) -> Parser:
        """indexer.parsing's entry points (a crawl built with `Parser()` instead only stores raw responses)."""
        from indexer import parsing
        return cls(parsing.parse_resource, parsing.link_documents, str(parsing.PARSER_VERSION), parsing.ParseError)


@dataclass
class ParseOutcome:
    """A parser call's result, safe to send back from a worker process."""

    docs: list[Document] = field(default_factory=list)
    error: str | None = None
    traceback: str | None = None


def parse_isolated(parse: ParseFn, error_type: type[Exception], raw: RawResource, source: Source,
                   hint: DocumentHint | None) -> ParseOutcome:
    """Call the parser, turning any exception into a recorded error (runs in a worker process or in-process)."""
    try:
        return ParseOutcome(docs=list(parse(raw, source, hint)))
    except Exception as exc:  # noqa: BLE001 — a parser bug must not stop the crawl
        what = "parse error" if isinstance(exc, error_type) else f"parser crashed ({type(exc).__name__})"
        return ParseOutcome(error=f"{what}: {exc}", traceback=traceback.format_exc())


@dataclass
class CrawlSummary:
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    not_in_mirror: int = 0
    skipped: int = 0
    parsed: int = 0
    parse_failed: int = 0
    reparse_skipped: int = 0
    documents_written: int = 0
    documents_linked: int = 0
    seconds: float = 0.0
    resumed: bool = False
    parser_unavailable: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, message), this run
    missing: list[str] = field(default_factory=list)  # URLs the mirror does not have
    standing_errors: list[tuple[str, str]] = field(
        default_factory=list
    )  # unchanged URLs an earlier run could not parse
    damaged_records: int = 0
    repaired: list[str] = field(default_factory=list)  # URLs fetched again for a damaged record, documents rebuilt
    problems: dict[str, list[str]] = field(default_factory=dict)  # what failed this run, by kind: URLs / doc ids

    def problem(self, kind: str, name: str, message: str) -> None:
        """Record a failure: one error line (name + message) and one entry under its kind."""
        self.errors.append((name, message))
        self.problems.setdefault(kind, []).append(name)

    @property
    def ok(self) -> bool:
        """Nothing failed (URLs the mirror does not have are not failures)."""
        return not self.problems and not self.standing_errors


class Crawler:
    def __init__(self, data_dir: DataDir, sources: list[Source], settings: CrawlSettings, *,
                 mirror_url: str | None = None, parser: Parser | None = None,
                 progress: ProgressFn | None = None, repair: bool = False) -> None:
        self.data = data_dir
        self.sources = {s.id: s for s in sources}
        self.scopes = {s.id: Scope.of(s.site, [h.url for h in s.seeds], s.scope) for s in sources}
        config_order = {s.id: i for i, s in enumerate(_config_sources())}
        self.source_rank = {s.id: config_order.get(s.id, 1000 + i) for i, s in enumerate(sources)}
        self.settings = settings
        self.mirror = mirror_url is not None
        self.fetcher = Fetcher(settings, mirror_url)
        self.parser = parser or Parser.load()
        self.progress = progress or (lambda done, known, url: None)
        self.state = CrawlState(data_dir.state)
        self.store = DocumentStore(data_dir.documents, self.state)
        self.summary = CrawlSummary(parser_unavailable=self.parser.unavailable)
        self.pool: ProcessPoolExecutor | None = None
        self.repair = repair

    def run(self) -> CrawlSummary:
        started = time.monotonic()
        WarcStore.recover(self.data.raw)
        self.store.remove_leftover_temp_files()
        run_id, self.summary.resumed = self.state.begin_run(sorted(self.sources))
        with self.state.transaction():
            self._seed(run_id)
        if self.repair:
            self._drop_damaged_records(run_id)
        damaged_docs = self._rebuild_damaged_documents(run_id)
        warc = WarcStore(self.data.raw, run_name())
        self.pool = self._parse_pool()
        try:
            self._crawl(run_id, warc)
        finally:
            warc.close()
            self.fetcher.close()
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
        # Linking depends only on the stored documents: redo it when they changed, or when a killed run may
        # have stopped half-way through it.
        if self.parser.link is not None and (self.summary.documents_written or self.summary.resumed):
            self._relink()
        self._check_rebuilt(damaged_docs)
        self.summary.standing_errors = self.state.standing_parse_errors(run_id, self.parser.version)
        self.state.finish_run(run_id)
        self.state.close()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def _parse_pool(self) -> ProcessPoolExecutor | None:
        """Worker processes for parsing (spawned: forking a threaded process is unsafe); None = parse in-process."""
        if self.settings.parse_processes < 1 or self.parser.parse is None:
            return None
        return worker_pool(self.settings.parse_processes)

    def _seed(self, run_id: int) -> None:
        for source in self.sources.values():
            for hint in source.seeds:
                self.state.enqueue(run_id, canonical(hint.url), hint.url, source.id, self.source_rank[source.id], 0,
                                   hint.model_dump_json(exclude_defaults=True))

    def _crawl(self, run_id: int, warc: WarcStore) -> None:
        capacity = max(1, self.settings.workers) * 2
        with ThreadPoolExecutor(max_workers=max(1, self.settings.workers), thread_name_prefix="fetch") as pool:
            inflight: dict[Future[tuple[FetchResult, ParseOutcome | None]], UrlRow] = {}
            while True:
                pending = self.state.pending(run_id, {row.key for row in inflight.values()}, capacity)
                if pending:
                    wave = min(row.depth for row in [*inflight.values(), *pending])
                    for row in pending:
                        if row.depth > wave or len(inflight) >= capacity:
                            break
                        inflight[pool.submit(self._fetch, row)] = row
                if not inflight:
                    return
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    row = inflight.pop(future)
                    self._handle_safely(run_id, row, future, warc)
                    self.progress(*self.state.counts(run_id), row.url)

    def _handle_safely(self, run_id: int, row: UrlRow, future: Future[tuple[FetchResult, ParseOutcome | None]],
                       warc: WarcStore) -> None:
        """One URL's bug (in fetching, parsing or storing) is recorded for that URL; the crawl goes on."""
        try:
            self._handle(run_id, row, *future.result(), warc)
        except Exception as exc:  # noqa: BLE001
            message = f"internal error: {type(exc).__name__}: {exc}"
            log.warning("%s: %s", row.url, message)
            log.debug("traceback for %s", row.url, exc_info=True)
            self.summary.failed += 1
            self.summary.problem("internal error", row.url, message)
            self.state.complete(run_id, row.key, {"outcome": "failed", "error": message, "error_kind": "internal"})

    # --- one URL ----------------------------------------------------------------
    def _handle(self, run_id: int, row: UrlRow, result: FetchResult, outcome: ParseOutcome | None,
                warc: WarcStore) -> None:
        source = self.sources.get(row.source_id)
        if source is None:  # the source left the config while a run was interrupted
            self.state.complete(run_id, row.key, {"outcome": "skipped", "error": "source no longer configured"})
            return
        hint = DocumentHint.model_validate_json(row.hint) if row.hint else None
        if result.error is not None:
            return self._failed(run_id, row, result)
        sha = hashlib.sha256(result.body).hexdigest() if not result.not_modified else row.sha256
        if row.warc_file and (result.not_modified or sha == row.sha256):
            return self._unchanged(run_id, row, source, hint, result)
        self._new_content(run_id, row, source, hint, result, sha or "", warc, outcome)

    def _failed(self, run_id: int, row: UrlRow, result: FetchResult) -> None:
        """Record the error; the URL's earlier validators, raw record and documents stay as they were."""
        missing = self.mirror and result.status == 404
        outcome = "not_in_mirror" if missing else "failed"
        if missing:
            self.summary.not_in_mirror += 1
            self.summary.missing.append(row.url)
            log.debug("not in mirror: %s", row.url)
        else:
            self.summary.failed += 1
            self.summary.problem("fetch", row.url, result.error or "")
            # a robots.txt refusal is said once per host by the fetcher; per URL it is detail
            log.log(logging.INFO if result.error_kind == "robots" else logging.WARNING,
                    "fetch failed: %s: %s", row.url, result.error)
        self.state.complete(run_id, row.key, {"outcome": outcome, "status": result.status, "error": result.error,
                                              "error_kind": result.error_kind})

    def _unchanged(self, run_id: int, row: UrlRow, source: Source, hint: DocumentHint | None,
                   result: FetchResult) -> None:
        self.summary.unchanged += 1
        self._enqueue_links(run_id, row, source, row.link_list)
        fields: dict[str, Any] = {"outcome": "unchanged", "status": result.status, "error": None, "error_kind": None}
        for name in ("etag", "last_modified"):
            value = result.headers.get(name.replace("_", "-"))
            if value:
                fields[name] = value
        doc_sources = None
        if self._needs_parse(row):
            try:
                headers, body = read_record(self.data.raw, row.warc_file or "", row.warc_offset or 0, row.sha256)
            except CorruptRecord as exc:
                return self._damaged_record(run_id, row, fields, exc)
            replay = FetchResult(row.url, row.url, 200, headers, body, row.fetched_at or result.fetched_at)
            parse_fields, doc_sources = self._parse(row, source, hint, replay, row.sha256 or "", row.kind)
            fields.update(parse_fields)
        elif row.parser_version is not None:
            self.summary.reparse_skipped += 1
        self.state.complete(run_id, row.key, fields, doc_sources)

    def _damaged_record(self, run_id: int, row: UrlRow, fields: dict[str, Any], exc: CorruptRecord) -> None:
        """Keep the documents; forget the record so that the next fetch is unconditional and writes a good one."""
        message = (f"{exc}; its documents are kept as they were; `regkb crawl --repair` (or the next crawl) "
                   "fetches it again")
        self.summary.damaged_records += 1
        self.summary.problem("damaged record", row.url, message)
        log.warning("%s: %s", row.url, message)
        self.state.complete(run_id, row.key, {**fields, "outcome": "failed", "error": message,
                                              "error_kind": "corrupt_record", "warc_file": None, "warc_offset": None})

    def _new_content(self, run_id: int, row: UrlRow, source: Source, hint: DocumentHint | None,
                     result: FetchResult, sha: str, warc: WarcStore, outcome: ParseOutcome | None) -> None:
        self.summary.fetched += 1
        if row.sha256 and not row.warc_file:  # its record was found damaged: this is the good one
            self.summary.repaired.append(row.url)
        media_type, kind = self._route(result)
        warc_file, offset = warc.append(result, sha)
        links = []
        if kind in self.settings.link_kinds and row.depth < source.max_depth:
            links = [u for u in extract_links(result.body, result.final_url) if in_scope(u, source.scope)]
            self._enqueue_links(run_id, row, source, links)
        fields: dict[str, Any] = {
            "status": result.status, "error": None, "error_kind": None, "etag": result.headers.get("etag"),
            "last_modified": result.headers.get("last-modified"), "sha256": sha, "content_type": media_type,
            "kind": kind, "warc_file": warc_file, "warc_offset": offset, "fetched_at": result.fetched_at,
            "links": _json(links), "outcome": "fetched"}
        doc_sources = None
        if kind is None:
            self.summary.skipped += 1
            fields.update(outcome="skipped", error=f"unsupported content type {media_type or '(none)'}; not parsed")
            log.info("skipped %s: unsupported content type %s", row.url, media_type or "(none)")
        else:
            parse_fields, doc_sources = self._parse(row, source, hint, result, sha, kind, outcome)
            fields.update(parse_fields)
        self.state.complete(run_id, row.key, fields, doc_sources)

    def _route(self, result: FetchResult) -> tuple[str, str | None]:
        """(media type, kind): the declared type if it is one we handle, else what the bytes look like."""
        media_type = result.media_type
        kind = self.settings.kind_of(media_type)
        if kind is None:
            head = result.body[:512].lstrip().lower()
            for magic, sniffed in SNIFF:
                if head.startswith(magic.lower()):
                    return sniffed, self.settings.kind_of(sniffed)
        return media_type, kind

    def _enqueue_links(self, run_id: int, row: UrlRow, source: Source, links: list[str]) -> None:
        if row.depth >= source.max_depth:
            return
        for url in links:
            self.state.enqueue(run_id, canonical(url), url, source.id, self.source_rank[source.id], row.depth + 1)

    # --- parsing ----------------------------------------------------------------
    def _needs_parse(self, row: UrlRow) -> bool:
        return (self.parser.parse is not None and bool(row.warc_file) and row.kind is not None
                and (row.parsed_sha != row.sha256 or row.parser_version != self.parser.version))

    def _raw(self, row: UrlRow, source: Source, hint: DocumentHint | None, result: FetchResult,
             sha: str) -> tuple[RawResource, Source]:
        """What the parser gets: the raw bytes as fetched, and the source with the seed's parser key if it has one."""
        media_type, kind = self._route(result)
        raw = RawResource(url=row.url, final_url=result.final_url, status=result.status or 200,
                          content_type=media_type, charset=result.charset, headers=result.headers, body=result.body,
                          sha256=sha, fetched_at=result.fetched_at, source_id=source.id)
        return raw, self._parser_source(source, hint, kind)

    def _parser_source(self, source: Source, hint: DocumentHint | None, kind: str | None) -> Source:
        """The source with the seed's own parser key, if the response has a format that parser reads.

        A seed's `parser` describes the mirror's rendering (JSON, Markdown); the live page (HTML) is read with
        the source's parser.
        """
        if hint and hint.parser and kind in self.settings.parser_kinds.get(hint.parser, [kind]):
            return source.model_copy(update={"parser": hint.parser})
        return source

    def _parse(self, row: UrlRow, source: Source, hint: DocumentHint | None, result: FetchResult, sha: str,
               kind: str | None, outcome: ParseOutcome | None = None,
               ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """Parse (unless a worker process already did) and store; returns (state fields, doc_sources).

        A parser error keeps the documents stored earlier.
        """
        if self.parser.parse is None:
            return {"parse_error": self.parser.unavailable}, None
        if outcome is None:
            outcome = parse_isolated(
                self.parser.parse, self.parser.error_type, *self._raw(row, source, hint, result, sha), hint
            )
        done = {"parsed_sha": sha, "parser_version": self.parser.version}
        if outcome.error is not None:
            self.summary.parse_failed += 1
            self.summary.problem("parse", row.url, outcome.error)
            log.warning("%s: %s", row.url, outcome.error)
            if outcome.traceback:
                log.debug("parser traceback for %s:\n%s", row.url, outcome.traceback)
            return {**done, "parse_error": outcome.error}, None
        self.summary.parsed += 1
        docs = [d.model_copy(update={"fetched_at": None}) for d in outcome.docs]  # fetch times: state + WARC
        rank = f"{self.source_rank[source.id]:05d}|{self.settings.rank_of(kind):02d}|{row.key}"
        self.summary.documents_written += self.store.store(row.key, row.url, rank, docs)
        return {**done, "parse_error": None, "doc_ids": _json(sorted(d.id for d in docs))}, [(d.id, rank) for d in docs]

    # --- fetching (worker threads) ---------------------------------------------
    def _fetch(self, row: UrlRow) -> tuple[FetchResult, ParseOutcome | None]:
        """Fetch; parse new content right away in a worker process when there is a pool (the CPU-heavy part)."""
        validators = (row.etag, row.last_modified) if row.warc_file else (None, None)
        source = self.sources.get(row.source_id)
        result = self.fetcher.fetch(row.url, *validators, scope=self.scopes.get(row.source_id))
        if self.pool is None or self.parser.parse is None or source is None or result.error or result.not_modified:
            return result, None
        sha = hashlib.sha256(result.body).hexdigest()
        if (row.warc_file and sha == row.sha256) or self._route(result)[1] is None:
            return result, None
        hint = DocumentHint.model_validate_json(row.hint) if row.hint else None
        raw, parse_source = self._raw(row, source, hint, result, sha)
        try:
            return result, self.pool.submit(parse_isolated, self.parser.parse, self.parser.error_type, raw,
                                             parse_source, hint).result()
        except Exception as exc:  # noqa: BLE001 — a broken pool or an unpicklable parser: parse in-process instead
            log.debug("parsing %s in a worker process failed (%s); parsing in-process", row.url, exc)
            return result, None

    # --- repair -----------------------------------------------------------------
    def _drop_damaged_records(self, run_id: int) -> None:
        """`--repair`: verify every stored record of these sources; a damaged one is fetched again this run."""
        for row in self.state.stored_records(sorted(self.sources)):
            try:
                read_record(self.data.raw, row.warc_file or "", row.warc_offset or 0, row.sha256)
            except CorruptRecord as exc:
                self.summary.damaged_records += 1
                log.warning("%s: %s; fetching it again", row.url, exc)
                self.state.drop_record(row.key, f"{exc}; fetched again by --repair", run_id)

    def _rebuild_damaged_documents(self, run_id: int) -> dict[str, str]:
        """Missing or unreadable document files: their URLs are parsed again this run (from their records).

        Returns {doc id: what was wrong} to check after the crawl.
        """
        producers = self.state.document_producers()
        damaged = self.store.damaged(sorted(producers))
        keys = sorted({key for doc_id in damaged for key in producers[doc_id]})
        if damaged:
            log.warning("%d document file(s) missing or unreadable (%s); rebuilding them from their stored responses",
                        len(damaged), ", ".join(sorted(damaged)))
            self.state.redo(keys, run_id)
        return damaged

    def _check_rebuilt(self, damaged: dict[str, str]) -> None:
        still = self.store.damaged(sorted(damaged))
        for doc_id in sorted(damaged):
            if doc_id in still:
                self.summary.problem("damaged document", doc_id,
                                     f"documents/{doc_id}.json {still[doc_id]} and could not be rebuilt this run "
                                     "(see the errors of its URLs above; sources not crawled this run are not rebuilt)")
            else:
                self.summary.repaired.append(f"documents/{doc_id}.json")

    def _relink(self) -> None:
        try:
            self.summary.documents_linked = self.store.relink(self.parser.link)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 — documents stay as parsed
            self.summary.problem("linking", "(link_documents)", f"linking failed: {type(exc).__name__}: {exc}")
            log.warning("linking documents failed: %s: %s; documents keep their earlier links", type(exc).__name__, exc)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _config_sources() -> list[Source]:
    try:
        return load_sources()
    except (OSError, KeyError, TypeError):
        return []
