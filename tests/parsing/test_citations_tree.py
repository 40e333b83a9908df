"""Human citations from the provision tree (indexer/parsing/tree.py `cite`) and the ESRS standards
(indexer/parsing/markdown_law.py) on the real Markdown conversion of Delegated Regulation (EU) 2023/2772."""
from __future__ import annotations

from collections import Counter

import pytest
from parsing_mirror import MIRROR, raw_for, source

from indexer.parsing import parse_resource
from indexer.parsing.markdown_law import _run
from indexer.parsing.tree import ORDINALS, Node, flatten, ordinal

needs_mirror = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")
ESRS_MD = "eur-lex.europa.eu/eli/reg_del/2023/2772/oj/eng.derived.md"


def article(number: str = "8") -> Node:
    """Article 8: paragraph 1 with a second subparagraph holding points, paragraph 2 with points and subpoints."""
    par1 = Node("paragraph", number="1", text="Member States shall ensure ...")
    sub2 = Node("subparagraph", number="2", text="The plan shall contain:")
    sub2.children += [Node("point", number="a", text="targets;")]
    par1.children.append(sub2)
    par2 = Node("paragraph", number="2", text="Companies shall:")
    pa = Node("point", number="a", text="map;")
    pa.children += [Node("point", number="i", text="upstream;"), Node("point", number="ii", text="downstream;")]
    pa.children[0].children.append(Node("indent", text="first;"))
    par2.children += [pa, Node("point", number="b", text="assess.")]
    art = Node("article", number=number, heading="Identifying")
    art.children += [par1, par2]
    return art


def citations(roots: list[Node], style: str) -> dict[str, str]:
    provisions, warnings = flatten(roots, style)
    assert not warnings
    return {p.id: p.citation for p in provisions}


@pytest.mark.parametrize(
    "style, expected",
    [
        (
            "en",
            {
                "art_8": "Article 8",
                "art_8.par_1": "Article 8(1)",
                "art_8.par_1.sub_2": "Article 8(1), second subparagraph",
                "art_8.par_1.sub_2.pt_a": "Article 8(1), second subparagraph, point (a)",
                "art_8.par_2.pt_a": "Article 8(2), point (a)",
                "art_8.par_2.pt_a.pt_i": "Article 8(2), point (a)(i)",
                "art_8.par_2.pt_a.pt_i.ind_1": "Article 8(2), point (a)(i), first indent",
            },
        ),
        (
            "fr",
            {
                "art_8.par_1": "Article 8, paragraphe 1",
                "art_8.par_1.sub_2": "Article 8, paragraphe 1, deuxième alinéa",
                "art_8.par_2.pt_a": "Article 8, paragraphe 2, point a)",
                "art_8.par_2.pt_a.pt_i": "Article 8, paragraphe 2, point a) i)",
                "art_8.par_2.pt_a.pt_i.ind_1": "Article 8, paragraphe 2, point a) i), premier tiret",
            },
        ),
        (
            "nl",
            {
                "art_8.par_1": "Artikel 8, lid 1",
                "art_8.par_1.sub_2": "Artikel 8, lid 1, tweede alinea",
                "art_8.par_2.pt_a": "Artikel 8, lid 2, punt a",
                "art_8.par_2.pt_a.pt_i": "Artikel 8, lid 2, punt a, onder i",
            },
        ),
        (
            "nl_national",
            {
                "art_8.par_1": "Artikel 8, eerste lid",
                "art_8.par_1.sub_2": "Artikel 8, eerste lid, tweede alinea",
                "art_8.par_2.pt_a": "Artikel 8, tweede lid, onderdeel a",
                "art_8.par_2.pt_a.pt_i": "Artikel 8, tweede lid, onderdeel a, onder i",
            },
        ),
    ],
)
def test_article_citations_at_every_depth(style, expected):
    got = citations([article()], style)
    assert {k: got[k] for k in expected} == expected


