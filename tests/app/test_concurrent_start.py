"""Concurrent first requests at a freshly started app see the whole corpus, never a half-loaded one.

WHY: right after start-up, 16 parallel comparisons answered 15 × 404 and what's new listed 36–45 of its 70
entries, because the corpus marked itself loaded before it had finished. The app here is served by a real
threaded werkzeug server on 127.0.0.1 and hit by real HTTP requests from 16 threads at once; every answer
must equal the answer the same request gets serially.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from analysis.mirror_corpus import crawled_mirror
from loopback import served_wsgi

from search_app import create_app

OLD, NEW = "celex-32024L1760-en", "celex-02024L1760-20250417-en"
URLS = (
    f"/api/compare?old={OLD}&new={NEW}",
    "/api/whatsnew?since=2020-01-01",
    "/api/timeline?act=csddd",
    f"/api/documents/{NEW}?provisions=0",
)
PARALLEL = 16


@contextmanager
def served(data_dir: Path) -> Iterator[str]:
    """A fresh app (nothing loaded yet) on a free loopback port; yields its base URL."""
    with served_wsgi(create_app({"DATA_DIR": str(data_dir), "SEARCH_BACKEND": "no-such-engine"})) as url:
        yield url


def answer(base: str, path: str) -> tuple[int, object]:
    resp = requests.get(base + path, timeout=120)
    return resp.status_code, resp.json()


def fire_at_once(base: str, paths: list[str]) -> list[tuple[int, object]]:
    """Every request released by one barrier, so they all arrive while the app is still loading."""
    barrier = threading.Barrier(len(paths))

    def one(path: str):
        barrier.wait()
        return answer(base, path)

    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(one, paths))


def test_concurrent_first_requests_get_the_serial_answer():
    data_dir = crawled_mirror()
    paths = [URLS[i % len(URLS)] for i in range(PARALLEL)]
    with served(data_dir) as base:
        concurrent = fire_at_once(base, paths)
    with served(data_dir) as base:
        serial = {path: answer(base, path) for path in URLS}
    assert all(status == 200 for status, _ in serial.values()), serial
    assert len(serial[URLS[1]][1]["entries"]) > 10 and len(serial[URLS[2]][1][0]["events"]) > 5
    for path, got in zip(paths, concurrent):
        assert got == serial[path], f"{path}: a concurrent first request got a different answer than the serial one"


def test_a_reload_under_load_shows_the_old_or_the_new_state_never_a_mix(tmp_path):
    """The data dir changes while requests arrive: each answer is the complete old state or the complete new one."""
    root = tmp_path / "corpus"
    shutil.copytree(crawled_mirror() / "documents", root / "documents")
    held = tmp_path / f"{NEW}.json"
    shutil.move(root / "documents" / f"{NEW}.json", held)
    paths = [URLS[i % len(URLS)] for i in range(PARALLEL)]
    with served(root) as base:
        before = {path: answer(base, path) for path in URLS}
        assert before[URLS[0]][0] == 404 and before[URLS[3]][0] == 404  # the newer version is not there yet
        staged = root / "documents" / f".{NEW}.json.tmp"
        shutil.copy(held, staged)
        os.replace(staged, root / "documents" / f"{NEW}.json")  # how the crawler writes: one atomic rename
        during = fire_at_once(base, paths)
        after = {path: answer(base, path) for path in URLS}
    assert after[URLS[0]][0] == 200 and after[URLS[3]][0] == 200
    for path, got in zip(paths, during):
        assert got in (before[path], after[path]), f"{path}: an answer mixed the old and the new corpus"
