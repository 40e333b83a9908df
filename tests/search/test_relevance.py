"""Search on the real corpus (the offline mirror as `regkb crawl` parses it), on both engines:
function words, versions in force, deleted provisions, one hit per provision, citations, Dutch queries.

The provision records of every crawled document are indexed (no extraction needed), so these tests
see the real EUR-Lex texts with their real version chains.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from analysis.mirror_corpus import crawled_mirror

from indexer.search.base import SearchRequest
from indexer.search.evaluate import load_query_set, repeat_key
from indexer.search.records import LoadReport, load_records
from regkb.settings import DataDir

from .conftest import elastic_over, embedded_over

RELEVANCE = Path(__file__).resolve().parents[1] / "relevance"


@pytest.fixture(scope="session")
def mirror_records() -> list[dict]:
    report = LoadReport()
    records = [r for r in load_records(DataDir.at(crawled_mirror()), report) if r["kind"] != "obligation"]
    assert not report.errors
    return records


@pytest.fixture(scope="session")
def mirror_embedded(mirror_records, tmp_path_factory):
    yield from embedded_over(mirror_records, tmp_path_factory.mktemp("mirror-tantivy"))


@pytest.fixture(scope="session")
def mirror_elastic(mirror_records):
    yield from elastic_over(mirror_records, "test-mirror")


@pytest.fixture(params=["mirror_embedded", "mirror_elastic"])
def engine(request):
    return request.getfixturevalue(request.param)


def provisions(engine, query: str, **kw):
    return engine.search(SearchRequest(query=query, kind="provision", size=10, highlight=False, **kw))


PAIRS = json.loads((RELEVANCE / "function_words.json").read_text(encoding="utf-8"))["pairs"]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p["id"])
def test_function_words_change_nothing(engine, pair):
    """'engagement with stakeholders' finds what 'engagement stakeholders' finds: a word one language's
    analyser drops is never required in another language's field."""
    with_, without = provisions(engine, pair["with"]), provisions(engine, pair["without"])
    assert with_.total == without.total > 0
    assert [h.id for h in with_.hits] == [h.id for h in without.hits]


def test_deleted_article_is_shown_as_deleted_today(engine):
    resp = provisions(engine, "climate transition plan")
    csddd = [h.record for h in resp.hits if h.record.get("instrument") == "CSDDD"]
    assert csddd and csddd[0]["provision_id"].startswith("art_22")
    for rec in csddd:
        if rec["provision_id"].startswith("art_22"):
            assert rec["status"] == "deleted" and rec["deleted_on"] == "2026-03-18"
            assert rec["deleted_by"] == "Directive (EU) 2026/470"
    today = int(date.today().strftime("%Y%m%d"))
    assert all(h.record["valid_from"] <= today < h.record["valid_to"] for h in resp.hits), (
        "superseded text shown as current"
    )


def test_as_of_shows_the_law_as_it_then_stood(engine):
    resp = provisions(engine, "climate transition plan", as_of=date(2025, 1, 1))
    art22 = [
        h.record
        for h in resp.hits
        if h.record.get("instrument") == "CSDDD" and h.record["provision_id"].startswith("art_22")
    ]
    assert art22, "Article 22 missing on 1 January 2025"
    assert {r["document_id"] for r in art22} == {"celex-32024L1760-en"}  # the text as adopted, before any consolidation
    assert all(r.get("status") != "deleted" for r in art22)


def test_all_versions_switch_shows_every_version(engine):
    current = provisions(engine, '"transition plan for climate change mitigation"', expand=False)
    every = engine.search(SearchRequest(query='"transition plan for climate change mitigation"', kind="provision",
                                        size=50, all_versions=True, highlight=False, expand=False))
    docs = {h.record["document_id"] for h in every.hits if h.record["provision_id"] == "art_22.par_1"}
    assert {"celex-32024L1760-en", "celex-02024L1760-20250417-en"} <= docs
    assert every.total > current.total


QUERIES = [q.query for q in load_query_set(RELEVANCE / "queries.json").queries if q.kind == "provision"][:40]


