"""The offline mirror crawled once per test session by the real `regkb crawl` (shared by analysis, app and browser
tests).

WHY: the applicability links, timelines, comparisons and the feed must be
tested on the real EUR-Lex texts as the product parses them, not on
hand-made documents.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

from regkb.cli import main

MIRROR = Path(__file__).resolve().parents[2] / ".." / "shared" / "mirror"
_CACHE: dict[str, Path] = {}


def crawled_mirror() -> Path:
    """Data folder with the mirror's documents (crawled on first use, ~10 s)."""
    if "dir" not in _CACHE:
        if not (MIRROR / "MANIFEST.tsv").is_file():
            pytest.skip(f"!!! shared mirror missing at {MIRROR.resolve()}: analysis tests on real texts SKIPPED !!!")
        root = Path(tempfile.mkdtemp(prefix="analysis-corpus-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        rc = main(["crawl", "--mirror", str(MIRROR), "--data-dir", str(root)])
        assert rc == 0, "regkb crawl of the mirror failed"
        assert (root / "documents" / "celex-32024L1760-en.json").exists(), "the crawl did not produce the CSDDD"
        _CACHE["dir"] = root
    return _CACHE["dir"]


def extracted_subset(root: Path, doc_ids: tuple[str, ...]) -> Path:
    """`root` filled with these documents of the crawled mirror and their obligations, extracted by the real
    `regkb extract` (a few acts extract in seconds; the whole mirror takes a minute)."""
    (root / "documents").mkdir(parents=True, exist_ok=True)
    for doc_id in doc_ids:
        shutil.copy(crawled_mirror() / "documents" / f"{doc_id}.json", root / "documents")
    assert main(["extract", "--data-dir", str(root)]) == 0, "regkb extract failed"
    return root
