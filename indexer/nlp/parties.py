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
_COMMAS = 4         # a leading clause inside the delegated clause may hold this many commas ("prevent, mitigate, ...")
_AFTER_WORDS = 10   # a verb-second language says what the party may or has within this many words


@cache
def _opening(lang: str) -> re.Pattern[str]:
    """A leading clause inside the delegated clause ("ensure that, where a company has caused ..., companies")."""
    return re.compile(rf"\s*,?\s*(?:(?:{lexicon(lang).pack.leading_clause})\b|\()", re.I)


_AND_THAT = re.compile(r",?\s+(?:en|of|et|and)\s+(?:dat|que|that)\s", re.I)
_RELATIVE = re.compile(r"\b(?:die|welke|dat|that|which|who|qui|que)\b[^,;]*(?:,|$)", re.I)


def duty_bearer(text: str, lex: Lexicon, cue: tuple[int, int] | None, addressee: str | None) -> str | None:
    """The role that must ultimately act: the party heading the clause a delegating addressee passes the duty to;
    else the addressee itself."""
    d = lex.delegation
    if addressee not in d.delegators or cue is None:
        return addressee
    clause = d.clauses.search(text, cue[0], min(len(text), cue[1] + _WINDOW))
    if clause is None:
        return addressee
    party = _clause_subject(text, clause.end(), lex)
    if party is None or _not_duty(text, party[1], lex):
        return addressee
    return party[0]


def _clause_subject(text: str, pos: int, lex: Lexicon) -> tuple[str, int] | None:
    """(role, end offset) of the party that heads the clause at `pos`; after a leading clause ("where ..., "), the
    party right after one of its next commas."""
    starts = [pos]
    if _opening(lex.lang).match(text, pos):
        starts = [m.end() for m in re.finditer(r",\s*", text[pos:pos + 400])][:_COMMAS]
        starts = [pos + s for s in starts]
    return next((p for p in (_party_at(text, s, lex) for s in starts) if p), None)


def _party_at(text: str, pos: int, lex: Lexicon) -> tuple[str, int] | None:
    d = lex.delegation
    for m in lex.addressee_re.finditer(text, pos, min(len(text), pos + 160)):
        gap = d.modifiers.sub(" ", text[pos:m.start()])
        if len(gap.split()) > _SUBJECT_WORDS or lex.pack.in_pp.search(gap) or re.search(r"[,;:]", gap):
            return None
        key = lex.addressees.get(re.sub(r"\s+", " ", m.group(0).lower()))
        if key and key not in d.delegators:
            return key, m.end()
    return None


def _not_duty(text: str, pos: int, lex: Lexicon) -> bool:
    """A power, right or protection of the party rather than a duty: "supervisory authorities have adequate powers",
    "companies are allowed to"; Dutch says it at the end of the clause ("... niet hoeven te voldoen")."""
    d = lex.delegation
    if d.verb_final:  # each coordinated clause ("..., en dat deze moederonderneming vermeldt") may bind the party
        rest = re.split(r"[;:]", text[pos:], maxsplit=1)[0]
        return all(d.not_duty.search(_RELATIVE.sub(" ", part)) for part in _AND_THAT.split(rest))
    window = " ".join(re.split(r"[,;:]", text[pos:pos + 120], maxsplit=1)[0].split()[:_AFTER_WORDS])
    return bool(d.not_duty.search(window))
