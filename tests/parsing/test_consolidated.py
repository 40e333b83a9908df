"""EUR-Lex consolidated texts (CELEX 0…) from ../shared/mirror: the same provision structure as the OJ act
wherever the text is the same, no amendment markers in the text, and the amending acts the header names."""
from __future__ import annotations

import re

import pytest
from parsing_mirror import MIRROR, manifest, raw_for, source

from indexer.parsing import link_documents, parse_resource

pytestmark = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")

EN = "eur-lex.europa.eu/legal-content/EN/TXT/"
FR = "eur-lex.europa.eu/legal-content/FR/TXT/"
CSDDD_2026 = "CELEX_02024L1760-20260318.html"  # after Omnibus I (M2, Directive (EU) 2026/470)
CSDDD_2025 = "CELEX_02024L1760-20250417.html"  # after stop-the-clock (M1, Directive (EU) 2025/794)

_cache: dict[str, object] = {}


def doc(path: str):
    if path not in _cache:
        _cache[path] = parse_resource(raw_for(path), source("eurlex"))[0]
    return _cache[path]


def skeleton(d, unit: str) -> list[tuple]:
    """Ids, kinds, numbers, citations and parents of a top-level provision and everything inside it."""
    return [(p.id, p.kind, p.number, p.citation, p.parent_id) for p in d.provisions
            if p.id == unit or p.id.startswith(unit + ".")]


def children(d, parent: str) -> list[str]:
    return [p.id for p in d.provisions if p.parent_id == parent]


CONSOLIDATED = sorted({row["local_path"] for row in manifest()
                       if re.search(r"/(EN|FR)/TXT/CELEX_0[^/]+\.x?html$", row["local_path"])})


# ---------------------------------------------------------------- annex points drawn as indented paragraphs

@pytest.mark.parametrize("lang,cite", [(EN, "Annex, Part I, Section 1, point (10)"),
                                       (FR, "Annexe, Partie I, Section 1, point 10)")])
def test_csddd_annex_points_are_points_with_their_subpoints(lang, cite):
    d = doc(lang + CSDDD_2026)
    pt = d.provision("anx_1.prt_I.sct_1.pt_10")
    assert pt is not None and pt.kind == "point" and pt.number == "10" and pt.citation == cite
    assert pt.parent_id == "anx_1.prt_I.sct_1" and pt.text and not pt.text.startswith("10")
    assert children(d, "anx_1.prt_I.sct_1.pt_10") == [f"anx_1.prt_I.sct_1.pt_10.pt_{x}" for x in "abcd"]
    assert all(d.provision(f"anx_1.prt_I.sct_1.pt_10.pt_{x}").kind == "subpoint" for x in "abcd")
    assert [i for i in children(d, "anx_1.prt_I.sct_1")] == [f"anx_1.prt_I.sct_1.pt_{n}" for n in range(1, 17)]
    # the indented paragraph after point 15's sub-points belongs to point 15, as in the OJ
    assert d.provision("anx_1.prt_I.sct_1.pt_15.txt_1") is not None
    assert not [p.id for p in d.provisions if p.id.startswith("anx_1") and p.kind == "text"
                and p.id != "anx_1.prt_I.sct_1.pt_15.txt_1"]


def test_csddd_annex_point_en_citations():
    d = doc(EN + CSDDD_2026)
    assert d.provision("anx_1.prt_I.sct_1.pt_10.pt_a").citation == "Annex, Part I, Section 1, point (10)(a)"
    assert d.provision("anx_1.prt_I.sct_1.pt_10.pt_a").text.startswith("all forms of slavery")
    assert d.provision("anx_1.prt_II.sct_1.pt_15.pt_a.pt_i").citation == "Annex, Part II, point (15)(a)(i)"


@pytest.mark.parametrize("lang", [EN, FR])
@pytest.mark.parametrize("version", [CSDDD_2025, CSDDD_2026])
def test_csddd_annex_has_the_oj_structure(lang, version):
    oj, cons = doc(lang + "CELEX_32024L1760.xhtml"), doc(lang + version)
    if lang == FR:  # the French consolidation (corrigendum R01) draws the first four instruments of Part I,
        # Section 2 as plain paragraphs, not dashes: compare the rest
        strip = lambda s: [t for t in s if not t[0].startswith("anx_1.prt_I.sct_2")]  # noqa: E731
        assert strip(skeleton(cons, "anx_1")) == strip(skeleton(oj, "anx_1"))
    else:
        assert skeleton(cons, "anx_1") == skeleton(oj, "anx_1")


# ---------------------------------------------------------------- unchanged articles: same structure as the OJ

@pytest.mark.parametrize("lang", [EN, FR])
@pytest.mark.parametrize("article", ["art_8", "art_10", "art_11", "art_3", "art_7", "art_29"])
def test_csddd_unchanged_articles_keep_the_oj_structure(lang, article):
    oj, cons = doc(lang + "CELEX_32024L1760.xhtml"), doc(lang + CSDDD_2025)
    assert skeleton(cons, article) == skeleton(oj, article)


