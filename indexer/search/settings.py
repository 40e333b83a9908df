"""Search settings from config/search.yaml, with the environment overrides in one place."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from regkb.settings import load_config

BACKENDS = ("embedded", "elasticsearch")
# Snippets: a window of about SNIPPET_CHARS around the matches; a text up to WHOLE_TEXT_CHARS long is shown
# whole (a window over one 260-character sentence kept only "to full compensation.", without who must do it).
SNIPPET_CHARS = 240
WHOLE_TEXT_CHARS = 400


@cache
def search_config() -> dict[str, Any]:
    return load_config("search")


def backend_name(explicit: str | None = None) -> str:
    """`--backend` beats REGKB_SEARCH_BACKEND beats config/search.yaml."""
    name = explicit or os.environ.get("REGKB_SEARCH_BACKEND") or search_config().get("backend") or "embedded"
    if name not in BACKENDS:
        raise ValueError(f"unknown search backend {name!r}: choose one of {', '.join(BACKENDS)} "
                         "(config/search.yaml `backend:`, REGKB_SEARCH_BACKEND or --backend)")
    return name


@dataclass(frozen=True)
class ElasticSettings:
    url: str
    username: str | None
    password: str | None
    index_prefix: str
    shards: int
    replicas: int
    request_timeout_s: float
    bulk_chunk: int


def elastic_settings(url: str | None = None, index_prefix: str | None = None) -> ElasticSettings:
    """Config values, overridden by REGKB_ES_URL / REGKB_ES_USERNAME / REGKB_ES_PASSWORD / REGKB_ES_PREFIX."""
    cfg = search_config().get("elasticsearch", {})
    return ElasticSettings(
        url=url or os.environ.get("REGKB_ES_URL") or cfg.get("url", "http://127.0.0.1:9201"),
        username=os.environ.get("REGKB_ES_USERNAME") or cfg.get("username"),
        password=os.environ.get("REGKB_ES_PASSWORD") or cfg.get("password"),
        index_prefix=index_prefix or os.environ.get("REGKB_ES_PREFIX") or cfg.get("index_prefix", "regkb"),
        shards=int(cfg.get("shards", 1)),
        replicas=int(cfg.get("replicas", 0)),
        request_timeout_s=float(cfg.get("request_timeout_s", 30)),
        bulk_chunk=int(cfg.get("bulk_chunk", 2000)),
    )
