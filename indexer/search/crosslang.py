"""Cross-language query expansion: what a Dutch, English or French query word is called in the other languages.

WHY: most EU acts in the corpus exist only in English and French (the CSDDD, the EUDR, the Batteries
Regulation), while Dutch users type Dutch, and the Dutch-only texts (the NCP decree, the Dutch versions of
the CSRD and NFRD) must be found by English queries. Two sources of knowledge:

- a curated glossary, config/glossary.yaml (concepts with their terms in en / nl / fr, multiword terms
  allowed): "kinderarbeid" = "child labour" = "travail des enfants";
- word translations learned from the corpus's own parallel texts (`learn_translations`): provisions with
  the same id in two language versions of one version of an act translate each other, so words that keep
  occurring in the same aligned pairs translate each other ("gebruikers" / "users" / "utilisateurs").

The expansion returns surface words and phrases (never stems): the search engine analyses them itself, in
every language, exactly like the words the user typed.

API (the integrator turns each `Expansion` into an OR in the query AST, indexer/search/query.py)::

    from indexer.search.crosslang import Translations, expand, expand_query_words, learn_from_data_dir, load_glossary
    glossary = load_glossary()                        # config/glossary.yaml (cached)
    translations = learn_from_data_dir("corpus")      # ~3 s on the real corpus; deterministic
    translations.save(path); translations = Translations.load(path)   # JSON; load refuses a stale analysis

    expand_query_words(["passende", "zorgvuldigheid", "gebruikers"], translations, glossary)
    # [Expansion(start=0, end=2, words=('passende', 'zorgvuldigheid'), source='glossary',
    #            concepts=('due_diligence',), scores={},
    #            alternatives={'en': ('due diligence',), 'nl': ('gepaste zorgvuldigheid', 'due diligence'),
    #                          'fr': ('devoir de vigilance', 'diligence raisonnable')}),
    #  Expansion(start=2, end=3, words=('gebruikers',), source='learned', concepts=(),
    #            alternatives={'en': ('users',), 'nl': (), 'fr': ('utilisateurs',)},
    #            scores={'en': (0.9833,), 'nl': (), 'fr': (0.7234,)})]

    expand("kinderarbeid", translations, glossary)    # one word or phrase (e.g. a quoted phrase)
    # {'en': ['child labour', 'child labor'], 'nl': [], 'fr': ['travail des enfants']}

`expand_query_words` takes the query words in order (the Text nodes of an implicit AND). An `Expansion`
covers `words[start:end]`; the integrator replaces those Text nodes by
`Or(And(<the words as typed>), *(Text(alt, phrase=" " in alt) for alt in expansion.all_alternatives()))`.
Spans never overlap and come in query order; words without alternatives get no `Expansion` and stay as
they are. `all_alternatives()` is the flat list without the alternatives the engine would analyse like
an earlier one or like the words themselves (the engine searches every Text in every language anyway);
`alternatives` keeps them per target language.

Rules:

- Glossary first: the longest glossary term found in the query words covers them (leftmost-longest, case-
  and diacritic-insensitive, compared by stems in the term's language between inflections of a word
  ("stakeholder"/"stakeholders", not "omzet"/"omzetting"), whole words only: the Dutch compound
  "kinderarbeid" matches the query word "kinderarbeid", never part of a word). The alternatives are the
  other terms of its concept(s), in every language, same-language synonyms included.
- Learned translations only for a single content word no glossary term covers, into a target language in
  which the word is rare or absent (`Translations.exists`: an English word is not translated into English,
  nor "due" from Dutch into English), from the languages in which the word is at home, with a score of at
  least `min_score`. Function words (config/glossary.yaml `function_words`, the search stop words, words
  shorter than 3 letters, numbers) are never translated.
- Never the input itself, nor a variant the engine analyses identically; at most `max_per_language`
  alternatives per language, best first.

Learning (`learn_translations`): documents are grouped by `version_id` (or same act and version date);
within a group each pair of languages gives aligned units, the texts of provisions with the same id and,
separately, their headings: each a "sentence pair" (deduplicated: consolidated versions repeat texts;
pairs of very different length are left out). Words become keys by the search analysis
(`indexer.search.analysis.analyze`, for French too when config/search.yaml defines a French analyser,
else a Snowball French stemmer used only here).
Dice 2·c(a,b)/(c(a)+c(b)) over co-occurrence gives candidates; competitive linking then links each word
of a unit to at most one word of the other side, strongest pairs first, and the score is the Dice of the
links (this removes indirect associations); at least `min_count` links, score ≥ `min_score`, best `top`
kept, and a translation a → b only if a is also among b's translations back. Then:

- a Dutch compound whose best translation is one word of a more strongly associated phrase, grown only by
  words that translate a part of the compound, gets the phrase: "kinderarbeid" → "child labour",
  "minimumleeftijd" → "minimum age", "informatiesysteem" → "information system";
- a translation that is a bound word (≥ 80 % of its occurrences next to the same word) is replaced by
  that phrase: "vigilance" → "due diligence", not "due" (which would also find "due to");
- each key is shown as the surface word used where it translates the source word ("users" → French
  "utilisateurs", not the more frequent "utilisation" that shares its stem);
- Dutch ↔ French has few direct pairs, so those scores are the mean of the direct score and the score
  through English (product), a missing one counting 0.

`Translations` also keeps per language the number of provisions containing each key, so that the expander
can tell whether a word exists in a language (`exists`, `frequency`).
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import tantivy
import yaml
from pydantic import BaseModel, PrivateAttr

from indexer.search.analysis import analyze
from indexer.search.analysis import languages as engine_languages
from indexer.search.compounds import LANGUAGE as COMPOUNDING
from indexer.search.compounds import Decompounder
from indexer.search.settings import search_config
from regkb.records import Document
from regkb.settings import load_config

LANGUAGES: tuple[str, ...] = ("en", "nl", "fr")
FORMAT = 2

# Learning
MIN_COUNT = 3            # aligned units in which a key pair must be linked
MIN_LEARN_SCORE = 0.2    # Dice below this is not kept
TOP = 3                  # translations kept per key
BOUND_SHARE, BOUND_MIN = 0.8, 5  # a word is bound to a phrase when >= 80 % of its (>= 5) occurrences are in it
PHRASE_GAIN = 0.02       # a phrase replaces its first word only when it is more strongly associated
MAX_UNIT_KEYS = 200      # longer units (tables, long annex points) only blur the statistics ...
MANY_UNITS, MAX_UNIT_KEYS_WHEN_MANY = 2000, 80  # ... and with plenty of units, long ones cost most of the time
# Expansion
MIN_SCORE = 0.35         # learned translations below this are not proposed
MAX_PER_LANGUAGE = 3
EXISTS_MIN_DF = 3        # a word "exists" in a language when it is in at least this many provisions ...
EXISTS_RATIO = 0.1       # ... and is at least this relatively frequent there as in its most frequent language
SOURCE_MIN_DF = 2        # a word is translated from a language only if it occurs there this often ...
SOURCE_RATIO = 0.5       # ... and is at least half as (relatively) frequent there as in its most frequent language

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # tantivy's "simple" tokenizer (analysis.raw_words)
_ROMAN = re.compile(r"^(?=[mdclxvi])m*(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


# --------------------------------------------------------------------------------------------------------
# Normalisation and keys


def fold(text: str) -> str:
    """Lower case, without diacritics, typographic apostrophes as ' (how glossary terms are compared)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    """The words of a text as the search engine's tokenizer splits them (runs of letters and digits)."""
    return _WORD.findall(text)


@cache
def _french_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("french"))
            .build())


@lru_cache(maxsize=500_000)
def term_key(word: str, lang: str) -> str | None:
    """The key (stem) of one word in a language: the search engine's analyser of that language
    (config/search.yaml `analysis.languages`), else, for French, a Snowball French stemmer of our own; None
    for a stop word."""
    if lang in _engine_language_set():
        terms = analyze(word, lang)
    else:
        terms = tuple(_french_analyzer().analyze(word))
    return terms[0] if terms else None


@cache
def _engine_language_set() -> frozenset[str]:
    return frozenset(engine_languages())


def _plain_word(folded: str) -> bool:
    """Long enough, not a number, not a roman numeral (point numbers)."""
    return len(folded) >= 3 and not any(ch.isdigit() for ch in folded) and not _ROMAN.match(folded)


@lru_cache(maxsize=100_000)
def _engine_signature(text: str) -> tuple[tuple[str, ...], ...]:
    """How the engine analyses a text in each of its languages: equal signatures find the same records."""
    return tuple(tuple(t for w in words_of(text) for t in analyze(w, lang)) for lang in engine_languages())


# --------------------------------------------------------------------------------------------------------
# Glossary


@dataclass(frozen=True)
class Concept:
    """One glossary entry: its terms per language, the preferred term first."""

    id: str
    terms: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Term:
    concept: int
    lang: str
    text: str
    keys: tuple[str, ...]
    tokens: tuple[str, ...]  # folded


@dataclass
class Glossary:
    """The curated terms (config/glossary.yaml) and the words never to translate."""

    concepts: tuple[Concept, ...]
    function_words: Mapping[str, frozenset[str]]
    _index: dict[tuple[str, str], list[_Term]] = field(default_factory=dict, repr=False)  # (lang, first key)

    def __post_init__(self) -> None:
        for i, concept in enumerate(self.concepts):
            for lang, terms in concept.terms.items():
                for text in terms:
                    tokens = _content_tokens_of(tuple(words_of(fold(text))))
                    keys = _match_keys(tokens, lang)
                    if not keys:
                        continue
                    self._index.setdefault((lang, keys[0]), []).append(_Term(i, lang, text, keys, tokens))
        for same_start in self._index.values():
            same_start.sort(key=lambda t: -len(t.keys))

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Glossary:
        """From the parsed YAML; raises ValueError with the entry at fault."""
        concepts: list[Concept] = []
        seen: set[str] = set()
        for n, entry in enumerate(data.get("entries") or [], 1):
            cid = entry.get("id") if isinstance(entry, dict) else None
            if not cid or not isinstance(cid, str):
                raise ValueError(f"glossary entry {n} has no id")
            if cid in seen:
                raise ValueError(f"glossary entry {cid!r} is listed twice")
            seen.add(cid)
            terms: dict[str, tuple[str, ...]] = {}
            for lang in LANGUAGES:
                values = entry.get(lang) or []
                if isinstance(values, str):
                    values = [values]
                cleaned = tuple(str(v).strip() for v in values if str(v).strip())
                if cleaned:
                    terms[lang] = cleaned
            unknown = set(entry) - {"id", *LANGUAGES}
            if unknown:
                raise ValueError(
                    f"glossary entry {cid!r} has unknown keys {sorted(unknown)} (use {', '.join(LANGUAGES)})"
                )
            if len(terms) < 2:
                raise ValueError(f"glossary entry {cid!r} needs terms in at least two languages")
            concepts.append(Concept(cid, terms))
        fw = {lang: frozenset(fold(str(w)) for w in (data.get("function_words") or {}).get(lang) or [])
              for lang in LANGUAGES}
        return cls(tuple(concepts), fw)

    def concept(self, concept_id: str) -> Concept:
        return next(c for c in self.concepts if c.id == concept_id)

    def is_function_word(self, word: str, lang: str | None = None) -> bool:
        """A word never translated: a function word or search stop word (of `lang`, or of any language),
        a number, or shorter than 3 letters."""
        folded = fold(word)
        if not _plain_word(folded):
            return True
        langs = [lang] if lang else list(LANGUAGES)
        return any(folded in self.function_words.get(lg, frozenset()) or term_key(folded, lg) is None for lg in langs)

    def match(self, tokens: Sequence[str]) -> list[tuple[int, int, list[_Term]]]:
        """Leftmost-longest glossary matches over folded tokens: (start, end, terms of that length). Function
        words are passed over, as in the terms (`_content_tokens_of`): "right to full compensation" matches
        like "right full compensation"; start and end index `tokens` as given."""
        from indexer.search.analysis import function_words
        at = [i for i, t in enumerate(tokens) if t not in function_words()] or list(range(len(tokens)))
        # a match at either end covers the function words there ("kmo's", "the due diligence")
        return [(0 if a == 0 else at[a], len(tokens) if b == len(at) else at[b - 1] + 1, terms)
                for a, b, terms in self._match_content([tokens[i] for i in at])]

    def _match_content(self, tokens: Sequence[str]) -> list[tuple[int, int, list[_Term]]]:
        keyed = {lang: [_match_key(t, lang) for t in tokens] for lang in LANGUAGES}
        out: list[tuple[int, int, list[_Term]]] = []
        i = 0
        while i < len(tokens):
            best: list[_Term] = []
            for lang in LANGUAGES:
                for term in self._index.get((lang, keyed[lang][i]), []):
                    n = len(term.keys)
                    if best and n < len(best[0].keys):
                        break  # sorted longest first
                    if tuple(keyed[lang][i:i + n]) == term.keys and _close_forms(tokens[i:i + n], term.tokens):
                        if best and n > len(best[0].keys):
                            best = []
                        best.append(term)
            if best:
                out.append((i, i + len(best[0].keys), best))
                i += len(best[0].keys)
            else:
                i += 1
        return out


def _content_tokens_of(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """A term's words as queries are matched (Glossary.match): without function words, so that "right to
    full compensation" and "verwijderbaar en vervangbaar" match the query words with or without them ("vallen
    onder" is matched by "vallen")."""
    from indexer.search.analysis import function_words
    return tuple(t for t in tokens if t not in function_words()) or tokens