def test_annex_citations():
    annex = Node("annex")
    part = Node("part", number="I", heading="Part I")
    section = Node("section", number="1", heading="RIGHTS")
    point = Node("point", number="10", text="The prohibition of the worst forms of child labour")
    point.children.append(Node("point", number="a", text="slavery"))
    section.children.append(point)
    part.children.append(section)
    annex.children.append(part)
    got = citations([annex], "en")
    assert got == {"anx_1": "Annex", "anx_1.prt_I": "Annex, Part I", "anx_1.prt_I.sct_1": "Annex, Part I, Section 1",
                   "anx_1.prt_I.sct_1.pt_10": "Annex, Part I, Section 1, point (10)",
                   "anx_1.prt_I.sct_1.pt_10.pt_a": "Annex, Part I, Section 1, point (10)(a)"}
    assert citations([Node("annex", number="II")], "nl")["anx_II"] == "Bijlage II"


def test_ordinals_beyond_twenty():
    for lang in ("en", "nl"):
        assert len(ORDINALS[lang]) == 99 and len(set(ORDINALS[lang])) == 99
    assert [ordinal(n, "en") for n in (1, 2, 20, 21, 22, 23, 30, 42, 99)] == [
        "first", "second", "twentieth", "twenty-first", "twenty-second", "twenty-third", "thirtieth", "forty-second",
        "ninety-ninth"]
    assert [ordinal(n, "nl") for n in (21, 22, 23, 30, 31)] == [
        "eenentwintigste", "tweeëntwintigste", "drieëntwintigste", "dertigste", "eenendertigste"]
    assert [ordinal(n, "fr") for n in (1, 21, 22, 30)] == ["premier", "vingt et unième", "vingt-deuxième", "trentième"]
    art = Node("article", number="3", text="Directive 2006/43/EC is amended as follows:")
    art.extend([f"text {i}" for i in range(2, 23)])
    assert citations([art], "en")["art_3.sub_21"] == "Article 3, twenty-first subparagraph"


def test_esrs_citations_name_the_standard():
    annex = Node("annex", number="I")
    std = Node("part", number="ESRS E1", heading="Climate change")
    dr = Node("section", number="E1-1", heading="Disclosure Requirement E1-1 – Transition plan")
    par = Node("paragraph", number="16", text="The information required by paragraph 14 shall include:")
    par.children.append(Node("point", number="a", text="by reference to GHG emission reduction targets"))
    par.children[0].children.append(Node("point", number="i", text="..."))
    dr.children.append(par)
    appendix = Node("section", number="Appendix A", heading="Appendix A: Application Requirements")
    heading = Node("heading", heading="Disclosure Requirement E1-3 – Actions")
    heading.children.append(Node("paragraph", number="AR 21", text="In line with the requirements of ESRS 2 MDR-A"))
    appendix.children.append(heading)
    chapter = Node("subsection", number="3.1", heading="3.1 Stakeholders")
    std.children += [dr, appendix, chapter]
    annex.children.append(std)
    got = citations([annex], "en")
    assert got == {
        "anx_I": "Annex I", "anx_I.prt_ESRSE1": "ESRS E1",
        "anx_I.prt_ESRSE1.sct_E11": "ESRS E1, Disclosure Requirement E1-1",
        "anx_I.prt_ESRSE1.sct_E11.par_16": "ESRS E1, paragraph 16",
        "anx_I.prt_ESRSE1.sct_E11.par_16.pt_a": "ESRS E1, paragraph 16(a)",
        "anx_I.prt_ESRSE1.sct_E11.par_16.pt_a.pt_i": "ESRS E1, paragraph 16(a)(i)",
        "anx_I.prt_ESRSE1.sct_AppendixA": "ESRS E1, Appendix A",
        "anx_I.prt_ESRSE1.sct_AppendixA.hd_1": "ESRS E1, Appendix A",
        "anx_I.prt_ESRSE1.sct_AppendixA.hd_1.par_AR21": "ESRS E1, AR 21",
        "anx_I.prt_ESRSE1.sbs_31": "ESRS E1, section 3.1",
    }


