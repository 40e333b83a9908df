"""regkb.dates: one reading of dates for parsing, extraction, evaluation and comparison (EN, NL, FR)."""
from datetime import date

import pytest

from indexer.analysis.compare import figures
from indexer.nlp.evaluate import baseline
from indexer.nlp.fields import find_deadlines
from indexer.parsing.metadata import adoption_date
from indexer.parsing.metadata import parse_date as parser_parse_date
from regkb.dates import MONTHS, find_dates, make_date, month_number, parse_date


@pytest.mark.parametrize("text, expected", [
    ("by 26 July 2027", date(2027, 7, 26)),
    ("uiterlijk op 1 januari 2025", date(2025, 1, 1)),
    ("au plus tard le 1er février 2026", date(2026, 2, 1)),
    ("le 14 aout 2024 (sans accent)", date(2024, 8, 14)),
    ("on 1st May 2024", date(2024, 5, 1)),
    ("15.11.2014", date(2014, 11, 15)),
    ("20240705", date(2024, 7, 5)),
    ("2024-07-05", date(2024, 7, 5)),
])
def test_parse_date_reads_every_language_and_form(text, expected):
    assert parse_date(text) == expected


def test_dates_that_do_not_exist_or_are_no_dates_give_none():
    assert parse_date("31 juni 2025") is None
    assert parse_date("30.02.2024") is None
    assert parse_date("Article 12 of Directive 2013/34") is None
    assert make_date(2025, "brumaire", 1) is None
    assert month_number("Décembre") == 12 and month_number("mei") == 5 and month_number("mayo") is None


def test_every_language_has_twelve_distinct_months():
    for lang, names in MONTHS.items():
        assert len(set(names)) == 12, lang
        assert [month_number(n) for n in names] == list(range(1, 13))


def test_find_dates_keeps_the_words_as_written():
    text = "vanaf 1 januari 2027 en uiterlijk 31 december 2028, niet 31 juni 2028"
    assert [(m.group(0), d) for m, d in find_dates(text)] == [
        ("1 januari 2027", date(2027, 1, 1)), ("31 december 2028", date(2028, 12, 31))]


def test_parsing_extraction_evaluation_and_comparison_read_the_same_dates():
    """The four readers of dates agree on a Dutch and a French date (they used four month tables before)."""
    nl, fr = (
        "De lidstaten zorgen ervoor uiterlijk op 9 mei 2027.",
        "Les États membres veillent au plus tard le 9 mai 2027.",
    )
    assert parser_parse_date(nl) == parser_parse_date(fr) == date(2027, 5, 9)
    assert [f.value["date"] for f in find_deadlines(nl)] == ["2027-05-09"]
    assert baseline("De onderneming moet uiterlijk op 9 mei 2027 rapporteren.", "nl").deadlines == {"2027-05-09"}
    assert figures(nl)["date"] == ["9 mei 2027"] and figures(fr)["date"] == ["9 mai 2027"]
    assert adoption_date("RICHTLIJN (EU) 2024/1760 VAN HET EUROPEES PARLEMENT EN DE RAAD van 13 juni 2024") == date(
        2024, 6, 13
    )