@pytest.mark.parametrize("lang", [EN, FR])
@pytest.mark.parametrize("article", ["art_2", "art_3", "art_7", "art_12", "art_14", "art_15", "art_16", "art_25"])
def test_csddd_articles_omnibus_leaves_structurally_alone_keep_the_oj_structure(lang, article):
    oj, cons = doc(lang + "CELEX_32024L1760.xhtml"), doc(lang + CSDDD_2026)
    assert skeleton(cons, article) == skeleton(oj, article)


@pytest.mark.parametrize("lang", [EN, FR])
def test_quoted_points_of_an_amended_act_are_text_as_in_the_oj(lang):
    oj, cons = doc(lang + "CELEX_32024L1760.xhtml"), doc(lang + CSDDD_2026)
    assert skeleton(cons, "art_32") == skeleton(oj, "art_32")
    quoted = cons.provision("art_32.amd_pt_vii")  # the point Article 32 adds to the Whistleblower Directive's Annex
    assert quoted.amendment.quoted and quoted.amendment.act_celex == "32019L1937"


# ---------------------------------------------------------------- what the amending acts changed

@pytest.mark.parametrize("lang", [EN, FR])
def test_deleted_article_22_is_absent_only_after_omnibus(lang):
    assert doc(lang + CSDDD_2026).provision("art_22") is None
    before = doc(lang + CSDDD_2025)
    assert before.provision("art_22") is not None and before.provision("art_22.par_1").text


@pytest.mark.parametrize("lang", [EN, FR])
def test_article_29_paragraph_1_deleted_by_omnibus(lang):
    """Directive (EU) 2026/470, Art. 4(20)(a): "paragraph 1 is deleted". The consolidation draws it as
    "▼M2 —————"; the replaced paragraph 2 follows under its own ▼M2 marker and keeps its number."""
    after = doc(lang + CSDDD_2026)
    assert after.provision("art_29.par_1") is None
    assert children(after, "art_29")[0] == "art_29.par_2"
    assert after.provision("art_29.par_2").text.startswith(
        "Where a company is held liable" if lang == EN else "Lorsqu")
    assert after.provision("art_29.par_3.pt_d") is None and after.provision("art_29.par_3.pt_e") is not None
    before = doc(lang + CSDDD_2025)
    par1 = before.provision("art_29.par_1")
    assert par1 is not None and par1.kind == "paragraph" and par1.text
    assert [p.number for p in before.provisions if p.parent_id == "art_29.par_1" and p.kind == "point"] == ["a", "b"]


@pytest.mark.parametrize("path", CONSOLIDATED)
def test_no_amendment_markers_in_provisions(path):
    d = doc(path)
    leaks = [(p.id, f) for p in d.provisions for f in ("text", "heading", "number")
             if re.search(r"[▼►◄]|—————", getattr(p, f) or "")]
    assert not leaks


# ---------------------------------------------------------------- the header's amending acts and corrigenda

def stated(d, relation):
    return [(link.document_id, link.label) for link in d.links if link.relation == relation]


def test_csddd_header_amending_acts_and_corrigenda_en():
    d = doc(EN + CSDDD_2026)
    assert stated(d, "amended_by") == [("celex-32025L0794-en", "M1 Directive (EU) 2025/794"),
                                       ("celex-32026L0470-en", "M2 Directive (EU) 2026/470")]
    assert stated(d, "corrected_by") == [
        ("celex-32024L1760R02-en", "C1 Corrigendum, OJ L 90894, 10.11.2025, p. 1 (2024/1760)")]
    assert stated(doc(EN + CSDDD_2025), "amended_by") == [("celex-32025L0794-en", "M1 Directive (EU) 2025/794")]


def test_csddd_header_amending_acts_and_corrigenda_fr():
    d = doc(FR + CSDDD_2026)
    assert stated(d, "amended_by") == [("celex-32025L0794-fr", "M1 Directive (UE) 2025/794"),
                                       ("celex-32026L0470-fr", "M2 Directive (UE) 2026/470")]
    assert [i for i, _ in stated(d, "corrected_by")] == ["celex-32024L1760R01-fr", "celex-32024L1760R02-fr"]
    assert all(label.startswith(("C1 Rectificatif, JO L 90555", "C2 Rectificatif, JO L 90894"))
               for _, label in stated(d, "corrected_by"))


def test_header_names_implementing_and_amending_regulations():
    assert stated(doc(EN + "CELEX_02024R3084-20260717.html"), "amended_by") == [
        ("celex-32026R1565-en", "M1 Commission Implementing Regulation (EU) 2026/1565")]
    assert stated(doc(FR + "CELEX_02024R3084-20260717.html"), "amended_by") == [
        ("celex-32026R1565-fr", "M1 Règlement d’exécution (UE) 2026/1565")]
    assert [i for i, _ in stated(doc(EN + "CELEX_02019R2088-20260702.html"), "amended_by")] == [
        "celex-32020R0852-en", "celex-32023R2869-en", "celex-32024R3005-en"]


def test_oj_acts_state_no_amending_acts():
    assert doc(EN + "CELEX_32024L1760.xhtml").links == []


