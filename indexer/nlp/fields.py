"""Structured fields inside a sentence: deadlines, thresholds, cross-references.

WHY: these are closed, formulaic expressions in legislation ("by 26 July
2027", "more than 1 000 employees", "Article 2(1), point (a)"), so precise
patterns beat a statistical model; the spaCy components call these functions
and attach the results to spans. Each function returns (start, end, value)
with character offsets in the text it was given.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.nlp.lexicon import act_names
from regkb.dates import DAY_MONTH_YEAR, make_date


def _periods() -> dict:
    """Number words, time units and fillers of periods (config/legal_cues.yaml `periods`)."""
    from regkb.settings import load_config

    return load_config("legal_cues")["periods"]


_PERIODS = _periods()
NUMBER_WORDS: dict[str, int] = {str(k).lower(): int(v) for k, v in _PERIODS["number_words"].items()}
# unit → (how many of the ISO unit, ISO unit): "maanden" → (1, "M"), "halfjaar" → (6, "M")
UNITS: dict[str, tuple[int, str]] = {
    str(k).lower(): (int(str(v)[:-1] or 1), str(v)[-1]) for k, v in _PERIODS["units"].items()}
ORDINALS_NL = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7, "achtste": 8,
               "negende": 9, "tiende": 10, "elfde": 11, "twaalfde": 12}
ORDINALS_EN = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
               "ninth": 9, "tenth": 10}

# "26 July 2027", "1 januari 2025", "1er janvier 2022" (regkb.dates: the month names of every language)
DATE = DAY_MONTH_YEAR.replace(r"(?P<day>\d{1,2})", r"(?P<day>\d{1,2})(?:er)?", 1)
_NUM_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_UNIT = "|".join(sorted((re.escape(u).replace(r"\ ", r"\s+") for u in UNITS), key=len, reverse=True))
def _alternation(phrases: list[str]) -> str:
    """Config phrases as one regex alternation: "re:" entries as written, others literally (any whitespace)."""
    return "|".join(f[3:] if f.startswith("re:") else re.escape(f).replace(r"\ ", r"\s+") for f in phrases)


_FILLER = _alternation(_PERIODS["fillers"])
# a date right after a relative pronoun describes the party ("die vóór 1 januari 2024 zijn toegelaten")
_RECURRING = re.compile(rf"(?<![\w-])(?:{_alternation(_PERIODS['recurring'])})\s+(?:\w+\s+)?$", re.I)
_MINIMUM = frozenset(("at least", "ten minste", "au moins"))
_DESCRIPTIVE_PREPS = frozenset(("before", "vóór", "voor", "sinds", "since", "until", "tot"))
# the pronoun right before the preposition (Dutch puts the clause's verb last: "die vóór ... zijn toegelaten"), or
# with a past tense between ("which were produced before"); not "boekjaren die aanvangen vóór 1 januari 2028"
_RELATIVE_PRONOUN = re.compile(rf"(?:^|(?P<before>[\w-]+)\s+)(?:{'|'.join(_PERIODS['relative_pronouns'])})"
                               rf"(?:\s+(?:[\w-]+\s+){{0,2}}?(?:were|was|been|had)(?:\s+[\w-]+){{0,2}})?\s*$", re.I)
_DEMONSTRATIVE_AFTER = frozenset(_PERIODS["demonstrative_after"])
QTY = rf"(?P<n>\d+|{_NUM_WORD})\s+(?P<unit>{_UNIT})"

DEADLINE_ABS = re.compile(
    rf"(?<!\w)(?P<prep>by|no later than|not later than|at the latest by|before|until|from|as from|as of|"
    rf"with effect from|"
    rf"on or before|after|uiterlijk\s+\.?op|uiterlijk|vóór|voor|tot en met|tot|vanaf|met ingang van|per|na|"
    rf"au plus tard le|au plus tard pour le|au plus tard au|avant le|jusqu['’]au|à partir du|à compter du|dès le|"
    rf"après le|d['’]ici au|d['’]ici le)\s+{DATE}",
    re.I,
)
# the event a period runs from, up to a clause boundary or (a long one) its 60th character
_ANCHOR = (r"(?P<anchor>(?!age\b|leeftijd\b)(?:(?:the\s+|de\s+|het\s+)?[\w\s'’-]{1,60}?(?=[,.;:)]|\s+(?:and|or|en|to|"
           r"in|on|at|is|are|through|which|that|die|dat|shall|must|may|moet|wordt|worden|door|bij|aan|met|"
           r"overeenkomstig)\b|$)"
           r"|[\w'’-]+(?:\s+[\w'’-]+){0,5}))")  # no boundary within reach: its first six words
DEADLINE_REL = re.compile(
    rf"(?<!\w)(?P<prep>within|no later than|not later than|at the latest|binnen|uiterlijk|ten laatste|niet langer dan|"
    rf"gedurende de eerste|gedurende|voor|"
    rf"for a period of|for|"
    rf"after the expiration of|after the expiry of|na afloop van|na verloop van|na het verstrijken van|after|na|"
    rf"at least|ten minste|"
    rf"dans un délai de|dans les|au plus tard|pendant|au moins|après l['’]expiration d['’]un délai de)\s+"
    rf"(?:(?:{_FILLER})\s+)?{QTY}\s+"
    rf"(?P<rel>of|after|from|following|before|prior to|na|van|vanaf|vóór|voor|volgend op|te rekenen vanaf|"
    rf"à compter de la|à compter de l['’]|à compter du|à compter de|à partir de la|à partir de l['’]|à partir du|"
    rf"à partir de|après la|après l['’]|après le|après|suivant la|suivant le|suivant l['’]|suivant|avant la|"
    rf"avant le|avant l['’]|avant|à l['’]issue de la|à l['’]issue du|à l['’]issue de|qui suivent la|qui suivent le|"
    rf"qui suivent l['’]|qui suivent|qui suit la|qui suit le|qui suit l['’]|qui suit)(?:\s+|(?<=['’]))"
    rf"{_ANCHOR}",
    re.I,
)
# Dutch also writes the period without a preposition: "treedt in werking twaalf maanden na de datum", "een jaar nadat"
DEADLINE_BARE = re.compile(rf"(?<![\w-])(?P<prep>){QTY}\s+(?P<rel>na|nadat|vóór|voordat)\s+{_ANCHOR}", re.I)


@dataclass
class Found:
    start: int
    end: int
    text: str
    value: dict


def _num(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token.lower()]


def _in_relative_clause(text: str, pos: int) -> bool:
    """A relative clause opened shortly before `pos` and not closed by punctuation ("die vóór ... zijn toegelaten")."""
    m = _RELATIVE_PRONOUN.search(text, 0, pos)
    return m is not None and (m["before"] or "").lower() not in _DEMONSTRATIVE_AFTER


def find_deadlines(text: str) -> list[Found]:
    """Absolute dates after a time preposition, and relative periods anchored to an event."""
    out: list[Found] = []
    for m in DEADLINE_ABS.finditer(text):
        d = make_date(m["year"], m["month"], m["day"])
        if d is None or (m["prep"].lower() in _DESCRIPTIVE_PREPS and _in_relative_clause(text, m.start())):
            continue  # "wettelijke auditors die vóór 1 januari 2024 zijn toegelaten": not when the duty falls due
        out.append(Found(m.start(), m.end(), m.group(0), {"date": d.isoformat(), "relative": None}))
    for m in [*DEADLINE_REL.finditer(text), *DEADLINE_BARE.finditer(text)]:
        bare = m.re is DEADLINE_BARE  # inside a period found already ("van tien jaren na"), or holding its date
        if any(f.start <= m.start() < f.end or (bare and m.start() <= f.start < m.end()) for f in out):
            continue
        if _RECURRING.search(text, 0, m.start("n")):
            continue  # "om de drie jaar na ...": how often, not by when
        if m["prep"].lower() in _MINIMUM and m["rel"].lower() in ("of", "van"):
            continue  # "ten minste acht maanden van de praktijkopleiding": a length, no deadline
        anchor = re.sub(r"\s+", " ", m["anchor"]).strip()
        many, iso = UNITS[re.sub(r"\s+", " ", m["unit"].lower())]
        rel = "before" if m["rel"].lower().split()[0] in ("before", "prior", "vóór", "voor", "avant") else "after"
        out.append(
            Found(
                m.start(),
                m.end(),
                m.group(0),
                {"date": None, "relative": f"P{_num(m['n']) * many}{iso} {rel} {anchor}"},
            )
        )
    return sorted(out, key=lambda f: f.start)


_AMOUNT = r"(?P<num>\d{1,3}(?:[ \u00a0.,]\d{3})+|\d+(?:[.,]\d+)?)(?:\s*(?P<scale>million|billion|miljoen|miljard))?"
# a head count may be written out ("minder dan drie werknemers"); "een"/"one" (1) is an article as often as a number
_HEADCOUNT = "|".join(sorted((w for w, n in NUMBER_WORDS.items() if n > 1), key=len, reverse=True))
_HEAD_AMOUNT = _AMOUNT.replace(r"\d+(?:[.,]\d+)?)", rf"\d+(?:[.,]\d+)?|{_HEADCOUNT})", 1)
_CMP = (
    r"(?P<cmp>more than|greater than|exceeding|exceeds|above|over|in excess of|at least|not less than|a minimum of|"
    r"less than|fewer than|below|under|not exceeding|not more than|up to|a maximum of|maximum|at most|"
    r"meer dan|hoger dan|ten minste|minstens|minder dan|lager dan|niet meer dan|ten hoogste|maximaal|hoogstens|"
    r"minimaal|"
    r"boven|onder)?\s*"
)
COMPARISON = {
    "more than": "more_than",
    "greater than": "more_than",
    "exceeding": "more_than",
    "exceeds": "more_than",
    "above": "more_than",
    "over": "more_than",
    "in excess of": "more_than",
    "meer dan": "more_than",
    "hoger dan": "more_than",
    "boven": "more_than",
    "at least": "at_least",
    "not less than": "at_least",
    "a minimum of": "at_least",
    "ten minste": "at_least",
    "minstens": "at_least",
    "minimaal": "at_least",
    "less than": "less_than",
    "fewer than": "less_than",
    "below": "less_than",
    "under": "less_than",
    "minder dan": "less_than",
    "lager dan": "less_than",
    "onder": "less_than",
    "not exceeding": "at_most",
    "not more than": "at_most",
    "up to": "at_most",
    "a maximum of": "at_most",
    "maximum": "at_most",
    "at most": "at_most",
    "niet meer dan": "at_most",
    "ten hoogste": "at_most",
    "maximaal": "at_most",
    "hoogstens": "at_most",
}
_THRESHOLD_HINT = re.compile(
    r"employees|workers|werknemers|personeelsleden|turnover|omzet|EUR|€|euro|%|per\s*cent|procent", re.I
)
THRESHOLD_PATTERNS = [
    (
        "employees",
        re.compile(
            rf"{_CMP}(?:an average of\s+|gemiddeld\s+|on average\s+)?{_HEAD_AMOUNT}\s+"
            rf"(?:employees|workers|werknemers|personeelsleden)"
            rf"(?:\s+on average)?",
            re.I,
        ),
    ),
    (
        "turnover",
        re.compile(
            rf"(?:net\s+(?:worldwide\s+)?turnover|netto-omzet|(?:wereldwijde\s+)?netto-omzet)[^.;]{{0,40}}?\s(?:of\s+|van\s+)?"
            rf"{_CMP}(?:EUR|€)\s*{_AMOUNT}",
            re.I,
        ),
    ),
    ("amount", re.compile(rf"{_CMP}(?:EUR|€)\s*{_AMOUNT}", re.I)),
    ("amount", re.compile(rf"{_CMP}{_AMOUNT}\s*(?:EUR|euro)\b", re.I)),
    ("percentage", re.compile(rf"{_CMP}{_AMOUNT}\s*(?:%|per\s*cent|percent|procent)", re.I)),
]
# a word each pattern above cannot match without
_THRESHOLD_NEEDS = [re.compile(w, re.I) for w in (
    r"employees|workers|werknemers|personeelsleden", r"turnover|netto-omzet", r"EUR|€", r"EUR|euro",
    r"%|per\s*cent|procent")]


def _amount(num: str, scale: str | None) -> float:
    if num.lower() in NUMBER_WORDS:
        return float(NUMBER_WORDS[num.lower()])
    n = num.replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,3}(?:[ .,]\d{3})+", n):
        n = re.sub(r"[ .,]", "", n)
    else:
        n = n.replace(",", ".")
    value = float(n)
    if scale:
        value *= {"million": 1e6, "miljoen": 1e6, "billion": 1e9, "miljard": 1e9}[scale.lower()]
    return value


def find_thresholds(text: str) -> list[Found]:
    """Employees, turnover, EUR amounts and percentages with their comparison."""
    out: list[Found] = []
    if not _THRESHOLD_HINT.search(text):
        return out
    for (metric, pattern), needs in zip(THRESHOLD_PATTERNS, _THRESHOLD_NEEDS):
        if not needs.search(text):
            continue  # the pattern's unit word is not in the text (each pattern tries every position: slow)
        for m in pattern.finditer(text):
            if any(f.start < m.end() and m.start() < f.end for f in out):
                continue
            num = m["num"]
            if metric == "percentage" and re.fullmatch(r"\d{4}", num):
                continue
            start = m.start() if metric == "turnover" else (m.start("cmp") if m["cmp"] else m.start("num"))
            if metric == "amount" and not m["cmp"]:
                start = m.start()
            out.append(Found(start, m.end(), text[start:m.end()].strip(),
                             {"metric": metric, "value": _amount(num, m["scale"]),
                              "unit": {"employees": "employees", "percentage": "%"}.get(metric, "EUR"),
                              "comparison": COMPARISON.get((m["cmp"] or "").lower()) or _verb_comparison(text, m)}))
    return sorted(out, key=lambda f: f.start)


_CLAUSE_END = re.compile(r"[,;.:]")
_EXCEED = re.compile(rf"(?<![\w-])(?:{_alternation(_PERIODS['exceed'])})(?![\w-])", re.I)
_NEGATION = re.compile(r"(?<![\w-])(?:not|niet|ne|n['’])(?![\w-])", re.I)


def _verb_comparison(text: str, m: re.Match[str]) -> str:
    """A figure with no comparison word of its own, compared by the clause's verb: "exceeding ... the criterion of
    500 employees", "het criterium van 500 werknemers ... overschrijden" (more than; "niet overschrijden": at most)."""
    before = _CLAUSE_END.split(text[max(0, m.start() - 90):m.start()])[-1]
    after = _CLAUSE_END.split(text[m.end():m.end() + 60])[0]
    verb = _EXCEED.search(before) or _EXCEED.search(after)
    if verb is None:
        return "equal"
    near = (before + " " + after)
    return "at_most" if _NEGATION.search(near) else "more_than"


