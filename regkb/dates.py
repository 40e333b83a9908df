"""Month names (English, Dutch, French) and dates written in text: the one place every module reads them from.

WHY one place: parsing (dates a text states), extraction (deadlines), the gold evaluation's baseline and version
comparison (changed dates) must agree on what a date is, or a Dutch or French date change goes unseen by one of
them. Adding a language's month names here makes all of them read its dates.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}
# spellings without accents, as ASCII-only sources write them
_VARIANTS = {"fevrier": 2, "aout": 8, "decembre": 12}

MONTH_NUMBER: dict[str, int] = {name: i + 1 for names in MONTHS.values() for i, name in enumerate(names)} | _VARIANTS
MONTH = "|".join(sorted(MONTH_NUMBER, key=len, reverse=True))  # regex alternation, longest name first

# "26 July 2027", "1 januari 2025": how legislation writes a date (named groups; no boundaries, callers add context)
DAY_MONTH_YEAR = rf"(?P<day>\d{{1,2}})\s+(?P<month>{MONTH})\s+(?P<year>\d{{4}})"
# the same, also with an ordinal day ("1er janvier", "1st May") and only years 1900-2099, as a whole word
DATE_RE = re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\s+({MONTH})\s+((?:19|20)\d{{2}})\b", re.I)
_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})\b")
_ISO = re.compile(r"\b((?:19|20)\d{2})-?(\d{2})-?(\d{2})\b")


def month_number(name: str) -> int | None:
    """1-12 for a month name of any language above (any case), else None."""
    return MONTH_NUMBER.get(name.lower())


def make_date(year: int | str, month: int | str, day: int | str) -> date | None:
    """The date, or None when it does not exist (31 June) or the month is no month name."""
    number = month if isinstance(month, int) else (int(month) if month.isdigit() else month_number(month))
    try:
        return date(int(year), number, int(day)) if number else None
    except ValueError:
        return None


def find_dates(text: str) -> Iterator[tuple[re.Match[str], date]]:
    """Every 'day month year' date in `text` that exists, with its match (for the words as written)."""
    for m in DATE_RE.finditer(text):
        d = make_date(m.group(3), m.group(2), m.group(1))
        if d:
            yield m, d


def parse_date(text: str) -> date | None:
    """The first date in `text`: 'day month year' (any language above), else d.m.yyyy, else ISO (yyyy-mm-dd)."""
    m = DATE_RE.search(text)
    if m:
        return make_date(m.group(3), m.group(2), m.group(1))
    m = _NUMERIC.search(text)
    if m:
        return make_date(m.group(3), int(m.group(2)), m.group(1))
    m = _ISO.search(text)
    if m:
        return make_date(m.group(1), int(m.group(2)), m.group(3))
    return None
