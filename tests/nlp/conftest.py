"""Fixtures for the NLP tests: the real mirror documents, read directly and crawled once per session.

WHY both: the mirror readers give stable provision ids for the gold set;
the crawled corpus is what `regkb extract` sees in production.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from indexer.nlp.mirror import read_mirror
from regkb.records import Document

MIRROR = Path(__file__).resolve().parents[2] / ".." / "shared" / "mirror"


def _need_mirror() -> Path:
    if not (MIRROR / "MANIFEST.tsv").is_file():
        pytest.skip(f"!!! shared mirror missing at {MIRROR.resolve()}: NLP tests on real texts SKIPPED !!!")
    return MIRROR


@pytest.fixture(scope="session")
def mirror_docs() -> dict[str, Document]:
    """The mirror's EN/NL documents as the NLP mirror readers parse them (no crawl)."""
    return {d.id: d for d in read_mirror(_need_mirror())}


@pytest.fixture(scope="session")
def crawled_dir() -> Path:
    """A data folder filled by the real `regkb crawl --mirror` (once per session)."""
    from regkb.cli import main

    root = Path(tempfile.mkdtemp(prefix="nlp-corpus-"))
    assert main(["crawl", "--mirror", str(_need_mirror()), "--data-dir", str(root)]) == 0
    return root


def provision_text(docs: dict[str, Document], doc_id: str, prov_id: str) -> str:
    return docs[doc_id].provision(prov_id).text