# --- cross-references -------------------------------------------------------------------------------------------
_ACT_TYPES_EN = (r"(?:Directive|Regulation|Delegated Regulation|Implementing Regulation|Decision|Council Directive|"
                 r"Council Regulation|Recommendation)")
_ACT_TYPES_NL = (
    r"(?:Richtlijn|Verordening|Gedelegeerde Verordening|Uitvoeringsverordening|Besluit|Aanbeveling|Uitvoeringsbesluit)"
)
_ACT_TYPES_FR = (r"(?:Directive|Règlement délégué|Règlement d['’]exécution|Règlement|Décision d['’]exécution|Décision|"
                 r"Recommandation)")
ACT_REF = re.compile(
    rf"(?P<type>{_ACT_TYPES_EN}|{_ACT_TYPES_NL}|{_ACT_TYPES_FR})\s+"
    rf"(?:\((?:EU|EC|EEC|EG|EEG|UE|CE|CEE|Euratom)(?:,\s*Euratom)?\)\s+)?(?:(?:No|nr\.?|n°)\s*)?"
    rf"(?P<num>\d{{1,4}}/\d{{1,4}})(?:/(?:EU|EC|EEC|EG|EEG|UE|CE|CEE|Euratom))?", re.I)


@lru_cache(maxsize=1)
def short_titles() -> re.Pattern[str]:
    """An act or instrument cited by name ("CSDDD", "Taxonomy Regulation", "OESO-richtlijnen"): the names of
    lexicon.act_names (config/acts.yaml), as written (case matters: "esrs" is no citation), longest first."""
    names = sorted(act_names(), key=len, reverse=True)
    return re.compile(rf"\b(?P<short>{'|'.join(re.escape(n) for n in names) or '(?!)'})\b")
