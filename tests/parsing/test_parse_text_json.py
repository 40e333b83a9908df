"""Plain-text OJ acts (eurlex_text_json) and corrigenda: structure from numbering alone, same ids as the XHTML."""
from __future__ import annotations

from pathlib import Path

import pytest
from parsing_mirror import MIRROR, raw_for, raw_from_bytes, source

from indexer.parsing import parse_resource
from indexer.parsing.corrigendum import target_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parsing"
needs_mirror = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")
NL = "eur-lex.europa.eu/legal-content/NL/TXT/"
EN = "eur-lex.europa.eu/legal-content/EN/TXT/"
FR = "eur-lex.europa.eu/legal-content/FR/TXT/"


def nl_text(name: str):
    (d,) = parse_resource(raw_for(NL + name), source("eurlex_text_json", language="nl"))
    return d


def fixture(name: str, lang: str, url: str):
    raw = raw_from_bytes(url, (FIXTURES / name).read_bytes(), "application/json")
    (d,) = parse_resource(raw, source("eurlex_text_json", language=lang))
    return d


def children(d, pid: str) -> list[str]:
    return [p.id for p in d.provisions if p.parent_id == pid]


def structural_ids(d) -> set[str]:
    """Articles, paragraphs and points; subparagraphs only show in markup, not in plain text."""
    return {p.id for p in d.provisions if p.kind != "recital" and ".sub_" not in p.id}


# ---------------------------------------------------------------- SFDR 2019/2088 (NL)


@needs_mirror
def test_sfdr_nl_has_its_20_articles_with_headings():
    d = nl_text("L_2019317.32019R2088.text.json")
    assert d.id == "celex-32019R2088-nl" and d.short_title == "SFDR"
    assert [a.number for a in d.articles()] == [str(i) for i in range(1, 21)]
    assert len([p for p in d.provisions if p.kind == "recital"]) == 35
    heads = {a.number: a.heading for a in d.articles()}
    assert heads["2"] == "Definities"
    # as the 2019 OJ text words it (later versions say "ongunstige duurzaamheidseffecten")
    assert heads["4"] == "Transparantie van ongunstige effecten op de duurzaamheid op entiteitsniveau"
    assert heads["18"] == "Verslaglegging" and heads["20"] == "Inwerkingtreding en toepassing"


@needs_mirror
def test_sfdr_nl_definitions_paragraphs_and_points():
    d = nl_text("L_2019317.32019R2088.text.json")
    assert children(d, "art_2") == [f"art_2.pt_{i}" for i in range(1, 25)]  # definitions 1) to 24)
    assert children(d, "art_2.pt_1") == [f"art_2.pt_1.pt_{c}" for c in "abcdefghij"]
    assert d.provision("art_2.pt_3.pt_b").citation == "Artikel 2, punt 3, onder b"  # "; of b)" is a point too
    assert d.provision("art_2.pt_24").text.startswith('"duurzaamheidsfactoren"')
    assert children(d, "art_4") == [f"art_4.par_{i}" for i in range(1, 8)]
    assert d.provision("art_4.par_1.pt_b").citation == "Artikel 4, lid 1, punt b"
    assert d.provision("art_6.par_1.sub_2").text.startswith("Wanneer financiëlemarktdeelnemers")
    assert children(d, "art_11.par_1.pt_b") == ["art_11.par_1.pt_b.pt_i", "art_11.par_1.pt_b.pt_ii"]
    assert children(d, "art_20") == ["art_20.par_1", "art_20.par_2", "art_20.par_3"]
    assert "verbindend in al haar onderdelen" not in d.provision("art_20.par_3").text


@needs_mirror
def test_sfdr_nl_dates_come_from_article_20():
    d = nl_text("L_2019317.32019R2088.text.json")
    assert str(d.dates.entry_into_force) == "2019-12-29"
    applies = {(str(a.date), a.provision_id) for a in d.dates.application}
    assert ("2021-03-10", "art_20.par_2") in applies and ("2022-01-01", "art_20.par_3") in applies
    assert not any(a.provision_id.startswith("art_2.") for a in d.dates.application)


@needs_mirror
@pytest.mark.parametrize("xhtml,text", [
    (EN + "CELEX_32019R2088.xhtml", "L_2019317.32019R2088.text.json"),
    (FR + "CELEX_32019R2088.xhtml", "L_2019317.32019R2088.text.json"),
    (EN + "CELEX_32024R3084.xhtml", "L_202403084.32024R3084.text.json"),
])
def test_plain_text_gets_the_ids_of_the_xhtml(xhtml, text):
    (official,) = parse_resource(raw_for(xhtml), source("eurlex"))
    d = nl_text(text)
    assert structural_ids(d) == structural_ids(official)
    recitals = [[r.id for r in doc.provisions if r.kind == "recital"] for doc in (d, official)]
    assert recitals[0] == recitals[1]


# ---------------------------------------------------------------- SFDR RTS 2022/1288 (NL)


