"""Fixtures for the web-app tests: a small hand-written corpus, indexed by the real `regkb index` code."""
from __future__ import annotations

import argparse
import importlib
import shutil
from pathlib import Path

import pytest

from search_app import create_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app"


def copy_fixture_corpus(target: Path) -> Path:
    for sub in ("documents", "obligations"):
        shutil.copytree(FIXTURES / sub, target / sub)
    return target


def build_index(data_dir: Path) -> None:
    """Index a data folder exactly as `regkb index` does (skip loudly when that command is not installed yet)."""
    try:
        commands = importlib.import_module("indexer.search.commands")
    except ModuleNotFoundError:
        pytest.skip("!!! indexer.search.commands (regkb index) is not installed: search tests SKIPPED !!!")
    args = argparse.Namespace(data_dir=str(data_dir), backend=None, mirror=None, sources=None,
                              host="127.0.0.1", port=0, no_serve=True, verbose=False)
    code = commands.index_command(args)
    assert not code, f"regkb index failed with exit {code}"


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
