"""Language packs: everything the extractor does differently per language, registered in one place.

WHY packs: the rules are the same for every language (cue precedence, leading clauses, addressee, action), but
the words, the clause patterns, the spaCy pipeline and a few grammatical habits (Dutch states duties in the plain
present tense and puts the subject after the verb) are not. A pack holds them; `indexer.nlp` asks the pack of a
text's language and never tests a language code itself. Adding a language = one module here (registered in
PACKS), its section in config/legal_cues.yaml and its forms in config/addressees.yaml and topics.yaml;
month names come from regkb/dates.py.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry is read by every CLI command and the web app: importing it must not load spaCy
    from spacy.language import Language

# language code -> module that defines PACK (the one registry of languages the extractor reads)
PACKS = {"en": "indexer.nlp.lang.en", "nl": "indexer.nlp.lang.nl", "fr": "indexer.nlp.lang.fr"}

Span = tuple[int, int]
Cue = tuple[str | None, int, int]  # (modality, start, end)


class NoLanguagePack(ValueError):
    """A text in a language without a pack: the extractor cannot read it (callers check `has_pack` first)."""

    def __init__(self, lang: str) -> None:
        super().__init__(f"no language pack for {lang!r}: packs exist for {', '.join(languages())}. Skip such texts "
                         f"(check indexer.nlp.lang.has_pack first) or add indexer/nlp/lang/{lang}.py, register it in "
                         f"indexer/nlp/lang/__init__.py PACKS and give it a section in config/legal_cues.yaml")
        self.lang = lang


def _keep_condition(_cue: str, _before: str, _after: str) -> bool:
    return True


def _same_word(word: str) -> str:
    return word


@dataclass(frozen=True)
class LanguagePack:
    """What is language-specific in reading obligations; the defaults suit a language without Dutch habits."""

    code: str
    make_nlp: Callable[[], Language]  # spaCy pipeline up to and including regkb_legal_sentences
    leading_clause: str  # regex alternation: words opening an adverbial/conditional clause before the subject
    relative_words: str                # regex alternation: words opening a relative or conditional clause
    in_pp: re.Pattern[str]             # a preposition (and determiners) right before a party: not the subject
    agent: re.Pattern[str]             # "by the" right before a party: the passive agent
    determiners: str                   # regex alternation: determiners between "apply to" and a party
    attach_prepositions: str           # regex alternation: "conferred on", "apply to": the party follows the cue
    pronouns: str                      # regex alternation: a pronoun subject (the party is named in the leading clause)
    derogation: re.Pattern[str]        # "by way of derogation": the sentence is an exemption
    definitions: tuple[re.Pattern[str], ...]
    is_passive: Callable[[str, int, int, int], bool]  # (text, cue start, cue end, agent start)
    keeps_condition: Callable[[str, str, str], bool] = _keep_condition  # (condition word, text before, text after)
    cue_section: str = ""              # config/legal_cues.yaml section with the cue phrases (default: the code)
    legal_effect: re.Pattern[str] | None = None   # "Deze richtlijn treedt in werking": states an effect, binds no one
    # present-tense duties (Dutch): (text, masked text, cue so far, lemma function, main clause start) -> cue;
    # when set, every operative sentence is a candidate
    present_duty: Callable[[str, str, Cue | None, Callable[[str], str], int], Cue | None] | None = None
    negated_modal: re.Pattern[str] | None = None  # "zullen ... niet verplaatst mogen worden": a prohibition
    future_auxiliaries: frozenset[str] = frozenset()  # "zal": future tense of a legal-effect formula, not a duty
    inverted_subject: bool = False  # the subject may follow the finite verb ("Binnen een maand stelt de minister ...")
    agent_before_participle: bool = False  # "kunnen door de minister worden geschorst": look further for the agent
    action_from_cue: bool = False      # the action starts at the cue (the finite verb is the action itself)
    lemmatizes: bool = False           # the pipeline has a lemmatizer whose lemmas the rules use
    # "shall not apply to companies": a party after a preposition right after the cue is the one addressed; not so
    # where duties are verbs with an indirect object ("communiquent à la Commission": the cues carry their "à")
    party_after_cue: bool = True
    # a sentence opened by the party something is given to, with no other party ("Aan de Commissie wordt de
    # bevoegdheid overgedragen ..."): that party is the addressee
    recipient: re.Pattern[str] | None = None
    # the same inside a cue that confers a power ("bevoegdheid ... wordt aan de Commissie toegekend"): the party after
    # it holds the power
    recipient_in_cue: re.Pattern[str] | None = None
    # verb-second: a leading phrase (no clause: "In afwijking van lid 3", "Onverminderd artikel 11") ends at the finite
    # verb that follows it, even when the comma the leading-clause rule looks for only comes later; matches up to it
    v2_cut: re.Pattern[str] | None = None
    # after a passive agent, a participle making it part of a noun phrase ("de door de groepsauditor bewaarde
    # documentatie"): no agent of the clause
    agent_modifier: re.Pattern[str] | None = None
    lemma: Callable[[str], str] = _same_word  # lemmas without a pipeline (the cheap candidate filter)

    @property
    def section(self) -> str:
        return self.cue_section or self.code


def languages() -> tuple[str, ...]:
    return tuple(PACKS)


def has_pack(lang: str | None) -> bool:
    return lang in PACKS


@cache
def pack(lang: str) -> LanguagePack:
    """The pack of `lang`; NoLanguagePack (a ValueError naming the languages that have one) for any other."""
    if not has_pack(lang):
        raise NoLanguagePack(lang)
    return importlib.import_module(PACKS[lang]).PACK
