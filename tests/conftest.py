"""Shared test fixtures: the read-only document mirror and a loopback HTTP server.

`mirror_dir` points at ../shared/mirror (next to the repository) and skips
loudly when it is absent. `http_server` is a real HTTP server on 127.0.0.1
whose routes a test sets (status, headers, body, delays, endless bodies), and
which records every request it received; tests use it instead of mocking
HTTP.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import LoopbackServer

REPO_ROOT = Path(__file__).resolve().parents[1]
MIRROR_DIR = REPO_ROOT / ".." / "shared" / "mirror"


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    if not (MIRROR_DIR / "MANIFEST.tsv").is_file():
        pytest.skip(f"!!! shared mirror missing: {MIRROR_DIR.resolve()}/MANIFEST.tsv not found; "
                    "tests that need real documents are SKIPPED !!!")
    return MIRROR_DIR.resolve()


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server
