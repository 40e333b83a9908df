"""Persistent crawl state in SQLite (DataDir.state / crawl.sqlite3).

Holds the frontier (which URLs the current run still has to visit), the
fetch cache (validators and content hash per URL, where its raw response
sits in the WARC files, which parser version read it) and which URLs
produced which document ids. A URL is marked done only after its WARC
record and documents are on disk, in one transaction, so a run killed at
any point resumes where it stopped and ends with the same corpus.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.fetch import utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT, sources TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS urls (
    key TEXT PRIMARY KEY,          -- canonical URL
    url TEXT NOT NULL,             -- as first seen (what is fetched)
    source_id TEXT NOT NULL,
    source_rank INTEGER NOT NULL,  -- position of the source in config/sources.yaml
    depth INTEGER NOT NULL,
    hint TEXT,                     -- DocumentHint JSON for seeds
    seen_run INTEGER NOT NULL,     -- last run that put it in the frontier
    done_run INTEGER,              -- last run that finished it
    outcome TEXT,                  -- fetched | unchanged | failed | not_in_mirror | skipped
    status INTEGER, error TEXT, error_kind TEXT,
    etag TEXT, last_modified TEXT, sha256 TEXT, content_type TEXT, kind TEXT,
    warc_file TEXT, warc_offset INTEGER, fetched_at TEXT,
    parsed_sha TEXT, parser_version TEXT, parse_error TEXT,
    doc_ids TEXT,                  -- JSON list
    links TEXT                     -- JSON list of in-scope links found on the page
);
CREATE TABLE IF NOT EXISTS doc_sources (
    doc_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL, rank TEXT NOT NULL,
    PRIMARY KEY (doc_id, url_key)
);
"""


@dataclass
class UrlRow:
    key: str
    url: str
    source_id: str
    source_rank: int
    depth: int
    hint: str | None
    seen_run: int
    done_run: int | None
    outcome: str | None
    status: int | None
    error: str | None
    error_kind: str | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    content_type: str | None
    kind: str | None
    warc_file: str | None
    warc_offset: int | None
    fetched_at: str | None
    parsed_sha: str | None
    parser_version: str | None
    parse_error: str | None
    doc_ids: str | None
    links: str | None

    @property
    def doc_id_list(self) -> list[str]:
        return json.loads(self.doc_ids or "[]")

    @property
    def link_list(self) -> list[str]:
        return json.loads(self.links or "[]")


