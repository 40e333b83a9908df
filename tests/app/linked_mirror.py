"""The offline mirror's documents with their references and defined terms written as `regkb extract` writes them
(without the obligation extraction, which these tests do not need), shared by the app and browser tests."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

_CACHE: dict[str, Path] = {}


def linked_mirror() -> Path:
    """A data folder with documents/, references/ and terms/ of the whole mirror (built once per session)."""
    if "dir" not in _CACHE:
        from analysis.mirror_corpus import crawled_mirror

        from indexer.analysis.terms import write_terms
        from indexer.commands import write_references
        from regkb.corpus import Corpus
        from regkb.settings import DataDir

        root = Path(tempfile.mkdtemp(prefix="linked-mirror-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        shutil.copytree(crawled_mirror() / "documents", root / "documents")
        dd = DataDir.at(root)
        write_references(dd, Corpus.at(root))
        assert write_terms(dd, Corpus.at(root))["terms"] > 0, "no defined term found in the mirror"
        _CACHE["dir"] = root
    return _CACHE["dir"]
