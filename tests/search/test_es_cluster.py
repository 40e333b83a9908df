"""A 3-node Elasticsearch cluster with one replica keeps answering when a node stops.

Starts its own cluster with scripts/es-cluster on other ports (takes a while), so
it is marked `elasticsearch` and runs only where the other Elasticsearch tests do
(REGKB_TEST_ES_URL reachable, as scripts/run-tests arranges) and Java and Maven exist.
"""
from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from indexer.search.base import SearchRequest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "es-cluster"
NAME, PORT, NODES = "regkb-test3", 9250, 3
pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


def es_cluster(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args, "--name", NAME], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def cluster():
    from search.conftest import require_es
    require_es()  # only where Elasticsearch tests are meant to run (scripts/run-tests, CI): this one takes minutes
    if not (shutil.which("java") and shutil.which("mvn")):
        pytest.skip("!!! 3-NODE ELASTICSEARCH TEST SKIPPED: Java and Maven are needed to start a cluster !!!")
    started = es_cluster("start", "--nodes", str(NODES), "--port", str(PORT))
    if started.returncode != 0:
        es_cluster("stop")
        pytest.fail(f"could not start a {NODES}-node cluster: {started.stderr[-2000:]}")
    yield [f"http://127.0.0.1:{PORT + i}" for i in range(NODES)]
    es_cluster("stop")


def test_searches_survive_a_stopped_node(cluster, records):
    from indexer.search.elastic import ElasticBackend

    backend = ElasticBackend(url=",".join(cluster), index_prefix="test-ha", shards=3, replicas=1)
    try:
        backend.replace_all(records)
        health = backend.client.cluster.health(wait_for_status="green", timeout="120s")
        assert health["number_of_nodes"] == NODES and health["status"] == "green"
        expected = backend.search(SearchRequest(query="due diligence")).total
        assert expected > 0

        totals, errors, stop = [], [], threading.Event()

        def searcher():
            while not stop.is_set():
                try:
                    totals.append(backend.search(SearchRequest(query="due diligence", facets=["modality"])).total)
                except Exception as exc:
                    errors.append(repr(exc))
                time.sleep(0.05)

        thread = threading.Thread(target=searcher)
        thread.start()
        try:
            time.sleep(1)
            stopped = es_cluster("stop-node", "--node", str(NODES))
            assert stopped.returncode == 0, stopped.stderr
            time.sleep(5)
        finally:
            stop.set()
            thread.join(timeout=60)
        assert not errors, errors[:3]
        assert len(totals) > 20 and set(totals) == {expected}
        health = requests.get(f"{cluster[0]}/_cluster/health", timeout=30).json()
        assert health["number_of_nodes"] == NODES - 1 and health["status"] in ("yellow", "green")
    finally:
        try:
            backend.delete_all_indices()
        finally:
            backend.close()