def _close_forms(typed: Sequence[str], term: Sequence[str]) -> bool:
    """Same stems are not enough for a glossary match: the words must also be inflections of each other
    (at most 3 letters apart: "stakeholder"/"stakeholders", not Dutch "omzet"/"omzetting")."""
    return all(abs(len(a) - len(b)) <= 3 for a, b in zip(typed, term))


def _match_key(folded_token: str, lang: str) -> str:
    return term_key(folded_token, lang) or folded_token


def _match_keys(folded_tokens: Sequence[str], lang: str) -> tuple[str, ...]:
    return tuple(_match_key(t, lang) for t in folded_tokens)


def load_glossary(path: str | Path | None = None) -> Glossary:
    """config/glossary.yaml (read with regkb.settings.load_config, built once), or the YAML file at `path`."""
    if path is None:
        return _default_glossary()
    with Path(path).open(encoding="utf-8") as fh:
        return Glossary.from_data(yaml.safe_load(fh) or {})


@cache
def _default_glossary() -> Glossary:
    return Glossary.from_data(load_config("glossary") or {})


# --------------------------------------------------------------------------------------------------------
# Learned translations


class Candidate(BaseModel):
    """One learned translation of a key: the surface word or phrase, its key(s), Dice score, co-occurrences."""

    text: str
    key: str
    score: float
    count: int


