"""Reindexing Elasticsearch never interrupts searching: a new index is filled, then the alias swaps atomically."""
from __future__ import annotations

import threading
import uuid

from indexer.search.base import SearchRequest
from indexer.search.bench import Generator


def test_search_keeps_answering_during_reindex(records):
    from indexer.search.elastic import ElasticBackend
    from search.conftest import require_es

    backend = ElasticBackend(url=require_es(), index_prefix=f"test-swap-{uuid.uuid4().hex[:8]}")
    seeds = [r for r in records if r["kind"] == "obligation"]
    gen = Generator(seeds)
    try:
        backend.replace_all(gen.records(3000))
        first = set(backend._current_indices())
        totals, errors, stop = [], [], threading.Event()

        def searcher():
            while not stop.is_set():
                try:
                    totals.append(backend.search(SearchRequest(query="", size=1)).total)
                except Exception as exc:  # any failure during the swap is what this test is about
                    errors.append(repr(exc))

        thread = threading.Thread(target=searcher)
        thread.start()
        try:
            for n in (4000, 5000):
                backend.replace_all(gen.records(n))
        finally:
            stop.set()
            thread.join(timeout=60)
        assert not errors
        assert len(totals) > 10
        assert set(totals) <= {3000, 4000, 5000} and totals[-1] == 5000  # always a complete index, never a partial one
        assert set(backend._current_indices()).isdisjoint(first) and len(backend._current_indices()) == 1
        assert backend.client.indices.get(index=f"{backend.alias}-v*").body.keys() == set(backend._current_indices())
    finally:
        backend.delete_all_indices()
        backend.close()