def test_no_provision_twice_in_a_top_ten(engine):
    for query in QUERIES:
        seen = [repeat_key(h.record) for h in provisions(engine, query).hits]
        assert len(seen) == len(set(seen)), f"a provision is shown twice for {query!r}"


def test_best_match_when_no_record_has_every_word(engine):
    resp = provisions(engine, "how long must companies keep due diligence documentation archive")
    assert resp.best_match and resp.total > 0


def test_citation_lands_on_the_current_consolidation(engine):
    resp = provisions(engine, "CSDDD art 8(2)(a)")
    assert resp.redirect == {"document_id": "celex-02024L1760-20260318-en", "provision_id": "art_8.par_2.pt_a"}
    old = provisions(engine, "CSDDD art 8(2)(a)", as_of=date(2025, 1, 1))
    assert old.redirect == {"document_id": "celex-32024L1760-en", "provision_id": "art_8.par_2.pt_a"}


def test_citation_of_a_deleted_article_opens_its_last_text_marked_deleted(engine):
    resp = provisions(engine, "CSDDD Article 22")
    assert resp.redirect == {"document_id": "celex-02024L1760-20250417-en", "provision_id": "art_22"}
    assert resp.hits and all(h.record["status"] == "deleted" for h in resp.hits)


def test_dutch_query_finds_english_only_act(engine):
    resp = provisions(engine, "kinderarbeid")
    found = [h.record for h in resp.hits if h.record.get("instrument") == "CSDDD"]
    assert any(r["provision_id"].startswith("anx_1.prt_I.sct_1.pt_10") for r in found), \
        f"CSDDD Annex I, Part I, point 10 not in the first ten hits: {[h.record.get('citation') for h in resp.hits]}"
    assert resp.expansions and "child labour" in {a.lower() for alts in resp.expansions.values() for a in alts}
    off = engine.search(SearchRequest(query="kinderarbeid", kind="provision", size=10, expand=False, highlight=False))
    assert not any(h.record.get("instrument") == "CSDDD" for h in off.hits)


def test_document_search_is_small(engine):
    resp = engine.search(SearchRequest(query="due diligence", kind="document", size=20))
    assert resp.hits
    size = len(resp.model_dump_json())
    assert size < 60_000, f"{size} bytes for 20 document hits"
    assert any(h.highlights.get("text") for h in resp.hits)


def test_engines_agree_on_the_top_hit(mirror_embedded, mirror_elastic):
    """The same first provision from both engines, except where the embedded engine's first two are a near-tie
    (BM25 statistics differ in detail between tantivy and Lucene); then the other's first is one of those two."""
    disagree = []
    for query in QUERIES:
        a, b = provisions(mirror_embedded, query), provisions(mirror_elastic, query)
        top_a = repeat_key(a.hits[0].record) if a.hits else None
        top_b = repeat_key(b.hits[0].record) if b.hits else None
        if top_a == top_b:
            continue
        tied = len(a.hits) > 1 and a.hits[1].score >= a.hits[0].score * 0.97
        if not (tied and top_b == repeat_key(a.hits[1].record)):
            disagree.append((query, top_a, top_b))
    assert not disagree


def test_a_question_about_when_finds_the_provision_with_the_date(engine):
    resp = provisions(engine, "when does the battery passport become mandatory")
    found = [(h.record["instrument"], h.record["provision_id"]) for h in resp.hits[:3]]
    assert ("BATT", "art_77.par_1") in found, found  # "From 18 February 2027 …"


def test_a_question_about_a_meaning_finds_the_definition(engine):
    resp = provisions(engine, "what does remediation mean")
    found = [(h.record["instrument"], h.record["provision_id"]) for h in resp.hits[:5]]
    assert ("CSDDD", "art_3.par_1.pt_t") in found, found  # "'remediation' means restoration of …"


@pytest.mark.parametrize("question,defining", [
    ("what does remediation mean", ("CSDDD", "art_3.par_1.pt_t")),       # "'remediation' means …"
    ("what are business partners", ("CSDDD", "art_3.par_1.pt_f")),       # plural asked, singular defined
    ("wat wordt verstaan onder een zakenpartner", ("CSDDD", "art_3.par_1.pt_f")),  # Dutch, English-only act
    ("what does stakeholder engagement mean", ("ESRS", "anx_II.sct_145")),  # the ESRS glossary's entry
])
def test_a_question_about_a_meaning_puts_the_definition_of_that_term_first(engine, question, defining):
    top = provisions(engine, question).hits[0].record
    assert (top["instrument"], top["provision_id"]) == defining, top["citation"]
    assert top["defines"]


