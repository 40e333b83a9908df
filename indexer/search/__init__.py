"""Search backends: one interface (`base.SearchBackend`), an embedded engine and Elasticsearch.

`open_backend(data_dir)` gives the configured engine over a data dir's index;
the web app and the CLI use nothing else:

    backend = open_backend("corpus")                     # embedded unless configured otherwise
    resp = backend.search(SearchRequest(query="CSDDD art 8", facets=["modality", "language"],
                                        filters={"language": ["en"]}))
    resp.redirect        # {"document_id", "provision_id"} when the query is a citation
    resp.hits[0].record  # the flat index record (citation, text, modality, addressee, official_url ...)
    resp.hits[0].highlights["text"]   # HTML-escaped snippets with <mark>
    resp.facets["modality"]           # [FacetValue(value, count)], labels in facets.FACETS
    backend.get("obligation", record_id)

Errors to show to users: QuerySyntaxError (the message says how to fix the query),
BackendUnavailable (no index yet / server down; the message says what to run).
Unknown facet or filter names raise ValueError (a programming error).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from indexer.search.base import (  # noqa: F401
    BackendUnavailable,
    FacetValue,
    Hit,
    QuerySyntaxError,
    SearchBackend,
    SearchRequest,
    SearchResponse,
)
from indexer.search.settings import backend_name

if TYPE_CHECKING:
    from indexer.search.engine import Engine


def open_backend(data_dir: Path | str, backend: str | None = None, **options) -> SearchBackend:
    """The configured backend (`--backend`, REGKB_SEARCH_BACKEND, config/search.yaml) over `data_dir`'s index."""
    from indexer.search.expansion import TRANSLATIONS_FILE, QueryExpander
    from regkb.settings import DataDir

    name = backend_name(backend)
    index_dir = DataDir.at(data_dir).index
    engine: Engine
    if name == "embedded":
        from indexer.search.embedded import EmbeddedBackend
        engine = EmbeddedBackend(index_dir, **options)
    else:
        from indexer.search.elastic import ElasticBackend
        engine = ElasticBackend(**options)
    engine.expander = QueryExpander(index_dir / TRANSLATIONS_FILE)
    return engine