_P = r"\d+[a-z]?"
ART_REF_EN = re.compile(
    rf"\b(?P<kw>Articles?)\s+(?P<art>{_P})(?:\s*\((?P<par>{_P})\))?(?:\s*\((?P<pt0>[a-z]|[ivx]+)\))?"
    rf"(?:,?\s+(?P<ord>first|second|third|fourth|fifth|sixth) subparagraph)?"
    rf"(?:,?\s+points?\s+\((?P<pt>[a-z]+|[ivx]+)\))?"
    rf"|\b(?:paragraph|paragraphs)\s+(?P<par2>{_P})(?:,?\s+points?\s+\((?P<pt2>[a-z]+)\))?"
    rf"|\bpoints?\s+\((?P<pt3>[a-z]+)\)(?:\s+of\s+paragraph\s+(?P<par3>{_P}))?"
    rf"|\bAnnex\s+(?P<annex>[IVXL]+)\b")
ART_REF_NL = re.compile(
    rf"\b(?P<kw>[Aa]rtikel(?:en)?)\s+(?P<art>{_P}(?:\s+(?:bis|ter|quater|quinquies|sexies|septies|octies|nonies|decies))?)"
    rf"(?:,?\s+(?P<ordlid>eerste|tweede|derde|vierde|vijfde|zesde|zevende|achtste|negende|tiende|elfde|twaalfde)\s+lid)?"
    rf"(?:,?\s+lid\s+(?P<par>{_P}))?(?:,?\s+(?:onder|punt)\s+(?P<pt>[a-z]+|[ivx]+))?"
    rf"|\b(?P<ordlid2>eerste|tweede|derde|vierde|vijfde|zesde|zevende|achtste|negende|tiende)\s+lid\b"
    rf"|\blid\s+(?P<par2>{_P})(?:,?\s+(?:onder|punt)\s+(?P<pt2>[a-z]+))?"
    rf"|\bBijlage\s+(?P<annex>[IVXL]+)\b")

