"""The one query parser: what lawyers type → AST; hostile input → QuerySyntaxError only."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.search.base import QuerySyntaxError
from indexer.search.citations import parse_citation
from indexer.search.query import And, FieldMatch, MatchAll, Not, Or, Text, parse


def test_words_are_and_ed():
    assert parse("due diligence") == And((Text("due"), Text("diligence")))


def test_phrase_or_not_and_parentheses():
    assert parse('"adverse impacts" OR (climate AND NOT plan) -recital') == And((
        Or((Text("adverse impacts", phrase=True), And((Text("climate"), Not(Text("plan")))))),
        Not(Text("recital")),
    ))
    assert parse("contract OR agreement breach") == And((Or((Text("contract"), Text("agreement"))), Text("breach")))
    assert parse("due AND") == Text("due")


def test_field_filters_are_normalised():
    assert parse("addressee:companies modality:Prohibition lang:NL sector:13") == And((
        FieldMatch("addressee", "companies"), FieldMatch("modality", "prohibition"),
        FieldMatch("language", "nl"), Or((FieldMatch("sector", "C13"), FieldMatch("sector", "*")))))


def test_unknown_field_is_searched_as_text():
    assert parse("http://example.org") == Text("http //example.org", phrase=True)


def test_empty_query_matches_all():
    assert parse("   ") == MatchAll()


@pytest.mark.parametrize("query, message", [
    ('"unbalanced', "quote"), ("(due diligence", "never closed"), ("due)", "without a matching"),
    (":::", "no words"), ("NOT", "NOT needs"), ("x" * 10_000, "limit"), ("addressee:", "no value"),
    ("\\*?~^[]{}!", "no words"), ("(" * 40 + "a" + ")" * 40, "nested"),
])
def test_hostile_input_gives_helpful_errors(query, message):
    with pytest.raises(QuerySyntaxError, match=message):
        parse(query)


def test_control_and_lucene_characters_are_punctuation():
    assert parse("due\x00dili\u200bgence") == And((Text("due"), Text("dili"), Text("gence")))
    assert parse("art.8(2)") == And((Text("art.8"), Text("2")))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_query_syntax_error(text):
    try:
        parse(text)
    except QuerySyntaxError as exc:
        assert str(exc)


@pytest.mark.parametrize("query, instrument, article, paragraph, language", [
    ("CSDDD art 8", "CSDDD", "8", None, None),
    ("CSDDD Article 8(2)", "CSDDD", "8", "2", "en"),
    ("WZK artikel 5", "WZK", "5", None, "nl"),
    ("EUDR art. 3", "EUDR", "3", None, None),
    ("Wet zorgplicht kinderarbeid artikel 5, lid 1", "WZK", "5", "1", "nl"),
    ("cs3d article 22", "CSDDD", "22", None, "en"),
])
def test_citations(query, instrument, article, paragraph, language):
    ref = parse_citation(query)
    assert (ref.instrument, ref.article, ref.paragraph, ref.language) == (instrument, article, paragraph, language)


@pytest.mark.parametrize("query", ["due diligence article 8", "CSDDD", "article 8", "FOO art 3"])
def test_not_citations(query):
    assert parse_citation(query) is None


def test_act_names_become_instrument_filters():
    eudr = Or(
        (
            FieldMatch("instrument", "EUDR"),
            FieldMatch("instrument", "EUDR-DELAY-2024"),
            FieldMatch("instrument", "EUDR-AMEND-2025"),
        )
    )
    assert parse("EUDR operators") == And((eudr, Text("operators")))  # the act and the acts amending it
    assert parse("eudr") == eudr
    csddd = parse("CS3D")
    assert isinstance(csddd, Or) and FieldMatch("instrument", "CSDDD") in csddd.children
    assert parse("2024/1760 OR CS3D") == Or((csddd, csddd))
    # several words that name an act do too
    assert parse("does the deforestation regulation cover coffee").children[2] == eudr
    assert parse("operators") == Text("operators")


def test_a_word_naming_an_acts_subject_also_stands_for_the_act():
    """config/search.yaml act_subjects: in a query of several words, "deforestation" is the EUDR's texts or
    the word (which then scores little: it says where to look, not what to find)."""
    seizure, subject = parse("seizure déforestation").children
    assert seizure == Text("seizure")
    assert isinstance(subject, Or) and subject.children[0].value == "déforestation"
    assert subject.children[0].weight < 1.0
    assert FieldMatch("instrument", "EUDR") in subject.children
    assert FieldMatch("instrument", "EUDR-AMEND-2025") in subject.children   # and the acts amending it
    assert parse("deforestation") == Text("deforestation")                  # alone it is just the word
    assert parse('seizure "deforestation"').children[1] == Text("deforestation", phrase=True)  # quoted: exact


@pytest.mark.parametrize("code, ancestors", [
    ("C13.20", ["C", "C13", "C13.2", "C13.20"]), ("27.2", ["C", "C27", "C27.2"]), ("01", ["A", "A01"]), ("E", ["E"]),
    ("07.29", ["B", "B07", "B07.2", "B07.29"]),
])
def test_sector_codes_expand_to_their_ancestors(code, ancestors):
    from regkb.taxonomy import sector_ancestors
    assert sector_ancestors(code) == ancestors


def test_float_noise_is_a_tie_broken_by_id():
    """Two identical texts tantivy scores 4e-6 apart (float32) and Lucene the same: both engines then put
    them in id order, so they agree on the first hit."""
    from indexer.search.engine import _ties_by_id
    hits = [(21.19721221923828, {"id": "b"}, {}), (21.197208404541016, {"id": "a"}, {}), (30.0, {"id": "z"}, {}),
            (21.1, {"id": "0"}, {})]
    assert [h[1]["id"] for h in _ties_by_id(hits)] == ["z", "a", "b", "0"]