class Translations(BaseModel):
    """Word translations learned from aligned provisions, and per-language key frequencies."""

    format: int = FORMAT
    analysis: str = ""   # fingerprint of the analysis the keys come from (analysis_fingerprint)
    languages: list[str] = list(LANGUAGES)
    aligned_units: dict[str, int] = {}         # "en-nl" → aligned unit pairs (deduplicated) learned from
    provisions: dict[str, int] = {}            # language → distinct provision texts
    df: dict[str, dict[str, int]] = {}         # language → key → provisions containing it
    words: dict[str, list[str]] = {}          # language → every word its texts use, folded (as written, unstemmed)
    _vocab: dict[str, frozenset[str]] | None = PrivateAttr(default=None)
    table: dict[str, dict[str, dict[str, list[Candidate]]]] = {}  # source → target → source key → best first

    def save(self, path: str | Path) -> None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(self.model_dump_json(), encoding="utf-8")
        tmp.replace(p)

    @classmethod
    def load(cls, path: str | Path, glossary: Glossary | None = None) -> Translations:
        """Raises ValueError when the file is of another format or its keys come from another analysis
        (config/search.yaml `analysis` or the glossary's function words changed): learn them again."""
        t = cls.model_validate_json(Path(path).read_bytes())
        if t.format != FORMAT:
            raise ValueError(f"{path}: translations format {t.format}, expected {FORMAT}: learn them again")
        if t.analysis != analysis_fingerprint(glossary or load_glossary()):
            raise ValueError(f"{path}: learned with another text analysis (config/search.yaml or "
                             "config/glossary.yaml function_words changed): learn them again")
        return t

    def key(self, word: str, lang: str) -> str | None:
        return term_key(fold(word), lang)

    def frequency(self, word: str, lang: str) -> int:
        """In how many provisions of `lang` the word (any form with its stem) occurs."""
        k = self.key(word, lang)
        return self.df.get(lang, {}).get(k, 0) if k else 0

    def relative_frequency(self, word: str, lang: str) -> float:
        n = self.provisions.get(lang, 0)
        return self.frequency(word, lang) / n if n else 0.0

    def exists(self, word: str, lang: str) -> bool:
        """The word is common enough in `lang` that searching it as typed finds that language's texts."""
        if self.frequency(word, lang) < EXISTS_MIN_DF:
            return False
        rel = self.relative_frequency(word, lang)
        others = [self.relative_frequency(word, other) for other in self.languages if other != lang]
        return rel >= EXISTS_RATIO * max(others, default=0.0)

    def is_word_of(self, word: str, lang: str) -> bool:
        """The texts of `lang` use this very word (not only a word of the same stem)."""
        vocab = self._vocabularies().get(lang)
        return vocab is not None and fold(word) in vocab

    def languages_of_word(self, word: str) -> tuple[str, ...]:
        """The languages whose texts use the word as written; () when none does (a name, a number, a new
        inflection): such a word is searched by its stem everywhere."""
        return tuple(lang for lang in self.languages if self.is_word_of(word, lang))

    def _vocabularies(self) -> dict[str, frozenset[str]]:
        if self._vocab is None:
            self._vocab = {lang: frozenset(ws) for lang, ws in self.words.items()}
        return self._vocab

    def translate(self, word: str, source: str, target: str) -> list[Candidate]:
        """Learned translations of `word` read as a word of `source`, best first."""
        k = self.key(word, source)
        return list(self.table.get(source, {}).get(target, {}).get(k, [])) if k else []

    def pair_count(self) -> int:
        return sum(len(by_key) for by_target in self.table.values() for by_key in by_target.values())


