"""Fixtures for the NLP tests: the real mirror documents as `regkb crawl --mirror` parses them, once per session.

WHY the crawl: it is what `regkb extract` sees in production, and the gold set is anchored to its provision ids.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from indexer.nlp.evaluate import load_documents
from regkb.records import Document

MIRROR = Path(__file__).resolve().parents[2] / ".." / "shared" / "mirror"


def _need_mirror() -> Path:
    if not (MIRROR / "MANIFEST.tsv").is_file():
        pytest.skip(f"!!! shared mirror missing at {MIRROR.resolve()}: NLP tests on real texts SKIPPED !!!")
    return MIRROR


@pytest.fixture(scope="session")
def crawled_dir() -> Path:
    """A data folder filled by the real `regkb crawl --mirror` (once per session)."""
    from regkb.cli import main

    root = Path(tempfile.mkdtemp(prefix="nlp-corpus-"))
    assert main(["crawl", "--mirror", str(_need_mirror()), "--data-dir", str(root)]) == 0
    return root


@pytest.fixture(scope="session")
def mirror_docs(crawled_dir) -> dict[str, Document]:
    """The mirror's documents (every language) as the real crawler and parsers read them."""
    return load_documents((crawled_dir / "documents").glob("*.json"))


def provision_text(docs: dict[str, Document], doc_id: str, prov_id: str) -> str:
    return docs[doc_id].provision(prov_id).text


def write_documents(docs: dict[str, Document], data_dir: Path) -> list[Document]:
    """Copy crawled documents into another data folder's documents/ (a small corpus for one test)."""
    from regkb.settings import DataDir
    from regkb.storage import write_json_atomic

    dd = DataDir.at(data_dir)
    for d in docs.values():
        write_json_atomic(dd.documents / f"{d.id}.json", d.model_dump(mode="json"))
    return list(docs.values())
