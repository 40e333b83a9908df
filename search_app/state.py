"""What the views share: the corpus, the search backend and the app settings.

The backend is opened on first use (not at start-up) so that the reader and
the record API work even when no index exists yet; a missing index becomes a
clear 503 on the search pages instead of a crash at start-up. The corpus store
is held here once (`regkb.corpus.CorpusStore`): loaded on first use, whole,
and reloaded whole when the data dir changes, so concurrent first requests
all see the complete corpus.
"""
from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import Any

from flask import current_app, g, has_app_context

from indexer.search import open_backend
from regkb.corpus import CorpusStore
from regkb.settings import DataDir, load_config
from search_app.corpus import WebCorpus

log = logging.getLogger(__name__)


class SearchUnavailable(RuntimeError):
    """No search backend can answer; the message says what to run."""


class AppState:
    def __init__(self, data_dir: DataDir, backend: Any = None):
        self.data_dir = data_dir
        self.store = CorpusStore(data_dir.root, float(self.settings.get("corpus_recheck_seconds", 0.0)))
        self._said_unlinked = False
        self._backend_setting = backend
        self._backend = None if backend is None or isinstance(backend, str) else backend
        self._lock = threading.Lock()
        self.reader_urls: dict[tuple[str, str], str] = {}  # (script root, document id) → url_for's answer

    @property
    def corpus(self) -> WebCorpus:
        """The corpus as this request sees it: one complete snapshot from its first use to its end (a reload
        while the request runs never mixes two states in one page)."""
        if not has_app_context():
            return WebCorpus(self._snapshot())
        view = g.get("regkb_corpus")
        if view is None:
            view = g.regkb_corpus = WebCorpus(self._snapshot())
        return view

    def _snapshot(self):
        snapshot = self.store.current()
        if snapshot.documents and not snapshot.linked and not self._said_unlinked:
            self._said_unlinked = True
            log.warning("no resolved references in %s/references: the reader shows cross-references as plain text "
                        "until `regkb extract --data-dir %s` writes them", self.data_dir.root, self.data_dir.root)
        return snapshot

    @cached_property
    def settings(self) -> dict[str, Any]:
        return load_config("app")

    def backend(self):
        """The search backend (opened once); SearchUnavailable when there is none."""
        if self._backend is not None:
            return self._backend
        with self._lock:
            if self._backend is None:
                self._backend = self._open_backend()
        return self._backend

    def _open_backend(self):
        name = self._backend_setting if isinstance(self._backend_setting, str) else None
        try:
            return open_backend(self.data_dir.root, backend=name)
        except Exception as exc:  # any engine failure must become a 503, not a 500
            log.warning("cannot open the search backend: %s", exc)
            raise SearchUnavailable(
                f"The search index cannot be opened ({exc}). "
                f"Build it with `regkb index --data-dir {self.data_dir.root}`."
            ) from exc


def state() -> AppState:
    return current_app.extensions["regkb"]