def analysis_fingerprint(glossary: Glossary) -> str:
    """What the learned keys depend on: the search analysis settings, the function words, the format."""
    spec = {"format": FORMAT, "analysis": search_config().get("analysis"),
            "function_words": {lang: sorted(ws) for lang, ws in sorted(glossary.function_words.items())}}
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class _LangStats:
    """Per language: word occurrences, provision frequency of keys, and the key of every word seen."""

    lang: str
    glossary: Glossary
    surface: Counter[str] = field(default_factory=Counter)       # lower-cased word → occurrences
    df: Counter[str] = field(default_factory=Counter)            # key → distinct provision texts
    keys: dict[str, str | None] = field(default_factory=dict)  # lower-cased word → content key or None
    provisions: int = 0
    bigrams: Counter[tuple[str, str]] = field(default_factory=Counter)
    splitter: Decompounder | None = None  # Dutch: compounds also count as their parts (set after counting)
    _units: dict[str, _Unit] = field(default_factory=dict)
    _neighbours: dict[str, list[tuple[int, str, tuple[str, ...]]]] | None = None

    def add_text(self, text: str) -> None:
        """Count one distinct provision text: words, key frequencies, word pairs."""
        words = words_of(text.lower())
        self.surface.update(words)
        self.bigrams.update(itertools.pairwise(words))
        self.df.update(self.unit(text, words).keys)
        self.provisions += 1

    def split_compounds(self) -> None:
        """From now on a unit's compounds also count as their parts, split with the frequencies counted so far
        (units read while counting are read again)."""
        self.splitter = Decompounder(self.df.get)
        self._units.clear()

    def bound_phrase(self, word: str) -> tuple[str, tuple[str, ...]] | None:
        """(wording, keys) of the phrase a word almost always occurs in, next to the same content word
        ("due" → "due diligence", "prenantes" → "parties prenantes"), or None. Such a word alone is no
        translation: "due" would also find "due to"."""
        occ = self.surface.get(word, 0)
        if occ < BOUND_MIN:
            return None
        if self._neighbours is None:
            self._neighbours = self._index_neighbours()
        best = max(self._neighbours.get(word, []), default=None)
        if best is None or best[0] < BOUND_SHARE * occ:
            return None
        words = best[2]
        return " ".join(words), tuple(k for k in map(self.key, words) if k)

    def _index_neighbours(self) -> dict[str, list[tuple[int, str, tuple[str, ...]]]]:
        """Word → (count, other word, phrase) for the frequent pairs of adjacent content words."""
        out: dict[str, list[tuple[int, str, tuple[str, ...]]]] = defaultdict(list)
        for (w1, w2), n in self.bigrams.items():
            if n >= BOUND_MIN and self.key(w1) and self.key(w2):
                out[w1].append((n, w2, (w1, w2)))
                out[w2].append((n, w1, (w1, w2)))
        return out

    def key(self, word: str) -> str | None:
        """The content key of a lower-cased word, None for function words, numbers and short words."""
        k = self.keys.get(word, "")
        if k == "":
            folded = fold(word)
            ok = _plain_word(folded) and folded not in self.glossary.function_words.get(self.lang, frozenset())
            k = self.keys[word] = term_key(folded, self.lang) if ok else None
        return k

    def unit(self, text: str, words: list[str] | None = None) -> _Unit:
        u = self._units.get(text)
        if u is None:
            if words is None:
                words = words_of(text.lower())
            distinct = set(words)
            if self.splitter is not None:  # "kapitaaluitgaven" also says "kapitaal" and "uitgaven"
                distinct |= {p for w in list(distinct) for p in self.splitter.split(w)}
            for w in distinct.difference(self.keys):
                self.key(w)
            keys = frozenset(filter(None, map(self.keys.__getitem__, distinct)))
            u = self._units[text] = _Unit(text, keys, tuple(words))
        return u


@dataclass(frozen=True)
class _Unit:
    """One side of an aligned pair: the text and its content keys."""

    text: str
    keys: frozenset[str]
    words: tuple[str, ...]  # lower-cased

    @property
    def length(self) -> int:
        return len(self.words)


