"""Behaviour every engine must show, run against both (same fixtures, same expectations)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.search.base import QuerySyntaxError, SearchRequest

ALL_FACETS = ["sector", "modality", "addressee", "instrument", "jurisdiction", "document_type", "topic", "language",
              "status", "application_year"]


def ids(resp):
    return [h.id for h in resp.hits]


def search(backend, query="", **kw):
    """Every version and language (what these tests were written for); tests/search/test_versions.py
    covers the default view (the law in force today, one hit per provision)."""
    kw.setdefault("all_versions", True)
    return backend.search(SearchRequest(query=query, **kw))


def test_english_stemming(backend):
    plural = search(backend, "obligations", size=50)
    assert "celex-32024L1760-en.art_8.par_2.ob6" in ids(plural)  # text says "the obligation under paragraph 1"
    assert set(ids(search(backend, "obligation", size=50))) == set(ids(plural))


def test_dutch_stemming(backend):
    resp = search(backend, "verplichtingen", size=50)
    assert {"wzk-stb-2019-401-nl.art_5.par_2.ob25", "celex-32024L1760-nl.art_8.par_2.ob13"} <= set(ids(resp))
    assert all(h.record["language"] == "nl" for h in resp.hits)


def test_phrase_is_exact(backend):
    phrase = search(backend, '"due diligence statement"', size=50)
    assert {h.id.split(".", 1)[1] for h in phrase.hits} == {"art_3.ob17", "art_4.par_2.ob19", "art_4.par_3.ob20"}
    reordered = search(backend, '"statement due diligence"', size=50)
    assert reordered.total == 0


def test_boolean_operators(backend):
    both = search(backend, "climate AND plan", size=50).total
    either = search(backend, "climate OR deforestation", size=50).total
    neither = search(backend, "climate -plan", size=50).total
    assert either > both > 0
    assert neither < search(backend, "climate", size=50).total
    grouped = search(backend, "(climate OR deforestation) operators", size=50)
    assert grouped.total > 0 and all(h.record["addressee"] == "operators" for h in grouped.hits)


def test_field_filters_in_query(backend):
    resp = search(backend, "addressee:companies modality:prohibition", size=50)
    assert ids(resp) == ["celex-32024L1760-en.art_10.par_6.ob8"]
    nl = search(backend, "lang:nl", size=50)
    assert nl.total == 10 and all(h.record["language"] == "nl" for h in nl.hits)
    cocoa = search(backend, "sector:01", size=50)  # NACE division 01 (A01), everything under it, and general rules
    specific = [h for h in cocoa.hits if h.record["sectors"] != ["*"]]
    assert len(specific) == 6 and all(h.record["instrument"] == "EUDR" for h in specific)
    general = search(backend, "sector:*", size=50)  # records of general scope name no sector
    assert cocoa.total == 6 + general.total and general.total > 0


@pytest.mark.parametrize("query, document_id, provision_id, first", [
    ("CSDDD art 8", "celex-32024L1760-en", "art_8", "celex-32024L1760-en.art_8.par_1.ob4"),
    ("CSDDD Article 8(2)", "celex-32024L1760-en", "art_8.par_2", "celex-32024L1760-en.art_8.par_2.ob6"),
    ("WZK artikel 5", "wzk-stb-2019-401-nl", "art_5", "wzk-stb-2019-401-nl.art_5.par_1.ob23"),
    ("EUDR art. 3", "celex-32023R1115-en", "art_3", "celex-32023R1115-en.art_3.ob17"),
    ("CSDDD artikel 8", "celex-32024L1760-nl", "art_8", "celex-32024L1760-nl.art_8.par_1.ob12"),
])
def test_citation_lookup(backend, query, document_id, provision_id, first):
    resp = search(backend, query)
    assert resp.redirect == {"document_id": document_id, "provision_id": provision_id}
    assert ids(resp)[0] == first
    assert all(h.record["provision_path"][: len(provision_id.split("."))] == provision_id.split(".")[:1] or
               provision_id in h.record["provision_path"] for h in resp.hits)


def test_unknown_citation_falls_back_to_text_search(backend):
    resp = search(backend, "CSDDD art 99")
    assert resp.redirect is None


def test_facet_counts_and_multiselect(backend):
    resp = search(backend, facets=ALL_FACETS, size=0)
    assert resp.total == 26
    counts = {f: {v.value: v.count for v in vals} for f, vals in resp.facets.items()}
    assert counts["language"] == {"en": 16, "nl": 10}
    assert counts["modality"] == {"obligation": 21, "prohibition": 3, "exemption": 1, "permission": 1}
    assert counts["instrument"] == {"CSDDD": 15, "EUDR": 6, "WZK": 5}
    assert counts["jurisdiction"] == {"EU": 21, "NL": 5}
    general = counts["sector"]["*"]  # records that name no sector concern every sector
    assert general == 26 - 6  # every record but the six EUDR ones (which name cocoa) names no sector
    assert counts["sector"]["A"] == 6 and counts["sector"]["A01.27"] == 6  # counted where named, general ones once
    assert counts["sector"]["C13"] == 0  # listed (choosable: it selects the general rules), named by none
    assert counts["application_year"]["2027"] == 15
    # OR within a facet, AND across facets; a facet's counts ignore its own selection
    sel = search(
        backend,
        facets=["modality", "instrument"],
        filters={"modality": ["prohibition", "exemption"], "instrument": ["EUDR"]},
    )
    assert sel.total == 2
    sel_counts = {f: {v.value: v.count for v in vals} for f, vals in sel.facets.items()}
    assert sel_counts["modality"] == {"obligation": 4, "prohibition": 2}
    assert sel_counts["instrument"] == {"CSDDD": 1, "EUDR": 2, "WZK": 1}


def test_date_range_and_sorting(backend):
    recent = search(backend, date_from=date(2020, 1, 1), size=50)
    assert recent.total == 21 and "WZK" not in {h.record["instrument"] for h in recent.hits}
    by_date = search(backend, sort="date", size=50)
    dates = [h.record["date_sort"] for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    by_deadline = search(backend, sort="deadline", size=5)
    assert [h.record["deadline"] for h in by_deadline.hits] == [
        "2025-12-30",
        "2025-12-30",
        "2026-07-26",
        "2027-07-26",
        "2027-07-26",
    ]


def test_pagination(backend):
    first = search(backend, sort="deadline", size=10, page=1)
    second = search(backend, sort="deadline", size=10, page=2)
    third = search(backend, sort="deadline", size=10, page=3)
    assert first.total == second.total == 26
    assert len(first.hits) == 10 and len(second.hits) == 10 and len(third.hits) == 6
    assert not set(ids(first)) & set(ids(second))


def test_highlights_are_escaped_and_marked(backend):
    resp = search(backend, '"due diligence statement"')
    frags = [f for h in resp.hits for f in h.highlights.get("text", [])]
    assert frags and all("<mark>" in f for f in frags)
    assert any("statement</mark>" in f for f in frags)  # engines mark the phrase as one span or word by word


def test_a_short_text_is_its_own_snippet(backend):
    """A text of a sentence or two is shown whole, not only the window around its last words (who must do
    what is at its start)."""
    import html
    import re

    from indexer.search.settings import SNIPPET_CHARS, WHOLE_TEXT_CHARS
    hits = search(backend, "due diligence", kind="provision", size=50).hits
    marked = [(h.record["text"], h.highlights["text"][0]) for h in hits if h.highlights.get("text")]
    short = [(t, f) for t, f in marked if SNIPPET_CHARS < len(t) <= WHOLE_TEXT_CHARS]
    assert short
    for text, fragment in short:
        assert html.unescape(re.sub(r"</?mark>", "", fragment)) == text


def test_get_by_id(backend):
    rec = backend.get("obligation", "celex-32023R1115-en.art_3.ob17")
    assert rec["citation"] == "Article 3" and rec["modality"] == "prohibition" and rec["instrument"] == "EUDR"
    assert rec["official_url"] == "https://eur-lex.europa.eu/eli/reg/2023/1115/oj"
    assert backend.get("obligation", "no-such-id") is None
    prov = backend.get("provision", "celex-32024L1760-en#art_8.par_2")
    assert prov["cite_key"] == "8(2)"


def test_articles_rank_above_recitals(backend):
    hits = ids(search(backend, "appropriate measures companies", size=50))
    article = hits.index("celex-32024L1760-en.art_8.par_2.ob6")
    recital = hits.index("celex-32024L1760-en.rec_16.ob1")
    assert article < recital


def test_heading_matches_are_boosted(backend):
    hits = search(backend, "prohibition", size=5).hits
    assert hits[0].id == "celex-32023R1115-en.art_3.ob17"  # heading "Prohibition"


def test_an_articles_heading_leads_to_its_first_paragraph(backend, records):
    """Article 8 has only a heading; its first paragraph states its main rule, so the heading finds that
    paragraph before the second one (which the heading's words also match through the article's path)."""
    by_id = {r["id"]: r for r in records}
    assert by_id["celex-32024L1760-en#art_8.par_1"]["own_heading"] == (
        "Identifying and assessing actual and potential adverse impacts")
    assert by_id["celex-32024L1760-en#art_8.par_2"]["own_heading"] is None
    hits = [h.record["provision_id"] for h in search(backend, "identifying assessing adverse impacts",
                                                        kind="provision", size=10).hits]
    assert hits.index("art_8.par_1") < hits.index("art_8.par_2")


def test_provisions_and_documents_are_searchable(backend):
    provs = search(backend, "transition plan", kind="provision")
    assert {h.record["provision_id"] for h in provs.hits} >= {"art_22.par_1"}
    docs = search(backend, "kinderarbeid", kind="document", expand=False)
    assert ids(docs) == ["wzk-stb-2019-401-nl"]
    # with its translations ("child labour") the English CSDDD is found too
    assert "celex-32024L1760-en" in ids(search(backend, "kinderarbeid", kind="document"))


@pytest.mark.parametrize("query", ['"unbalanced', "(((", ":::", "x" * 10_000, "a)"])
def test_hostile_queries_raise_query_syntax_error(backend, query):
    with pytest.raises(QuerySyntaxError):
        search(backend, query)


@pytest.mark.parametrize("query", ["\x00\x01due", "due~2^3", "title:[a TO z]", "* ? \\", "AND OR NOT due", "a" * 1999,
                                   "ü" * 60, "due && diligence || climate", "lang:xx", "sector:"])
def test_odd_queries_answer(backend, query):
    try:
        resp = search(backend, query)
    except QuerySyntaxError as exc:
        assert str(exc)
    else:
        assert resp.total >= 0


def test_unknown_facet_is_a_clear_error(backend):
    with pytest.raises(ValueError, match="unknown facet"):
        search(backend, facets=["colour"])


def test_snippets_escape_html_and_updates_replace(fresh_backend, records):
    rec = next(r for r in records if r["id"] == "celex-32023R1115-en.art_3.ob17")
    fresh_backend.replace_all([rec])
    fresh_backend.index_records("obligation", [{**rec, "text": "Operators <b>shall</b> & must not <script>"}])
    resp = search(fresh_backend, "must operators")
    assert resp.total == 1  # index_records replaced the record with the same id
    frag = resp.hits[0].highlights["text"][0]
    assert "<script" not in frag and "<b>" not in frag and "&lt;script" in frag and "<mark>" in frag


def test_an_index_from_an_older_version_asks_for_a_rebuild(tmp_path, records):
    from indexer.search.base import BackendUnavailable
    from indexer.search.embedded import EmbeddedBackend

    EmbeddedBackend(tmp_path).replace_all(records[:5])
    (tmp_path / "regkb-schema.txt").write_text("0")
    stale = EmbeddedBackend(tmp_path)
    with pytest.raises(BackendUnavailable, match="regkb index"):
        stale.search(SearchRequest(query="due"))
    assert stale.replace_all(records) == len(records)
    assert stale.search(SearchRequest(query="due")).total > 0


QUERY_ALPHABET = st.sampled_from(
    list('abcdeéü "()-:*?~^[]{}!\\/&|+\x00\t')
    + ["AND", "OR", "NOT", "lang:", "sector:", "addressee:", "due", "verplichting", "CSDDD", "art", "8(2)", " "]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(QUERY_ALPHABET, max_size=25))
def test_no_query_escapes_anything_but_query_syntax_error(backend, parts):
    try:
        resp = search(backend, "".join(parts), facets=["modality", "sector"])
    except QuerySyntaxError as exc:
        assert str(exc)
    else:
        assert resp.total >= 0 and len(resp.hits) <= 20


def test_act_name_in_query_filters_on_the_act(backend):
    resp = search(backend, "EUDR due diligence", size=50)
    assert resp.total == 5 and {h.record["instrument"] for h in resp.hits} == {"EUDR"}
    assert search(backend, "deforestation", size=50).total < search(backend, "EUDR", size=50).total == 6


def test_non_facet_filters(backend):
    recitals = search(backend, filters={"provision_kind": ["recital"]}, size=50)
    assert {h.record["citation"] for h in recitals.hits} == {"Recital 16", "Recital 20", "Overweging 16", "Recital 29"}
    one_doc = search(backend, filters={"document_id": ["wzk-stb-2019-401-nl"]}, facets=["modality"])
    assert one_doc.total == 5
    with pytest.raises(ValueError, match="unknown filter"):
        search(backend, filters={"colour": ["red"]})


def test_citation_lookup_for_provisions_and_documents(backend):
    provs = search(backend, "CSDDD art 8", kind="provision")
    assert [h.record["provision_id"] for h in provs.hits] == ["art_8", "art_8.par_1", "art_8.par_2"]  # reading order
    docs = search(backend, "EUDR art. 3", kind="document")
    assert ids(docs) == ["celex-32023R1115-en"] and docs.redirect["provision_id"] == "art_3"


def test_dutch_singular_finds_plural(backend):
    assert {h.id for h in search(backend, "lidstaat", size=50).hits} >= {"celex-32024L1760-nl.art_8.par_1.ob12"}
    assert search(backend, "bedrijf", size=50).total == search(backend, "bedrijven", size=50).total > 0


def test_deep_paging_is_refused_alike(backend):
    assert search(backend, size=100, page=100).hits == []  # the 10,000th result is still reachable
    with pytest.raises(QuerySyntaxError, match="10,000"):
        search(backend, size=100, page=101)


def test_a_record_the_engine_rejects_does_not_sink_the_others(fresh_backend, records):
    good = [r for r in records if r["kind"] == "obligation"][:3]
    bad = {**good[0], "id": "bad-one", "date_sort": "not a number"}
    assert fresh_backend.replace_all([*good, bad]) == 3
    assert search(fresh_backend).total == 3


def test_searching_before_indexing_says_what_to_run(tmp_path):
    from indexer.search import open_backend
    from indexer.search.base import BackendUnavailable

    with pytest.raises(BackendUnavailable, match="regkb index --data-dir"):
        open_backend(tmp_path, "embedded").search(SearchRequest(query="due"))
    backend = open_backend(tmp_path, "embedded")
    backend.replace_all([])
    assert backend.search(SearchRequest(query="due")).total == 0  # an empty corpus is a valid, empty index


def test_both_engines_stem_like_tantivy(fresh_backend, records):
    """Lucene 9 would conflate internal/international and added/ad; the shared stems keep them apart."""
    base = next(r for r in records if r["id"] == "celex-32024L1760-en.art_8.par_2.ob6")
    texts = {"a": "companies shall follow international standards", "b": "companies shall keep internal procedures",
             "c": "the measures added to the plan", "d": "an ad placed in the press",
             "e": "de aanbevelingen van de lidstaten", "f": "de aanbeveling van de commissie"}
    fresh_backend.replace_all(
        [{**base, "id": k, "text": t, "language": "nl" if k in "ef" else "en"} for k, t in texts.items()]
    )
    assert ids(search(fresh_backend, "internal")) == ["b"]
    assert ids(search(fresh_backend, "add")) == ["c"]
    assert set(ids(search(fresh_backend, "aanbeveling"))) == {"e", "f"}