_ORD_FR = "premier|deuxième|troisième|quatrième|cinquième|sixième|septième|huitième|neuvième|dixième"
ART_REF_FR = re.compile(
    rf"\b(?P<kw>[Aa]rticles?)\s+(?P<art>\d+(?:[a-z](?![a-z]))?(?:\s+(?:bis|ter|quater|quinquies|sexies|septies|"
    rf"octies|nonies|decies))?)(?:er\b)?"
    rf"(?:,?\s+paragraphe\s+(?P<par>{_P}))?(?:,?\s+(?:{_ORD_FR})\s+alinéa)?"
    rf"(?:,?\s+points?\s+(?P<pt>[a-z]+|[ivx]+|\d+)\))?"
    rf"|\bparagraphes?\s+(?P<par2>{_P})(?:,?\s+points?\s+(?P<pt2>[a-z]+)\))?"
    rf"|\bpoints?\s+(?P<pt3>[a-z]+)\)(?:\s+du\s+paragraphe\s+(?P<par3>{_P}))?"
    rf"|\b[Aa]nnexe\s+(?P<annex>[IVXL]+)\b")
ART_REF = {"en": ART_REF_EN, "nl": ART_REF_NL, "fr": ART_REF_FR}
# "of" between a provision and the act it belongs to ("Article 2 of Directive ...", "article 2 de la directive")
_OF = {"en": r"of", "nl": r"van", "fr": r"(?:de\s+la|de\s+l['’]|du|des|de)"}

