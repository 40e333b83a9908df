"""End to end over the whole ../shared/mirror: cold crawl, re-crawl, and kill -9 + resume."""
from __future__ import annotations

import csv
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.crawl import Crawler, CrawlSummary
from crawler.mirror import MirrorServer
from crawler.settings import CrawlSettings
from crawler.urls import canonical
from regkb.records import Document
from regkb.settings import DataDir
from regkb.sources import load_sources

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def crawl_mirror(data: Path, mirror_dir: Path) -> CrawlSummary:
    with MirrorServer(mirror_dir) as mirror:
        return Crawler(DataDir.at(data), load_sources(), CrawlSettings.load(mirror=True), mirror_url=mirror.url).run()


def corpus_hashes(data: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((data / "documents").iterdir())}


def manifest_urls(mirror_dir: Path) -> set[str]:
    with (mirror_dir / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return {canonical(row["original_url"]) for row in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="module")
def cold(tmp_path_factory, mirror_dir):
    data = tmp_path_factory.mktemp("mirror-crawl")
    return data, crawl_mirror(data, mirror_dir)


def test_cold_crawl_fetches_every_mirrored_url_and_reports_the_rest_as_missing(cold, mirror_dir):
    data, summary = cold
    in_mirror = manifest_urls(mirror_dir)
    seeds = {canonical(h.url) for s in load_sources() for h in s.seeds}
    assert summary.failed == 0, summary.errors
    assert summary.fetched == len(in_mirror)
    assert summary.not_in_mirror == len(seeds - in_mirror)
    assert {canonical(u) for u in summary.missing} == seeds - in_mirror
    assert not list(data.rglob("*.tmp")) and not list(data.rglob("*.open"))


def test_every_manifest_entry_has_a_document(cold, mirror_dir):
    data, summary = cold
    assert summary.parse_failed == 0, summary.errors
    covered = set()
    for path in (data / "documents").glob("*.json"):
        doc = Document.model_validate_json(path.read_bytes())
        covered |= {canonical(doc.source_url), *(canonical(u) for u in doc.alternate_urls)}
    assert sorted(manifest_urls(mirror_dir) - covered) == []


def test_second_crawl_fetches_and_parses_nothing(cold, mirror_dir):
    data, first = cold
    before = corpus_hashes(data)
    second = crawl_mirror(data, mirror_dir)
    assert (second.fetched, second.parsed, second.documents_written, second.documents_linked) == (0, 0, 0, 0)
    assert second.unchanged == first.fetched and second.not_in_mirror == first.not_in_mirror
    assert corpus_hashes(data) == before


def _done_urls(state: Path) -> int:
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=0.1) as db:
            return db.execute("SELECT COUNT(*) FROM urls WHERE done_run IS NOT NULL").fetchone()[0]
    except sqlite3.Error:
        return 0


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _wait_gone(pids: list[int], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)]
        time.sleep(0.1)
    assert not alive, f"processes {alive} outlived the killed crawl"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


def test_kill_9_and_rerun_gives_the_same_corpus(cold, mirror_dir, tmp_path):
    data, summary = cold
    cmd = [sys.executable, "-m", "regkb.cli", "crawl", "--mirror", str(mirror_dir), "--data-dir", str(tmp_path),
           "--delay", "0.05"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _done_urls(tmp_path / "state" / "crawl.sqlite3") < 25 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) >= 2, "expected the parse worker processes to be running"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the crawl finished before it could be killed"
    _wait_gone(workers)  # parse worker processes end with the crawl, not linger as orphans
    killed_at = _done_urls(tmp_path / "state" / "crawl.sqlite3")
    assert 0 < killed_at < summary.fetched + summary.not_in_mirror
    rerun = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"}
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "resumed an interrupted run" in rerun.stderr
    assert corpus_hashes(tmp_path) == corpus_hashes(data)
    assert (
        not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.rglob(".*.tmp")) and not list(tmp_path.rglob("*.open"))
    )
