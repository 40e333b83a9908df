"""Fixtures for the web-app tests: a small hand-written corpus, indexed by the real `regkb index` code."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import requests

from search_app import create_app

from .app_corpus import build_index, copy_fixture_corpus


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The fixture corpus (documents + obligations), without a search index."""
    return copy_fixture_corpus(tmp_path_factory.mktemp("app-corpus"))


@pytest.fixture(scope="session")
def indexed_dir(tmp_path_factory) -> Path:
    """The fixture corpus with a real search index."""
    root = copy_fixture_corpus(tmp_path_factory.mktemp("app-indexed"))
    build_index(root)
    return root


@pytest.fixture(scope="session")
def elastic_backend(corpus_dir):
    """The fixture corpus in a live Elasticsearch node (REGKB_TEST_ES_URL), in indices of its own."""
    url = os.environ.get("REGKB_TEST_ES_URL")
    try:
        if not url or not requests.get(f"{url}/_cluster/health", timeout=3).ok:
            raise requests.ConnectionError(url)
    except requests.RequestException:
        pytest.skip("!!! REGKB_TEST_ES_URL is unset or unreachable: the web app on Elasticsearch is NOT tested "
                    "(scripts/run-tests starts a node) !!!")
    from indexer.search.elastic import ElasticBackend
    from indexer.search.records import load_records
    from regkb.settings import DataDir

    backend = ElasticBackend(url=url, index_prefix=f"test-app-{uuid.uuid4().hex[:8]}")
    backend.replace_all(load_records(DataDir.at(corpus_dir)))
    yield backend
    backend.delete_all_indices()
    backend.close()


@pytest.fixture(scope="session", params=["embedded", "elastic"])
def app(request, indexed_dir):
    """The app on each search engine: the pages and the API must not depend on which one answers."""
    if request.param == "elastic":
        backend = request.getfixturevalue("elastic_backend")
        return create_app({"DATA_DIR": str(indexed_dir), "SEARCH_BACKEND": backend, "TESTING": True})
    return create_app({"DATA_DIR": str(indexed_dir), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def reader_app(corpus_dir):
    """An app whose search backend cannot be opened: everything but search must still work."""
    return create_app({"DATA_DIR": str(corpus_dir), "SEARCH_BACKEND": "no-such-engine", "TESTING": True})


@pytest.fixture
def reader(reader_app):
    return reader_app.test_client()