# "Article 32 of the Convention on the Rights of the Child", "Articles 4 to 8 of the ILO Minimum Age Convention",
# "artikel 7 van het Internationaal Verdrag ...": provisions of an instrument outside the corpus' EU/NL acts.
_RANGE = r"(?:\s*(?:to|and|-|–|tot en met|en)\s+\d+[a-z]?(?:\(\d+\))?)?"
_FOREIGN_TAIL = {
    "en": re.compile(
        rf"^{_RANGE}\s*,?\s*(?:of|to|under)\s+(?:the\s+)?(?:[A-Z][\w’'().-]*\s+(?:(?:of|on|and|for|against|the)\s+)*){{0,14}}?"
        r"(?:Convention|Covenant|Treaty|Charter|Protocol|Declaration|Agreement|TFEU|TEU)\b"
    ),
    "nl": re.compile(
        rf"^{_RANGE}\s*,?\s*van\s+(?:het|de)\s+(?:[\w’'().-]+\s+){{0,14}}?"
        r"(?:[Vv]erdrag|[Hh]andvest|[Pp]rotocol|[Vv]erklaring|VWEU|VEU)\b"
    ),
    "fr": re.compile(
        r"^(?:\s*(?:à|et|-|–)\s+\d+[a-z]?)?\s*,?\s*(?:de\s+la|de\s+l['’]|du|des)\s*(?:[\w’'().-]+\s+){0,14}?"
        r"(?:[Cc]onvention|[Pp]acte|[Tt]raité|[Cc]harte|[Pp]rotocole|[Dd]éclaration|TFUE|TUE)\b"
    ),
}