def _groups(documents: Sequence[Document]) -> list[list[Document]]:
    """Language versions of one version: same version_id, or same act and version date."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    by_date: dict[tuple[str, str], str] = {}
    for d in documents:
        find(d.version_id)
        if d.dates.version_date is not None:
            other = by_date.setdefault((d.act_id, d.dates.version_date.isoformat()), d.version_id)
            parent[find(d.version_id)] = find(other)
    groups: dict[str, list[Document]] = defaultdict(list)
    for d in documents:
        groups[find(d.version_id)].append(d)
    return [sorted(g, key=lambda d: d.id) for _, g in sorted(groups.items())]


def learn_translations(documents: Iterable[Document], glossary: Glossary | None = None, *,
                       min_count: int = MIN_COUNT, min_score: float = MIN_LEARN_SCORE, top: int = TOP) -> Translations:
    """Learn word translations from the aligned language versions among `documents` (deterministic:
    the same documents in any order give the same result)."""
    glossary = glossary or load_glossary()
    docs = sorted((d for d in documents if d.language in LANGUAGES), key=lambda d: d.id)
    stats = {lang: _LangStats(lang, glossary) for lang in LANGUAGES}

    # Per-language frequencies over distinct provision texts (consolidated versions repeat them).
    seen: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for d in docs:
        st = stats[d.language]
        for p in d.provisions:
            text = " ".join(filter(None, [p.heading, p.text]))
            if text and text not in seen[d.language]:
                seen[d.language].add(text)
                st.add_text(text)

    # Dutch compounds count as their parts too in the aligned units ("kapitaaluitgaven" / "capital
    # expenditure" teaches "uitgaven" / "expenditure"), split with the frequencies just counted.
    if COMPOUNDING in stats:
        stats[COMPOUNDING].split_compounds()

    # Aligned units per language pair, deduplicated on their texts.
    aligned: dict[tuple[str, str], dict[tuple[str, str], tuple[_Unit, _Unit]]] = defaultdict(dict)
    for group in _groups(docs):
        by_lang: dict[str, Document] = {}
        for d in group:
            by_lang.setdefault(d.language, d)
        for a, b in _language_pairs(by_lang):
            pb = {p.id: p for p in by_lang[b].provisions}
            for pa in by_lang[a].provisions:
                q = pb.get(pa.id)
                if q is None:
                    continue
                for ta, tb in ((pa.text, q.text), (pa.heading, q.heading)):
                    if ta and tb and (ta, tb) not in aligned[(a, b)]:
                        ua, ub = stats[a].unit(ta), stats[b].unit(tb)
                        if _plausible(ua, ub):
                            aligned[(a, b)][(ta, tb)] = (ua, ub)

    surface_of = {lang: _surfaces(stats[lang]) for lang in LANGUAGES}
    forms_of = {lang: _forms(stats[lang]) for lang in LANGUAGES}
    table: dict[str, dict[str, dict[str, list[Candidate]]]] = {
        s: {t: {} for t in LANGUAGES if t != s} for s in LANGUAGES
    }
    counts: dict[str, int] = {}
    for (a, b), units in sorted(aligned.items()):
        pairs = list(units.values())
        if len(pairs) > MANY_UNITS:
            pairs = [(u, v) for u, v in pairs if max(len(u.keys), len(v.keys)) <= MAX_UNIT_KEYS_WHEN_MANY]
        counts[f"{a}-{b}"] = len(pairs)
        pair = _PairModel([u for u, _ in pairs], [v for _, v in pairs], min_count)
        sides = {a: _Side([u for u, _ in pairs], stats[a]), b: _Side([v for _, v in pairs], stats[b])}
        for src, tgt, links in ((a, b, pair.forward(min_score)), (b, a, pair.backward(min_score))):
            by_key = {
                k: [Candidate(text=surface_of[tgt].get(o, o), key=o, score=round(s, 4), count=n) for s, n, o in v[:top]]
                for k, v in links.items()
            }
            if src == "nl":  # Dutch compounds ↔ phrases of the other language ("kinderarbeid" → "child labour")
                _extend_to_phrases(by_key, pair, forward=(src == a), src_surface=surface_of[src], side=sides[tgt],
                                   min_count=min_count)
            _contextual_surfaces(by_key, sides[src], sides[tgt], forms_of[tgt])
            _bind_phrases(by_key, stats[tgt], surface_of[tgt], MIN_SCORE)
            table[src][tgt] = {k: v[:top] for k, v in by_key.items()}
    _prune_inconsistent(table)
    _pivot(table, "nl", "fr", "en", top, min_score)
    _pivot(table, "fr", "nl", "en", top, min_score)

    return Translations(
        analysis=analysis_fingerprint(glossary),
        aligned_units=counts,
        provisions={lang: stats[lang].provisions for lang in LANGUAGES},
        df={lang: dict(sorted(stats[lang].df.items())) for lang in LANGUAGES},
        words={lang: sorted({fold(w) for w in stats[lang].surface}) for lang in LANGUAGES},
        table={
            s: {t: dict(sorted(by_key.items())) for t, by_key in sorted(by_t.items())}
            for s, by_t in sorted(table.items())
        },
    )


def learn_from_data_dir(data_dir: str | Path, glossary: Glossary | None = None) -> Translations:
    """learn_translations over the documents of a data dir, as the corpus store reads them (a file that does
    not load is left out: the store reports it)."""
    from regkb.corpus import Corpus
    return learn_translations(Corpus.at(data_dir).all(), glossary)


def _language_pairs(by_lang: Mapping[str, Document]) -> list[tuple[str, str]]:
    present = [lang for lang in LANGUAGES if lang in by_lang]
    return [(a, b) for i, a in enumerate(present) for b in present[i + 1:]]


def _plausible(a: _Unit, b: _Unit) -> bool:
    """Both sides say something and are of comparable length (a misaligned pair only adds noise)."""
    if not a.keys or not b.keys or len(a.keys) > MAX_UNIT_KEYS or len(b.keys) > MAX_UNIT_KEYS:
        return False
    short, long_ = sorted((a.length, b.length))
    return long_ <= 2.5 * short + 4


def _surfaces(st: _LangStats) -> dict[str, str]:
    """Key → its most frequent surface word (ties: alphabetical)."""
    best: dict[str, tuple[int, str]] = {}
    for word, n in st.surface.items():
        k = st.keys.get(word)
        if k is None:
            continue
        cur = best.get(k)
        if cur is None or n > cur[0] or (n == cur[0] and word < cur[1]):
            best[k] = (n, word)
    return {k: w for k, (_, w) in best.items()}


_Links = dict[str, list[tuple[float, int, str]]]  # key → [(score, count, other key)], best first


class _PairModel:
    """Association of the keys of two languages over their aligned units.

    Dice over co-occurrence finds candidates; competitive linking (each word of a unit linked to at most one
    word of the other side, strongest candidate pairs first) then removes indirect associations: in a unit
    "corruption, bribery, employees" / "corruptie, omkoping, werknemers", corruption and bribery take their
    own translations, so "employees" is not explained by "corruptie". The score is the Dice of the links."""

    PRELIM_MIN = 0.1   # candidates for linking
    PRELIM_TOP = 30

    def __init__(self, left: list[_Unit], right: list[_Unit], min_count: int):
        self.left, self.right, self.min_count = left, right, min_count
        self.cl: Counter[str] = Counter()
        self.cr: Counter[str] = Counter()
        for u in left:
            self.cl.update(u.keys)
        for v in right:
            self.cr.update(v.keys)
        keep_l = {k for k, n in self.cl.items() if n >= min_count}
        keep_r = {k for k, n in self.cr.items() if n >= min_count}
        cooc: dict[str, Counter[str]] = defaultdict(Counter)
        for u, v in zip(left, right):
            rk = [k for k in v.keys if k in keep_r]
            if rk:
                for k in u.keys:
                    if k in keep_l:
                        cooc[k].update(rk)
        self.cooc = cooc
        prelim: dict[str, dict[str, float]] = {}
        for a, row in cooc.items():
            na = self.cl[a]
            floor = self.PRELIM_MIN * na
            scored = [(-2.0 * n / (na + self.cr[b]), b) for b, n in row.items() if n >= min_count and 2.0 * n >= floor]
            scored = [x for x in scored if -x[0] >= self.PRELIM_MIN]
            if scored:
                scored.sort()
                prelim[a] = {b: -s for s, b in scored[:self.PRELIM_TOP]}
        self.links: Counter[tuple[str, str]] = Counter()
        for u, v in zip(left, right):
            cands = [(-prelim[a][b], a, b) for a in u.keys if a in prelim for b in prelim[a].keys() & v.keys]
            cands.sort()
            used_a: set[str] = set()
            used_b: set[str] = set()
            for _, a, b in cands:
                if a not in used_a and b not in used_b:
                    used_a.add(a)
                    used_b.add(b)
                    self.links[(a, b)] += 1

    def partners(self, left_side: bool, limit: int = 5) -> dict[str, list[str]]:
        """Key of one side → the keys of the other side it was linked to at least twice, most often first."""
        out: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for (a, b), n in self.links.items():
            if n >= 2:
                if left_side:
                    out[a].append((n, b))
                else:
                    out[b].append((n, a))
        return {k: [o for _, o in sorted(v, key=lambda t: (-t[0], t[1]))[:limit]] for k, v in out.items()}

    def dice(self, a: str, b: str) -> float:
        row = self.cooc.get(a)
        n = row[b] if row is not None else 0
        return 2.0 * n / (self.cl[a] + self.cr[b]) if n else 0.0

    def _scored(self, min_score: float) -> Iterable[tuple[str, str, float, int]]:
        for (a, b), n in self.links.items():
            if n >= self.min_count:
                score = 2.0 * n / (self.cl[a] + self.cr[b])
                if score >= min_score:
                    yield a, b, score, n

    def forward(self, min_score: float) -> _Links:
        out: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        for a, b, s, n in self._scored(min_score):
            out[a].append((s, n, b))
        return {k: sorted(v, key=lambda t: (-t[0], -t[1], t[2])) for k, v in out.items()}

    def backward(self, min_score: float) -> _Links:
        out: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        for a, b, s, n in self._scored(min_score):
            out[b].append((s, n, a))
        return {k: sorted(v, key=lambda t: (-t[0], -t[1], t[2])) for k, v in out.items()}


@dataclass(frozen=True)
class _Token:
    key: str
    start: int
    end: int
    joined: bool  # follows the previous content word with at most one non-content word between


def _content_tokens(text: str, st: _LangStats) -> tuple[list[_Token], dict[str, list[int]]]:
    """The content words of a text, and where each key occurs."""
    out: list[_Token] = []
    where: dict[str, list[int]] = defaultdict(list)
    gap = 99
    for m in _WORD.finditer(text):
        k = st.key(m.group(0).lower())
        if k is None:
            gap += 1
            continue
        where[k].append(len(out))
        out.append(_Token(k, m.start(), m.end(), bool(out) and gap <= 1))
        gap = 0
    return out, where


def _occurrences(
    tokens: list[_Token], where: Mapping[str, list[int]], phrase: tuple[str, ...]
) -> Iterable[tuple[int, int]]:
    """(first, last) token indices where the content keys `phrase` follow each other."""
    n = len(phrase)
    for i in where.get(phrase[0], ()):
        if i + n <= len(tokens) and all(tokens[i + j].key == phrase[j] and tokens[i + j].joined for j in range(1, n)):
            yield i, i + n - 1


class _Side:
    """The target side of one language pair's aligned units, for finding the phrases a word belongs to."""

    def __init__(self, units: list[_Unit], st: _LangStats):
        self.units, self.st = units, st
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, v in enumerate(units):
            for k in v.keys:
                self.index[k].append(i)
        self._tokens: dict[int, tuple[list[_Token], dict[str, list[int]]]] = {}
        self._words: dict[int, Counter[str]] = {}
        self._found: dict[tuple[str, ...], list[tuple[int, set[tuple[str, ...]]]]] = {}
        self.wording: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)

    def words(self, i: int) -> Counter[str]:
        """The lower-cased words of unit i, counted."""
        if i not in self._words:
            self._words[i] = Counter(self.units[i].words)
        return self._words[i]

    def tokens(self, i: int) -> tuple[list[_Token], dict[str, list[int]]]:
        if i not in self._tokens:
            self._tokens[i] = _content_tokens(self.units[i].text, self.st)
        return self._tokens[i]

    def extensions(self, phrase: tuple[str, ...]) -> list[tuple[int, set[tuple[str, ...]]]]:
        """Per unit containing `phrase`: the phrases one content word longer (left or right) found there."""
        if phrase in self._found:
            return self._found[phrase]
        rows = []
        for i in self.index.get(phrase[0], []):
            if any(k not in self.units[i].keys for k in phrase[1:]):
                continue
            toks, where = self.tokens(i)
            text = self.units[i].text
            found: set[tuple[str, ...]] = set()
            for first, last in _occurrences(toks, where, phrase):
                if first > 0 and toks[first].joined:
                    ext = (toks[first - 1].key, *phrase)
                    found.add(ext)
                    self.wording[ext][text[toks[first - 1].start:toks[last].end].lower()] += 1
                if last + 1 < len(toks) and toks[last + 1].joined:
                    ext = (*phrase, toks[last + 1].key)
                    found.add(ext)
                    self.wording[ext][text[toks[first].start:toks[last + 1].end].lower()] += 1
            if found:
                rows.append((i, found))
        self._found[phrase] = rows
        return rows

    def text(self, phrase: tuple[str, ...]) -> str:
        return min(self.wording[phrase].items(), key=lambda x: (-x[1], x[0]))[0]


