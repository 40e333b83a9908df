"""Both search engines over the same hand-written fixture corpus (tests/fixtures/search).

Elasticsearch tests need a live node: REGKB_TEST_ES_URL (scripts/run-tests starts one with
scripts/es-cluster). Without it they are skipped, and the skip reason says so loudly.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import requests

from indexer.search.embedded import EmbeddedBackend
from indexer.search.records import LoadReport, load_records
from regkb.settings import DataDir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "search"
BACKENDS = ["embedded", "elastic"]


def es_url() -> str | None:
    """The test cluster's URL if it answers, else None."""
    url = os.environ.get("REGKB_TEST_ES_URL")
    if not url:
        return None
    try:
        return url if requests.get(f"{url}/_cluster/health", timeout=3).ok else None
    except requests.RequestException:
        return None


ES_SKIP_REASON = ("!!! ELASTICSEARCH TESTS SKIPPED: REGKB_TEST_ES_URL is unset or not reachable. "
                  "Run them with `scripts/run-tests` (starts scripts/es-cluster) or "
                  "`scripts/es-cluster start && REGKB_TEST_ES_URL=http://127.0.0.1:9201 pytest tests/search` !!!")


def require_es() -> str:
    url = es_url()
    if url is None:
        pytest.skip(ES_SKIP_REASON)
    return url


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("search-corpus")
    shutil.copytree(FIXTURES, d, dirs_exist_ok=True)
    return d


@pytest.fixture(scope="session")
def records(corpus_dir) -> list[dict]:
    report = LoadReport()
    recs = list(load_records(DataDir.at(corpus_dir), report))
    assert not report.errors
    return recs


def embedded_over(records: list[dict], path: Path):
    """An embedded engine indexing `records` (a generator: yield it from a fixture, it closes after)."""
    b = EmbeddedBackend(path)
    b.replace_all(records)
    yield b
    b.close()


def elastic_over(records: list[dict], prefix: str):
    """An Elasticsearch engine (the test node) indexing `records` in indices of its own, dropped after."""
    url = require_es()
    from indexer.search.elastic import ElasticBackend
    b = ElasticBackend(url=url, index_prefix=f"{prefix}-{uuid.uuid4().hex[:8]}")
    b.replace_all(records)
    yield b
    b.delete_all_indices()
    b.close()


@pytest.fixture(scope="session")
def embedded(records, tmp_path_factory):
    yield from embedded_over(records, tmp_path_factory.mktemp("tantivy"))


@pytest.fixture(scope="session")
def elastic(records):
    yield from elastic_over(records, "test")


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(params=BACKENDS)
def fresh_backend(request, tmp_path):
    """An empty engine of each kind, for tests that write."""
    if request.param == "embedded":
        b = EmbeddedBackend(tmp_path / "index")
        yield b
    else:
        from indexer.search.elastic import ElasticBackend
        b = ElasticBackend(url=require_es(), index_prefix=f"test-{uuid.uuid4().hex[:8]}")
        yield b
        b.delete_all_indices()
    b.close()
