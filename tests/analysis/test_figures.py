"""Figures as people type them in the applicability form, in Dutch and in English (indexer/analysis/figures.py)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from indexer.analysis.figures import FigureError, parse_figure


@pytest.mark.parametrize(
    "text, lang, value, ambiguous",
    [
        # the same digits, read by the interface language: the ambiguous case
        ("1.200", "nl", 1200, True),
        ("1.200", "en", Decimal("1.2"), True),
        ("1,200", "en", 1200, True),
        ("1,200", "nl", Decimal("1.2"), True),
        # only one language can read them: that reading, whatever the interface language
        ("1.200.000", "en", 1_200_000, False),
        ("1,200,000", "nl", 1_200_000, False),
        ("1,5", "en", Decimal("1.5"), False),
        ("1.5", "nl", Decimal("1.5"), False),
        ("450,000,000.50", "en", Decimal("450000000.5"), False),
        ("450.000.000,50", "en", Decimal("450000000.5"), False),
        ("1 200", "nl", 1200, False),
        ("1\u00a0200", "en", 1200, False),
        ("1200", "en", 1200, False),
        # scale words and currency signs (config/profile.yaml `figures`)
        ("500 m", "en", 500_000_000, False),
        ("500 m", "nl", 500_000_000, False),
        ("500m", "nl", 500_000_000, False),
        ("500 mln", "nl", 500_000_000, False),
        ("500 million", "en", 500_000_000, False),
        ("1,5 mld", "nl", 1_500_000_000, False),
        ("1.5 bn", "en", 1_500_000_000, False),
        ("2 bn", "en", 2_000_000_000, False),
        ("€ 40 miljoen", "nl", 40_000_000, False),
        ("EUR 40m", "en", 40_000_000, False),
        ("40 euro", "nl", 40, False),
        ("1,2 k", "nl", 1200, False),
        ("2 Mld.", "nl", 2_000_000_000, False),
        # '2,5 m' in English: the comma cannot group '5', so it is the Dutch decimal comma
        ("2,5 m", "en", 2_500_000, False),
    ],
)
def test_figures_in_both_languages(text, lang, value, ambiguous):
    figure = parse_figure(text, lang)
    assert figure.value == value
    assert figure.ambiguous is ambiguous
    assert figure.number() == float(value) and isinstance(figure.number(), int) == (value == int(value))


@pytest.mark.parametrize("text, problem", [
    ("1e400", "not_a_number"), ("inf", "not_a_number"), ("NaN", "not_a_number"), ("1_000", "not_a_number"),
    ("twelve", "not_a_number"), ("1..2", "not_a_number"), ("$ 40", "not_a_number"), ("", "empty"), ("  ", "empty"),
    ("-5", "negative"), ("\u22125", "negative"), ("9" * 31, "too_long"),
    ("12 apples", "unknown_scale"), ("500 bln", "unknown_scale"),  # 'bln' is left out: billion or biljoen?
])
def test_what_cannot_be_read_says_why(text, problem):
    with pytest.raises(FigureError) as err:
        parse_figure(text, "en")
    assert err.value.problem == problem


def test_a_headcount_is_whole_and_the_error_says_how_it_was_read():
    assert parse_figure("1.200", "nl", whole=True).number() == 1200
    with pytest.raises(FigureError) as err:
        parse_figure("1.200", "en", whole=True)  # English: 1.2 employees
    assert err.value.problem == "not_whole" and err.value.understood == Decimal("1.2")
    assert parse_figure("1,2 k", "en", whole=True).number() == 1200  # the scale makes it whole