def _extend_to_phrases(
    by_key: dict[str, list[Candidate]],
    pair: _PairModel,
    forward: bool,
    src_surface: Mapping[str, str],
    side: _Side,
    min_count: int,
    max_words: int = 3,
) -> None:
    """A compound whose best translation is one word of a phrase that is more strongly associated with it
    ("kinderarbeid": "child" 0.86 < "child labour" 0.96) gets the phrase instead. The phrase grows one
    word at a time to the left or right, up to `max_words`, while its Dice rises, and only by a word that
    translates a part of the compound ("labour" ↔ "arbeid" in "kinderarbeid"), so that a verb does not
    pick up its subject ("bekrachtigt" is not "organisation which ratifies")."""
    src_units = pair.left if forward else pair.right
    src_count = pair.cl if forward else pair.cr
    src_index: dict[str, set[int]] = defaultdict(set)
    for i, u in enumerate(src_units):
        for k in u.keys:
            src_index[k].add(i)
    partners = pair.partners(left_side=not forward)  # target key → source keys it is linked to

    def part_of(word: str, tgt_key: str) -> bool:
        parts = [p for k in partners.get(tgt_key, []) for p in (k, fold(src_surface.get(k, k))) if len(p) >= 4]
        return any(p in word for p in parts)

    for src_key in sorted(by_key):
        cands = by_key[src_key]
        word = fold(src_surface.get(src_key, src_key))
        if len(word) < 8 or not cands or src_count[src_key] < min_count:  # compounds are long words
            continue
        best = cands[0]
        phrase: tuple[str, ...] = (best.key,)
        score = pair.dice(src_key, best.key) if forward else pair.dice(best.key, src_key)
        count, text = best.count, best.text
        with_src = src_index.get(src_key, set())
        grown = False
        while len(phrase) < max_words:
            ext_all: Counter[tuple[str, ...]] = Counter()
            ext_src: Counter[tuple[str, ...]] = Counter()
            for i, found in side.extensions(phrase):
                ext_all.update(found)
                if i in with_src:
                    ext_src.update(found)
            options = []
            for ext, n in ext_src.items():
                added = ext[0] if ext[1:] == phrase else ext[-1]
                if n >= min_count and added not in phrase and part_of(word, added):
                    options.append((2.0 * n / (src_count[src_key] + ext_all[ext]), n, ext))
            if not options:
                break
            s, n, ext = min(options, key=lambda x: (-x[0], -x[1], x[2]))
            # the first word must gain, later ones not lose
            if s < (score - PHRASE_GAIN if grown else score + PHRASE_GAIN):
                break
            phrase, score, count = ext, s, n
            text = side.text(ext)
            grown = True
        if grown:
            covered = set(phrase)
            rest = [c for c in cands if c.key not in covered]
            by_key[src_key] = [Candidate(text=text, key=" ".join(phrase), score=round(score, 4), count=count), *rest]