class CrawlState:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "crawl.sqlite3"
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL survives a killed process (commits are in the OS); a power cut may lose the last
        # commits, which only means those URLs are done again.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- runs -----------------------------------------------------------------
    def begin_run(self, source_ids: list[str]) -> tuple[int, bool]:
        """Resume the last run if it did not finish with the same sources, else start a new one."""
        sources = json.dumps(sorted(source_ids))
        last = self.db.execute("SELECT id, finished, sources FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if last and last["finished"] is None and last["sources"] == sources:
            return int(last["id"]), True
        cur = self.db.execute("INSERT INTO runs (started, sources) VALUES (?, ?)", (utc_now(), sources))
        assert cur.lastrowid is not None  # set by the INSERT just made
        return cur.lastrowid, False

    def finish_run(self, run_id: int) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (utc_now(), run_id))

    # --- frontier -------------------------------------------------------------
    def enqueue(self, run_id: int, key: str, url: str, source_id: str, source_rank: int, depth: int,
                hint: str | None = None) -> None:
        """Add a URL to this run's frontier; a lower depth or an earlier source wins when seen twice."""
        self.db.execute(
            """INSERT INTO urls (key, url, source_id, source_rank, depth, hint, seen_run)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(key) DO UPDATE SET
                 source_id = CASE WHEN urls.seen_run != excluded.seen_run OR excluded.depth < urls.depth
                                    OR (excluded.depth = urls.depth AND excluded.source_rank < urls.source_rank)
                                  THEN excluded.source_id ELSE urls.source_id END,
                 source_rank = CASE WHEN urls.seen_run != excluded.seen_run OR excluded.depth < urls.depth
                                    OR (excluded.depth = urls.depth AND excluded.source_rank < urls.source_rank)
                                  THEN excluded.source_rank ELSE urls.source_rank END,
                 hint = CASE WHEN urls.seen_run != excluded.seen_run OR excluded.depth < urls.depth
                               OR (excluded.depth = urls.depth AND excluded.source_rank < urls.source_rank)
                             THEN excluded.hint ELSE urls.hint END,
                 depth = CASE WHEN urls.seen_run != excluded.seen_run THEN excluded.depth
                              ELSE MIN(urls.depth, excluded.depth) END,
                 seen_run = excluded.seen_run
               WHERE urls.done_run IS NOT excluded.seen_run""",
            (key, url, source_id, source_rank, depth, hint, run_id))

    def pending(self, run_id: int, exclude: set[str], limit: int) -> list[UrlRow]:
        """Up to `limit` URLs of this run not yet done and not in `exclude`, shallowest first."""
        rows = self.db.execute(
            "SELECT * FROM urls WHERE seen_run = ? AND done_run IS NOT ? ORDER BY depth, source_rank, key LIMIT ?",
            (run_id, run_id, limit + len(exclude))).fetchall()
        return [UrlRow(**dict(r)) for r in rows if r["key"] not in exclude]

    def get(self, key: str) -> UrlRow | None:
        row = self.db.execute("SELECT * FROM urls WHERE key = ?", (key,)).fetchone()
        return UrlRow(**dict(row)) if row else None

    def counts(self, run_id: int) -> tuple[int, int]:
        """(done, known) URLs of this run, for progress."""
        row = self.db.execute(
            "SELECT SUM(done_run IS ?) AS done, COUNT(*) AS known FROM urls WHERE seen_run = ?", (run_id, run_id)
        ).fetchone()
        return int(row["done"] or 0), int(row["known"] or 0)

    def standing_parse_errors(self, run_id: int, version: str | None) -> list[tuple[str, str]]:
        """(url, error) of URLs whose content is unchanged but failed to parse with this parser version."""
        return [(r["url"], r["parse_error"]) for r in self.db.execute(
            "SELECT url, parse_error FROM urls WHERE done_run = ? AND outcome = 'unchanged' AND parse_error IS NOT NULL"
            " AND parser_version IS ? ORDER BY key", (run_id, version))]

    # --- results --------------------------------------------------------------
    def complete(self, run_id: int, key: str, fields: dict[str, Any],
                 doc_sources: list[tuple[str, str]] | None = None) -> None:
        """Mark a URL done with its new fields, and (re)record which documents it produced, atomically."""
        fields = {**fields, "done_run": run_id}
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.transaction():
            self.db.execute(f"UPDATE urls SET {assignments} WHERE key = ?", (*fields.values(), key))
            if doc_sources is not None:
                self.db.execute("DELETE FROM doc_sources WHERE url_key = ?", (key,))
                url = self.db.execute("SELECT url FROM urls WHERE key = ?", (key,)).fetchone()["url"]
                self.db.executemany("INSERT INTO doc_sources (doc_id, url_key, url, rank) VALUES (?, ?, ?, ?)",
                                    [(doc_id, key, url, rank) for doc_id, rank in doc_sources])

    # --- repair ---------------------------------------------------------------
    def stored_records(self, source_ids: list[str]) -> list[UrlRow]:
        """URLs of these sources that have a stored WARC record."""
        marks = ", ".join("?" * len(source_ids))
        rows = self.db.execute(
            f"SELECT * FROM urls WHERE warc_file IS NOT NULL AND source_id IN ({marks}) ORDER BY key", source_ids
        ).fetchall()
        return [UrlRow(**dict(r)) for r in rows]

    def drop_record(self, key: str, error: str, run_id: int) -> None:
        """Forget a damaged record: the URL's next fetch (this run's too) is unconditional and writes a new one."""
        self.db.execute("UPDATE urls SET warc_file = NULL, warc_offset = NULL, outcome = 'failed', error = ?,"
                        " error_kind = 'corrupt_record', done_run = CASE WHEN done_run = ? THEN NULL ELSE done_run END"
                        " WHERE key = ?", (error, run_id, key))

    def document_producers(self) -> dict[str, list[str]]:
        """doc id -> keys of the URLs that produced it."""
        producers: dict[str, list[str]] = {}
        for r in self.db.execute("SELECT doc_id, url_key FROM doc_sources ORDER BY doc_id, rank"):
            producers.setdefault(r["doc_id"], []).append(r["url_key"])
        return producers

    def redo(self, keys: list[str], run_id: int) -> None:
        """Parse these URLs again (from their records), also when this run already finished them."""
        with self.transaction():
            self.db.executemany("UPDATE urls SET parsed_sha = NULL,"
                                " done_run = CASE WHEN done_run = ? THEN NULL ELSE done_run END WHERE key = ?",
                                [(run_id, key) for key in keys])

    def doc_sources(self, doc_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM doc_sources WHERE doc_id = ? ORDER BY rank", (doc_id,)).fetchall()

    def transaction(self):
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
