"""Citation look-up at every depth: typed citations and provisions meet on one canonical key
(indexer/search/citations.py; the key scheme is in its docstring).

The unit tests need nothing; the corpus tests use the offline mirror as `regkb crawl` parses it
(tests/analysis/mirror_corpus.py) and skip loudly without it.
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace as P

import pytest

from indexer.search.base import SearchRequest
from indexer.search.citations import (
    CitationRef,
    Seg,
    chain_key,
    document_cite_keys,
    ordinal_tok,
    parse_citation,
    render,
    tok,
    variants,
)
from indexer.search.embedded import EmbeddedBackend
from indexer.search.records import (
    LoadReport,
    _ProvisionIndex,
    read_documents,
    records_for,
)
from regkb.settings import DataDir
from search_app.present import short_citation

# ---------------------------------------------------------------- typed citations → keys

CITATIONS = [
    # (query, instrument, the citation's own keys (first = cite_key), language)
    ("CSDDD art 8", "CSDDD", ["8"], None),
    ("CSDDD Article 8(2)", "CSDDD", ["8(2)", "8,(2)"], "en"),
    ("WZK artikel 5", "WZK", ["5"], "nl"),
    ("EUDR art. 3", "EUDR", ["3"], None),
    ("CSDDD art 8(2)(a)", "CSDDD", ["8(2)(a)", "8,(2)(a)"], None),
    ("CSDDD Article 8(2)(a)", "CSDDD", ["8(2)(a)", "8,(2)(a)"], "en"),
    ("Article 8(2)(a) CSDDD", "CSDDD", ["8(2)(a)", "8,(2)(a)"], "en"),
    ("art. 8(2)(a) of the CSDDD", "CSDDD", ["8(2)(a)", "8,(2)(a)"], None),
    ("point (a) of Article 8(2) CSDDD", "CSDDD", ["8(2)(a)", "8,(2)(a)"], "en"),
    ("CSDDD Article 8, paragraphe 2, point a)", "CSDDD", ["8(2)(a)"], None),
    ("CSDDD artikel 8, lid 2, punt a", "CSDDD", ["8(2)(a)"], "nl"),
    ("CSDDD Article 22(2), second subparagraph", "CSDDD", ["22(2)¶2"], "en"),
    ("CSDDD Article 10(1), second subparagraph, point (a)", "CSDDD", ["10(1)¶2(a)", "10(1)(a)"], "en"),
    ("CSDDD Article 3(1), first subparagraph, point (b)", "CSDDD", ["3(1)(b)", "3,(1)(b)"], "en"),
    ("CSDDD Art. 3(1)(g)", "CSDDD", ["3(1)(g)", "3,(1)(g)"], None),
    ("CSDDD Article 3(1), point (a)(iii), first indent", "CSDDD", ["3(1)(a)(iii)-1", "3,(1)(a)(iii)-1"], "en"),
    ("CSDDD Annex I, Part I, point 10", "CSDDD", ["anx:1/p1(10)"], "en"),
    ("CSDDD Annex, Part I, Section 1, point (10)", "CSDDD", ["anx:1/p1/s1(10)", "anx:1/p1(10)"], "en"),
    ("CSDDD Bijlage I, deel I, punt 10", "CSDDD", ["anx:1/p1(10)"], "nl"),
    ("CSDDD Annexe, partie I, section 1, point 10)", "CSDDD", ["anx:1/p1/s1(10)", "anx:1/p1(10)"], "fr"),
    ("CSDDD Annex, Part I, Section 2, first indent", "CSDDD", ["anx:1/p1/s2-1", "anx:1/p1-1"], "en"),
    ("WZK artikel 5, eerste lid, onder a", "WZK", ["5(1)(a)"], "nl"),
    ("WZK art. 5 lid 1 sub a", "WZK", ["5(1)(a)"], "nl"),
    ("WZK artikel 5, lid 1, onder a", "WZK", ["5(1)(a)"], "nl"),
    ("WZK artikel 5, eerste lid, aanhef en onder a", "WZK", ["5(1)(a)"], "nl"),
    ("artikel 5, eerste lid, onder a, van de Wet zorgplicht kinderarbeid", "WZK", ["5(1)(a)"], "nl"),
    ("Wet zorgplicht kinderarbeid artikel 5, lid 1", "WZK", ["5(1)"], "nl"),
    ("CSRD artikel 1, punt 5", "CSRD", ["1,(5)"], "nl"),
    ("EUDR art. 3, point (a)", "EUDR", ["3,(a)"], None),          # "point" is English and French
    ("EUDR Art. 2(13)", "EUDR", ["2(13)", "2,(13)"], None),
    ("CSDDD recital 12", "CSDDD", ["rct:12"], "en"),
    ("CSDDD overweging 12", "CSDDD", ["rct:12"], "nl"),
    ("CSDDD considérant 12", "CSDDD", ["rct:12"], "fr"),
    ("CSDDD Chapter II", "CSDDD", ["cpt:2"], "en"),
    ("CSDDD Article 2 bis", "CSDDD", ["2a"], "en"),
    ("ESRS E1, AR 21", "ESRS", ["esrs:e1/ar21"], None),
    ("ESRS E1 AR 21", "ESRS", ["esrs:e1/ar21"], None),
    ("ESRS E1, Appendix A, AR 21", "ESRS", ["esrs:e1/appa/ar21", "esrs:e1/ar21"], None),
    ("ESRS 1, paragraph 3", "ESRS", ["esrs:1/3"], "en"),
    ("ESRS E1, paragraph 16(a)", "ESRS", ["esrs:e1/16(a)"], "en"),
    ("ESRS E1-1, paragraph 14", "ESRS", ["esrs:e1/dr:e1-1/14", "esrs:e1/14"], "en"),
    ("ESRS E1", "ESRS", ["esrs:e1"], None),
    ("ESRS E1-6", "ESRS", ["esrs:e1/dr:e1-6"], None),
    ("ESRS 2 SBM-3", "ESRS", ["esrs:2/dr:sbm-3"], None),
    ("ESRS S1, Disclosure Requirement S1-1", "ESRS", ["esrs:s1/dr:s1-1"], None),
    ("ESRS 1, section 3.1", "ESRS", ["esrs:1/s3.1"], "en"),
    ("ESRS 1, chapter 3", "ESRS", ["esrs:1/s3"], "en"),
    ("Regulation 2023/1542 Article 77(1)", "BATT", ["77(1)", "77,(1)"], "en"),
    ("richtlijn 2024/1760 artikel 27 lid 4", "CSDDD", ["27(4)"], "nl"),
    ("article 10, paragraphe 2, point b), de la directive 2024/1760", "CSDDD", ["10(2)(b)"], None),
    ("artikel 2 Instellingsbesluit NCP", "NCP-2014", ["2"], "nl"),   # the name its source gives it → the act's
    ("art. 5 Instellingsbesluit NCP 2014", "NCP-2014", ["5"], None),  # the citation title its own Art. 12 gives it
    ("Article 3 Worst Forms of Child Labour Convention, 1999 (No. 182)", "ILO C182", ["3"], "en"),
    ("Taxonomy Regulation art 18", "TAXO", ["18"], None),
]


@pytest.mark.parametrize("query, instrument, keys, language", CITATIONS)
def test_typed_citations_give_canonical_keys(query, instrument, keys, language):
    ref = parse_citation(query)
    assert ref is not None, query
    assert (ref.instrument, list(ref.keys), ref.language) == (instrument, keys, language)
    assert ref.cite_key == keys[0]


@pytest.mark.parametrize("query, groups", [
    ("CSDDD art 8(2)(a)", [["8(2)(a)", "8,(2)(a)"], ["8(2)", "8,(2)"], ["8"]]),
    ("CSDDD Article 22(2), second subparagraph", [["22(2)¶2"], ["22(2)"], ["22"]]),
    ("CSDDD Annex, Part I, Section 1, point (10)",
     [["anx:1/p1/s1(10)", "anx:1/p1(10)"], ["anx:1/p1/s1"], ["anx:1/p1"], ["anx:1"]]),
    ("ESRS E1, AR 21", [["esrs:e1/ar21"], ["esrs:e1"]]),
    ("CSDDD recital 12", [["rct:12"]]),
])
def test_fallbacks_go_from_the_citation_to_its_enclosing_levels(query, groups):
    ref = parse_citation(query)
    assert ref.fallback_groups() == groups
    assert ref.fallbacks() == [k for g in groups for k in g]


@pytest.mark.parametrize("query", [
    "article on remediation", "climate transition plan", "due diligence article 8", "CSDDD", "article 8",
    "FOO art 3", "CSDDD remediation", "CSDDD art 8 remediation", "ESRS E1 climate", "EUDR art", "CSDDD 8(2)",
    "CSDDD point (a)", "CSDDD art 8 part 2", "regulation on deforestation", "x" * 300, "",
])
def test_ordinary_searches_are_not_citations(query):
    assert parse_citation(query) is None


def test_backward_compatible_attributes():
    ref = parse_citation("CSDDD Article 8(2)(a)")
    assert (ref.instrument, ref.article, ref.paragraph) == ("CSDDD", "8", "2")
    assert ref.steps == (("article", "8"), ("para?", "2"), ("point", "a"))
    annex = parse_citation("CSDDD Annex I, Part I, point 10")
    assert (annex.article, annex.paragraph) == (None, None)
    legacy = CitationRef("CSDDD", "8", "2", "en")  # as an engine that only knows the article/paragraph builds it
    assert legacy.cite_key == "8(2)" and legacy.fallbacks() == ["8(2)", "8"]
    assert CitationRef("CSDDD", "8", None, None).fallbacks() == ["8"]


# ---------------------------------------------------------------- the key itself


def test_numbers_normalise():
    assert [tok(n) for n in ("(a)", "2.", "2 bis", "1°", "AR 21", "IV")] == ["a", "2", "2a", "1", "ar21", "iv"]
    assert [ordinal_tok(n) for n in ("I", "IV", "XIII", "VIa", "A", "3", "C")] == ["1", "4", "13", "6a", "a", "3", "c"]


def test_render_and_variants():
    segs = (Seg("article", "22"), Seg("paragraph", "1"), Seg("subparagraph", "2", True), Seg("point", "a"))
    assert [render(v) for v in variants(segs)] == ["22(1)¶2(a)", "22(1)(a)"]
    article_point = (Seg("article", "32"), Seg("subparagraph", "2", True), Seg("point", "a"))
    assert [render(v) for v in variants(article_point)] == ["32¶2(a)", "32,(a)"]
    assert render((Seg("annex", "1"), Seg("part", "1"), Seg("section", "1", True), Seg("point", "10"),
                   Seg("point", "a"))) == "anx:1/p1/s1(10)(a)"
    assert render((Seg("standard", "e1"), Seg("dr", "e1-1", True), Seg("paragraph", "16"), Seg("point", "a"))) \
        == "esrs:e1/dr:e1-1/16(a)"
    assert render(()) is None


@pytest.mark.parametrize("chain, key", [
    ([("article", "8", "art_8")], "8"),
    ([("chapter", "II", "cpt_II"), ("article", "8", "art_8"), ("paragraph", "2", "art_8.par_2")], "8(2)"),
    ([("article", "8", "art_8"), ("paragraph", "2", "art_8.par_2"), ("point", "a", "art_8.par_2.pt_a")], "8(2)(a)"),
    ([("article", "3", "art_3"), ("point", "a", "art_3.pt_a")], "3,(a)"),
    ([("article", "22", "a"), ("paragraph", "2", "b"), ("subparagraph", "2", "c")], "22(2)¶2"),
    ([("article", "3", "a"), ("paragraph", "1", "b"), ("point", "a", "c"), ("subpoint", "iii", "d"),
      ("indent", "1", "e")], "3(1)(a)(iii)-1"),
    ([("article", "2 bis", "art_2a")], "2a"),
    ([("recital", "12", "rct_12")], "rct:12"),
    ([("annex", None, "anx_1"), ("part", "I", "anx_1.prt_I"), ("section", "1", "anx_1.prt_I.sct_1"),
      ("point", "10", "anx_1.prt_I.sct_1.pt_10")], "anx:1/p1/s1(10)"),
    ([("annex", "XIII", "anx_XIII")], "anx:13"),
    ([("chapter", "II", "cpt_II")], "cpt:2"),
    ([("annex", "I", "anx_I"), ("part", "ESRS E1", "anx_I.prt_ESRSE1"), ("section", "E1-1", "x"),
      ("paragraph", "16", "y"), ("point", "a", "z")], "esrs:e1/dr:e1-1/16(a)"),
    ([("annex", "I", "anx_I"), ("part", "ESRS E1", "anx_I.prt_ESRSE1"), ("heading", None, "h"),
      ("paragraph", "AR 21", "p")], "esrs:e1/ar21"),
    ([("article", "5", "art_5"), ("text", None, "art_5.txt_1")], None),       # a text block is not citable
    ([("section", None, "sct_1")], None),                                     # nor an unnumbered heading
])
def test_chain_keys(chain, key):
    assert chain_key([P(kind=k, number=n, id=i) for k, n, i in chain]) == key


def _provisions(rows):
    return [P(id=i, kind=k, number=n, parent_id=parent) for i, k, n, parent in rows]


def test_a_document_leaves_out_optional_levels_only_where_unambiguous():
    doc = _provisions([
        ("anx_1", "annex", None, None), ("anx_1.prt_I", "part", "I", "anx_1"),
        ("anx_1.prt_I.sct_1", "section", "1", "anx_1.prt_I"),
        ("anx_1.prt_I.sct_1.pt_10", "point", "10", "anx_1.prt_I.sct_1"),
        ("anx_1.prt_II", "part", "II", "anx_1"),
        ("anx_1.prt_II.sct_1", "section", "1", "anx_1.prt_II"),
        ("anx_1.prt_II.sct_1.pt_a", "point", "a", "anx_1.prt_II.sct_1"),
        ("anx_1.prt_II.sct_2", "section", "2", "anx_1.prt_II"),
        ("anx_1.prt_II.sct_2.pt_a", "point", "a", "anx_1.prt_II.sct_2"),
        ("art_22", "article", "22", None), ("art_22.par_1", "paragraph", "1", "art_22"),
        ("art_22.par_1.sub_2", "subparagraph", "2", "art_22.par_1"),
        ("art_22.par_1.sub_2.pt_a", "point", "a", "art_22.par_1.sub_2"),
        ("art_10", "article", "10", None), ("art_10.par_1", "paragraph", "1", "art_10"),
        ("art_10.par_1.pt_a", "point", "a", "art_10.par_1"),
        ("art_10.par_1.sub_2", "subparagraph", "2", "art_10.par_1"),
        ("art_10.par_1.sub_2.pt_a", "point", "a", "art_10.par_1.sub_2"),
        ("art_10.par_1.txt_1", "text", None, "art_10.par_1"),
    ])
    keys = document_cite_keys(doc)
    assert keys["anx_1"] == "anx:1" and keys["anx_1.prt_I.sct_1"] == "anx:1/p1/s1"
    assert keys["anx_1.prt_I.sct_1.pt_10"] == "anx:1/p1(10)"            # Part I has one point 10
    assert keys["anx_1.prt_II.sct_1.pt_a"] == "anx:1/p2/s1(a)"          # Part II has two points (a)
    assert keys["anx_1.prt_II.sct_2.pt_a"] == "anx:1/p2/s2(a)"
    assert keys["art_22.par_1.sub_2.pt_a"] == "22(1)(a)"                # "Article 22(1)(a)" as lawyers write it
    assert keys["art_10.par_1.pt_a"] == "10(1)(a)"                      # ... unless the first subparagraph has one
    assert keys["art_10.par_1.sub_2.pt_a"] == "10(1)¶2(a)"
    assert keys["art_10.par_1.txt_1"] is None


# ---------------------------------------------------------------- real documents


@pytest.fixture(scope="module")
def mirror_documents():
    from analysis.mirror_corpus import (
        crawled_mirror,  # crawls ../shared/mirror once per session (skips without it)
    )

    report = LoadReport()
    docs = {d.id: d for d in read_documents(DataDir.at(crawled_mirror()), report)}
    assert not report.errors
    return docs


_KEYS: dict[str, dict] = {}


def _index(doc):
    """provision id → the cite_key its index record gets (records.py `_ProvisionIndex.cite_key`)."""
    if doc.id not in _KEYS:
        idx = _ProvisionIndex(doc)
        _KEYS[doc.id] = {p.id: idx.cite_key(p) for p in doc.provisions}
    return _KEYS[doc.id]


@pytest.mark.parametrize("doc_id, provision_id, key", [
    ("celex-32024L1760-en", "art_8", "8"),
    ("celex-32024L1760-en", "art_8.par_2", "8(2)"),
    ("celex-32024L1760-en", "art_8.par_2.pt_a", "8(2)(a)"),
    ("celex-32024L1760-en", "art_3.par_1.pt_g", "3(1)(g)"),
    ("celex-32024L1760-en", "art_3.par_1.pt_a.pt_iii.ind_1", "3(1)(a)(iii)-1"),
    ("celex-32024L1760-en", "art_22.par_2.sub_2", "22(2)¶2"),
    ("celex-32024L1760-en", "art_22.par_1.sub_2.pt_a", "22(1)(a)"),
    ("celex-32024L1760-en", "rct_12", "rct:12"),
    ("celex-32024L1760-en", "anx_1", "anx:1"),
    ("celex-32024L1760-en", "anx_1.prt_I.sct_1", "anx:1/p1/s1"),
    ("celex-32024L1760-en", "anx_1.prt_I.sct_1.pt_10", "anx:1/p1(10)"),
    ("celex-32024L1760-en", "anx_1.prt_I.sct_1.pt_10.pt_a", "anx:1/p1(10)(a)"),
    ("celex-32024L1760-fr", "anx_1.prt_I.sct_1.pt_10", "anx:1/p1(10)"),  # the same key in every language
    ("celex-32024L1760-fr", "art_8.par_2.pt_a", "8(2)(a)"),
    ("celex-32023R1115-en", "art_3.pt_a", "3,(a)"),
    ("bwb-BWBR0035293-nl", "art_2.par_2.pt_a", "2(2)(a)"),
    ("celex-32023R2772-en", "anx_I.prt_ESRSE1", "esrs:e1"),
    ("celex-32023R2772-en", "anx_I.prt_ESRS1.par_3", "esrs:1/3"),
])
def test_cite_keys_of_real_provisions(mirror_documents, doc_id, provision_id, key):
    assert _index(mirror_documents[doc_id])[provision_id] == key


def test_esrs_keys_on_the_real_text(mirror_documents):
    d = mirror_documents["celex-32023R2772-en"]
    by_key = {k: pid for pid, k in _index(d).items() if k}
    assert d.provision(by_key["esrs:e1/ar21"]).citation == "ESRS E1, AR 21"
    assert d.provision(by_key["esrs:e1/16(a)"]).citation == "ESRS E1, paragraph 16(a)"
    assert d.provision(by_key["esrs:s1/dr:s1-1"]).citation == "ESRS S1, Disclosure Requirement S1-1"


@pytest.mark.parametrize("doc_id", ["celex-32024L1760-en", "celex-32024L1760-fr", "celex-32023R1115-en",
                                    "celex-32023R2772-en", "bwb-BWBR0035293-nl", "celex-02024L1760-20260318-en",
                                    # an amending act: its quoted provisions cited by the amended act's place
                                    "celex-32025L0794-en", "celex-32025L0794-fr"])
def test_every_citation_of_a_document_finds_its_provision(mirror_documents, doc_id):
    """The round trip a lawyer makes: the citation the reader shows, typed back, opens that provision."""
    d = mirror_documents[doc_id]
    keys = _index(d)
    first = {}
    for pid, key in keys.items():
        if key:
            first.setdefault(key, pid)
    missed = []
    for p in d.provisions:
        if not keys[p.id]:
            continue
        for typed in {p.citation, short_citation(p.citation)}:  # as the reader shows it, and as a card does
            text = typed if typed.startswith(d.short_title) else f"{d.short_title} {typed}"
            ref = parse_citation(text)
            found = next((first[k] for k in (ref.fallbacks() if ref else ()) if k in first), None)
            if found is None or keys[found] != keys[p.id]:
                missed.append(text)
    assert not missed, f"{len(missed)} citations of {doc_id} do not come back: {missed[:10]}"


def test_wzk_dutch_national_citation(tmp_path):
    """The Wet zorgplicht kinderarbeid fixture (BWB XML): 'artikel 5, eerste lid, onder a' is art_5.par_1.pt_a."""
    from pathlib import Path

    from indexer.parsing import parse_resource
    from regkb.records import RawResource
    from regkb.sources import Source

    body = (Path(__file__).resolve().parents[1] / "fixtures" / "parsing" / "wzk_toestand.xml").read_bytes()
    raw = RawResource(url="https://wetten.overheid.nl/BWBR0037605", final_url="https://wetten.overheid.nl/BWBR0037605",
                      status=200, content_type="application/xml", body=body, sha256="0" * 64,
                      fetched_at="2026-01-01T00:00:00Z", source_id="test")
    src = Source(id="test", name="test", site="example", parser="wetten_xml", instrument_type="national_act",
                 jurisdiction="NL", language="nl", status="in_force", sectors=[], seeds=[])
    (d,) = parse_resource(raw, src)
    by_key = {k: pid for pid, k in _index(d).items() if k}
    for typed in ("WZK artikel 5, eerste lid, onder a", "WZK art. 5 lid 1 sub a", "WZK artikel 5, lid 1, onder a"):
        assert by_key[parse_citation(typed).cite_key] == "art_5.par_1.pt_a"


# ---------------------------------------------------------------- the engine resolves them


@pytest.fixture(scope="module")
def engine(mirror_documents, tmp_path_factory):
    acts = {"eu-2024-1760-L", "eu-2023-1115-R", "eu-2023-2772-R", "nl-BWBR0035293"}
    docs = [d for d in mirror_documents.values() if d.act_id in acts]
    b = EmbeddedBackend(tmp_path_factory.mktemp("citations-tantivy"))
    b.replace_all(list(records_for(docs, [])))
    yield b
    b.close()


@pytest.mark.parametrize("query, provision_id", [
    ("CSDDD art 8(2)(a)", "art_8.par_2.pt_a"),
    ("CSDDD Article 8(2)(a)", "art_8.par_2.pt_a"),
    ("CSDDD Art. 3(1)(g)", "art_3.par_1.pt_g"),
    ("CSDDD Article 22(2), second subparagraph", "art_22.par_2.sub_2"),
    ("CSDDD Article 22(1)(a)", "art_22.par_1.sub_2.pt_a"),
    ("CSDDD Annex I, Part I, point 10", "anx_1.prt_I.sct_1.pt_10"),
    ("CSDDD Annex, Part I, Section 1, point (10)", "anx_1.prt_I.sct_1.pt_10"),
    ("CSDDD Bijlage I, deel I, punt 10", "anx_1.prt_I.sct_1.pt_10"),
    ("CSDDD Article 8(9)", "art_8"),              # no such paragraph: the article
    ("CSDDD Article 8(2)(z)", "art_8.par_2"),     # no such point: the paragraph
    ("EUDR art. 3, point (a)", "art_3.pt_a"),
    ("EUDR Art. 2(13)", "art_2.pt_13"),           # a definition cited like a paragraph
    ("ESRS E1, AR 21", "anx_I.prt_ESRSE1.sct_AppendixA.hd_11.par_AR21"),
    ("ESRS E1 AR 21", "anx_I.prt_ESRSE1.sct_AppendixA.hd_11.par_AR21"),
    ("ESRS 1, paragraph 3", "anx_I.prt_ESRS1.par_3"),
    ("ESRS S1, Disclosure Requirement S1-1", "anx_I.prt_ESRSS1.sct_S11"),
    ("ESRS E1", "anx_I.prt_ESRSE1"),
])
def test_the_engine_opens_the_cited_provision(engine, query, provision_id):
    resp = engine.search(SearchRequest(query=query, kind="provision", size=1))
    assert resp.redirect is not None, query
    assert resp.redirect["provision_id"] == provision_id


@pytest.mark.parametrize("query", ["CSDDD recital 12", "CSDDD overweging 12"])
def test_recitals_of_the_text_in_force_then(engine, query):
    """Recitals exist in the OJ text only (consolidations leave them out), so they resolve on a day that text
    was the law in force."""
    resp = engine.search(SearchRequest(query=query, kind="provision", size=1, as_of=date(2024, 8, 1)))
    assert resp.redirect == {"document_id": "celex-32024L1760-en", "provision_id": "rct_12"}


def test_ordinary_search_is_not_redirected(engine):
    assert engine.search(SearchRequest(query="climate transition plan", kind="provision", size=1)).redirect is None
