"""EUR-Lex OJ XHTML, consolidated HTML and Formex from ../shared/mirror: structure as the official texts number it."""
from __future__ import annotations

import pytest
from parsing_mirror import MIRROR, cellar_zip, raw_for, source

from indexer.parsing import parse_resource

pytestmark = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")

EN = "eur-lex.europa.eu/legal-content/EN/TXT/"
FR = "eur-lex.europa.eu/legal-content/FR/TXT/"

# (file, articles, recitals) as numbered in the official text
OJ_ACTS = [
    ("CELEX_32024L1760.xhtml", 39, 99),   # CSDDD as adopted
    ("CELEX_32019R2088.xhtml", 20, 35),   # SFDR
    ("CELEX_32020R0852.xhtml", 27, 60),   # Taxonomy
    ("CELEX_32023R1115.xhtml", 38, 86),   # EUDR
    ("CELEX_32023R1542.xhtml", 96, 143),  # Batteries
    ("CELEX_32024R3084.xhtml", 19, 24),   # EUDR information system
    ("CELEX_32024R3234.xhtml", 2, 11),    # EUDR postponement
    ("CELEX_32025L0794.xhtml", 5, 10),    # stop-the-clock
    ("CELEX_32025R2650.xhtml", 2, 20),    # EUDR amendment 2025
    ("CELEX_32026L0470.xhtml", 7, 53),    # Omnibus I
    ("CELEX_32026R1565.xhtml", 2, 16),
]
CONSOLIDATED = [
    ("CELEX_02024L1760-20240705.html", 39),
    ("CELEX_02024L1760-20250417.html", 39),
    ("CELEX_02024L1760-20260318.html", 38),  # Article 22 deleted by Omnibus I
    ("CELEX_02019R2088-20200712.html", 21),  # + Article 2a (Taxonomy Regulation)
    ("CELEX_02023R1115-20251226.xhtml", 39),
    ("CELEX_02023R1542-20240718.html", 96),
    ("CELEX_02024R3084-20260717.html", 22),
]

_cache: dict[str, object] = {}


def doc(path: str, parser: str = "eurlex"):
    if path not in _cache:
        raw = cellar_zip(path) if path.endswith("/zip") else raw_for(path)
        _cache[path] = parse_resource(raw, source(parser))[0]
    return _cache[path]


@pytest.mark.parametrize("name,articles,recitals", OJ_ACTS)
@pytest.mark.parametrize("lang", [EN, FR])
def test_oj_act_has_the_official_number_of_articles_and_recitals(lang, name, articles, recitals):
    d = doc(lang + name)
    assert len(d.articles()) == articles
    assert len([p for p in d.provisions if p.kind == "recital"]) == recitals
    assert [a.number for a in d.articles()][:2] == ["1", "2"]


@pytest.mark.parametrize("name,articles", CONSOLIDATED)
@pytest.mark.parametrize("lang", [EN, FR])
def test_consolidated_versions_have_their_articles(lang, name, articles):
    d = doc(lang + name)
    assert d.consolidated and d.dates.version_date is not None
    assert len(d.articles()) == articles


def test_csddd_structure_ids_and_citations():
    d = doc(EN + "CELEX_32024L1760.xhtml")
    assert d.id == "celex-32024L1760-en" and d.act_id == "eu-2024-1760-L" and d.version_id == "celex-32024L1760"
    assert d.instrument_type == "directive" and d.short_title == "CSDDD"
    art8 = d.provision("art_8")
    assert art8.heading == "Identifying and assessing actual and potential adverse impacts"
    assert [p.id for p in d.provisions if p.parent_id == "art_8"] == [f"art_8.par_{i}" for i in range(1, 5)]
    assert [p.number for p in d.provisions if p.parent_id == "art_8.par_2"] == ["a", "b"]
    assert len([p for p in d.provisions if p.parent_id == "art_2" and p.kind == "paragraph"]) == 8
    assert [p.number for p in d.provisions if p.parent_id == "art_3.par_1"][-1] == "v"  # definitions (a) to (v)
    assert d.identifiers.eli == "http://data.europa.eu/eli/dir/2024/1760/oj"
    pt = d.provision("art_8.par_2.pt_a")
    assert pt.citation == "Article 8(2), point (a)" and pt.text.startswith("map their own operations")
    assert d.provision("art_3.par_1.pt_a.pt_i").citation == "Article 3(1), point (a)(i)"
    assert d.provision("art_10.par_1.sub_2").citation == "Article 10(1), second subparagraph"
    assert d.provision("rct_12").citation == "Recital 12"
    assert d.provision("anx_1").kind == "annex"
    assert len(d.provision("rct_1").text) > 100 and not d.provision("rct_1").text.startswith("(1)")


def test_csddd_dates_come_from_the_text():
    d = doc(EN + "CELEX_32024L1760.xhtml")
    assert str(d.dates.adopted) == "2024-06-13" and str(d.dates.published) == "2024-07-05"
    assert str(d.dates.entry_into_force) == "2024-07-25"  # twentieth day following publication
    assert str(d.dates.transposition_deadline) == "2026-07-26"
    phased = {(str(a.date), a.provision_id) for a in d.dates.application}
    assert ("2027-07-26", "art_37.par_1.sub_2.pt_a") in phased
    assert ("2029-07-26", "art_37.par_1.sub_2.pt_e") in phased
    assert d.identifiers.oj == "OJ L, 2024/1760, 5.7.2024" and d.identifiers.number == "2024/1760"


