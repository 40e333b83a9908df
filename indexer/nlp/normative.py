"""Is a sentence normative, and if so: modality, addressee, action, conditions.

WHY rules: legislative drafting is formulaic (EU Joint Practical Guide; Dutch
Aanwijzingen voor de regelgeving), so cue phrases in a fixed precedence
(exemption > prohibition > permission > obligation) plus the clause structure
decide modality better than a general model. Dutch acts state duties in the
plain present tense ("De onderneming stelt een verklaring op"), so in
operative provisions of Dutch acts the first finite verb of the main clause
(recognised with a verb lexicon built from spacy-lookups-data, as there is no
Dutch tagger) makes the sentence an obligation, unless it is a copula or a
legal-effect formula. Descriptive texts (news, policy notes, recitals) are
excluded by their provision kind and instrument type, not by wording.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from indexer.nlp.fields import DATE
from indexer.nlp.lexicon import MODALITIES, Lexicon

_DEFINITION_TERM = re.compile(r"\bthe (?:term|expression)s?\b[^.;]{0,120}\bshall (?:not )?(?:include|mean|cover)\b", re.I)
_DEFINITION_EN = re.compile(r"^\W*(?:\(?\d+[a-z]?\)?\.?\s*|\([a-z]+\)\s*)?[‘'\"“][^’'\"”]{1,120}[’'\"”]\s*(?:,\s*[^,]{1,80},\s*)?(?:means|shall mean|refers to)\b", re.I)
_DEFINITION_NL = re.compile(r"^\W*(?:(?:\d+\)|[a-z][.)])\s*[^:;.]{1,60}:\s|\(?\d+[a-z]?\)?\.?\s*[‘'\"“][^’'\"”]{1,80}[’'\"”]\s*:)|wordt verstaan onder", re.I)
_LEADING_CLAUSE = re.compile(r"^\W*(?:\d+[a-z]?\.\s+)?(?:where|if|unless|when|once|in the event|in case|in the case of|without prejudice|"
                             r"by way of derogation|notwithstanding|nevertheless|however|moreover|furthermore|in addition|"
                             r"for the purposes?|in accordance with|pursuant to|subject to|after|before|by|from|as from|as of|"
                             r"with effect from|no later than|upon|on|within|in|for|to|taking into account|"
                             r"indien|tenzij|voor zover|wanneer|in afwijking|onverminderd|overeenkomstig|uiterlijk|met ingang van|"
                             r"behoudens|ingeval|als|in het geval|voor de toepassing|op verzoek|op voorwaarde dat|mits|na|bij|om)\b[^,]{0,400},\s*", re.I)
_FOOTNOTE = re.compile(r"^\W{0,3}\(\s*\*?\d+\s*\)\s+(?:[A-Z]|PB|OJ)")
_IN_PP = {"en": re.compile(r"\b(?:of|on|for|by|to|with|from|in|under|at|between|against|among|about|into|than)\s+"
                           r"(?:(?:the|a|an|any|all|each|such|their|its|that|those|these|other|relevant|sme|non-sme|one|or|and|more)\s+){0,3}$", re.I),
          "nl": re.compile(r"\b(?:van|op|voor|door|aan|met|bij|uit|in|tot|over|tegen|naar|dan|onder)\s+"
                           r"(?:(?:de|het|een|alle|elke|iedere|deze|die|dat|hun|zijn|haar|andere|betrokken)\s+){0,3}$", re.I)}
_RELATIVE_BEFORE = re.compile(r"\b(?:which|that|who|whom|whose|where|if|when|unless|die|dat|welke|indien|wanneer|tenzij)\b[^,;]{0,60}$", re.I)
_MASK_DATES = re.compile(DATE, re.I)
_NL_NON_NORMATIVE = re.compile(r"^\W*(?:\d+\.\s*)?(?:deze|dit|het|de)\s+(?:richtlijn|verordening|besluit|verdrag|wet|regeling)\s+"
                               r"(?:treedt|is van toepassing|is verbindend|is gericht|wordt aangehaald|vervalt)", re.I)


@dataclass
class Analysis:
    modality: Optional[str] = None
    cue: Optional[tuple[int, int]] = None
    addressee: Optional[str] = None
    addressee_text: Optional[str] = None
    addressee_span: Optional[tuple[int, int]] = None
    action: Optional[str] = None
    conditions: list[str] = field(default_factory=list)


def is_definition(text: str, lex: Lexicon) -> bool:
    if lex.lang == "nl":
        return bool(_DEFINITION_NL.search(text))
    return bool(_DEFINITION_EN.search(text) or _DEFINITION_TERM.search(text))


def context_allows(ctx: dict, lex: Lexicon) -> bool:
    """Recitals, headings, news and policy notes never carry obligations, whatever their wording."""
    return ctx.get("instrument_type") not in lex.non_normative_instruments and ctx.get("kind") not in lex.non_normative_kinds


def is_candidate(text: str, lex: Lexicon, ctx: dict) -> bool:
    """Cheap pre-filter before any parsing: a cue word, or (Dutch acts) any sentence of an operative provision."""
    if not context_allows(ctx, lex):
        return False
    return bool(lex.any_cue.search(text)) or (lex.lang == "nl" and ctx.get("operative", True))


def _main_clause_start(text: str, limit: Optional[int] = None) -> int:
    """Skip leading adverbial/conditional clauses ("Where ..., ", "By way of derogation ..., ") before the subject."""
    pos = 0
    while True:
        m = _LEADING_CLAUSE.match(text[pos:limit])
        if not m or not m.end():
            return pos
        pos += m.end()


def find_cue(text: str, lex: Lexicon) -> Optional[tuple[str, int, int]]:
    """The governing cue: the first in the main clause that is not inside a relative or conditional clause."""
    masked = _MASK_DATES.sub(lambda m: "#" * len(m.group(0)), text)
    matches = []
    for rank, modality in enumerate(MODALITIES):
        for m in lex.cues[modality].finditer(masked):
            matches.append((m.start(), -(m.end() - m.start()), rank, modality, m.end()))
    if not matches:
        return None
    matches.sort()
    main = _main_clause_start(masked)
    chosen = None
    for start, _neg_len, _rank, modality, end in matches:
        if any(s < start < e for s, _, _, _, e in matches if (s, e) != (start, end) and e - s > end - start):
            continue  # part of a longer cue ("shall" inside "shall not be required to")
        if start < main:
            continue  # a cue inside a leading "where/if ..." clause does not govern the sentence
        if _RELATIVE_BEFORE.search(masked[max(main, 0):start]) and any(s > start for s, *_ in matches) and chosen is None:
            # "companies which may ... shall": prefer a later cue, keep this one as fallback
            chosen = chosen or (modality, start, end)
            continue
        return modality, start, end
    return chosen


def _addressee(text: str, lex: Lexicon, cue_start: int, cue_end: int) -> tuple[Optional[str], Optional[str], Optional[tuple[int, int]]]:
    """The first duty-bearer named in the subject (not inside a prepositional phrase); else a passive agent ("by X");
    else, for a pronoun subject, the first party named in the leading clause."""
    main = _main_clause_start(text, cue_start)
    pp = _IN_PP[lex.lang]

    def pick(start: int, end: int):
        for m in lex.addressee_re.finditer(text, start, end):
            if not pp.search(text[start:m.start()]) and not re.match(r"\s+\d", text[m.end():]):
                return m
        return None

    agent_re = re.compile(r"\b(?:by|door)\s+(?:(?:the|de|het|other|any|all|alle)\s+)?$", re.I)
    agent = next((a for a in lex.addressee_re.finditer(text, cue_end, min(len(text), cue_end + 90))
                  if agent_re.search(text[max(cue_end, a.start() - 30):a.start()])), None)
    if agent is None and lex.lang == "nl":  # Dutch puts the agent before the participle: "kunnen door de minister worden geschorst"
        agent = next((a for a in lex.addressee_re.finditer(text, cue_end, min(len(text), cue_end + 160))
                      if agent_re.search(text[max(cue_end, a.start() - 30):a.start()])), None)
    if agent is not None and _is_passive(text, cue_start, cue_end, agent.start(), lex.lang):
        return lex.addressees[_key(agent.group(0))], agent.group(0), (agent.start(), agent.end())

    m = None
    prep_after = re.match(r"\s+(?:on|to|op)\b", text[cue_end:])
    if re.search(r"\b(?:on|to|op)$", text[cue_start:cue_end]) or prep_after:  # "conferred on the Commission", "not apply to companies"
        start = cue_end + (prep_after.end() if prep_after else 0)
        m = next(iter([a for a in lex.addressee_re.finditer(text, start, min(len(text), start + 40))
                       if re.fullmatch(r"\s*(?:(?:the|de|het|all|alle|any|such|those)\s+)?", text[start:a.start()])]), None)
    if m is None:
        m = pick(main, cue_start)
    if m is None:
        agent = re.compile(r"\b(?:by|door)\s+(?:(?:the|de|het|other|any|all|alle)\s+)?$", re.I)
        m = next((a for a in lex.addressee_re.finditer(text, cue_end, min(len(text), cue_end + 90))
                  if agent.search(text[max(cue_end, a.start() - 30):a.start()])), None)
    if m is None and lex.lang == "nl":
        after = lex.addressee_re.search(text, cue_end, min(len(text), cue_end + 40))
        m = after if after and not pp.search(text[cue_end:after.start()]) else None
    if m is None and re.search(r"\b(?:they|it|he|she|zij|hij|ze)\s*$", text[:cue_start], re.I):
        m = pick(0, cue_start)
    if m is not None:
        return lex.addressees[_key(m.group(0))], m.group(0), (m.start(), m.end())
    subject = re.sub(r"^\d+[a-z]?\.\s*", "", text[main:cue_start].strip(" ,"))
    return None, (subject if 0 < len(subject) <= 80 else None), None


def _is_passive(text: str, cue_start: int, cue_end: int, agent_start: int, lang: str) -> bool:
    """Is the governing verb passive, so that "by/door X" names the one who acts ("may be provided by the company")?"""
    if lang == "en":
        return bool(re.match(r"\s+(?:\w+\s+)?be\b", text[cue_end:])) or text[cue_start:cue_end].lower().endswith(" be")
    if text[cue_start:cue_end].lower() in ("wordt", "worden"):
        return True
    later = re.search(r"\bworden\b", text[cue_end:])
    return bool(later) and cue_end + later.start() > agent_start


def _key(surface: str) -> str:
    return re.sub(r"\s+", " ", surface.lower())


def _clip(text: str, max_words: int = 30) -> str:
    """The wording up to the end of the clause (';'), at most `max_words`; an enumeration after ':' stays in."""
    text = text.split(";")[0].strip(" ,.")
    words = text.split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def conditions(text: str, lex: Lexicon) -> list[str]:
    out = []
    for m in lex.conditions.finditer(text):
        if m.group(0).lower() == "subject to" and not re.search(r"(?:^|[,;(])\s*$", text[:m.start()]):
            continue  # "undertakings subject to reporting requirements" describes, it does not condition
        if lex.lang == "nl" and m.group(0).lower() == "als" and not re.match(r"\s+(?:de|het|een|er|zij|hij|deze|dit)\b", text[m.end():]):
            continue  # "als" mostly means "as"
        out.append(_clip(re.split(r",\s", text[m.start():])[0], 25))
    return out


_NL_FINITE = frozenset("is zijn wordt worden heeft hebben kan kunnen zal zullen mag mogen moet moeten dient dienen "
                       "staat staan gaat gaan doet doen ziet zien slaat komt komen".split())
_NL_COPULA = frozenset(("is", "zijn"))
_NL_PREPOSITIONS = frozenset("voor van op in met aan bij door uit tot over naar onder om na tegen volgens krachtens".split())
_NL_AUX = frozenset(("wordt", "worden", "is", "zijn", "heeft", "hebben"))
_NL_NOT_BEFORE_VERB = frozenset("de het een deze dit die dat te om zijn haar hun elke iedere alle andere".split())
_NL_NEG_MODAL = re.compile(r"^[^;.]*?\b(?:niet|geen)\b(?:\s+[\w-]+){0,6}\s+(?:mogen|mag)\b", re.I)
_NL_FRAGMENT = re.compile(r"^\W*(?:[a-z]\.|[a-z]\)|\d+°\.?|\(\w+\))")


@lru_cache(maxsize=1)
def _nl_lemma_table() -> dict:
    """The lookup lemmatizer table of spacy-lookups-data (the Dutch pipeline's lemmatizer uses the same one)."""
    from spacy.lookups import load_lookups

    return dict(load_lookups("nl", ["lemma_lookup"]).get_table("lemma_lookup").items())


def nl_lemma(word: str) -> str:
    return _nl_lemma_table().get(word, word)


@lru_cache(maxsize=1)
def _nl_verbs() -> frozenset[str]:
    """Dutch infinitives: lemmas ending in -en in the lookup table."""
    return frozenset(v for v in _nl_lemma_table().values() if isinstance(v, str) and v.endswith("en"))


def _nl_is_finite(word: str, prev: Optional[str], lemma=nl_lemma) -> bool:
    """Present-tense finite verb: 3rd singular (stelt, neemt, verleent, omvat) or plural (nemen, zorgen)."""
    w, verbs = word.lower(), _nl_verbs()
    if w in _NL_FINITE:
        return True
    if lemma(w) != w and lemma(w) in verbs and w.endswith("t") and prev not in _NL_NOT_BEFORE_VERB:
        return True  # forms the lemma table knows ("heeft" → "hebben")
    if prev in _NL_NOT_BEFORE_VERB or not w.isalpha():
        return False
    if w.endswith("t") and len(w) > 3:
        stem = w[:-1]
        undoubled = re.sub(r"([aeou])\1(?=[^aeiou]$)", r"\1", stem)
        cands = {stem + "en", stem + stem[-1] + "en", undoubled + "en", stem + "n"}
        cands |= {stem[:-1] + "ven"} if stem.endswith("f") else set()
        cands |= {stem[:-1] + "zen"} if stem.endswith("s") else set()
        return bool(cands & verbs)
    if prev and len(prev) > 3 and prev.endswith("e") and prev not in ("die", "deze", "welke"):
        return False  # an inflected adjective before it: a plural noun ("bepaalde vereisten"), not a verb
    return w.endswith("en") and w in verbs


def _nl_present_verb(text: str, masked: str, lemma) -> Optional[tuple[int, int]]:
    """Dutch operative sentence: the first finite present-tense verb of the main clause (Dutch acts state duties
    in the plain present: "De onderneming stelt een verklaring op", "Het verslag wordt gepubliceerd").

    Copulas ("is", "zijn") alone describe rather than bind; fragments of enumerations and headings never qualify.
    """
    stripped = text.strip().rstrip("”’\"')»")
    if not stripped.endswith(".") or _NL_FRAGMENT.match(stripped) or masked != text:
        return None
    main = _main_clause_start(text)
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w-]+", text[main:])]
    in_relative = False
    for i, (w, s, e) in enumerate(words):
        demonstrative = i > 0 and words[i - 1][0].lower() in _NL_PREPOSITIONS  # "voor die verwijzing"
        if i > 0 and w.lower() in ("die", "welke", "wiens", "waarvan", "waarin", "waarop") and not demonstrative:
            in_relative = True  # the next finite verb closes this relative clause (Dutch: verb-final)
            continue
        if (i == 0 and main == 0 and w.lower() not in _NL_FINITE) or w[0].isupper() or w.isdigit():
            continue  # the first word of a sentence is its subject (or an adverb), not its verb
        if _nl_is_finite(w, words[i - 1][0].lower() if i else None, lemma):
            if in_relative:
                in_relative = False
                continue
            if re.match(r"\s*,", text[main + e:]) and w.lower() not in _NL_FINITE:
                continue  # verb-final: the end of a subordinate clause ("De lidstaat onder wiens recht X valt, kan ...")
            if w.lower() not in _NL_COPULA:
                return main + s, main + e
            in_relative = any(x[0].lower() in ("die", "dat", "welke") for x in words[:i]) and "," in text[main + words[i - 1][2]:]
            if not in_relative:
                return None  # "X is Y" describes; it does not bind
    return None


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "#" * len(m.group(0)), text)


