"""What the views share: the corpus, the search backend and the app settings.

The backend is opened on first use (not at start-up) so that the reader and
the record API work even when no index exists yet; a missing index becomes a
clear 503 on the search pages instead of a crash at start-up. The corpus store
is held here once (`regkb.corpus.CorpusStore`): loaded on first use, whole,
and reloaded whole when the data dir changes, so concurrent first requests
all see the complete corpus.
"""
from __future__ import annotations

import importlib
import logging
import threading
from functools import cached_property
from typing import Any, Optional

from flask import current_app, g, has_app_context

from regkb.corpus import CorpusStore
from regkb.settings import DataDir, load_config

from search_app.corpus import WebCorpus

log = logging.getLogger(__name__)


class SearchUnavailable(RuntimeError):
    """No search backend can answer; the message says what to run."""


class AppState:
    def __init__(self, data_dir: DataDir, backend: Any = None):
        self.data_dir = data_dir
        self.store = CorpusStore(data_dir.root)
        self._backend_setting = backend
        self._backend = None if backend is None or isinstance(backend, str) else backend
        self._lock = threading.Lock()

    @property
    def corpus(self) -> WebCorpus:
        """The corpus as this request sees it: one complete snapshot from its first use to its end (a reload
        while the request runs never mixes two states in one page)."""
        if not has_app_context():
            return WebCorpus(self.store.current())
        view = g.get("regkb_corpus")
        if view is None:
            view = g.regkb_corpus = WebCorpus(self.store.current())
        return view

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
        try:
            search = importlib.import_module("indexer.search")
            open_backend = getattr(search, "open_backend")
        except (ImportError, AttributeError) as exc:
            raise SearchUnavailable("The search engine is not part of this installation (indexer.search.open_backend is missing).") from exc
        name = self._backend_setting if isinstance(self._backend_setting, str) else None
        try:
            return open_backend(self.data_dir.root, backend=name)
        except Exception as exc:  # any engine failure must become a 503, not a 500
            log.warning("cannot open the search backend: %s", exc)
            raise SearchUnavailable(f"The search index cannot be opened ({exc}). Build it with `regkb index --data-dir {self.data_dir.root}`.") from exc

    # -- labels ----------------------------------------------------------
    @cached_property
    def nace_labels(self) -> dict[str, dict[str, str]]:
        """NACE code → {language: label}, from config/nace.yaml (empty when absent)."""
        return _labels(_optional_config("nace"))

    @cached_property
    def addressee_labels(self) -> dict[str, dict[str, str]]:
        """Addressee key → {language: its first surface form}, from config/addressees.yaml."""
        data = _optional_config("addressees") or {}
        return {key: {lang: forms[0][:1].upper() + forms[0][1:] for lang, forms in entry.items() if isinstance(forms, list) and forms}
                for key, entry in data.items() if isinstance(entry, dict)}

    @cached_property
    def topic_labels(self) -> dict[str, dict[str, str]]:
        """Topic id → {language: label}, from config/topics.yaml (empty when absent)."""
        return _labels(_optional_config("topics"))


def state() -> AppState:
    return current_app.extensions["regkb"]


def _optional_config(name: str) -> Any:
    try:
        return load_config(name)
    except (OSError, ValueError) as exc:
        log.info("config/%s.yaml not available (%s); showing codes instead of labels", name, exc)
        return None


def _labels(data: Any) -> dict[str, dict[str, str]]:
    """Accept the shapes a taxonomy file takes: a mapping or a list of entries, labels as a dict or fields."""
    if isinstance(data, dict):
        for key in ("sectors", "codes", "topics", "nace", "items", "entries"):
            if key in data and isinstance(data[key], (dict, list)):
                return _labels(data[key])
        items = [dict(v, code=k) if isinstance(v, dict) else {"code": k, "label": v} for k, v in data.items()]
    elif isinstance(data, list):
        items = [v for v in data if isinstance(v, dict)]
    else:
        return {}
    out: dict[str, dict[str, str]] = {}
    for item in items:
        code = item.get("code") or item.get("id") or item.get("key")
        if code is None:
            continue
        out[str(code)] = _entry_labels(item)
    return out


def _entry_labels(item: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    raw = item.get("label") or item.get("labels") or item.get("name")
    if isinstance(raw, dict):
        labels.update({str(k): str(v) for k, v in raw.items() if isinstance(v, (str, int))})
    elif isinstance(raw, str):
        labels["en"] = raw
    for lang in ("en", "nl"):
        for key in (f"label_{lang}", f"name_{lang}", lang):
            if isinstance(item.get(key), str):
                labels.setdefault(lang, item[key])
    return labels


def label_for(labels: dict[str, dict[str, str]], code: str, lang: str) -> Optional[str]:
    entry = labels.get(code) or {}
    return entry.get(lang) or entry.get("en") or next(iter(entry.values()), None)
