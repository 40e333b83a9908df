"""Is a sentence normative, and if so: modality, addressee, action, conditions.

WHY rules: legislative drafting is formulaic (EU Joint Practical Guide; Dutch
Aanwijzingen voor de regelgeving), so cue phrases in a fixed precedence
(exemption > prohibition > permission > obligation) plus the clause structure
decide modality better than a general model. What differs per language (the clause
words, the definition formulas, Dutch present-tense duties and inverted word
order) comes from the text's language pack (indexer/nlp/lang); no rule here
tests a language code. Descriptive texts (news, policy notes, recitals) are
excluded by their provision kind and instrument type, not by wording.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from indexer.nlp.fields import DATE
from indexer.nlp.lang import Cue
from indexer.nlp.lexicon import MODALITIES, Lexicon, lexicon

_LEADING_CLAUSE = r"^\W*(?:\d+[a-z]?\.\s+)?(?:{words})\b[^,]{{0,400}},\s*"  # the pack's leading-clause words
_RELATIVE_BEFORE = r"\b(?:{words})\b[^,;]{{0,60}}$"
_FOOTNOTE = re.compile(r"^\W{0,3}\(\s*\*?\d+\s*\)\s+(?:[A-Z]|PB|OJ)")
_MASK_DATES = re.compile(DATE, re.I)
_OPENING_QUOTE = re.compile(r"\s*(?::\s*)?[‘“«\"]")
_QUOTED_WORDS = re.compile(r"[‘“«][^’”»]{0,120}[’”»]")
_CLOSING_QUOTE = re.compile(r"(?<=[.;:,)])[’”»\"]|[’”»\"](?=\s*[;.]|\s*$)")  # not the apostrophe of "undertakings’"


@dataclass(frozen=True)
class _Clauses:
    """A pack's clause words, compiled once."""

    leading: re.Pattern[str]
    relative_before: re.Pattern[str]
    attached_cue: re.Pattern[str]      # a cue ending in "on"/"to": "conferred on the Commission"
    attached_after: re.Pattern[str]    # "... shall not apply to companies"
    determiners: re.Pattern[str]
    pronoun_before: re.Pattern[str]
    pronoun_after: re.Pattern[str]     # an inverted pronoun subject right after the verb ("..., nemen zij ...")
    subject_start: re.Pattern[str]     # a determiner or pronoun: the subject itself opens the clause


@cache
def _clauses(lang: str) -> _Clauses:
    p = lexicon(lang).pack
    return _Clauses(
        leading=re.compile(_LEADING_CLAUSE.format(words=p.leading_clause), re.I),
        relative_before=re.compile(_RELATIVE_BEFORE.format(words=p.relative_words), re.I),
        attached_cue=re.compile(rf"\b(?:{p.attach_prepositions})$"),
        attached_after=re.compile(rf"\s+(?:{p.attach_prepositions})\b"),
        determiners=re.compile(rf"\s*(?:(?:{p.determiners})\s+)?"),
        pronoun_before=re.compile(rf"\b(?:{p.pronouns})\s*$", re.I),
        pronoun_after=re.compile(rf"\s+(?:{p.pronouns})\b", re.I),
        subject_start=re.compile(rf"(?:{p.determiners}|{p.pronouns})\b", re.I))


@dataclass
class Analysis:
    modality: str | None = None
    cue: tuple[int, int] | None = None
    addressee: str | None = None
    addressee_text: str | None = None
    addressee_span: tuple[int, int] | None = None
    action: str | None = None
    conditions: list[str] = field(default_factory=list)


def is_definition(text: str, lex: Lexicon) -> bool:
    return any(d.search(text) for d in lex.pack.definitions)


def context_allows(ctx: dict, lex: Lexicon) -> bool:
    """Recitals, headings, news and policy notes never carry obligations, whatever their wording."""
    return (
        ctx.get("instrument_type") not in lex.non_normative_instruments
        and ctx.get("kind") not in lex.non_normative_kinds
    )


