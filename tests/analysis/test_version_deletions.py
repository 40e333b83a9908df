"""What a later version deleted, read from the real version chains of the mirror: the articles and the
numbered paragraphs and points that EUR-Lex's consolidation marks "▼M2 —————", not the paragraphs of an
article that was replaced and renumbered as a whole."""
from __future__ import annotations

import pytest

from analysis.mirror_corpus import crawled_mirror
from indexer.analysis.versions import VersionChains
from regkb.corpus import Corpus


@pytest.fixture(scope="module")
def chains() -> VersionChains:
    return VersionChains.build(Corpus.at(crawled_mirror()).all())


def _deleted(chains, doc_id):
    return {d.unit_id: d for d in chains.deletions.get(doc_id, [])}


def test_the_parts_the_omnibus_deleted_from_the_csddd(chains):
    gone = _deleted(chains, "celex-02024L1760-20250417-en")
    # the eleven "▼M2 —————" of the 2026-03-18 consolidation, and point (c) its new Article 1(1) no longer has
    assert set(gone) == {"art_1.par_1.pt_c", "art_6.par_3", "art_8.par_4", "art_13.par_3.pt_c", "art_13.par_3.pt_e",
                         "art_19.par_2.pt_b", "art_22", "art_29.par_1", "art_29.par_3.pt_d", "art_29.par_7",
                         "art_36.par_1", "art_36.par_2.pt_e"}
    assert {d.by_label for d in gone.values()} == {"Directive (EU) 2026/470"}
    assert str(gone["art_29.par_3.pt_d"].deleted_on) == "2026-03-18"
    # a point inside a provision that is gone is covered by that deletion
    assert chains.deletion_of("celex-02024L1760-20250417-en", "art_29.par_1.pt_a").unit_id == "art_29.par_1"
    assert chains.deletion_of("celex-02024L1760-20250417-en", "art_29.par_2") is None


def test_the_points_of_a_replaced_subparagraph_are_not_deletions(chains):
    """Article 37(1)'s second subparagraph was replaced, its points with it: a subparagraph's id is its
    position, so its points' going says nothing."""
    assert not [u for u in _deleted(chains, "celex-02024L1760-20250417-en") if u.startswith("art_37")]


def test_a_renumbered_article_loses_no_paragraph(chains):
    """The 2025 EUDR amendment replaced Article 34 (old paragraph 5 is now paragraph 1): its old paragraphs
    3 to 6 moved or went with the article's new wording, while Article 4(8) to (10) were deleted."""
    gone = set(_deleted(chains, "celex-02023R1115-20241226-en"))
    assert {"art_4.par_8", "art_4.par_9", "art_4.par_10", "anx_II.pt_4"} <= gone
    assert not [u for u in gone if u.startswith("art_34")]
