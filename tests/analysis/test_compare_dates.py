"""Version comparison sees date changes in every language regkb.dates knows, not only English month names."""
from __future__ import annotations

from indexer.analysis.compare import compare
from indexer.nlp.pipeline import extract_document
from regkb.records import Document

CSRD_NL = "celex-32022L2464-nl"
CSDDD_FR_2024, CSDDD_FR_2026 = "celex-32024L1760-fr", "celex-02024L1760-20260318-fr"


def _article(doc: Document, article: str, old: str = "", new: str = "") -> Document:
    """The document with only one article (its whole subtree), optionally with one wording replaced."""
    provisions = [p.model_copy(update={"text": p.text.replace(old, new) if old else p.text})
                  for p in doc.provisions if p.id == article or p.id.startswith(article + ".")]
    return doc.model_copy(update={"provisions": provisions})


def test_a_dutch_date_change_is_seen_in_the_provision_and_in_the_obligation(corpus):
    """The real Dutch CSRD, Article 5(1) ('uiterlijk op 6 juli 2024') postponed by a year, as a stop-the-clock
    amendment would: the figures and the obligation's deadline both show the change."""
    csrd = corpus.get(CSRD_NL)
    old = _article(csrd, "art_5")
    assert "uiterlijk op 6 juli 2024" in old.provision("art_5.par_1").text
    new = _article(csrd, "art_5", "uiterlijk op 6 juli 2024", "uiterlijk op 6 juli 2025")
    result = compare(old, new, extract_document(old), extract_document(new))
    [art5] = result.provisions
    assert art5.status == "changed"
    dates = {f.kind: f for f in art5.figures}["date"]
    assert dates.removed == ["6 juli 2024"] and dates.added == ["6 juli 2025"]
    [changed] = [o for o in result.obligations if o.status == "changed"]
    assert changed.citation == "Artikel 5, lid 1"
    assert changed.deadlines_removed == ["2024-07-06"] and changed.deadlines_added == ["2025-07-06"]


def test_french_date_changes_between_real_versions_of_the_csddd(corpus):
    """The French CSDDD as adopted and as consolidated after the Omnibus: Article 37's dates moved."""
    result = compare(corpus.get(CSDDD_FR_2024), corpus.get(CSDDD_FR_2026))
    art37 = next(p for p in result.provisions if p.unit_id == "art_37")
    dates = {f.kind: f for f in art37.figures}["date"]
    assert "26 juillet 2026" in dates.removed and "1er janvier 2030" in dates.added