def _forms(st: _LangStats) -> dict[str, list[str]]:
    """Key → its surface words, when there are several ("utilisateurs", "utilisation" for French "utilis")."""
    out: dict[str, list[str]] = defaultdict(list)
    for word, k in st.keys.items():
        if k is not None and word in st.surface:
            out[k].append(word)
    return {k: sorted(v) for k, v in out.items() if len(v) > 1}


def _contextual_surfaces(
    by_key: dict[str, list[Candidate]], src: _Side, tgt: _Side, forms: Mapping[str, list[str]]
) -> None:
    """A key with several surface words is shown as the one used where it translates the source word:
    "users" → "utilisateurs", not the more frequent "utilisation" that shares its French stem."""
    for src_key in sorted(by_key):
        units = set(src.index.get(src_key, ()))
        cands = by_key[src_key]
        for n, c in enumerate(cands):
            words = forms.get(c.key)
            if not words or " " in c.key:
                continue
            counts: Counter[str] = Counter()
            for i in units.intersection(tgt.index.get(c.key, ())):
                in_unit = tgt.words(i)
                for w in words:
                    if w in in_unit:
                        counts[w] += in_unit[w]
            if counts:
                best = min(counts.items(), key=lambda x: (-x[1], -tgt.st.surface[x[0]], x[0]))[0]
                if best != c.text:
                    cands[n] = Candidate(text=best, key=c.key, score=c.score, count=c.count)


def _bind_phrases(
    by_key: dict[str, list[Candidate]], st: _LangStats, surface: Mapping[str, str], min_score: float
) -> None:
    """Replace a translation that is a bound word by its phrase (_LangStats.bound_phrase); one entry per phrase."""
    for src_key in sorted(by_key):
        out: list[Candidate] = []
        for c in by_key[src_key]:
            if " " not in c.key and c.score >= min_score:
                bound = st.bound_phrase(surface.get(c.key, c.key))
                if bound is not None:
                    c = Candidate(text=bound[0], key=" ".join(bound[1]), score=c.score, count=c.count)
            if all(o.key != c.key for o in out):
                out.append(c)
        by_key[src_key] = out


def _prune_inconsistent(table: dict[str, dict[str, dict[str, list[Candidate]]]]) -> None:
    """Keep a word translation a → b only if a is among b's own translations back (phrases are kept):
    an indirect association rarely holds in both directions."""
    for src, by_tgt in table.items():
        for tgt, by_key in by_tgt.items():
            back = table[tgt][src]
            for k in list(by_key):
                kept = [c for c in by_key[k] if " " in c.key or any(r.key == k for r in back.get(c.key, []))]
                if kept:
                    by_key[k] = kept
                else:
                    del by_key[k]


def _pivot(
    table: dict[str, dict[str, dict[str, list[Candidate]]]], src: str, tgt: str, via: str, top: int, min_score: float
) -> None:
    """src→tgt from the few direct pairs and from src→via→tgt (score: product): the mean of both scores, a
    missing one counting 0, so that a translation both agree on comes first and one seen only in the few
    direct pairs needs a strong score."""
    direct = table[src][tgt]
    keys = sorted(set(direct) | set(table[src][via]))
    out: dict[str, list[Candidate]] = {}
    for key in keys:
        by_direct = {c.key: c for c in direct.get(key, [])}
        by_pivot: dict[str, Candidate] = {}
        for c1 in table[src][via].get(key, []):
            for c2 in table[via][tgt].get(c1.key, []):
                score = c1.score * c2.score
                cur = by_pivot.get(c2.key)
                if cur is None or score > cur.score:
                    by_pivot[c2.key] = Candidate(text=c2.text, key=c2.key, score=score, count=min(c1.count, c2.count))
        merged = []
        for k in set(by_direct) | set(by_pivot):
            d, p = by_direct.get(k), by_pivot.get(k)
            score = round(((d.score if d else 0.0) + (p.score if p else 0.0)) / 2, 4)
            if score >= min_score:
                base = d or p
                assert base is not None
                merged.append(
                    Candidate(text=base.text, key=k, score=score, count=max(d.count if d else 0, p.count if p else 0))
                )
        if merged:
            out[key] = sorted(merged, key=lambda c: (-c.score, -c.count, c.key))[:top]
    table[src][tgt] = out


# --------------------------------------------------------------------------------------------------------
# Expansion


@dataclass(frozen=True)
class Expansion:
    """Alternatives for the query words words[start:end] (as typed), per target language, best first."""

    start: int
    end: int
    words: tuple[str, ...]
    alternatives: Mapping[str, tuple[str, ...]] = field(hash=False)
    source: Literal["glossary", "learned"]
    concepts: tuple[str, ...] = ()                      # glossary entries matched
    scores: Mapping[str, tuple[float, ...]] = field(default_factory=dict, hash=False)  # learned: per alternative

    def languages_of(self, alt: str) -> tuple[str, ...]:
        """The languages an alternative is a word of: those with an alternative the engine reads like it."""
        sig = _engine_signature(alt)
        return tuple(lang for lang in LANGUAGES
                     if any(_engine_signature(a) == sig for a in self.alternatives.get(lang, ())))

    def all_alternatives(self) -> list[str]:
        """Every alternative once, in language order (en, nl, fr), leaving out those the engine would
        analyse like an earlier one or like the words themselves."""
        seen = {_engine_signature(" ".join(self.words))}
        out = []
        for lang in LANGUAGES:
            for alt in self.alternatives.get(lang, ()):
                sig = _engine_signature(alt)
                if sig not in seen:
                    seen.add(sig)
                    out.append(alt)
        return out


