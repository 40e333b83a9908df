"""Dutch compounds, split into the words they are made of.

WHY: Dutch writes as one word what English and French write as several ("diversiteitsbeleid" = diversity
policy, "kapitaaluitgaven" = capital expenditure, "zorgvuldigheidsverplichtingen"). Without splitting, the
English query "diversity policy" never reaches the Dutch-only NFRD (its translations "diversiteit", "beleid"
occur only inside the compound), and the Dutch query "kapitaaluitgaven" has no translation at all, because
compounds are too rare to be learned from aligned text while their parts are not.

Splitting follows Koehn & Knight (2003, "Empirical methods for compound splitting"): a word is cut into
parts (with an optional linking "s" or "e" between them) that each occur in the corpus's Dutch texts, and the
split is kept only when the geometric mean of the parts' frequencies beats the frequency of the whole word,
so a frequent word made of rare pieces ("onderneming" = "onder" + "neming") stays whole. Frequencies are
document frequencies of the search engine's Dutch stems, so the split agrees with what the index matches.

Used three times, with the same vocabulary (`Decompounder.learned`: the Dutch frequencies `regkb index` learns
with the translations): `records.py` adds the parts of a Dutch record's compounds to the text it is matched on
(both engines index them alike), `expansion.py` ORs a typed Dutch compound with its parts (and their
translations), and translation learning counts a compound's parts.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING

from indexer.search.analysis import analyze, function_words, raw_words
from indexer.search.settings import search_config

if TYPE_CHECKING:
    from indexer.search.crosslang import Translations

LANGUAGE = "nl"
MIN_WORD = 9       # shorter words are rarely compounds of two words of at least MIN_PART letters
MIN_PART = 4       # "wet", "bos" are lost, but so are the prefixes "ver", "ont", "her" that are not words
MIN_PART_FREQUENCY = 3  # a part must occur in at least this many Dutch provisions
MAX_PARTS = 3
LINKS = ("s", "e")  # the linking sounds between parts: "diversiteit-s-beleid", "mens-en-rechten" keeps "mensen"


def stem(word: str) -> str | None:
    """The Dutch search stem of one word (None for a stop word)."""
    terms = analyze(word, LANGUAGE)
    return terms[0] if terms else None


class Decompounder:
    """Splits Dutch words with the frequencies of a corpus (stem → number of provisions containing it)."""

    def __init__(self, frequency: Callable[[str], int | None]):
        self._frequency = frequency
        self._cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def learned(cls, translations: Translations) -> Decompounder:
        """With the Dutch frequencies `regkb index` learned with the translations: the records' compounds and a
        query's are then split alike."""
        return cls(translations.df.get(LANGUAGE, {}).get)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Decompounder:
        """Frequencies counted over distinct texts (consolidated versions repeat theirs)."""
        skip = function_words()
        df: Counter[str] = Counter()
        for text in dict.fromkeys(texts):
            df.update({s for w in raw_words(text.lower()) if w not in skip and (s := stem(w))})
        return cls(df.get)

    def frequency(self, word: str) -> int:
        s = stem(word)
        return (self._frequency(s) or 0) if s else 0

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of a compound, as written in it without linking sounds; () for a word that is not one."""
        low = word.lower()
        if low not in self._cache:
            parts = self._analysis(low, MAX_PARTS)[1] if len(low) >= MIN_WORD and low.isalpha() else ()
            self._cache[low] = parts if len(parts) > 1 else ()
        return self._cache[low]

    def parts_text(self, text: str) -> str:
        """The parts of every compound in a text, each once, space-separated ("" when there is none)."""
        parts = (p for w in dict.fromkeys(raw_words(text)) for p in self.split(w))
        return " ".join(dict.fromkeys(parts))

    def _analysis(self, word: str, max_parts: int) -> tuple[float, tuple[str, ...]]:
        """(geometric mean of the part frequencies, parts) of the best reading of `word`: itself, or a head
        and the best reading of the rest, in at most `max_parts` parts. Ties keep the fewer parts."""
        best: tuple[float, tuple[str, ...]] = (float(self.frequency(word)), (word,))
        if max_parts < 2:
            return best
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            rest = word[i:]
            if rest in _not_parts():
                continue
            tail: tuple[str, ...] | None = None  # the rest's best reading: once per cut, for every head
            for head in self._heads(word[:i]):
                head_n = self.frequency(head)
                if head_n < MIN_PART_FREQUENCY or head in _not_parts():
                    continue
                tail = tail or self._analysis(rest, max_parts - 1)[1]
                tail_freqs = [self.frequency(p) for p in tail]
                if min(tail_freqs) < MIN_PART_FREQUENCY:
                    continue
                score = _geometric_mean([head_n, *tail_freqs])
                if score > best[0]:
                    best = (score, (head, *tail))
        return best

    @staticmethod
    def _heads(written: str) -> list[str]:
        """A head without a linking sound ("diversiteits" → "diversiteit"), then as written."""
        out = [written[: -len(link)] for link in LINKS
               if written.endswith(link) and len(written) - len(link) >= MIN_PART]
        return [*out, written]


@cache
def _not_parts() -> frozenset[str]:
    """Prefixes and suffixes that look like words but do not stand alone in a compound (config/search.yaml
    `compounds.not_parts`): "onder|houd", "gebruik|lijk"."""
    return frozenset(str(w).lower() for w in (search_config().get("compounds") or {}).get("not_parts") or [])


def _geometric_mean(values: list[int]) -> float:
    product = 1.0
    for v in values:
        product *= max(v, 1)
    return product ** (1.0 / len(values))
