"""The app tests' corpus: hand-written fixture records, indexed by the real indexing code."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

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
    """Index a data folder with `regkb index`."""
    from indexer.search.commands import index_command

    code = index_command(argparse.Namespace(data_dir=str(data_dir), backend=None))
    assert not code, f"regkb index failed with exit {code}"