def test_amending_act_deadline_is_its_own_not_a_quoted_one():
    d = doc(EN + "CELEX_32025L0794.xhtml")
    assert str(d.dates.transposition_deadline) == "2025-12-31"
    assert str(d.dates.entry_into_force) == "2025-04-17"  # day following publication


def test_french_citations_and_same_structure_as_english():
    en, fr = doc(EN + "CELEX_32024L1760.xhtml"), doc(FR + "CELEX_32024L1760.xhtml")
    assert fr.language == "fr" and fr.id == "celex-32024L1760-fr" and fr.version_id == en.version_id
    assert fr.provision("art_8.par_2.pt_a").citation == "Article 8, paragraphe 2, point a)"
    assert fr.provision("art_10.par_1.sub_2").citation == "Article 10, paragraphe 1, deuxième alinéa"
    assert fr.provision("rct_12").citation == "Considérant 12"
    en_ids = [p.id for p in en.provisions if p.kind in ("article", "paragraph", "point", "recital")]
    fr_ids = [p.id for p in fr.provisions if p.kind in ("article", "paragraph", "point", "recital")]
    assert en_ids == fr_ids


def test_consolidation_after_omnibus_lacks_article_22():
    d = doc(EN + "CELEX_02024L1760-20260318.html")
    assert d.provision("art_22") is None and d.provision("art_21") is not None
    assert d.id == "celex-02024L1760-20260318-en" and d.version_id == "celex-02024L1760-20260318"
    assert str(d.dates.version_date) == "2026-03-18" and d.status == "in_force"


def test_page_whose_text_is_in_another_language_is_labelled_by_its_text():
    # the mirror's EN URL for the 2024-07-05 consolidation serves the French text
    d = doc(EN + "CELEX_02024L1760-20240705.html")
    assert d.language == "fr" and d.id == "celex-02024L1760-20240705-fr"
    assert any("text is in 'fr'" in w for w in d.warnings)


def test_corrigendum_is_grouped_with_its_act():
    d = doc(EN + "CELEX_32024L1760R_02.xhtml")
    assert d.instrument_type == "corrigendum" and d.act_id == "eu-2024-1760-L"
    assert d.identifiers.celex == "32024L1760R(02)" and d.id == "celex-32024L1760R02-en"
    assert d.dates.entry_into_force is None


def paragraphs(d, article: str) -> list[str]:
    return [p.id for p in d.provisions if p.parent_id == article and p.kind == "paragraph"]


FORMEX = "https://publications.europa.eu/resource/cellar/{}/zip"


@pytest.mark.parametrize("cellar,html", [
    ("9fe96cac-227c-11f1-8c3a-01aa75ed71a1.0011.01", FR + "CELEX_02024L1760-20260318.html"),
    ("ac29368d-35ff-11f0-8a44-01aa75ed71a1.0007.01", EN + "CELEX_02024L1760-20250417.html"),
    ("e9980b30-01b5-11f1-825d-01aa75ed71a1.0001.01", EN + "CELEX_02023R1115-20251226.xhtml"),
])
def test_formex_and_html_of_one_version_agree(cellar, html):
    fmx, page = doc(FORMEX.format(cellar), "formex"), doc(html)
    assert fmx.id == page.id
    assert [a.number for a in fmx.articles()] == [a.number for a in page.articles()]
    assert [a.heading for a in fmx.articles()] == [a.heading for a in page.articles()]
    for art in ("art_8", "art_3"):
        assert paragraphs(fmx, art) == paragraphs(page, art)
    def enacting(d):
        return {p.id: p.text for p in d.provisions if not p.id.startswith("anx")}

    f, h = enacting(fmx), enacting(page)
    assert len(set(f) ^ set(h)) <= 2  # one quoted point EUR-Lex HTML draws as plain text
    same = [i for i in set(f) & set(h) if f[i] == h[i]]
    assert len(same) >= 0.98 * len(set(f) & set(h))


def test_formex_drops_text_the_consolidation_marks_deleted():
    d = doc(FORMEX.format("9fe96cac-227c-11f1-8c3a-01aa75ed71a1.0011.01"), "formex")
    assert len(d.articles()) == 38 and d.provision("art_22") is None


@pytest.mark.parametrize("path,parser", [
    (FR + "CELEX_02019R2088-20240109.html", "eurlex"),
    (FR + "CELEX_02019R2088-20200712.html", "eurlex"),  # older page without ELI ids
    (FORMEX.format("f17a3a6b-c57c-11ee-95d9-01aa75ed71a1.0010.01"), "formex"),
])
def test_inserted_articles_share_ids_across_languages_and_keep_their_cited_number(path, parser):
    d = doc(path, parser)
    art = d.provision("art_2a")
    assert art is not None and art.citation == "Article 2 bis"
    assert doc(EN + "CELEX_02019R2088-20240109.html").provision("art_2a").citation == "Article 2a"


def test_annexes_numbered_with_their_titles_and_parts():
    d = doc(EN + "CELEX_32023R1542.xhtml")
    assert [a.number for a in d.provisions if a.kind == "annex"][:3] == ["I", "II", "III"]
    assert d.provision("anx_II").heading == "CARBON FOOTPRINT"
    assert d.provision("anx_III.prt_A").citation == "Annex III, Part A"
    csddd = doc(EN + "CELEX_32024L1760.xhtml")
    assert csddd.provision("anx_1.prt_I.sct_1").citation == "Annex, Part I, Section 1"
