"""Citation look-up: "CSDDD art 8", "CSDDD Article 8(2)", "WZK artikel 5", "EUDR art. 3".

A query that is a citation names an act (an alias from config/search.yaml or
a short_title from config/acts.yaml) and an article, optionally a paragraph.
The backends resolve it to a provision of an indexed document and answer
with that provision's obligations first (SearchResponse.redirect).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from indexer.search.settings import search_config
from regkb.settings import load_config


@dataclass(frozen=True)
class CitationRef:
    instrument: str              # short_title, e.g. "CSDDD"
    article: str                 # "8", "5a", "IV" (annexes are not resolved)
    paragraph: Optional[str]     # "2" in "Article 8(2)"
    language: Optional[str]      # from the word used: "artikel" → nl, "article" → en

    @property
    def cite_key(self) -> str:
        return f"{self.article}({self.paragraph})" if self.paragraph else self.article


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        for act in (load_config("acts").get("acts") or {}).values():
            if act.get("short_title"):
                out[act["short_title"].lower()] = act["short_title"]
    except FileNotFoundError:
        pass
    out.update({k.lower(): v for k, v in (search_config().get("act_aliases") or {}).items()})
    return out


def canonical_instrument(name: str) -> Optional[str]:
    return _aliases().get(re.sub(r"\s+", " ", name.strip().lower()))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    words = sorted({w.rstrip(".") for ws in search_config()["citation_words"].values() for w in ws}, key=len, reverse=True)
    return re.compile(
        r"^\s*(?P<act>.+?)\s*,?\s+(?P<word>" + "|".join(map(re.escape, words)) + r")\.?\s*"
        r"(?P<art>\d+[a-z]?)\s*(?:\(\s*(?P<par>\d+[a-z]?)\s*\)|,?\s*(?:lid|paragraph|par\.?)\s*(?P<par2>\d+))?\s*$",
        re.IGNORECASE)


def _language_of(word: str) -> Optional[str]:
    word = word.lower().rstrip(".")
    langs = [lang for lang, ws in search_config()["citation_words"].items() if word in {w.rstrip(".") for w in ws}]
    return langs[0] if len(langs) == 1 else None


def parse_citation(query: str) -> Optional[CitationRef]:
    """The citation the whole query names, or None if it is not one (then it is an ordinary search)."""
    if len(query) > 200:
        return None
    m = _pattern().match(query)
    if not m:
        return None
    instrument = canonical_instrument(m["act"])
    if not instrument:
        return None
    return CitationRef(instrument, m["art"].lower(), (m["par"] or m["par2"] or None), _language_of(m["word"]))
