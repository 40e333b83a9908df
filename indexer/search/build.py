"""Building a data dir's search index, for `regkb index` and the app's /admin/reindex alike.

The order matters: translations are learned first (and saved next to the index), so that the records'
Dutch compounds are split with the very frequencies the query side splits with (`Decompounder.learned`);
then the engine indexes the records. Learning that fails leaves search working on the glossary alone.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from indexer.search.base import SearchBackend
from indexer.search.records import LoadReport, load_records
from regkb.corpus import Corpus
from regkb.settings import DataDir


@dataclass
class Built:
    records: int
    translations: int | None      # word translations learned, None when learning failed
    learn_error: str | None = None
    learn_seconds: float = 0.0


def build_index(backend: SearchBackend, data_dir: DataDir, report: LoadReport,
                progress: Callable[[int], None] | None = None) -> Built:
    """Learn the translations, then index every record of `data_dir` with `backend` (raises BackendUnavailable)."""
    from indexer.search.compounds import Decompounder
    from indexer.search.expansion import learn_and_save

    corpus = Corpus.at(data_dir.root)  # read once, for both
    started = time.monotonic()
    try:
        translations = learn_and_save(corpus.all(), data_dir.index)
        learned: int | None = translations.pair_count()
        splitter, error = Decompounder.learned(translations), None
    except (OSError, ValueError) as exc:
        learned, splitter, error = None, None, str(exc)
    seconds = time.monotonic() - started
    n = backend.replace_all(load_records(data_dir, report, splitter, corpus), progress=progress)
    return Built(records=n, translations=learned, learn_error=error, learn_seconds=seconds)