@dataclass
class Ref:
    start: int
    end: int
    text: str
    act: str | None = None          # "2013/34" for other acts
    short_title: str | None = None
    article: str | None = None
    paragraph: str | None = None
    point: str | None = None
    annex: str | None = None
    external: bool = False             # a provision of a convention or treaty, not of this act


def find_references(text: str, lang: str = "en") -> list[Ref]:
    """Other acts by number or short title, and provisions (article, paragraph, point, annex) of this or that act."""
    refs: list[Ref] = [Ref(m.start(), m.end(), m.group(0), act=_act_number(m["num"]))
                       for m in (ACT_REF.finditer(text) if "/" in text else ())]  # every act number has a "/"
    refs += [Ref(m.start(), m.end(), m.group(0), short_title=m["short"]) for m in short_titles().finditer(text)]
    pattern, of = ART_REF.get(lang, ART_REF_EN), _OF.get(lang, "of")
    for m in pattern.finditer(text):
        g = m.groupdict()
        par = g.get("par") or g.get("par2") or g.get("par3")
        ordlid = g.get("ordlid") or g.get("ordlid2")
        if ordlid:
            par = str(ORDINALS_NL[ordlid.lower()])
        art = g.get("art")
        ref = Ref(m.start(), m.end(), m.group(0), article=art.replace(" ", "") if art else None, paragraph=par,
                  point=g.get("pt") or g.get("pt0") or g.get("pt2") or g.get("pt3"), annex=g.get("annex"))
        tail = text[m.end():m.end() + 200]
        of_act = re.match(rf"\s*,?\s*{of}\s*(?<=\s|’|')", tail)
        other = ACT_REF.match(tail[of_act.end():]) if of_act else None
        if other:
            ref.act = _act_number(other["num"])
        elif _FOREIGN_TAIL.get(lang, _FOREIGN_TAIL["en"]).match(tail):
            ref.external = True
        refs.append(ref)
    return sorted(refs, key=lambda r: r.start)


def _act_number(num: str) -> str:
    """'2013/34' stays; old-style 'No 995/2010' (number/year) becomes '2010/995' to match CELEX order."""
    a, b = num.split("/")
    return f"{b}/{a}" if len(b) == 4 and len(a) < 4 else f"{a}/{b}"
