"""Search backends: one interface (`base.SearchBackend`), an embedded engine and Elasticsearch.

`open_backend(data_dir)` gives the configured engine over a data dir's index;
the web app and the CLI use nothing else.
"""
from __future__ import annotations

from pathlib import Path

from indexer.search.base import (FacetValue, Hit, QuerySyntaxError, SearchBackend, SearchRequest,  # noqa: F401
                                 SearchResponse)
from indexer.search.settings import backend_name


def open_backend(data_dir: Path | str, backend: str | None = None, **options) -> SearchBackend:
    """The configured backend (`--backend`, REGKB_SEARCH_BACKEND, config/search.yaml) over `data_dir`'s index."""
    from regkb.settings import DataDir

    name = backend_name(backend)
    if name == "embedded":
        from indexer.search.embedded import EmbeddedBackend
        return EmbeddedBackend(DataDir.at(data_dir).index, **options)
    from indexer.search.elastic import ElasticBackend
    return ElasticBackend(**options)
