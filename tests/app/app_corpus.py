"""The app tests' corpus: hand-written fixture records, indexed by the real indexing code."""
from __future__ import annotations

import argparse
import importlib
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app"


def copy_fixture_corpus(target: Path) -> Path:
    """The hand-written documents and obligations, with their cross-references resolved by `regkb extract`'s step."""
    for sub in ("documents", "obligations"):
        shutil.copytree(FIXTURES / sub, target / sub)
    link_references(target)
    return target


def link_references(root: Path) -> None:
    """Write references/ as `regkb extract` does (after a test edits a document), leaving the obligations as written."""
    from indexer.commands import write_references
    from regkb.corpus import Corpus
    from regkb.settings import DataDir

    write_references(DataDir.at(root), Corpus.at(root))


def build_index(data_dir: Path) -> None:
    """Index a data folder with `regkb index` (or, before that command exists, the same backend and record builder)."""
    try:
        commands = importlib.import_module("indexer.search.commands")
    except ModuleNotFoundError:
        return _index_with_backend(data_dir)
    args = argparse.Namespace(data_dir=str(data_dir), backend=None, mirror=None, sources=None,
                              host="127.0.0.1", port=0, no_serve=True, verbose=False)
    code = commands.index_command(args)
    assert not code, f"regkb index failed with exit {code}"


def _index_with_backend(data_dir: Path) -> None:
    try:
        from indexer.search import open_backend
        from indexer.search.records import load_records
    except ImportError as exc:
        pytest.skip(f"!!! the search engine is not installed ({exc}): search tests SKIPPED !!!")
    from regkb.settings import DataDir

    backend = open_backend(data_dir)
    backend.clear()
    by_kind: dict[str, list] = {}
    for record in load_records(DataDir.at(data_dir)):
        by_kind.setdefault(record["kind"], []).append(record)
    for kind, records in by_kind.items():
        backend.index_records(kind, records)
    backend.close()
