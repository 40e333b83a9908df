"""The structured comparison (issue 12): a change is located at its paragraph or point, unchanged parts are kept
apart, and the figures that changed are paired old → new by where they stand, on the real CSDDD texts."""
from __future__ import annotations

from indexer.analysis.compare import compare, figure_changes, part_changes

CSDDD_2024, CSDDD_2026 = "celex-32024L1760-en", "celex-02024L1760-20260318-en"


def _pairs(change, kind):
    return [(p.old, p.new) for f in change.figures if f.kind == kind for p in f.pairs]


def test_a_change_in_article_2_is_located_at_its_points_with_figures_paired(corpus):
    art2 = {p.unit_id: p for p in compare(corpus.get(CSDDD_2024), corpus.get(CSDDD_2026)).provisions}["art_2"]
    parts = {p.provision_id: p for p in art2.parts}
    point_a = parts["art_2.par_1.pt_a"]
    assert point_a.status == "changed" and point_a.citation == "Article 2(1), point (a)"
    assert _pairs(point_a, "employees") == [("1 000", "5 000")]
    assert _pairs(point_a, "amount") == [("EUR 450 000 000", "EUR 1 500 000 000")]
    # two amounts changed in point (c): each old one paired with the new one standing where it stood
    assert _pairs(parts["art_2.par_1.pt_c"], "amount") == [("EUR 22 500 000", "EUR 75 000 000"),
                                                          ("EUR 80 000 000", "EUR 275 000 000")]
    assert parts["art_2.par_4"].status == "unchanged" and not parts["art_2.par_4"].diff
    assert [p.provision_id for p in art2.parts] == [p for p in parts]  # reading order, each part once
    # the article-level figures pair too (the API's summary of the article)
    assert ("1 000", "5 000") in _pairs(art2, "employees")


def test_parts_only_the_old_text_has_are_removed_in_place(corpus):
    parts = part_changes(corpus.get(CSDDD_2024), corpus.get(CSDDD_2026), "art_37")
    ids = [p.provision_id for p in parts]
    removed = [p.provision_id for p in parts if p.status == "removed"]
    assert removed and all(r.startswith("art_37.par_1.sub_2.pt_") for r in removed)
    # right after the subparagraph they belonged to, not at the end of the article
    assert ids.index(removed[0]) == ids.index("art_37.par_1.sub_2") + 1
    assert all(p.old_text and not p.new_text for p in parts if p.status == "removed")


def test_figures_that_only_moved_are_no_change_and_a_lone_figure_stands_alone():
    assert figure_changes("more than 1 000 employees", "more than 1 000 employees") == []
    [dates] = figure_changes("from 26 July 2027 and 1 January 2028", "from 26 July 2028")
    assert [(p.old, p.new) for p in dates.pairs] == [("26 July 2027", "26 July 2028"), ("1 January 2028", None)]
    [amounts] = figure_changes("a fee", "a fee of EUR 5 000 000")
    assert [(p.old, p.new) for p in amounts.pairs] == [(None, "EUR 5 000 000")]
