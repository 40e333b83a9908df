"""The sector precision measure (`regkb eval-sectors`): draws, intervals, and the corpus check against labels."""
from pathlib import Path

from indexer.nlp.sector_eval import Precision, corpus_check, draw, load_labels, record_pairs, sample_precision
from regkb.records import Obligation

GOLD = Path(__file__).resolve().parents[1] / "gold" / "sectors.jsonl"


def _ob(doc: str, prov: str, text: str, sectors: list[str]) -> Obligation:
    return Obligation(id=f"{doc}/{prov}/1", document_id=doc, provision_id=prov, citation=prov, language="en",
                      text=text, start=0, end=len(text), modality="obligation", sectors=sectors)


def test_a_draw_depends_on_the_seed_and_the_pairs_not_their_order():
    pairs = record_pairs([_ob("d", f"art_{i}", f"Operators shall do {i}.", ["A01.27", "C10"]) for i in range(50)])
    assert draw(pairs, 10, 14) == draw(list(reversed(sorted(pairs))), 10, 14)
    assert draw(pairs, 10, 14) != draw(pairs, 10, 15) and len(draw(pairs, 500, 1)) == len(pairs) == 100


def test_the_interval_narrows_with_the_sample():
    small, large = Precision("s", 20, 15).interval(), Precision("l", 400, 300).interval()
    assert small[0] < 0.75 < small[1] and large[0] < 0.75 < large[1]
    assert large[1] - large[0] < small[1] - small[0]


def test_the_corpus_check_finds_claimed_wrong_and_lost_pairs():
    keep = _ob("d", "art_1", "Operators shall exercise due diligence.", ["A01.27"])
    noise = _ob("d", "art_2", "Deductions for clothing shall not be made.", [])
    (kept,), (gone,) = record_pairs([keep]), record_pairs([_ob("d", "art_2", noise.text, ["C13"])])
    labels = {kept: {"concerns": True, "samples": ["new"]}, gone: {"concerns": False, "samples": ["old"]},
              kept[:3] + ("A01",): {"concerns": True, "samples": ["old"]},      # a broader code, still covered
              kept[:3] + ("C10.82",): {"concerns": True, "samples": ["old"]}}   # no longer covered
    check = corpus_check(labels, record_pairs([keep, noise]))
    assert check == {"labelled pairs claimed": 1, "of them wrong": 0, "true pairs no longer claimed": 1}


def test_the_gold_file_has_both_runs_labelled():
    labels = load_labels(GOLD)
    figures = {f.precision.name: f for f in sample_precision(labels)}
    assert {"old", "new", "old-text", "new-scope"} <= set(figures) and figures["old"].precision.pairs == 100
    assert all(row["concerns"] or row.get("error") in ("other_sector", "machinery") for row in labels.values())