def analyse(text: str, lex: Lexicon, ctx: dict, lemma=nl_lemma) -> Analysis:
    """Full analysis of one sentence; modality None means not normative.

    Formulas that state legal effects rather than duties ("shall apply", "shall be deemed", "is amended as follows")
    are masked first; whatever cue remains (e.g. inside inserted text) decides.
    """
    if not context_allows(ctx, lex) or is_definition(text, lex) or _FOOTNOTE.match(text):
        return Analysis()
    if lex.lang == "nl" and _NL_NON_NORMATIVE.search(text):
        return Analysis()
    masked = _mask(text, lex.non_normative)
    cue = find_cue(masked, lex)
    derogation = r"\bby way of derogation\b" if lex.lang == "en" else r"\bin afwijking van\b"
    derog = re.search(derogation, text, re.I)
    if derog:
        # "by way of derogation ..., Article 5 shall apply from ...", "In afwijking van ..., is X verantwoordelijk": derogations
        cue = cue or find_cue(text, lex) or (ctx.get("operative", True) and (None, derog.start(), derog.end())) or None
        cue = ("exemption", cue[1], cue[2]) if cue else None
    if lex.lang == "nl" and ctx.get("operative", True):
        verb = _nl_present_verb(text, masked, lemma)
        aux = verb and text[verb[0]:verb[1]].lower() in _NL_AUX
        governs = verb and cue and verb[1] <= cue[1] - 2 and not aux and (
            cue[0] in ("permission", "obligation") or re.search(r"\b(?:welke|die|dat|of|wie)\b", text[verb[1]:cue[1]]))
        if verb and (cue is None or governs):  # the first finite verb governs: "De Commissie verleent ... en kan ..."
            cue = ("obligation", verb[0], verb[1])
    if lex.lang == "nl" and cue and cue[0] != "prohibition" and _NL_NEG_MODAL.search(masked[cue[1]:]):
        cue = ("prohibition", cue[1], cue[2])  # "zullen ... niet verplaatst mogen worden"
    if cue and masked != text and text[cue[1]:cue[2]].lower() in ("zal", "zullen"):
        # "zal ... van kracht worden": the future auxiliary of a legal-effect formula; another modal may still bind
        rest = find_cue(masked[:cue[1]] + "#" * (cue[2] - cue[1]) + masked[cue[2]:], lex)
        cue = rest if rest and text[rest[1]:rest[2]].lower() not in ("zal", "zullen") else None
    if cue is None:
        return Analysis()
    modality, cs, ce = cue
    key, surface, span = _addressee(text, lex, cs, ce)
    action_start = cs if lex.lang == "nl" or modality == "exemption" else ce
    action = _clip(text[action_start:])
    if lex.lang == "nl" and span and 0 < span[0] - ce < 12:  # inverted order: drop the subject from the action
        action = _clip((text[cs:span[0]] + text[span[1]:]).replace("  ", " "))
    return Analysis(modality, (cs, ce), key, surface, span, action or None, conditions(text, lex))
