"""Who must act in the end: the duty-bearer of a normative sentence, next to its formal addressee.

WHY: directives address the Member States, who pass most duties on ("Member States shall ensure that companies
take appropriate measures ..."). A compliance officer asks what companies must do, so each record names both the
addressee (the grammatical bearer of the modality) and the duty-bearer (the party of the delegated clause).
The clause words ("ensure that", "zorgen ervoor dat", "veillent à ce que") and what leaves the duty with the
legislator ("... have adequate powers") are data (config/legal_cues.yaml `delegation`); which roles delegate is
config/addressees.yaml `delegates`. One level of delegation is read: "companies shall ensure that their partners
..." binds the companies, who are no legislator.
"""
from __future__ import annotations

import re
from functools import cache

from indexer.nlp.lexicon import Lexicon, lexicon

_WINDOW = 140       # the delegation clause opens this close to the cue ("shall take the necessary measures to ensure")
_SUBJECT_WORDS = 4  # at most this many words (determiners, adjectives) before the party that heads the clause


@cache
def _opening(lang: str) -> re.Pattern[str]:
    """A leading clause inside the delegated clause ("ensure that, where a company has caused ..., companies")."""
    return re.compile(rf"\s*,?\s*(?:(?:{lexicon(lang).pack.leading_clause})\b[^,;]{{0,300}}|\([^)]{{0,200}}\)),\s*",
                      re.I)


def duty_bearer(text: str, lex: Lexicon, cue: tuple[int, int] | None, addressee: str | None) -> str | None:
    """The role that must ultimately act: the party heading the clause a delegating addressee passes the duty to;
    else the addressee itself."""
    if addressee not in lex.delegators or cue is None:
        return addressee
    clause = lex.delegation.search(text, cue[0], min(len(text), cue[1] + _WINDOW))
    if clause is None:
        return addressee
    party = _clause_subject(text, clause.end(), lex)
    if party is None or _not_duty_soon(text, party[1], lex):
        return addressee
    return party[0]


def _clause_subject(text: str, pos: int, lex: Lexicon) -> tuple[str, int] | None:
    """(role, end offset) of the party that heads the clause starting at `pos`, after any leading clauses."""
    opening = _opening(lex.lang)
    while (m := opening.match(text, pos)) and m.end() > pos:
        pos = m.end()
    for m in lex.addressee_re.finditer(text, pos, min(len(text), pos + 120)):
        gap = text[pos:m.start()]
        if len(gap.split()) > _SUBJECT_WORDS or lex.pack.in_pp.search(gap) or re.search(r"[,;:]", gap):
            return None
        key = lex.addressees.get(re.sub(r"\s+", " ", m.group(0).lower()))
        if key and key not in lex.delegators:
            return key, m.end()
    return None


def _not_duty_soon(text: str, pos: int, lex: Lexicon) -> bool:
    """A power, right or protection in the few words after the party ("supervisory authorities have adequate
    powers", "companies referred to in Article 2 may")."""
    window = re.split(r"[,;:]", text[pos:pos + 60], maxsplit=1)[0]
    words = window.split()
    return any(lex.not_duty.match(" ".join(words[i:]) + " ") for i in range(min(len(words), 4)))