def test_paragraph_runs_skip_tables_of_contents_and_tolerate_lost_numbers():
    # a contents list 1-6, then the real paragraphs 1-20 with 9-14 lost by the conversion and a stray "2."
    lines = [(i, n) for i, n in enumerate([1, 2, 3, 4, 5, 6])]
    real = [1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 2, 17, 18, 19, 20]
    lines += [(100 + i, n) for i, n in enumerate(real)]
    run = _run(lines)
    assert sorted(run.values()) == [1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 18, 19, 20]
    assert all(line >= 100 for line in run) and 110 not in run  # the stray "2." is not a paragraph
    assert _run([]) == {} and _run([(0, 40), (1, 41)]) == {}     # a run must start near 1


# ---------------------------------------------------------------- ESRS on the real file


@pytest.fixture(scope="module")
def esrs():
    (d,) = parse_resource(raw_for(ESRS_MD), source("markdown_law", instrument_type="delegated_regulation"))
    return d


def _standard_of(d, p):
    by_id = {q.id: q for q in d.provisions}
    while p is not None and p.kind != "part":
        p = by_id.get(p.parent_id)
    return p


@needs_mirror
def test_esrs_has_its_twelve_standards(esrs):
    assert esrs.identifiers.celex == "32023R2772" and esrs.short_title == "ESRS" and not esrs.warnings
    assert [a.number for a in esrs.articles()] == ["1", "2"]
    standards = [p for p in esrs.provisions if p.kind == "part"]
    assert [p.citation for p in standards] == [
        "ESRS 1",
        "ESRS 2",
        "ESRS E1",
        "ESRS E2",
        "ESRS E3",
        "ESRS E4",
        "ESRS E5",
        "ESRS S1",
        "ESRS S2",
        "ESRS S3",
        "ESRS S4",
        "ESRS G1",
    ]
    assert standards[2].heading == "Climate change" and all(p.parent_id == "anx_I" for p in standards)
    assert esrs.provision("anx_II").citation == "Annex II"
    # each glossary entry of Annex II is cited by the term it defines, not as "Annex II" 183 times over
    entry = next(p for p in esrs.provisions if p.parent_id == "anx_II" and p.heading == "Stakeholder engagement")
    assert entry.citation == "Annex II, ‘Stakeholder engagement’"
    glossary = [p.citation for p in esrs.provisions if p.parent_id == "anx_II" and p.kind == "section"]
    assert len(set(glossary)) > 0.95 * len(glossary)
    assert len({p.id for p in esrs.provisions}) == len(esrs.provisions)


@needs_mirror
def test_esrs_paragraphs_and_application_requirements(esrs):
    paragraphs, ars = Counter(), Counter()
    for p in esrs.provisions:
        if p.kind == "paragraph":
            std = _standard_of(esrs, p)
            (ars if p.number.startswith("AR") else paragraphs)[std.number] += 1
            expected = (
                f"{std.number}, {p.number}" if p.number.startswith("AR") else f"{std.number}, paragraph {p.number}"
            )
            assert p.citation == expected
    # what the conversion keeps numbered (the official texts have about 700 paragraphs and 570 ARs)
    assert sum(paragraphs.values()) >= 600 and sum(ars.values()) >= 500
    assert all(
        paragraphs[f"ESRS {c}"] >= 25 for c in ("1", "2", "E1", "E2", "E3", "E4", "E5", "S1", "S2", "S3", "S4", "G1")
    )
    assert paragraphs["ESRS E1"] == 70 and ars["ESRS E1"] == 81


@needs_mirror
def test_esrs_provisions_as_cited(esrs):
    by_citation = {}
    for p in esrs.provisions:
        by_citation.setdefault(p.citation, p)
    assert by_citation["ESRS 1, paragraph 3"].text.startswith("The objective of this Standard (ESRS 1)")
    assert by_citation["ESRS E1, paragraph 14"].text.startswith("The undertaking shall disclose its transition plan")
    assert by_citation["ESRS E1, AR 21"].text.startswith("In line with the requirements of ESRS 2 MDR-A")
    assert by_citation["ESRS E1, paragraph 16(a)"].text.startswith("by reference to GHG emission reduction targets")
    assert [p.number for p in esrs.provisions if p.parent_id == by_citation["ESRS E1, paragraph 16"].id
            and p.kind == "point"] == list("abcdefghij")
    dr = by_citation["ESRS S1, Disclosure Requirement S1-1"]
    assert dr.heading.startswith("Disclosure Requirement S1-1") and dr.kind == "section"
    assert by_citation["ESRS 2, Disclosure Requirement SBM-3"].kind == "section"
    assert by_citation["ESRS 1, section 3.1"].heading.startswith("3.1 Stakeholders")
    # paragraph 14 sits in Disclosure Requirement E1-1, its heading is on the way there
    assert by_citation["ESRS E1, paragraph 14"].parent_id == by_citation["ESRS E1, Disclosure Requirement E1-1"].id


