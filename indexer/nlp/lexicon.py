"""The NLP lexicons from config/, compiled once: cue regexes, gazetteers, keyword tables.

WHY: every word list lives in config/ (addressees, topics, legal_cues) so
that lawyers can extend them without touching code; this module is the one
place that turns them into matchers. A language without a pack
(indexer/nlp/lang) has no lexicon: `lexicon` refuses it rather than reading it
as English.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from indexer.nlp.lang import LanguagePack, pack
from regkb.settings import load_config
from regkb.taxonomy import delegating_roles, role_ancestors, role_forms

MODALITIES = ("exemption", "prohibition", "permission", "obligation")


def phrase_regex(phrases: list[str]) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternation; longest phrase first so it wins.

    An entry written "re:<regex>" is used as a regular expression (for formulas a word list cannot express); an
    apostrophe matches the typographic one too (French texts write "l’opérateur").
    """
    raw = [p[3:] for p in phrases if p and p.startswith("re:")]
    alts = sorted({p.lower() for p in phrases if p and not p.startswith("re:")}, key=len, reverse=True)
    body = "|".join(raw + [re.escape(a).replace(r"\ ", r"\s+").replace("'", "['’]") for a in alts]) or "(?!)"
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I)


@dataclass(frozen=True)
class Delegation:
    """How a legislator passes a duty on (config/legal_cues.yaml `delegation`; indexer/nlp/parties.py)."""

    clauses: re.Pattern[str]    # "shall ensure that", "zorgen ervoor dat": the duty passes to the party named next
    not_duty: re.Pattern[str]   # "... have adequate powers": what the party named next has or may, so the duty stays
    modifiers: re.Pattern[str]  # words before the party that are no preposition ("de in lid 1 bedoelde")
    verb_final: bool            # the verb closes the clause (Dutch): not_duty is read over the whole clause
    delegators: frozenset[str]  # roles that pass duties on (config/addressees.yaml `delegates`)


@dataclass(frozen=True)
class Lexicon:
    lang: str
    pack: LanguagePack
    cues: dict[str, re.Pattern[str]]
    any_cue: re.Pattern[str]
    non_normative: re.Pattern[str]
    amendments: re.Pattern[str]   # amending instructions: the text they quote is read by its own wording
    act_titles: re.Pattern[str]   # a sentence that only names an act (lists of acts, footnotes citing acts)
    coordinators: re.Pattern[str]  # "and", "or": a new clause of the same sentence begins
    action_after: frozenset[str]   # cues after which the action begins ("kan") in a pack whose action starts at the cue
    conditions: re.Pattern[str]
    definitions: re.Pattern[str]
    organs: re.Pattern[str]     # the words before a party whose organ heads the subject ("het management van de")
    addressees: dict[str, str]  # surface form (lower) -> key
    addressee_re: re.Pattern[str]
    delegation: Delegation
    duty_subjects: frozenset[str]
    abbreviations: frozenset[str]
    non_normative_instruments: frozenset[str]
    non_normative_kinds: frozenset[str]
    topics: dict[str, list[str]]


@cache
def lexicon(lang: str) -> Lexicon:
    """The matchers of `lang`; NoLanguagePack (a ValueError naming the languages that have a pack) for any other."""
    lang_pack = pack(lang)
    cues_cfg = load_config("legal_cues")
    own = cues_cfg.get(lang_pack.section)
    if not own:
        raise ValueError(f"config/legal_cues.yaml has no section {lang_pack.section!r} for the {lang!r} language pack: "
                         f"add its cue phrases (exemption, prohibition, permission, obligation, non_normative, "
                         f"conditions, definitions)")
    cues = {m: phrase_regex(own[m]) for m in MODALITIES}
    forms = role_forms(lang)  # and each with the typographic apostrophe the texts print ("organisme d’évaluation")
    addressees = forms | {form.replace("'", "’"): key for form, key in forms.items()}
    delegation = (cues_cfg.get("delegation") or {}).get(lang_pack.section) or {}
    topics = {key: list((row.get("keywords") or {}).get(lang) or []) for key, row in load_config("topics").items()}
    return Lexicon(
        lang=lang,
        pack=lang_pack,
        cues=cues,
        any_cue=phrase_regex([c for m in MODALITIES for c in own[m]]),
        non_normative=phrase_regex(own["non_normative"]),
        amendments=phrase_regex(own.get("amendments", [])),
        act_titles=phrase_regex(own.get("act_titles", [])),
        coordinators=phrase_regex(own.get("coordinators", [])),
        action_after=frozenset(own.get("action_after", [])),
        conditions=phrase_regex(own["conditions"]),
        organs=_organs(cues_cfg.get("organs", {}).get(lang_pack.section) or [], lang_pack.determiners),
        definitions=phrase_regex(own["definitions"]),
        addressees=addressees,
        addressee_re=phrase_regex(list(addressees)),
        delegation=Delegation(phrase_regex(delegation.get("clauses") or []),
                              phrase_regex(delegation.get("not_duty") or []),
                              phrase_regex(delegation.get("modifiers") or []),
                              bool(delegation.get("verb_final")), delegating_roles()),
        duty_subjects=frozenset(k for k in set(addressees.values())
                                if set(role_ancestors(k)) & set(own.get("duty_subjects", []))),
        abbreviations=frozenset(a.lower() for a in cues_cfg["abbreviations"]),
        non_normative_instruments=frozenset(cues_cfg["non_normative_instruments"]),
        non_normative_kinds=frozenset(cues_cfg["non_normative_kinds"]),
        topics=topics,
    )


def _organs(phrases: list[str], determiners: str) -> re.Pattern[str]:
    """A subject that opens with a party's organ and its preposition ("Het management van de", "The management of
    the"), up to the party."""
    body = phrase_regex(phrases).pattern
    return re.compile(rf"^\W*(?:\d+[a-z]?\.\s*)?(?:\w+\s+)?{body}\s+(?:(?:{determiners})\s+)?$", re.I)


@cache
def entity_gazetteer() -> dict[str, list[str]]:
    """Label -> names, for the EntityRuler of both languages."""
    out: dict[str, list[str]] = {}
    for label, groups in load_config("legal_cues")["entities"].items():
        out[label] = [name for group in groups for name in group]
    return out


_ACT_NUMBER = re.compile(r"\d+/\d+")


@lru_cache(maxsize=1)
def act_names() -> dict[str, str]:
    """Names texts cite acts and instruments by → the short title: the short_title, name and aliases of every act in
    config/acts.yaml, and config/legal_cues.yaml `instruments` (soft law acts.yaml does not hold as an act). Names
    holding an act number ("Directive (EU) 2024/1306") are left to the act-number pattern."""
    from indexer.parsing.metadata import acts

    out: dict[str, str] = {}
    for act in acts().values():
        short = act.get("short_title")
        for name in [short, act.get("name"), *(act.get("aliases") or [])]:
            if short and name and not _ACT_NUMBER.search(str(name)):
                out.setdefault(str(name), str(short))
    for canonical, names in (load_config("legal_cues").get("instruments") or {}).items():
        for name in names:
            out.setdefault(str(name), str(canonical))
    return out