@pytest.mark.parametrize("query", ["stakeholder engagement", "climate transition plan"])
def test_a_glossary_entry_explains_a_word_and_does_not_outrank_the_duties(engine, query):
    """ESRS Annex II explains the words the standards use; a search for those words wants the provisions
    that say what to do (a question about the meaning still gets the entry first, above). Not always: words
    hardly any duty uses ("grievance mechanism") still find the entry first."""
    top = provisions(engine, query).hits[0].record
    assert "GLOSSARY" not in (top.get("heading") or "").upper(), top["citation"]
    assert top["provision_kind"] in ("paragraph", "point", "subparagraph", "article"), top["citation"]


def test_an_amending_instruction_says_what_it_amends(engine):
    """Omnibus I 'Article 29 is amended as follows' is found by the topic of CSDDD Article 29."""
    resp = provisions(engine, "OMNIBUS-I civil liability")
    found = {h.record["provision_id"]: h.record for h in resp.hits}
    assert "art_4.pt_20" in found, list(found)
    assert "amends Article 29 (Civil liability of companies" in found["art_4.pt_20"]["heading"]


def test_every_label_names_a_provision_of_the_corpus(mirror_records):
    """A label that names no provision can never be found: the query set would measure nothing for it."""
    from indexer.search.evaluate import _act_ids

    act_ids, by_act = _act_ids(), {}
    for rec in mirror_records:
        if rec.get("provision_id"):
            by_act.setdefault(rec["act_id"], set()).add(rec["provision_id"])
    everywhere = set().union(*by_act.values())
    missing = []
    for q in load_query_set(RELEVANCE / "queries.json").queries:
        for r in q.relevant:
            act = r.act_id or act_ids.get((r.act or "").lower())
            pool = by_act.get(act, set()) if act else everywhere
            if not any(p == r.provision or p.startswith(r.provision + ".") for p in pool):
                missing.append((q.id, r.act, r.provision))
    assert not missing


def test_an_amending_quotation_is_superseded_by_the_next_consolidation(mirror_records, engine):
    """Stop-the-clock (published 16 April 2025) quotes CSDDD Article 37(1) as replaced; from 17 April 2025 the
    consolidated CSDDD holds the text, and Omnibus I changed it again in 2026. The quotation is the law until
    the amended act's next text, never today's."""
    quoted = next(r for r in mirror_records if r["id"] == "celex-32025L0794-en#art_2.amd_par_1")
    assert quoted["superseded_on"] == "2025-04-17" and quoted["group"].endswith("#art_37.par_1")
    phrase = '"shall adopt and publish, by 26 July 2027"'
    today = {h.record["document_id"] for h in provisions(engine, phrase).hits}
    assert "celex-32025L0794-en" not in today
    then = provisions(engine, phrase, as_of=date(2025, 6, 1)).hits
    assert [h.record["document_id"] for h in then if h.record["provision_id"] in ("art_37.par_1", "art_2.amd_par_1")
            ] == ["celex-02024L1760-20250417-en"]


def test_dutch_words_find_the_compound_that_joins_them(engine):
    """NFRD Art. 20(1)(g) says "diversiteitsbeleid" only: "diversiteit beleid" finds it through the compound's
    parts, which the records carry (indexer/search/compounds.py)."""
    resp = provisions(engine, "diversiteit beleid")
    found = [(h.record["short_title"], h.record["provision_id"]) for h in resp.hits]
    assert any(act == "NFRD" and pid.startswith("art_1.pt_2.pt_a") for act, pid in found), found
    off = engine.search(SearchRequest(query="diversiteit beleid", kind="provision", size=10, expand=False,
                                      highlight=False))
    assert any(h.record["provision_id"].startswith("art_1.pt_2.pt_a") for h in off.hits)  # the records' parts