def is_candidate(text: str, lex: Lexicon, ctx: dict) -> bool:
    """Cheap pre-filter before any parsing: a cue word, or (present-tense duties, Dutch) any operative sentence."""
    if not context_allows(ctx, lex):
        return False
    return bool(lex.any_cue.search(text)) or (lex.pack.present_duty is not None and ctx.get("operative", True))


def _main_clause_start(text: str, lex: Lexicon, limit: int | None = None) -> int:
    """Skip leading adverbial/conditional clauses ("Where ..., ", "By way of derogation ..., ") before the subject."""
    pos, leading = 0, _clauses(lex.lang).leading
    while True:
        m = leading.match(text[pos:limit])
        if not m or not m.end():
            return pos
        v2 = lex.pack.v2_cut.match(text, pos, pos + m.end()) if lex.pack.v2_cut is not None else None
        if v2:  # "In afwijking van lid 3 kunnen X, wanneer ...": the phrase ended at the finite verb
            return v2.end()
        pos += m.end()


def find_cue(text: str, lex: Lexicon) -> tuple[str, int, int] | None:
    """The governing cue: the first in the main clause that is not inside a relative or conditional clause."""
    masked = _MASK_DATES.sub(lambda m: "#" * len(m.group(0)), text)
    matches = []
    for rank, modality in enumerate(MODALITIES):
        for m in lex.cues[modality].finditer(masked):
            matches.append((m.start(), -(m.end() - m.start()), rank, modality, m.end()))
    if not matches:
        return None
    matches.sort()
    main = _main_clause_start(masked, lex)
    relative_before = _clauses(lex.lang).relative_before
    chosen = None
    for start, _neg_len, _rank, modality, end in matches:
        if any(s < start < e for s, _, _, _, e in matches if (s, e) != (start, end) and e - s > end - start):
            continue  # part of a longer cue ("shall" inside "shall not be required to")
        if start < main:
            continue  # a cue inside a leading "where/if ..." clause does not govern the sentence
        if (
            relative_before.search(masked[max(main, 0) : start])
            and any(s > start for s, *_ in matches)
            and chosen is None
        ):
            # "companies which may ... shall": prefer a later cue, keep this one as fallback
            chosen = chosen or (modality, start, end)
            continue
        return modality, start, end
    return chosen