def expand_query_words(words: Sequence[str], translations: Translations | None, glossary: Glossary | None, *,
                       max_per_language: int = MAX_PER_LANGUAGE, min_score: float = MIN_SCORE) -> list[Expansion]:
    """Expansions of a multiword query (the words as typed, in order): glossary phrases as one unit with the
    span of words they cover, then learned translations of the single words left. See the module docstring."""
    glossary = glossary if glossary is not None else load_glossary()
    tokens: list[str] = []
    owner: list[int] = []
    for wi, w in enumerate(words):
        for t in words_of(fold(w)):
            tokens.append(t)
            owner.append(wi)
    starts = {i for i in range(len(tokens)) if i == 0 or owner[i - 1] != owner[i]}
    ends = {i + 1 for i in range(len(tokens)) if i + 1 == len(tokens) or owner[i + 1] != owner[i]}
    out: list[Expansion] = []
    covered: set[int] = set()
    for ts, te, terms in glossary.match(tokens):
        if ts not in starts or te not in ends:
            continue
        ws, we = owner[ts], owner[te - 1] + 1
        span = tuple(words[ws:we])
        alts = _glossary_alternatives(glossary, terms, " ".join(span), max_per_language)
        covered.update(range(ws, we))
        if any(alts.values()):
            concept_ids = tuple(dict.fromkeys(glossary.concepts[t.concept].id for t in terms))
            out.append(Expansion(ws, we, span, alts, "glossary", concept_ids))
    if translations is not None:
        for wi, w in enumerate(words):
            if wi in covered or len(words_of(w)) != 1:
                continue
            alts, scores = _learned_alternatives(w, translations, glossary, max_per_language, min_score)
            if any(alts.values()):
                out.append(Expansion(wi, wi + 1, (w,), alts, "learned", (), scores))
    return sorted(out, key=lambda e: e.start)


def expand(text: str, translations: Translations | None, glossary: Glossary | None, *,
           max_per_language: int = MAX_PER_LANGUAGE, min_score: float = MIN_SCORE) -> dict[str, list[str]]:
    """Alternatives per language ("en", "nl", "fr"; every key present) to OR with a word or phrase as typed.

    The alternatives of the longest glossary term in the text (for a phrase that the term covers only in
    part, such as "verbod op kinderarbeid", the term's alternatives alone: "child labour"); else, for a
    single word, its learned translations. A phrase of several words without a glossary term gets none:
    use expand_query_words for unquoted query words, which also says which words each alternative covers."""
    glossary = glossary if glossary is not None else load_glossary()
    words = text.split()
    expansions = expand_query_words(
        words, translations, glossary, max_per_language=max_per_language, min_score=min_score
    )
    chosen: Expansion | None = None
    glossary_spans = [e for e in expansions if e.source == "glossary"]
    if glossary_spans:
        chosen = max(glossary_spans, key=lambda e: (e.end - e.start, -e.start))
    elif len(words_of(text)) == 1 and expansions:
        chosen = expansions[0]
    return {lang: list(chosen.alternatives.get(lang, ())) if chosen else [] for lang in LANGUAGES}


def _dedupe(alternatives: Iterable[str], typed: str) -> list[str]:
    seen = {_engine_signature(typed)}
    out = []
    for alt in alternatives:
        sig = _engine_signature(alt)
        if sig not in seen and any(sig):
            seen.add(sig)
            out.append(alt)
    return out


def _glossary_alternatives(
    glossary: Glossary, terms: list[_Term], typed: str, limit: int
) -> dict[str, tuple[str, ...]]:
    concepts = list(dict.fromkeys(t.concept for t in terms))
    out: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        # Round-robin over the matched concepts, so that each concept's preferred term comes first.
        lists = [glossary.concepts[c].terms.get(lang, ()) for c in concepts]
        merged = [t for row in _round_robin(lists) for t in row]
        out[lang] = tuple(_dedupe(merged, typed)[:limit])
    return out


def _round_robin(lists: list[tuple[str, ...]]) -> Iterable[list[str]]:
    for i in range(max((len(x) for x in lists), default=0)):
        yield [x[i] for x in lists if i < len(x)]


def _learned_alternatives(word: str, translations: Translations, glossary: Glossary, limit: int,
                          min_score: float) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[float, ...]]]:
    alts: dict[str, tuple[str, ...]] = {lang: () for lang in LANGUAGES}
    scores: dict[str, tuple[float, ...]] = {lang: () for lang in LANGUAGES}
    if glossary.is_function_word(word):
        return alts, scores
    rel = {lang: translations.relative_frequency(word, lang) for lang in LANGUAGES}
    top_rel = max(rel.values())
    sources = [lang for lang in LANGUAGES
               if translations.frequency(word, lang) >= SOURCE_MIN_DF and rel[lang] >= SOURCE_RATIO * top_rel]
    for target in LANGUAGES:
        if translations.exists(word, target):
            continue
        best: dict[str, Candidate] = {}
        for source in sources:
            if source == target:
                continue
            for c in translations.translate(word, source, target):
                if c.score >= min_score and (c.key not in best or c.score > best[c.key].score):
                    best[c.key] = c
        ranked = sorted(best.values(), key=lambda c: (-c.score, -c.count, c.key))
        kept = [c for c in ranked if not all(glossary.is_function_word(t, target) for t in words_of(c.text))]
        texts = _dedupe([c.text for c in kept], word)[:limit]
        alts[target] = tuple(texts)
        by_text: dict[str, float] = {}
        for c in kept:
            by_text.setdefault(c.text, c.score)
        scores[target] = tuple(by_text[t] for t in texts)
    return alts, scores


# --------------------------------------------------------------------------------------------------------
# Command line (for inspection): python -m indexer.search.crosslang [--data-dir corpus] [--out FILE] [WORD ...]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m indexer.search.crosslang", description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="corpus")
    ap.add_argument("--out", help="write the learned translations to this JSON file")
    ap.add_argument("words", nargs="*", help="words or phrases to expand")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    translations = learn_from_data_dir(args.data_dir)
    took = time.perf_counter() - t0
    print(f"learned {translations.pair_count()} key translations from {translations.aligned_units} aligned units "
          f"in {took:.2f} s", file=sys.stderr)
    if args.out:
        translations.save(args.out)
    glossary = load_glossary()
    for w in args.words:
        print(w, "→", expand(w, translations, glossary))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
