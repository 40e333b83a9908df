"""Figures as people type them in the applicability form: '1.200', '1,200', '500 m', '1,5 mld', '€ 40 miljoen'.

WHY: a Dutch compliance officer writes 1.200 for twelve hundred and 1,5 mld for one and a half billion; an
English one writes 1,200 and 1.5 bn. Each reading is Babel's strict parser for that language (CLDR grouping and
decimal signs); when both readings are valid and differ ('1.200'), the interface language decides and the
answer says so. Scale words and currency signs are data: config/profile.yaml `figures`. Anything else ('1e400',
'inf', '1_000', '12 apples') is refused with a reason the form turns into what to type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from babel.numbers import NumberFormatError, parse_decimal

from indexer.analysis.wording import Lang
from regkb.settings import load_config

LANGS: tuple[Lang, ...] = ("en", "nl")
MAX_DIGITS = 30  # far above every bound of config/profile.yaml: the model's bound then names the maximum
_CONFIG = load_config("profile")["figures"]
SCALES: dict[str, int] = {
    word.lower(): int(factor) for factor, words in _CONFIG["scale_words"].items() for word in words
}
CURRENCY = tuple(sorted((c.lower() for c in _CONFIG["currency_words"]), key=len, reverse=True))
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")  # spaces (and the Swiss apostrophe) group digits in any language
_SHAPE = re.compile(r"(?P<number>[0-9][0-9.,]*|[.,][0-9]+)(?P<scale>[^\W\d_]+\.?)?", re.UNICODE)

Problem = Literal["empty", "not_a_number", "negative", "too_long", "unknown_scale", "not_whole"]


class FigureError(ValueError):
    """Why a typed figure cannot be read; `understood` is the reading, when there was one (for 'not_whole')."""

    def __init__(self, problem: Problem, text: str, word: str = "", understood: Decimal | None = None):
        super().__init__(f"{problem}: {text!r}")
        self.problem, self.text, self.word, self.understood = problem, text, word, understood


@dataclass(frozen=True)
class Figure:
    """A figure read from text, and how: `ambiguous` when the other language reads the digits differently."""

    text: str
    value: Decimal
    ambiguous: bool = False
    scale: str = ""  # the scale word as typed ('m', 'mld'), when there was one

    def number(self) -> int | float:
        """An int when whole (headcounts, exact amounts), else a float."""
        return int(self.value) if self.value == self.value.to_integral_value() else float(self.value)

    @property
    def plain(self) -> bool:
        """Typed as bare digits: nothing to tell the user about how it was read."""
        return self.text.isdigit()


def parse_figure(text: str, lang: Lang, *, whole: bool = False) -> Figure:
    """Read one figure in the interface language `lang` (see the module docstring); FigureError when it cannot."""
    raw = text.strip()
    if not raw:
        raise FigureError("empty", text)
    if raw.startswith("-") or raw.startswith("\u2212"):
        raise FigureError("negative", raw)
    body = _strip_currency(raw.lower())
    m = _SHAPE.fullmatch(_SPACES.sub("", body))
    if m is None:
        raise FigureError("not_a_number", raw)
    digits, scale_word = m.group("number"), (m.group("scale") or "").rstrip(".")
    if sum(ch.isdigit() for ch in digits) > MAX_DIGITS:
        raise FigureError("too_long", raw)
    factor = 1
    if scale_word:
        if scale_word not in SCALES:
            raise FigureError("unknown_scale", raw, word=scale_word)
        factor = SCALES[scale_word]
    readings = {lg: _reading(digits, lg) for lg in LANGS}
    value = (
        readings[lang] if readings[lang] is not None else next((v for v in readings.values() if v is not None), None)
    )
    if value is None:
        raise FigureError("not_a_number", raw)
    others = {v for v in readings.values() if v is not None}
    value *= factor
    if whole and value != value.to_integral_value():
        raise FigureError("not_whole", raw, understood=value)
    return Figure(text=raw, value=value, ambiguous=len(others) > 1, scale=scale_word)


def _strip_currency(text: str) -> str:
    """'€ 40 miljoen', 'EUR 40m', '40 euro' → the figure alone (the form asks for euros)."""
    for sign in CURRENCY:
        if text.startswith(sign):
            return text[len(sign):].strip()
        if text.endswith(sign):
            return text[: -len(sign)].strip()
    return text


def _reading(digits: str, lang: Lang) -> Decimal | None:
    """The digits as `lang` writes numbers (CLDR grouping and decimal signs, strict), or None when it cannot."""
    try:
        return parse_decimal(digits, locale=lang, strict=True)
    except (NumberFormatError, ValueError):
        return None

