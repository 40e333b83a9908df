"""`regkb extract` in worker processes: the same records as in one process, and failures reported per document."""
from pathlib import Path

import pytest

from indexer.nlp.parallel import act_groups, extract_all
from indexer.nlp.pipeline import ReferenceResolver
from regkb.cli import main
from regkb.processes import worker_count
from regkb.records import Provision

from .conftest import write_documents

# two English acts and a Dutch one (three groups: the pool really splits them), small enough for a test
KEEP = {"celex-32024R3234-en", "celex-32025L0794-en", "bwb-BWBR0035293-nl"}


def _records(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data / "obligations").glob("*.jsonl"))}


def _corpus(tmp_path: Path, name: str, docs: dict) -> Path:
    data = tmp_path / name
    write_documents({k: docs[k] for k in KEEP}, data)
    return data


def test_two_worker_processes_write_the_same_records_as_one(tmp_path, mirror_docs):
    one, two = _corpus(tmp_path, "one", mirror_docs), _corpus(tmp_path, "two", mirror_docs)
    assert main(["extract", "--data-dir", str(one), "--workers", "1"]) == 0
    assert main(["extract", "--data-dir", str(two), "--workers", "2"]) == 0
    records = _records(one)
    assert set(records) == {f"{i}.jsonl" for i in KEEP} and any(records.values())
    assert _records(two) == records  # byte for byte
    assert main(["extract", "--data-dir", str(two), "--workers", "2"]) == 0  # nothing pending: no pool
    assert _records(two) == records


def test_a_document_that_fails_in_a_worker_is_named_and_the_others_go_on(mirror_docs):
    good = mirror_docs["celex-32024R3234-en"]
    # a record that skipped validation (its provision has no text): the extractor raises inside the worker
    broken = good.model_copy(update={"id": "broken-en", "act_id": "broken",
                                     "provisions": [Provision.model_construct(id="art_1", kind="article", text=None)]})
    outcomes = {o.doc_id: o for o in extract_all([good, broken], ReferenceResolver.from_documents([good]), 2)}
    assert outcomes["broken-en"].error and "AttributeError" in outcomes["broken-en"].error
    assert outcomes[good.id].error is None and outcomes[good.id].obligations > 0
    assert outcomes[good.id].jsonl.count(b"\n") == outcomes[good.id].obligations


def test_documents_of_one_act_stay_together_largest_act_first(mirror_docs):
    groups = act_groups(mirror_docs.values())
    assert all(len({(d.language, d.act_id) for d in g}) == 1 for g in groups)
    assert sum(len(g) for g in groups) == len(mirror_docs)


def test_worker_count_setting(tmp_path, mirror_docs, capsys):
    assert worker_count("auto", 4) >= 1 and worker_count(None, 1) == 1
    assert worker_count("0") == 1 and worker_count(3) == 3
    with pytest.raises(ValueError, match="whole number"):
        worker_count("many")
    data = _corpus(tmp_path, "bad-setting", mirror_docs)
    assert main(["extract", "--workers", "-2", "--data-dir", str(data)]) == 2
    assert "worker count -2" in capsys.readouterr().err
    assert not _records(data)  # nothing extracted with a bad setting
