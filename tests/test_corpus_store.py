"""The one corpus store (regkb.corpus): complete snapshots, one rule for bad files, reloads when files change."""
from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from pathlib import Path

import pytest

from regkb.corpus import Corpus, CorpusStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "app"
EN, FR, NL = "celex-32024L1760-en", "celex-32024L1760-fr", "bwb-BWBV0001522-nl"


@pytest.fixture
def root(tmp_path) -> Path:
    for sub in ("documents", "obligations"):
        shutil.copytree(FIXTURES / sub, tmp_path / sub)
    return tmp_path


def lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def test_loads_documents_obligations_and_references(root):
    (root / "references").mkdir()
    ref = {"document_id": EN, "provision_id": "art_8.par_2", "start": 0, "end": 4, "text": "xxxx",
           "target_document_id": FR, "target_provision_id": None}
    (root / "references" / f"{EN}.jsonl").write_text(json.dumps(ref) + "\n")
    corpus = CorpusStore(root).current()
    assert sorted(corpus.documents) == sorted([EN, FR, NL]) and not corpus.problems
    assert len(corpus.obligations(EN)) == lines(root / "obligations" / f"{EN}.jsonl") > 0
    assert sum(1 for _ in corpus.all_obligations()) == sum(lines(p) for p in (root / "obligations").glob("*.jsonl"))
    first = corpus.obligations(EN)[0]
    assert corpus.obligation(first.id) == first
    assert [r.target_document_id for r in corpus.references(EN)] == [FR]


def test_bad_files_are_named_counted_logged_once_and_skipped(root, caplog):
    (root / "documents" / "broken.json").write_text('{"id": "broken", "title": ')
    with (root / "obligations" / f"{EN}.jsonl").open("a") as fh:
        fh.write("not json\n" + '{"id": "half"}\n')
    (root / "obligations" / f"{FR}.jsonl").write_bytes(b"\xff\xfe not utf-8")
    store = CorpusStore(root)
    with caplog.at_level(logging.WARNING):
        corpus = store.current()
        (root / "documents" / "new.json").write_text("{}")  # another change: the bad files are not read again
        again = store.current()
    assert again is not corpus and len(again.problems) == len(corpus.problems) + 1
    assert sorted(corpus.documents) == sorted([EN, FR, NL])  # the good ones all loaded
    assert [(p.folder, p.name, p.line) for p in corpus.problems] == [
        ("documents", "broken.json", None), ("obligations", f"{EN}.jsonl", 4), ("obligations", f"{EN}.jsonl", 5),
        ("obligations", f"{FR}.jsonl", None)]
    assert corpus.errors[0].startswith("broken.json: not a valid document") and corpus.errors[0].endswith("skipped")
    assert [p.stem for p in corpus.unreadable_documents()] == ["broken"]
    assert len(corpus.obligations(EN)) == 3 and corpus.obligations(FR) == []
    logged = [r.getMessage() for r in caplog.records]
    assert sum("broken.json" in m for m in logged) == 1 and "regkb crawl" in next(
        m for m in logged if "broken.json" in m
    )


def test_a_change_reloads_only_what_changed(root):
    store = CorpusStore(root)
    before = store.current()
    assert store.current() is before  # nothing changed: the same snapshot
    path = root / "documents" / f"{FR}.json"
    doc = json.loads(path.read_text())
    doc["title"] = "Nouveau titre"
    path.write_text(json.dumps(doc))  # written in place, not renamed: still seen
    after = store.current()
    assert after is not before and after.get(FR).title == "Nouveau titre" and before.get(FR).title != "Nouveau titre"
    assert after.get(EN) is before.get(EN)  # an unchanged file is not parsed again
    (root / "documents" / f"{NL}.json").unlink()
    gone = store.current()
    assert gone.get(NL) is None and gone.orphans() == [NL]
    assert all(o.document_id != NL for o in gone.all_obligations()) and gone.obligations(NL)  # held, but dropped
    first_nl = before.obligations(NL)[0].id
    assert before.obligation(first_nl) is not None and gone.obligation(first_nl) is None


def test_derived_data_is_built_once_per_snapshot(root):
    corpus = CorpusStore(root).current()
    calls = []
    built = [corpus.derived("ids", lambda c: calls.append(1) or sorted(c.documents)) for _ in range(3)]
    assert built[0] == sorted([EN, FR, NL]) and len(calls) == 1


def test_concurrent_first_callers_all_get_the_one_complete_snapshot(root):
    store = CorpusStore(root)
    barrier, seen = threading.Barrier(16), []

    def first_use():
        barrier.wait()
        snapshot = store.current()
        seen.append((snapshot, len(snapshot.documents), sum(1 for _ in snapshot.all_obligations())))

    threads = [threading.Thread(target=first_use) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(seen) == 16 and len({id(s) for s, _, _ in seen}) == 1
    assert {(n, m) for _, n, m in seen} == {(3, sum(lines(p) for p in (root / "obligations").glob("*.jsonl")))}


def test_while_a_reload_runs_readers_get_the_previous_complete_state(root):
    store = CorpusStore(root)
    old = store.current()
    staged = root / "documents" / ".copy.json.tmp"
    shutil.copy(root / "documents" / f"{EN}.json", staged)
    os.replace(staged, root / "documents" / "copy.json")
    with store._lock:  # what another thread holds while it loads the new state
        assert store.current() is old
    assert store.current() is not old and len(store.current().documents) == 3  # copy.json has EN's id


def test_an_empty_or_missing_data_dir_is_an_empty_corpus(tmp_path):
    corpus = Corpus.at(tmp_path / "nothing-here")
    assert corpus.all() == [] and corpus.problems == () and not (tmp_path / "nothing-here").exists()
    assert Corpus.at(None).all() == []
