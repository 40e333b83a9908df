"""Query expansion across languages: the parsed query with each word (or glossary phrase) OR-ed with its
translations, so that a Dutch query reaches acts held only in English or French, and back.

The knowledge lives in `crosslang.py` (glossary, learned translations); this module only rewrites the
query AST. Translations are learned by `regkb index` from the corpus's aligned language versions and kept
in `<data-dir>/index/translations.json`; without that file the glossary alone is used.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.search.query import And, FieldMatch, MatchAll, Node, Not, Or, Text

if TYPE_CHECKING:  # crosslang loads tantivy and the analysers: imported when first needed
    from collections.abc import Iterable

    from indexer.search.compounds import Decompounder
    from indexer.search.crosslang import Glossary, Translations
    from regkb.records import Document

log = logging.getLogger(__name__)
TRANSLATIONS_FILE = "translations.json"
# Translations go into English (every EU act here has an English text) and Dutch (what many readers type, and
# the Dutch-only texts), plus the reader's own language: a French text never holds what its English twin lacks.
DEFAULT_TARGETS = ("en", "nl")


def _alternative(text: str, langs: tuple[str, ...]) -> Text:
    """A translation, weighted below the words typed (config boosts.translation): where the reader's own
    words occur, those texts come first; elsewhere the translation alone still finds the provision. It is
    searched only in the texts of the languages it is a word of."""
    from indexer.search.settings import search_config
    weight = float(search_config()["boosts"].get("translation", 1.0))
    return Text(text, phrase=" " in text.strip(), weight=weight, langs=langs)


class QueryExpander:
    """Callable: (query node) → (expanded node, {words: translations searched})."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._lock = threading.Lock()
        self._loaded: tuple[float, Translations | None, Glossary] | None = None
        self._splitting: tuple[Translations, Decompounder] | None = None

    def _knowledge(self) -> tuple[Translations | None, Glossary]:
        """(translations or None, glossary); the translations file is re-read when `regkb index` rewrites it."""
        from indexer.search.crosslang import Translations, load_glossary
        glossary = load_glossary()
        mtime = self.path.stat().st_mtime if self.path and self.path.exists() else 0.0
        with self._lock:
            if self._loaded is None or self._loaded[0] != mtime:
                translations: Translations | None = None
                if mtime and self.path is not None:  # (mtime is only set for an existing path)
                    try:
                        translations = Translations.load(self.path, glossary)
                    except (OSError, ValueError) as exc:  # stale or damaged: the glossary still works
                        log.warning("cross-language translations not used (%s); rebuild them with `regkb index`", exc)
                self._loaded = (mtime, translations, glossary)
            return self._loaded[1], self._loaded[2]

    def language_fit(self, node: Node, expanded: dict[str, list[str]]) -> dict[str, float]:
        """How plausible the query is in each language: (1 + its words that language's texts use) / (1 + its
        words). Words with translations count everywhere. Lets an English query rank English texts above
        French ones that share a few cognates ("transposition", "directive"), and back."""
        from indexer.search.analysis import function_words
        translations, _ = self._knowledge()
        words = [t.value for t in _plain_texts(node)]
        covered = {w.lower() for key in expanded for w in key.split()} | function_words()
        content = [w for w in words if w.lower() not in covered and len(w) > 2 and not w.isdigit()]
        if translations is None or not content:
            return {}
        langs = list(getattr(translations, "languages", []) or ["en", "nl", "fr"])
        return {lang: (1 + sum(1 for w in content if translations.exists(w, lang))) / (1 + len(content))
                for lang in langs}

    def __call__(self, node: Node, targets: tuple[str, ...] = DEFAULT_TARGETS) -> tuple[Node, dict[str, list[str]]]:
        """`targets`: the languages to translate into (English and Dutch, and the reader's language)."""
        translations, glossary = self._knowledge()
        used: dict[str, list[str]] = {}
        home = query_language(node, translations)
        return _Rewrite(translations, glossary, targets, used, self._splitter(translations), home).node(node), used

    def _splitter(self, translations: Translations | None) -> Decompounder | None:
        """Dutch compound splitting with the Dutch word frequencies learned with the translations (the same
        texts `regkb index` split the records' compounds with)."""
        if translations is None:
            return None
        with self._lock:
            if self._splitting is None or self._splitting[0] is not translations:
                from indexer.search.compounds import Decompounder
                self._splitting = (translations, Decompounder.learned(translations))
            return self._splitting[1]


def query_language(node: Node, translations: Translations | None) -> str | None:
    """The language a query is typed in, when its words say so: the one language whose texts (or function
    words) use more of them than any other's do ("mogen lege batterijen gewoon bij het huisvuil": Dutch)."""
    from indexer.search.analysis import language_function_words
    if translations is None:
        return None
    words = [t.value.lower() for t in _plain_texts(node)]
    counts = {lang: sum(1 for w in words if w in language_function_words(lang) or translations.is_word_of(w, lang))
              for lang in translations.languages}
    ranked = sorted(counts.values(), reverse=True)
    if not ranked or ranked[0] == 0 or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None
    return max(counts, key=lambda lang: counts[lang])