# ---------------------------------------------------------------- short forms for cards and exports


@pytest.mark.parametrize("citation, short", [
    # "Article" → "Art."; a point right after the article or paragraph joins it
    ("Article 8", "Art. 8"),
    ("Article 8(2), point (a)", "Art. 8(2)(a)"),
    ("Article 3(1), point (a)(iii), first indent", "Art. 3(1)(a)(iii), first indent"),
    ("Article 3, point (a)", "Art. 3(a)"),
    ("Article 8 (2)", "Art. 8(2)"),
    # the first subparagraph is the paragraph itself; later ones stay, with their points spelled out
    ("Article 3(1), first subparagraph, point (b)", "Art. 3(1)(b)"),
    ("Article 22(2), second subparagraph", "Art. 22(2), second subparagraph"),
    ("Article 32, second subparagraph", "Art. 32, second subparagraph"),
    ("Article 10(1), second subparagraph, point (a)", "Art. 10(1), second subparagraph, point (a)"),
    # Dutch: "artikel" in lower case; national "onderdeel a" → "onder a", a point in it "sub"
    ("Artikel 5, eerste lid, onderdeel a", "artikel 5, eerste lid, onder a"),
    ("Artikel 5, onderdeel a", "artikel 5, onder a"),
    ("Artikel 2, tweede lid", "artikel 2, tweede lid"),
    ("Artikel 1, onderdeel a, onder 1", "artikel 1, onder a, sub 1°"),
    ("Artikel 5, eerste lid, onderdeel b, onder ii", "artikel 5, eerste lid, onder b, sub ii"),
    ("Artikel 8, lid 2, punt a", "artikel 8, lid 2, punt a"),
    # French keeps its own way after "Art."
    ("Article 8, paragraphe 2, point a)", "Art. 8, paragraphe 2, point a)"),
    # annexes and recitals are short already
    ("Annex I", "Annex I"),
    ("Annex, Part I, Section 1, point (10)", "Annex, Part I, Section 1, point (10)"),
    ("Annex, Part I, Section 1, point (10)(a)", "Annex, Part I, Section 1, point (10)(a)"),
    ("Recital 12", "Recital 12"),
    ("Overweging 12", "Overweging 12"),
    # ESRS: a disclosure requirement by its code
    ("ESRS E1, AR 21", "ESRS E1, AR 21"),
    ("ESRS E1, paragraph 16(a)", "ESRS E1, paragraph 16(a)"),
    ("ESRS S1, Disclosure Requirement S1-1", "ESRS S1-1"),
    ("ESRS 2, Disclosure Requirement SBM-3", "ESRS 2 SBM-3"),
    ("", ""),
])
def test_short_citations(citation, short):
    from search_app.present import short_citation

    assert short_citation(citation) == short


@needs_mirror
def test_short_citations_of_esrs_are_found_again(esrs):
    """A short form on a card, typed into the search box, opens the same provision."""
    from indexer.search.citations import document_cite_keys, parse_citation
    from search_app.present import short_citation

    keys = document_cite_keys(esrs.provisions)
    owner = {}
    for pid, key in keys.items():
        if key:
            owner.setdefault(key, pid)
    for p in esrs.provisions:
        if keys[p.id] and p.kind in ("part", "section", "paragraph", "point"):
            ref = parse_citation(short_citation(p.citation) if p.citation.startswith("ESRS") else f"ESRS {p.citation}")
            assert ref is not None, p.citation
            assert keys[next(owner[k] for k in ref.fallbacks() if k in owner)] == keys[p.id], p.citation
