"""`regkb index` and `regkb bench` through the real command line."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.search import SearchRequest, open_backend

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "search"
REGKB = [sys.executable, "-m", "regkb.cli"]


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os
    return subprocess.run([*REGKB, *args], capture_output=True, text=True, timeout=300, env={**os.environ, **env})


def test_index_builds_the_embedded_index_and_survives_bad_input(tmp_path):
    shutil.copytree(FIXTURES, tmp_path, dirs_exist_ok=True)
    (tmp_path / "documents" / "broken.json").write_text("{not json")
    with (tmp_path / "obligations" / "celex-32023R1115-en.jsonl").open("a") as fh:
        fh.write('{"id": "half a record"}\n\x00garbage\n')
    result = run("index", "--data-dir", str(tmp_path), "--backend", "embedded")
    # everything else is indexed; the exit status and the last line say what failed (issue 11)
    assert result.returncode == 1, result.stderr
    assert "indexed 65 records (4 documents, 26 obligations)" in " ".join(result.stderr.split())
    assert "broken.json" in result.stderr and "skipped" in result.stderr
    out = " ".join(result.stderr.split())
    summary = out[out.rindex("indexed 65 records"):]
    assert "regkb index: 3 failed (broken.json, celex-32023R1115-en.jsonl)" in summary and "regkb crawl" in summary
    backend = open_backend(tmp_path, "embedded")
    assert backend.search(SearchRequest(query="deforestation")).total > 0


def test_index_drops_the_obligations_of_documents_that_no_longer_load(tmp_path):
    """A deleted document's obligations are left out and said so (exit 0: nothing failed to load); a corrupt
    document's obligations too, and the exit status names the file (no hit may link to a page that answers 404)."""
    shutil.copytree(FIXTURES, tmp_path, dirs_exist_ok=True)
    of_nl = SearchRequest(query="onderneming", filters={"document_id": ["celex-32024L1760-nl"]})

    def found(request: SearchRequest) -> int:
        backend = open_backend(tmp_path, "embedded")
        try:
            return backend.search(request).total
        finally:
            backend.close()

    assert run("index", "--data-dir", str(tmp_path), "--backend", "embedded").returncode == 0
    assert found(of_nl) > 0
    (tmp_path / "documents" / "celex-32024L1760-nl.json").unlink()
    deleted = run("index", "--data-dir", str(tmp_path), "--backend", "embedded")
    assert deleted.returncode == 0, deleted.stderr
    out = " ".join(deleted.stderr.split())
    assert "dropped 5 obligation(s) of celex-32024L1760-nl" in out and "(3 documents," in out
    assert found(of_nl) == 0
    (tmp_path / "documents" / "celex-32023R1115-en.json").write_text('{"id": "celex-32023R1115-en", "title": ')
    corrupt = run("index", "--data-dir", str(tmp_path), "--backend", "embedded")
    out = " ".join(corrupt.stderr.split())
    assert corrupt.returncode == 1 and "(2 documents," in out
    assert "regkb index: 1 failed (celex-32023R1115-en.json)" in out[out.rindex("indexed"):]
    assert found(SearchRequest(query="deforestation")) == 0


def test_index_of_an_empty_data_dir_says_what_to_do(tmp_path):
    result = run("index", "--data-dir", str(tmp_path))
    assert result.returncode == 0
    assert "regkb extract" in " ".join(result.stderr.split())


def test_backend_setting_is_validated(tmp_path):
    with pytest.raises(ValueError, match="unknown search backend"):
        open_backend(tmp_path, "solr")
    result = run("index", "--data-dir", str(tmp_path), REGKB_SEARCH_BACKEND="solr")
    assert result.returncode == 2 and "unknown search backend" in " ".join(result.stderr.split())


def test_bench_prints_figures_as_last_line(tmp_path):
    result = run("bench", "--data-dir", str(tmp_path), "--records", "500", "--queries", "30", "--backends", "embedded")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["records"] == 500
    assert {"index_s", "p50_ms", "p95_ms", "qps", "rss_mb"} <= set(figures["embedded"])
    assert figures["embedded"]["qps"] > 0


def test_unreachable_elasticsearch_is_reported_not_crashed(tmp_path):
    from indexer.search.base import BackendUnavailable
    from indexer.search.elastic import ElasticBackend

    shutil.copytree(FIXTURES, tmp_path, dirs_exist_ok=True)
    result = run("index", "--data-dir", str(tmp_path), "--backend", "elasticsearch", REGKB_ES_URL="http://127.0.0.1:9")
    assert result.returncode == 2
    assert "cannot be reached" in " ".join(result.stderr.split()) and "Traceback" not in result.stderr
    with pytest.raises(BackendUnavailable, match="es-cluster start"):
        ElasticBackend(url="http://127.0.0.1:9").search(SearchRequest(query="due"))


def test_two_writers_get_a_clear_error(tmp_path):
    from indexer.search.base import BackendUnavailable
    from indexer.search.embedded import EmbeddedBackend

    first = EmbeddedBackend(tmp_path)
    writer = first.index.writer(50_000_000, 1)  # holds the index lock like a running `regkb index`
    try:
        with pytest.raises(BackendUnavailable, match="another `regkb index`"):
            EmbeddedBackend(tmp_path).replace_all([{"id": "a", "kind": "obligation", "text": "x"}])
    finally:
        writer.rollback()
        del writer