class _Rewrite:
    """One query's rewriting (per call: the server answers queries on several threads)."""

    def __init__(self, translations, glossary, targets: tuple[str, ...], used: dict[str, list[str]],
                 splitter: Decompounder | None = None, home: str | None = None):
        self.translations, self.glossary, self.targets, self.used = translations, glossary, targets, used
        self.splitter, self.home = splitter, home

    def _typed(self, word: Text) -> Text:
        """A word as typed, searched only in the languages whose texts use it as written, or (used by none: a
        new inflection, a name) in the query's own language; by its stem in every language when the query's
        language is unclear. Dutch "lege" then never finds French "léger", nor "meter" French "met"."""
        if self.translations is None or word.phrase:
            return word
        langs = self.translations.languages_of_word(word.value) or ((self.home,) if self.home else ())
        return replace(word, langs=langs) if langs and len(langs) < len(self.translations.languages) else word

    def _alternatives(self, e) -> list[str]:
        """An expansion's alternatives in the target languages, each once, never one the engine analyses like
        the words typed."""
        wanted = {a for lang in self.targets for a in e.alternatives.get(lang, ())}
        return [a for a in e.all_alternatives() if a in wanted]

    @staticmethod
    def _searched(e, alts: list[str]) -> list[Text]:
        """The alternatives as query nodes, each searched only in the languages it is a word of."""
        return [_alternative(a, e.languages_of(a)) for a in alts]

    def node(self, node: Node) -> Node:
        return self._rewrite(node)

    def _rewrite(self, node: Node) -> Node:
        translations, glossary, used = self.translations, self.glossary, self.used
        from indexer.search.crosslang import expand_query_words
        if isinstance(node, Text):
            if not node.phrase:
                return self._words((node,))[0]
            # a quoted phrase stays exact: only a translation of the whole phrase is added
            words = node.value.split()
            whole = [
                e for e in expand_query_words(words, translations, glossary) if e.start == 0 and e.end == len(words)
            ]
            alts = self._alternatives(whole[0]) if whole else []
            if not alts:
                return node
            used[node.value] = alts
            return Or((node, *self._searched(whole[0], alts)))
        if isinstance(node, And):
            out: list[Node] = []
            run: list[Text] = []
            for child in (*node.children, None):
                if isinstance(child, Text) and not child.phrase:
                    run.append(child)
                    continue
                out += self._words(tuple(run)) if run else []
                run = []
                if child is not None:
                    out.append(self._rewrite(child))
            return out[0] if len(out) == 1 else And(tuple(out))
        if isinstance(node, Or):
            return Or(tuple(self._rewrite(c) for c in node.children))
        assert isinstance(node, (Not, FieldMatch, MatchAll))
        return node  # a NOT stays literal: excluding a word's translations too would surprise

    def _words(self, words: tuple[Text, ...]) -> list[Node]:
        """Consecutive plain words: each glossary phrase or translated word becomes an OR of itself and its
        translations; the other words stay as typed. Function words are left out of the matching, so that
        "right to full compensation" expands exactly like "right full compensation"."""
        from indexer.search.analysis import function_words
        from indexer.search.crosslang import expand_query_words
        keep = [i for i, w in enumerate(words) if w.value.lower() not in function_words()]
        words = tuple(self._typed(w) for w in words)
        out: list[Node] = list(words)
        found = [(e, alts) for e in expand_query_words([words[i].value for i in keep], self.translations, self.glossary)
                 if (alts := self._alternatives(e))]
        for e, alts in found:
            self.used[" ".join(e.words)] = alts
        covered = {keep[i] for e, _ in found for i in range(e.start, e.end)}
        for i in keep:
            if i not in covered and (parts := self._compound(words[i])) is not None:
                out[i] = parts  # one node for one word: the spans below keep their positions
        for e, alts in reversed(found):  # from the end, so that earlier spans keep their positions
            first, last = keep[e.start], keep[e.end - 1]
            typed = tuple(w for w in words[first:last + 1] if w.value.lower() not in function_words())
            original: Node = typed[0] if len(typed) == 1 else And(typed)
            out[first:last + 1] = [Or((original, *self._searched(e, alts)))]
        return out


    def _compound(self, word: Text) -> Node | None:
        """A Dutch compound no translation covers, OR-ed with its parts, each with its own translations:
        "kapitaaluitgaven" → kapitaaluitgaven OR (kapitaal OR capital) AND (uitgaven OR expenditure)."""
        from indexer.search.compounds import LANGUAGE
        from indexer.search.crosslang import expand_query_words
        t = self.translations
        if self.splitter is None or any(t.exists(word.value, lang) for lang in t.languages if lang != LANGUAGE):
            return None
        parts = self.splitter.split(word.value)
        if not parts:
            return None
        pieces: list[Node] = []
        searched = [" ".join(parts)]
        for part in parts:
            found = expand_query_words([part], t, self.glossary)
            alts = self._alternatives(found[0]) if found else []
            searched += alts
            typed = Text(part, langs=(LANGUAGE,))  # a part of a Dutch word is a Dutch word
            pieces.append(Or((typed, *self._searched(found[0], alts))) if alts else typed)
        self.used[word.value] = searched
        return Or((word, And(tuple(pieces))))


def _plain_texts(node: Node) -> list[Text]:
    """The words typed outside phrases and NOTs."""
    if isinstance(node, Text):
        return [] if node.phrase else [node]
    if isinstance(node, (And, Or)):
        return [t for c in node.children for t in _plain_texts(c)]
    return []


def learn_and_save(documents: Iterable[Document], index_dir: Path) -> Translations:
    """Learn translations from a corpus's documents and save them next to the index."""
    from indexer.search.crosslang import learn_translations
    translations = learn_translations(documents)
    index_dir.mkdir(parents=True, exist_ok=True)
    translations.save(index_dir / TRANSLATIONS_FILE)
    return translations
