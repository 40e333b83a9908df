"""Legal sentence segmentation on plain text (character offsets).

WHY: general-purpose sentence splitters break legal text at "Art. 5", "No. 1"
or "(a)" and glue paragraph numbers to the previous sentence. Here a sentence
ends only at . ! ? followed by a new sentence start (capital, quote, or a
paragraph number "2."), never after a known abbreviation, a single initial or
a bare paragraph number; points "(a) ...; (b) ..." stay with their
introductory wording because ; and : never end a sentence. The same function
feeds the cheap candidate filter and the `regkb_legal_sentences` component.
"""
from __future__ import annotations

import re

from indexer.nlp.lexicon import lexicon

_BOUNDARY = re.compile(r"[.!?][’'\")\]]*(?=\s+)")
_NEXT_START = re.compile(r"\s+(?=[A-Z\u00C0-\u00DE‘“'\"(]|\d+[a-z]?\.\s|\d)")
_HARD_BREAK = re.compile(r"\n[ \t]*\n|\n(?=#)")
_LEADING_NUMBER = re.compile(r"\s*(?:\d+[a-z]?\.|\([a-z0-9]+\))\s*$")


def _ends_with_abbreviation(before: str, abbreviations: frozenset[str]) -> bool:
    word = re.search(r"([\w.]+)$", before)
    if not word:
        return False
    w = word.group(1).lower()
    return w in abbreviations or bool(re.fullmatch(r"[a-z]", w)) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", w))


def _split_block(text: str, offset: int, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        nxt = _NEXT_START.match(text, end)
        if not nxt:
            continue
        before = text[start:m.start()]
        if m.group(0)[0] == "." and (
            _ends_with_abbreviation(before, abbreviations)
            or _LEADING_NUMBER.fullmatch(before + ".")
            or re.search(r"(?:^|\s)\d+[a-z]?$", before)
            and _LEADING_NUMBER.fullmatch(before.split()[-1] + ".")
            and len(before.split()) == 1
        ):
            continue
        if re.search(r"\d$", before) and re.match(r"\s*\d", text[end:]):  # 15.11.2014 or 1. 2.
            continue
        spans.append((start, end))
        start = nxt.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        seg = text[s:e]
        ls, rs = len(seg) - len(seg.lstrip()), len(seg.rstrip())
        if seg.strip():
            out.append((offset + s + ls, offset + s + rs))
    return out


def segment_text(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Sentence spans (start, end) over `text`; blank lines and markdown headings are hard breaks."""
    abbreviations = lexicon(lang).abbreviations
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in list(_HARD_BREAK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        spans.extend(_split_block(text[pos:end].replace("\n", " "), pos, abbreviations))
        pos = m.end() if m else end
    return spans
