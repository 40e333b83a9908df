"""The gold set: targets for detection F1, modality and addressee accuracy, extractor vs naive baseline.

Runs on the crawled corpus that `regkb extract` sees in production: every gold line is anchored to its provision
ids and offsets (tests/gold/README.md).
"""
from pathlib import Path

import pytest

from indexer.nlp.evaluate import FlatDoc, anchored_span, evaluate, load_documents, load_gold

GOLD = Path(__file__).resolve().parents[1] / "gold"
TARGET_F1 = {"en": 0.95, "nl": 0.92}


def test_gold_set_size_and_coverage():
    for lang, minimum in (("en", 300), ("nl", 150)):
        gold = load_gold(GOLD / f"{lang}.jsonl")
        assert len(gold) >= minimum
        assert {g["modality"] for g in gold} == {None, "obligation", "permission", "prohibition", "exemption"}
        assert len({g["document_id"] for g in gold}) >= 5
        assert all("text" not in g for g in gold)  # references only, never copied text


@pytest.mark.parametrize("name", ["en", "nl", "en_heldout", "nl_heldout"])
def test_targets(name, mirror_docs):
    lang = name[:2]
    result = evaluate(load_gold(GOLD / f"{name}.jsonl"), mirror_docs, lang)
    ext, base = result.extractor.summary(), result.baseline.summary()
    assert not result.unresolved
    assert ext["f1"] >= TARGET_F1[lang], result.extractor.errors
    assert ext["modality_accuracy"] >= 0.93 and ext["addressee_accuracy"] >= 0.92
    assert ext["f1"] > base["f1"] and ext["modality_accuracy"] >= base["modality_accuracy"]


ANCHORED = sorted(p.stem for p in GOLD.glob("*.jsonl") if p.stem not in ("amendments", "sectors"))


@pytest.mark.parametrize("name", ANCHORED)
def test_every_gold_line_sits_exactly_at_its_anchor(name, mirror_docs):
    """Same document, provision(s) and offsets, hash checked: no line depends on the fingerprint search."""
    flats: dict = {}
    for g in load_gold(GOLD / f"{name}.jsonl"):
        doc = mirror_docs.get(g["document_id"])
        assert doc is not None, g["id"]
        assert anchored_span(g, doc, flats.setdefault(doc.id, FlatDoc.build(doc))), \
            f"{g['id']} moved: re-anchor (python -m indexer.nlp.reanchor, tests/gold/README.md)"


@pytest.mark.slow
def test_french_targets_on_crawled_corpus(crawled_dir):
    """French on the crawled corpus, and its held-out set."""
    docs = load_documents((crawled_dir / "documents").glob("*-fr.json"))
    result = evaluate(load_gold(GOLD / "fr.jsonl"), docs, "fr")
    ext, base = result.extractor.summary(), result.baseline.summary()
    assert not result.unresolved and ext["n"] == 120
    heldout = evaluate(load_gold(GOLD / "fr_heldout.jsonl"), docs, "fr").extractor.summary()
    assert heldout["n"] == 33 and heldout["f1"] >= 0.93 and heldout["modality_accuracy"] >= 0.95
    assert ext["f1"] >= 0.95 and ext["modality_accuracy"] >= 0.95 and ext["addressee_accuracy"] >= 0.93, \
        result.extractor.errors
    assert ext["deadline_exact"] >= 0.9 and ext["f1"] > base["f1"]


def test_dutch_deadlines_pooled_over_the_dutch_gold(mirror_docs):
    """Dutch deadlines rest on more than a handful of sentences (nl_deadlines.jsonl, labelled blind): exact ≥ 0.9."""
    n = ok = 0
    for name in ("nl", "nl_heldout", "nl_effects", "nl_sfdr", "nl_deadlines", "nl_deadlines_heldout"):
        s = evaluate(load_gold(GOLD / f"{name}.jsonl"), mirror_docs, "nl").extractor
        n, ok = n + s.deadline_n, ok + s.deadline_ok
    assert n >= 20 and ok / n >= 0.9