def _addressee(
    text: str, lex: Lexicon, cue_start: int, cue_end: int
) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """The first duty-bearer named in the subject (not inside a prepositional phrase); else a passive agent ("by X");
    else, for a pronoun subject, the first party named in the leading clause."""
    main = _main_clause_start(text, lex, cue_start)
    pack, clauses = lex.pack, _clauses(lex.lang)
    pp, agent_re = pack.in_pp, pack.agent

    def pick(start: int, end: int):
        for m in lex.addressee_re.finditer(text, start, end):
            gap = text[start:m.start()]
            # "Het management van de moederonderneming": the party's organ acts for it
            if (not pp.search(gap) or lex.organs.search(gap)) and not re.match(r"\s+\d", text[m.end():]):
                return m
        return None

    def is_agent(a: re.Match[str]) -> bool:
        """"by X" after the cue, unless a relative clause opened before it ("na de datum waarop het door de Commissie
        is geraadpleegd") or a participle follows that makes it part of a noun phrase ("de door de groepsauditor
        bewaarde documentatie")."""
        return (bool(agent_re.search(text[max(cue_end, a.start() - 30):a.start()]))
                and not clauses.relative_before.search(text[cue_end:a.start()])
                and not (pack.agent_modifier is not None and pack.agent_modifier.match(text, a.end())))

    agent = next((a for a in lex.addressee_re.finditer(text, cue_end, min(len(text), cue_end + 90)) if is_agent(a)),
                 None)
    if agent is None and pack.agent_before_participle:  # "kunnen door de minister worden geschorst"
        agent = next((a for a in lex.addressee_re.finditer(text, cue_end, min(len(text), cue_end + 160))
                      if is_agent(a)), None)
    if agent is not None and pack.is_passive(text, cue_start, cue_end, agent.start()):
        return lex.addressees[_key(agent.group(0))], agent.group(0), (agent.start(), agent.end())

    m = None
    prep_after = clauses.attached_after.match(text[cue_end:]) if pack.party_after_cue else None
    # "conferred on the Commission", "not apply to companies"
    if clauses.attached_cue.search(text[cue_start:cue_end]) or prep_after:
        start = cue_end + (prep_after.end() if prep_after else 0)
        m = next(iter([a for a in lex.addressee_re.finditer(text, start, min(len(text), start + 40))
                       if clauses.determiners.fullmatch(text[start:a.start()])]), None)
    if m is None and pack.recipient_in_cue is not None:  # "bevoegdheid om ... wordt aan de Commissie toegekend"
        m = next((a for a in lex.addressee_re.finditer(text, cue_start, cue_end)
                  if pack.recipient_in_cue.search(text[cue_start:a.start()])), None)
    if m is None:
        m = pick(main, cue_start)
    if m is None:
        m = next((a for a in lex.addressee_re.finditer(text, cue_end, min(len(text), cue_end + 90)) if is_agent(a)),
                 None)
    if m is None and _inverted(text, lex, main, cue_start):  # the subject after the verb
        if clauses.pronoun_after.match(text, cue_end):  # "Indien X ..., verstrekken zij de autoriteiten ...": X
            m = pick(0, cue_start)
        else:
            after = lex.addressee_re.search(text, cue_end, min(len(text), cue_end + 40))
            m = after if after and not pp.search(text[cue_end:after.start()]) else None
    if m is None and clauses.pronoun_before.search(text[:cue_start]):
        m = pick(0, cue_start)
    if m is None and pack.recipient is not None:  # "Aan de Commissie wordt de bevoegdheid overgedragen"
        m = next((a for a in lex.addressee_re.finditer(text, 0, cue_start) if pack.recipient.search(text[:a.start()])),
                 None)
    if m is not None:
        return lex.addressees[_key(m.group(0))], m.group(0), (m.start(), m.end())
    subject = re.sub(r"^\d+[a-z]?\.\s*", "", text[main:cue_start].strip(" ,"))
    return None, (subject if 0 < len(subject) <= 80 else None), None


def _key(surface: str) -> str:
    return re.sub(r"\s+", " ", surface.lower())


def _inverted(text: str, lex: Lexicon, main: int, cue_start: int) -> bool:
    """Dutch puts the subject after the finite verb when something else opens the clause ("Binnen een maand stelt de
    minister ..."); a determiner, pronoun or party before the verb is the subject itself ("Zij stellen de Commissie
    ... in kennis", "Het informatiesysteem biedt de bevoegde autoriteiten ...")."""
    if not lex.pack.inverted_subject:
        return False
    before = re.sub(r"^\d+[a-z]?\.\s*", "", text[main:cue_start].strip(" ,"))
    return not before or not (_clauses(lex.lang).subject_start.match(before) or lex.addressee_re.match(before))


