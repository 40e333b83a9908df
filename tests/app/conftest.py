"""Fixtures for the web-app tests: a small hand-written corpus, indexed by the real `regkb index` code."""
from __future__ import annotations

from pathlib import Path

import pytest

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
def app(indexed_dir):
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