@needs_mirror
def test_sfdr_rts_articles_chapters_and_sections():
    d = nl_text("L_2022196.32022R1288.text.json")
    assert d.id == "celex-32022R1288-nl" and d.act_id == "eu-2022-1288-R" and d.short_title == "SFDR RTS"
    assert d.instrument_type == "delegated_regulation" and d.identifiers.number == "2022/1288"
    assert [a.number for a in d.articles()] == [str(i) for i in range(1, 69)]
    assert len([p for p in d.provisions if p.kind == "recital"]) == 40
    chapters = [p.id for p in d.provisions if p.kind == "chapter"]
    assert chapters == [f"cpt_{r}" for r in ("I", "II", "III", "IV", "V", "VI")]
    assert children(d, "cpt_V") == [f"cpt_V.sct_{i}" for i in range(1, 5)]
    assert d.provision("art_4").parent_id == "cpt_II.sct_1" and d.provision("art_68").parent_id == "cpt_VI"
    assert d.provision("cpt_II.sct_1").citation == "Hoofdstuk II, Afdeling 1"
    assert d.provision("art_5").heading == "Rubriek “Samenvatting”"
    assert children(d, "art_1") == [f"art_1.pt_{i}" for i in range(1, 7)]
    assert children(d, "art_5.sub_2") == ["art_5.sub_2.pt_a", "art_5.sub_2.pt_b"]  # a second list after the first
    assert str(d.dates.adopted) == "2022-04-06" and str(d.dates.entry_into_force) == "2022-08-14"
    assert [str(a.date) for a in d.dates.application] == ["2023-01-01"]


@needs_mirror
def test_sfdr_rts_annexes():
    d = nl_text("L_2022196.32022R1288.text.json")
    annexes = [p for p in d.provisions if p.kind == "annex"]
    numerals = ("I", "II", "III", "IV", "V")
    assert [(a.id, a.citation) for a in annexes] == [(f"anx_{r}", f"Bijlage {r}") for r in numerals]
    assert annexes[0].heading == ("Template voor de verklaring inzake de belangrijkste ongunstige effecten op de "
                                  "duurzaamheid")
    assert annexes[1].heading.startswith("Model voor de precontractuele informatieverschaffing")
    assert [p for p in children(d, "anx_I") if ".pt_" in p][-1] == "anx_I.pt_29"
    assert children(d, "anx_I.pt_18.pt_b") == [f"anx_I.pt_18.pt_b.pt_{r}" for r in ("i", "ii", "iii", "iv")]
    assert not any("Richtlijn 2009/147/EG van het Europees Parlement en de Raad van 30" in p.text for p in d.provisions)


# ---------------------------------------------------------------- other Dutch texts do not regress


@needs_mirror
def test_amending_articles_are_points_not_quoted_paragraphs():
    csrd = nl_text("L_2022322.32022L2464.text.json")
    assert [a.number for a in csrd.articles()] == [str(i) for i in range(1, 9)]
    assert children(csrd, "art_1") == [f"art_1.pt_{i}" for i in range(1, 18)]
    assert not any(p.startswith("art_3.par_") for p in children(csrd, "art_3"))  # "Artikel 25 quater … 1.   " is quoted
    assert children(csrd, "art_5.par_2.sub_3") == [f"art_5.par_2.sub_3.pt_{c}" for c in "abc"]
    nfrd = nl_text("L_2014330.32014L0095.text.json")
    assert children(nfrd, "art_1") == [f"art_1.pt_{i}" for i in range(1, 7)]
    assert nfrd.provision("art_1").heading == "Wijzigingen van Richtlijn 2013/34/EU"


def test_a_stray_quotation_mark_does_not_hide_the_rest_of_the_act():
    d = fixture("oj_nl_act.text.json", "nl", "https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:32099R0001")
    assert [a.number for a in d.articles()] == ["1", "2", "3"]  # “PP" in definition 1) is never closed
    assert children(d, "art_1.pt_2") == ["art_1.pt_2.pt_a", "art_1.pt_2.pt_b", "art_1.pt_2.pt_c"]
    assert d.provision("art_2").parent_id == "cpt_II.sct_1"
    assert children(d, "art_2.par_1") == ["art_2.par_1.pt_a", "art_2.par_1.pt_b", "art_2.par_1.sub_2"]
    assert children(d, "art_2.par_2.pt_b") == ["art_2.par_2.pt_b.pt_i", "art_2.par_2.pt_b.pt_ii"]
    assert "verbindend" not in d.provision("art_3").text and "Gedaan" not in d.provision("art_3").text
    assert [(a.id, a.heading) for a in d.provisions if a.kind == "annex"] == [
        ("anx_I", "Lijst van indicatoren"), ("anx_II", "Model voor periodieke verslagen")]
    assert d.provision("anx_I.pt_2").text == "“drempel”: een grens."  # the annex's footnotes are cut off


# ---------------------------------------------------------------- corrigenda