def test_an_instruction_naming_its_act_after_the_unit_says_what_it_amends(mirror_records):
    """Stop-the-clock Art. 2 'In Article 37(1) of Directive (EU) 2024/1760, … are replaced' is an article of
    its own (no enclosing 'Amendments to …' heading): it names CSDDD Article 37 and its topic."""
    stc = next(r for r in mirror_records if r["kind"] == "provision" and r.get("short_title") == "STC"
               and r["language"] == "en" and r["provision_id"] == "art_2")
    assert stc["amends"] == "Article 37 (Transposition)"
    assert "amends Article 37 (Transposition)" in stc["heading"]


@pytest.mark.parametrize("reader", ["nl", "fr"])
def test_a_translation_is_searched_only_in_its_own_language(engine, reader):
    """Dutch "boete" is searched with English "fines" (config/glossary.yaml): in English texts only. The
    French analyser would stem "fines" to "fin" and find every "aux fins de"; French texts are found by
    the French terms ("amendes", "sanctions pécuniaires"), when the reader reads French."""
    resp = engine.search(SearchRequest(query="boete", kind="provision", size=100, highlight=False,
                                       languages=[reader]))
    french = [h.record["text"].lower() for h in resp.hits if h.record["language"] == "fr"]
    assert all("amende" in t or "sanction" in t for t in french), [t[:80] for t in french]
    assert (reader == "fr") == bool(french)
    assert any(h.record["language"] == "en" for h in resp.hits)


def test_a_word_naming_an_acts_subject_finds_the_acts_provision_that_does_not_repeat_it(engine):
    """EUDR Art. 23 (interim measures, "including the seizure of the relevant commodities") never says
    "deforestation": the word names the act's subject (config/search.yaml act_subjects)."""
    resp = provisions(engine, "seizure deforestation")
    top = [(h.record["short_title"], h.record["provision_id"]) for h in resp.hits[:3]]
    assert ("EUDR", "art_23") in top, top


@pytest.fixture(scope="module")
def learned_translations(tmp_path_factory) -> Path:
    """Translations learned from the mirror, saved as `regkb index` saves them."""
    from indexer.search.crosslang import learn_from_data_dir
    path = tmp_path_factory.mktemp("learned") / "translations.json"
    learn_from_data_dir(crawled_mirror()).save(path)
    return path


@pytest.fixture
def learned_engine(engine, learned_translations):
    """The engine with the learned translations as well as the glossary (as open_backend gives it)."""
    from indexer.search.expansion import QueryExpander
    before = engine.expander
    engine.expander = QueryExpander(learned_translations)
    engine._index_changed()  # plans made without them are forgotten
    yield engine
    engine.expander = before
    engine._index_changed()


@pytest.mark.parametrize("query, foreign", [
    ("mogen lege batterijen gewoon bij het huisvuil", "léger"),  # Dutch "lege" stems like French "léger"
    ("waterverbruik rapporteren in kubieke meter", " met "),      # Dutch "meter" like French "met"
])
def test_a_typed_word_is_searched_in_the_languages_that_use_it(learned_engine, query, foreign):
    resp = learned_engine.search(SearchRequest(query=query, kind="provision", size=20, highlight=False,
                                               languages=["nl"]))
    assert resp.hits
    french = [h.record["text"] for h in resp.hits if h.record["language"] == "fr"]
    assert not any(foreign in f" {t.lower()} " for t in french), [t[:80] for t in french]


def test_a_query_whose_words_no_language_holds_all_of_falls_back_to_most_of_them(learned_engine):
    """"NCP" is a word of the Dutch decree only, "Dutch" of English texts only: no text has every word, so the
    best-match answers (never everything: a plan that matches in no language matches nothing)."""
    resp = learned_engine.search(SearchRequest(query="how many members does the Dutch NCP have", kind="provision",
                                               size=10, highlight=False, languages=["en"]))
    assert resp.best_match and resp.total < 1000
    top = [(h.record["act_id"], h.record["provision_id"]) for h in resp.hits[:3]]
    assert ("nl-BWBR0035293", "art_3.par_1") in top, top   # "Het NCP bestaat uit ... leden" (the NCP decree)