def _clip(text: str, max_words: int = 30) -> str:
    """The wording up to the end of the clause (';'), at most `max_words`; an enumeration after ':' stays in, and
    when the cue introduces it directly ("shall: (a) develop ...; (b) ensure ...") it is the action, points and all."""
    text = text.lstrip(" ,;")
    if text.startswith(":"):
        text = text[1:]
    else:
        text = text.split(";")[0]
    words = text.strip(" ,.:’”").split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def _action(text: str, lex: Lexicon, modality: str | None, cue: tuple[int, int], subject: tuple[int, int] | None
            ) -> str:
    """The verb phrase the cue governs, as a lawyer would write it: from the main verb after the modal ("shall take
    appropriate measures to ..." → "take appropriate measures to ..."; Dutch "nemen passende maatregelen ..." from
    the finite verb itself, "kan ... verzoeken" after the modal), without an inverted subject, up to the end of the
    clause or a coordinated clause of another modality ("shall use ... and may determine ...")."""
    pack, (cs, ce) = lex.pack, cue
    from_cue = modality == "exemption" or (pack.action_from_cue and _key(text[cs:ce]) not in lex.action_after)
    start = cs if from_cue else ce
    if subject and ce <= subject[0] and _clauses(lex.lang).attached_cue.search(text[cs:ce]):
        if m := re.match(r"\s+to\s+(?=\w)", text[subject[1]:]):  # "power is delegated to the Commission to adopt"
            start = subject[1] + m.end()
        else:  # "shall be conferred on the Commission for ...": the passive, without its modal
            start = modal.end() if (modal := lex.cues["obligation"].match(text, cs)) else cs
    body = text[start:]
    if subject and 0 < subject[0] - ce < 12 and _inverted(text, lex, _main_clause_start(text, lex, cs), cs):
        head = re.sub(rf"\b(?:{pack.determiners})\s*$", "", text[start:subject[0]], flags=re.I)
        body = head.rstrip() + " " + text[subject[1]:].lstrip()  # inverted order: the subject is not the action
    # a condition between commas right after the modal or verb ("shall, where necessary, provide", "kan, indien ...,
    # gebruik maken") is the record's condition, not its action
    verb = r"(\S+)" if from_cue else "()"
    body = re.sub(rf"^\s*{verb}\s*,\s*(?:{lex.conditions.pattern})[^,;]{{0,150}},\s*", r"\1 ", body, count=1,
                  flags=re.I)
    action = _clip(_same_clause(body, lex, modality))
    if from_cue or len(action.split()) > 1:
        return action
    # nothing after the modal: verb-final Dutch ("... gevolgd moet worden") or a passive at the end ("Any clause
    # restricting ... shall be prohibited"): the cue with its verb, else the subject it speaks of
    return action and _clip(text[cs:]) or _clip(text[_main_clause_start(text, lex, cs):cs])


def _same_clause(body: str, lex: Lexicon, modality: str | None) -> str:
    """Cut at "and may ..." (a clause of another modality); drop the repeated modal of "... and shall take ..."."""
    coordinated = re.compile(rf"(?:,\s*)?(?:{lex.coordinators.pattern})\s+$", re.I)
    masked = _MASK_DATES.sub(lambda m: "#" * len(m.group(0)), body)  # "1 May 2025" holds no "may"
    hits = sorted((m.start(), -m.end(), other) for other in MODALITIES for m in lex.cues[other].finditer(masked, 1))
    covered = -1
    for start, neg_end, other in hits:
        if start < covered:
            continue  # "shall" inside "shall not"
        covered = -neg_end
        before = coordinated.search(body, 0, start)
        if before is not None:
            if other != modality:  # "grant and may revoke access rights": a bare verb shares the object, keep it
                return body[:before.start()] if len(body[:before.start()].split()) > 2 else body
            return _same_clause(re.sub(r"\s+(?=,)", "", body[:start] + body[-neg_end:].lstrip()), lex, modality)
    return body


def conditions(text: str, lex: Lexicon) -> list[str]:
    out = []
    for m in lex.conditions.finditer(text):
        if not lex.pack.keeps_condition(m.group(0).lower(), text[:m.start()], text[m.end():]):
            continue  # "undertakings subject to reporting requirements" describes; "als" mostly means "as"
        out.append(_clip(re.split(r",\s", text[m.start():])[0], 25))
    return out


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "#" * len(m.group(0)), text)