def test_relinking_keeps_the_header_links_and_links_back():
    files = [EN + "CELEX_32024L1760.xhtml", EN + CSDDD_2026, EN + "CELEX_32026L0470.xhtml",
             EN + "CELEX_32025L0794.xhtml", EN + "CELEX_32019R2088.xhtml", EN + "CELEX_02019R2088-20240109.html",
             EN + "CELEX_32020R0852.xhtml"]
    docs = [doc(f) for f in files]
    linked = {d.id: d for d in link_documents(docs)}
    again = {d.id: d for d in link_documents(list(linked.values()))}
    assert all(again[i].links == linked[i].links for i in linked)  # idempotent
    cons = linked["celex-02024L1760-20260318-en"]
    assert stated(cons, "amended_by") == stated(doc(EN + CSDDD_2026), "amended_by")
    assert [i for i, _ in stated(cons, "corrected_by")] == ["celex-32024L1760R02-en"]
    assert [link.document_id for link in cons.links if link.relation == "earlier_version"] == ["celex-32024L1760-en"]
    assert [link.document_id for link in linked["celex-32026L0470-en"].links if link.relation == "amends"] == [
        "celex-32024L1760-en"]
    # SFDR has no `amends:` entry for the Taxonomy Regulation: its consolidation's header provides the link
    sfdr = linked["celex-32019R2088-en"]
    assert "celex-32020R0852-en" in [link.document_id for link in sfdr.links if link.relation == "amended_by"]
    assert [link.document_id for link in linked["celex-32020R0852-en"].links if link.relation == "amends"] == [
        "celex-32019R2088-en"]


# ---------------------------------------------------------------- the other acts

@pytest.mark.parametrize("lang", [EN, FR])
def test_sfdr_older_page_without_eli_ids_has_paragraphs(lang):
    """The 2020-07-12 French page draws paragraphs as `<p class="norm">1.  …</p>` (no ELI ids)."""
    oj, cons = doc(lang + "CELEX_32019R2088.xhtml"), doc(lang + "CELEX_02019R2088-20200712.html")
    for article in ("art_1", "art_3", "art_4", "art_6", "art_7", "art_10", "art_19"):
        assert skeleton(cons, article) == skeleton(oj, article)
    inserted = cons.provision("art_8.par_2a")  # inserted by the Taxonomy Regulation (M1)
    assert inserted is not None and inserted.number == ("2a" if lang == EN else "2 bis")
    assert not cons.provision("art_20.par_3").text.startswith(("This Regulation shall be binding", "Le présent"))
    assert not [p for p in cons.provisions if re.match(r"^(This Regulation shall be binding|Le présent règlement est "
                                                         r"obligatoire)", p.text)]


@pytest.mark.parametrize("lang", [EN, FR])
def test_eudr_consolidation_before_2025_amendment_has_the_oj_structure(lang):
    oj, cons = doc(lang + "CELEX_32023R1115.xhtml"), doc(lang + "CELEX_02023R1115-20241226.html")
    units = sorted({p.id.split(".")[0] for p in oj.provisions if p.id.startswith(("art_", "anx_"))})
    assert len(units) == 38 + 2
    assert [u for u in units if skeleton(cons, u) != skeleton(oj, u)] == []


@pytest.mark.parametrize("lang", [EN, FR])
@pytest.mark.parametrize("version", ["CELEX_02023R1542-20230728.xhtml", "CELEX_02023R1542-20250731.html"])
def test_batteries_annexes_have_the_oj_structure(lang, version):
    oj, cons = doc(lang + "CELEX_32023R1542.xhtml"), doc(lang + version)
    annexes = sorted({p.id.split(".")[0] for p in oj.provisions if p.id.startswith("anx_")})
    assert len(annexes) == 15
    assert [a for a in annexes if skeleton(cons, a) != skeleton(oj, a)] == []
    # "5. Quality system" (a level-4 heading) holds numbered points 5.1 … 5.10 and their own points
    assert cons.provision("anx_VIII.prt_B.sct_5").heading in ("Quality system", "Système de qualité")
    assert children(cons, "anx_VIII.prt_B.sct_5.pt_6")[:2] == ["anx_VIII.prt_B.sct_5.pt_6.pt_1",
                                                                "anx_VIII.prt_B.sct_5.pt_6.pt_2"]
    assert cons.provision("anx_XIV.pt_3.pt_a") is not None  # the points of "Step 1: Testing"


@pytest.mark.parametrize("lang", [EN, FR])
def test_eudr_information_system_unchanged_articles_keep_the_oj_structure(lang):
    oj, cons = doc(lang + "CELEX_32024R3084.xhtml"), doc(lang + "CELEX_02024R3084-20260717.html")
    for article in ("art_1", "art_4", "art_5", "art_7", "art_8", "art_11", "art_12", "art_16", "art_19"):
        assert skeleton(cons, article) == skeleton(oj, article)
    assert cons.provision("art_15a") is not None  # inserted by Implementing Regulation (EU) 2026/1565