@needs_mirror
@pytest.mark.parametrize("name,number,citation", [
    ("L_2023056.corrigendum-32022L2464.text.json", "rct_37",
     "Rectificatie van overweging 37, derde alinea, voorlaatste zin"),
    ("L_2023084.corrigendum-32017R0821.text.json", "anx_I.prt_B",
     "Rectificatie van bijlage I, deel B “Metalen”, in de voetnoot"),
])
def test_dutch_corrigenda_are_cited_by_what_they_correct(name, number, citation):
    d = nl_text(name)
    assert d.instrument_type == "corrigendum"
    (item,) = d.provisions
    assert item.number == number and item.citation == citation and item.heading == citation
    assert item.text.startswith("Bladzijde") and "in plaats van:" in item.text and "lezen:" in item.text
    assert "Bladzijde" not in d.title and d.title.endswith(")")


@needs_mirror
def test_xhtml_corrigenda_are_split_into_their_items():
    (en,) = parse_resource(raw_for(EN + "CELEX_32024L1760R_02.xhtml"), source("eurlex", instrument_type="directive"))
    assert [(p.citation, p.number) for p in en.provisions] == [
        ("Correction to footnote 33", None), ("Correction to Article 6(1)", "art_6.par_1")]
    assert en.provisions[1].text.startswith("On page 32, in Article 6(1): for:") and "ELI:" not in en.provisions[1].text
    (fr,) = parse_resource(raw_for(FR + "CELEX_32024L1760R_01.xhtml"), source("eurlex", language="fr"))
    (item,) = fr.provisions
    assert item.citation == "Rectificatif à l’article 11, paragraphe 3, point c)" and item.number == "art_11.par_3.pt_c"
    assert not any("one block" in w for w in en.warnings + fr.warnings)


def test_corrigendum_fixture_one_provision_per_item():
    d = fixture("corrigendum_nl.text.json", "nl", "https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=OJ:L:2099:001:FULL")
    assert d.instrument_type == "corrigendum" and d.act_id == "eu-2019-2088-R"
    assert [(p.citation, p.number) for p in d.provisions] == [
        ("Rectificatie van artikel 2, punt 17", "art_2.pt_17"),
        ("Rectificatie van artikel 4, lid 6, tweede alinea", "art_4.par_6.sub_2"),
        ("Rectificatie van artikel 11, lid 1, punt b), ii)", "art_11.par_1.pt_b.pt_ii"),
        ("Rectificatie van voetnoot 4", None),
        ("Rectificatie van bijlage II, deel A", "anx_II.prt_A"),
    ]
    assert d.provisions[1].text == ("Bladzijde 12, artikel 4, lid 6, tweede alinea: in plaats van: “De ETA's verzoeken "
                                    "om bijdragen.”, lezen: “De ETA’s verzoeken, indien relevant, om bijdragen.”.")
    assert len({p.id for p in d.provisions}) == 5 and not d.warnings
    en = fixture("corrigendum_en.text.json", "en", "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:L:2099:002:FULL")
    assert [p.citation for p in en.provisions] == [
        "Correction to recital 12", "Correction to Article 4(1), point (a)",
        "Correction to Article 8(3), second subparagraph"]
    assert [p.number for p in en.provisions] == ["rct_12", "art_4.par_1.pt_a", "art_8.par_3.sub_2"]
    assert "ELI" not in en.provisions[-1].text


def test_a_corrigendum_without_items_is_kept_whole_with_a_citation():
    body = (b'{"url": "x", "content": "L 5/1 Rectificatie van Richtlijn (EU) 2022/2464 van het Europees Parlement '
            b'en de Raad ( Publicatieblad van de Europese Unie L 322 van 16 december 2022 ) Betreft alleen de '
            b'Nederlandse versie: de bijlage vervalt.", "source": "test"}')
    raw = raw_from_bytes("https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=OJ:L:2099:005:FULL", body,
                         "application/json")
    (d,) = parse_resource(raw, source("eurlex_text_json", language="nl"))
    (whole,) = d.provisions
    assert whole.citation == "Rectificatie (volledige tekst)" and "de bijlage vervalt" in whole.text
    assert any("not recognised" in w for w in d.warnings)


@pytest.mark.parametrize("location,lang,expected", [
    ("Article 3(1), point (a)", "en", "art_3.par_1.pt_a"),
    ("point (b) of Article 5(2)", "en", "art_5.par_2.pt_b"),
    ("Article 29(1), second subparagraph", "en", "art_29.par_1.sub_2"),
    ("article 2 bis, paragraphe 3", "fr", "art_2a.par_3"),
    ("point b) i) de l’article 5", "fr", "art_5.pt_b.pt_i"),
    ("artikel 1, punt 5", "nl", "art_1.pt_5"),
    ("overweging 37, derde alinea", "nl", "rct_37"),
    ("Annex II, Part A", "en", "anx_II.prt_A"),
    ("footnote 33", "en", None),
])
def test_correction_locations_name_the_corrected_provision(location, lang, expected):
    assert target_id(location, lang) == expected