def analyse(text: str, lex: Lexicon, ctx: dict, lemma: Callable[[str], str] | None = None) -> Analysis:
    """Full analysis of one sentence; modality None means not normative.

    Formulas that state legal effects rather than duties ("shall apply", "shall be deemed", "is amended as follows")
    are masked first; whatever cue remains (e.g. inside inserted text) decides. `lemma` is the pipeline's
    lemmatizer (default: the pack's lookup).
    """
    pack = lex.pack
    if not context_allows(ctx, lex):
        return Analysis()
    quoted = _quoted_passage(text, lex)
    if quoted:  # the instruction binds no one; what it inserts speaks for itself ("4) ... wordt ingevoegd: “...")
        return _shifted(analyse(text[quoted[0]:quoted[1]], lex, ctx, lemma), quoted[0])
    if is_definition(text, lex) or _FOOTNOTE.match(text) or lex.act_titles.match(text):
        return Analysis()
    if pack.legal_effect is not None and pack.legal_effect.search(text):
        return Analysis()
    masked = _mask(text, lex.non_normative)
    if lex.amendments.search(text):  # no passage quoted: the instruction governs, the words it quotes bind no one
        masked = _mask(_mask(masked, lex.amendments), _QUOTED_WORDS)
    cue: Cue | None = find_cue(masked, lex)
    derog = pack.derogation.search(text)
    if not derog and masked != text and _effect_governs(text, masked, lex, cue[1] if cue else len(text)):
        return Analysis()  # "Companies that report ... shall be deemed to have complied": an effect, not a duty
    if derog:
        # "by way of derogation ..., Article 5 shall apply from ...", "In afwijking van ..., is X verantwoordelijk":
        # derogations
        cue = cue or find_cue(text, lex) or (ctx.get("operative", True) and (None, derog.start(), derog.end())) or None
        cue = ("exemption", cue[1], cue[2]) if cue else None
    if pack.present_duty is not None and ctx.get("operative", True):  # "De onderneming stelt een verklaring op"
        cue = pack.present_duty(text, masked, cue, lemma or pack.lemma, _main_clause_start(text, lex))
    if (
        pack.negated_modal is not None
        and cue
        and cue[0] != "prohibition"
        and pack.negated_modal.search(masked[cue[1] :])
    ):
        cue = ("prohibition", cue[1], cue[2])  # "zullen ... niet verplaatst mogen worden"
    if cue and masked != text and text[cue[1]:cue[2]].lower() in pack.future_auxiliaries:
        # "zal ... van kracht worden": the future auxiliary of a legal-effect formula; another modal may still bind
        rest = find_cue(masked[:cue[1]] + "#" * (cue[2] - cue[1]) + masked[cue[2]:], lex)
        cue = rest if rest and text[rest[1]:rest[2]].lower() not in pack.future_auxiliaries else None
    if cue is None:
        return Analysis()
    modality, cs, ce = cue
    key, surface, span = _addressee(text, lex, cs, ce)
    action = _action(text, lex, modality, (cs, ce), span)
    return Analysis(modality, (cs, ce), key, surface, span, action or None, conditions(text, lex))


def _quoted_passage(text: str, lex: Lexicon) -> tuple[int, int] | None:
    """The passage an amending instruction quotes ("... is replaced by the following: ‘Member States shall ...’", "...
    wordt vervangen door: “..."): after a colon or "the following", never a quoted word ("the words ‘shall’ ...")."""
    for m in lex.amendments.finditer(text):
        tail = _CLOSING_QUOTE.search(text, 0, m.start())
        if tail and not re.search("[‘“«]", text[:tail.start()]):
            return 0, tail.start()  # the end of an earlier quoted passage comes first ("... kan ....”; e) lid 6 ...")
        q = _OPENING_QUOTE.match(text, m.end())
        if q and (":" in q.group(0) or m.group(0).lower().endswith("following")):
            close = _CLOSING_QUOTE.search(text, q.end())
            return q.end(), close.start() if close else len(text)
    return None


def _shifted(a: Analysis, offset: int) -> Analysis:
    def move(span: tuple[int, int] | None) -> tuple[int, int] | None:
        return (span[0] + offset, span[1] + offset) if span else None

    a.cue, a.addressee_span = move(a.cue), move(a.addressee_span)
    return a


def _effect_governs(text: str, masked: str, lex: Lexicon, cue_start: int) -> bool:
    """A legal-effect formula of the main clause ("shall be deemed", "wordt geacht ... te") decides the sentence unless
    the remaining cue opens a coordinated clause of its own ("... shall be considered a manufacturer and shall be
    subject to the obligations ..."); one in a leading or relative clause does not. `masked` has the formulas masked."""
    main, relative = _main_clause_start(text, lex), _clauses(lex.lang).relative_before
    coordinated = re.compile(rf"(?:[;]|\b(?:{lex.coordinators.pattern}))", re.I)
    for m in re.compile("#+").finditer(masked, main, cue_start):
        if not relative.search(text[main:m.start()]):
            return not coordinated.search(text, m.end(), cue_start)
    return False
