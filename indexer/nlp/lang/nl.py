"""Dutch: a blank pipeline with the lookup lemmatizer, and the habits of Dutch drafting.

WHY the present-tense rule: Dutch acts state duties in the plain present tense ("De onderneming stelt een
verklaring op"), so in operative provisions the first finite verb of the main clause (recognised with a verb
lexicon built from spacy-lookups-data, as there is no Dutch tagger) makes the sentence an obligation, unless it is
a copula or a legal-effect formula (Aanwijzingen voor de regelgeving).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import cast

import numpy
import spacy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc
from thinc.types import Ints2d

from indexer.nlp.lang import Cue, LanguagePack, Span


def make_nlp() -> Language:
    """Blank Dutch + legal sentences + lookup lemmas (spacy-lookups-data: local, nothing downloads)."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("regkb_legal_sentences")
    nlp.add_pipe("regkb_nl_lookup_lemmas")
    _verbs()  # the lookup table and the verb lexicon load now, not inside the first document
    return nlp


@Language.component("regkb_nl_lookup_lemmas")
def lookup_lemmas(doc: Doc) -> Doc:
    """Each token's lemma: the lookup table's entry for its lower-case form, else that form, as spaCy's Dutch lookup
    lemmatizer gives (it is the same table), read and written as arrays: the table is keyed by the string hashes
    the tokens carry, so no Python Token is made (that was most of the lemmatizer's time) and the table is loaded
    once, shared with the verb lexicon."""
    if len(doc):
        table, strings = _lemma_table(), doc.vocab.strings
        lemmas = [h if (w := table.get(h)) is None else strings.add(w) for h in doc.to_array(LOWER).tolist()]
        doc.from_array([LEMMA], cast(Ints2d, numpy.asarray(lemmas, dtype="uint64").reshape(-1, 1)))
    return doc


@lru_cache(maxsize=1)
def _lemma_table() -> dict:
    """The lookup lemmatizer table of spacy-lookups-data, keyed by string hash (as spaCy stores it)."""
    from spacy.lookups import load_lookups

    return dict(load_lookups("nl", ["lemma_lookup"]).get_table("lemma_lookup").items())


def lemma(word: str) -> str:
    """The lookup lemma of a (lower-case) word, as the pipeline's lemmatizer gives it: the table is keyed by hash."""
    return _lemma_table().get(get_string_id(word), word)


@lru_cache(maxsize=1)
def _verbs() -> frozenset[str]:
    """Dutch infinitives: lemmas ending in -en in the lookup table, less the nouns among them whose plural in -en
    the table also knows ("miljoenen" → "miljoen"; not the -s plural, which nominal infinitives have: "schrijvens")."""
    ends = {v for v in _lemma_table().values() if isinstance(v, str) and v.endswith("en")}
    return frozenset(v for v in ends if lemma(v + "en") != v and lemma(v + "nen") != v)


_FINITE = frozenset("is zijn wordt worden heeft hebben kan kunnen zal zullen mag mogen moet moeten dient dienen "
                    "staat staan gaat gaan doet doen ziet zien slaat komt komen".split())
_COPULA = frozenset(("is", "zijn"))
_MODALS: dict[str, str | None] = {
    **dict.fromkeys(("kan", "kunnen", "mag", "mogen"), "permission"),
    **dict.fromkeys(("moet", "moeten", "dient", "dienen"), "obligation"),
    **dict.fromkeys(("zal", "zullen"), None)}
_PREPOSITIONS = frozenset(
    "voor van op in met aan bij door uit tot over naar onder om na tegen volgens krachtens per binnen zonder via "
    "inzake jegens buiten boven beneden tussen achter".split()
)
_AUX = frozenset(("wordt", "worden", "is", "zijn", "heeft", "hebben"))
_NOT_BEFORE_VERB = frozenset("de het een deze dit die dat te om zijn haar hun elke iedere alle andere".split())
# words opening a relative clause, whose finite verb is not the main one ("waarmee wordt belegd")
_RELATIVES = frozenset("die welke wiens waarvan waarin waarop waarmee waarbij waardoor waaraan waarover waartoe "
                       "waaruit waarnaar waaronder waarvoor waartegen".split())
# words opening a subordinate clause: its finite verb comes last, before the comma that closes it
_SUBORDINATORS = _RELATIVES | frozenset("dat of indien wanneer als tenzij zodra nadat voordat omdat zodat terwijl mits "
                                        "zolang".split())
_SUBORDINATE_OPENING = re.compile(r"^\W*(?:\d+[a-z]?\.\s+)?(?:indien|tenzij|voor zover|wanneer|als|ingeval|"
                                  r"in het geval|op voorwaarde dat|mits|zodra|nadat|voordat|zolang|om)\b", re.I)
_QUOTED = re.compile(r"[“„‘«][^”“’»]{0,200}[”“’»]")
_FRAGMENT = re.compile(r"^\W*(?:[a-z]\.|[a-z]\)|\d+°\.?|\(\w+\))")
# a point that continues its introduction's subordinate clause ("5. dat iedere arbeider ... de bevoegdheid heeft",
# "als een methode voor ..."):
# verb-final, no main clause of its own (lower case: "Dat verslag bevat ..." is a demonstrative)
_CONTINUATION = re.compile(r"^\W*(?:\d+[a-z]?\.\s*)?(?:dat|of|als)\s")
# the future "zal" with a modal infinitive of its clause ("zullen onderworpen mogen worden", "zal ... kunnen
# opzeggen", "zal gestraft moeten worden"): that modal decides; a relative or subordinate clause's verbs do not
_FUTURE_MODAL = re.compile(r"\b(mogen|kunnen|moeten)\s+[\w-]+n\b|[\w-]+n\s+(mogen|kunnen|moeten)\b")
# the present-tense verb negated in its own clause ("worden ... niet langer dan tien jaar ... opgeslagen", "verstrekt
# geen"): a prohibition, as French "ne ... pas"; not past a comma or a subordinator, not "niet alleen", "niet later
# dan" (a deadline), "niet-financiële" (a compound) or an infinitive's ("de mogelijkheid dit Verdrag niet toe te
# passen")
_NEGATED = re.compile(r"(?:\s+(?!(?:dat|die|welke|indien|wanneer|tenzij|of|als|om|zodat|omdat)\b)[\w-]+){0,8}?\s+"
                      r"(?:niet|geen)(?![\w-])(?!\s+(?:alleen|enkel|later|eerder)\b)(?!(?:\s+[\w-]+){0,3}\s+te\s)",
                      re.I)
_NEVER = re.compile(r"^\W*(?:\d+[a-z]?\.\s*)?(?:in\s+geen\s+(?:enkel\s+)?geval|nooit)\b", re.I)
_SUBJECT_START = frozenset("de het zij hij ze elke iedere ieder elk".split())
_INFINITIVE_MODALITY = {"mogen": "permission", "kunnen": "permission", "moeten": "obligation"}


def is_finite(word: str, prev: str | None, lemma: Callable[[str], str] = lemma, following: str | None = None
              ) -> bool:
    """Present-tense finite verb: 3rd singular (stelt, neemt, verleent, omvat) or plural (nemen, zorgen).

    Nouns and participles that look like verbs are told apart by their neighbours, as there is no tagger: after a
    preposition ("per miljoen", "in gebieden", "van gedwongen") or before a number ("leden 1 en 2") a word is no
    finite verb, nor is a past participle ("uitgedrukt", "gebonden": ge- where the infinitive has none)."""
    w, verbs = word.lower(), _verbs()
    if w in _FINITE:
        return True
    if w in _NOT_BEFORE_VERB or w in _PREPOSITIONS or prev in _PREPOSITIONS or (following or "x")[0].isdigit():
        return False  # an article or pronoun ("een", "die") is never the verb, whatever the lemma table says
    if _participle(w, lemma(w)):
        return False
    if lemma(w) != w and lemma(w) in verbs and w.endswith("t") and prev not in _NOT_BEFORE_VERB:
        return True  # forms the lemma table knows ("heeft" → "hebben")
    if prev in _NOT_BEFORE_VERB or not w.isalpha():
        return False
    if w.endswith("t") and len(w) > 3:
        stem = w[:-1]
        undoubled = re.sub(r"([aeou])\1(?=[^aeiou]$)", r"\1", stem)
        cands = {stem + "en", stem + stem[-1] + "en", undoubled + "en", stem + "n"}
        cands |= {w + "ten"} if re.search(r"[^aeiou][aeiou]t$", w) else set()  # bevat → bevatten
        cands |= {stem[:-1] + "ven"} if stem.endswith("f") else set()
        cands |= {stem[:-1] + "zen"} if stem.endswith("s") else set()
        return bool(cands & verbs)
    if prev and len(prev) > 3 and prev.endswith("e") and prev not in ("die", "deze", "welke"):
        return False  # an inflected adjective before it: a plural noun ("bepaalde vereisten"), not a verb
    return w.endswith("en") and w in verbs


def _participle(word: str, infinitive: str) -> bool:
    """A past participle: "ge" where its infinitive has none, at the start or after a separable prefix
    ("uitgedrukt" ← "uitdrukken"), or before another verb's form ("gebonden": "bonden" ← "binden"); a verb that
    begins with "ge" itself ("geeft" ← "geven", "gelden") is none."""
    if word.startswith("ge") and len(word) > 5 and (
            (infinitive != word and not infinitive.startswith("ge")) or lemma(word[2:]) != word[2:]):
        return True  # "gebonden": "bonden" is a form of "binden"
    common = len(os.path.commonprefix([word, infinitive]))
    return 1 < common < len(infinitive) and word[common:common + 2] == "ge" and infinitive[common:common + 2] != "ge"


def present_verb(text: str, masked: str, lemma: Callable[[str], str], main: int) -> Span | None:
    """The first finite present-tense verb of the main clause (which starts at `main`) of an operative sentence.

    Copulas ("is", "zijn") alone describe rather than bind; fragments of enumerations and headings never qualify.
    """
    stripped = text.strip().rstrip("”’\"')»")
    # a clause closes with "." or, as a point of a list quoted on its own ("d) de personen ... beschikken over ...;"),
    # with ";"; headings and titles with neither
    if not stripped.endswith((".", ";")) or _FRAGMENT.match(stripped) or _CONTINUATION.match(text):
        return None
    effect = next((i for i, (a, b) in enumerate(zip(text, masked)) if a != b), len(text))  # a masked formula's start
    if main and not _SUBORDINATE_OPENING.match(text):
        main = 0  # "Uiterlijk op 30 juni publiceren de ...": a phrase, not a clause, opens it; its verb may follow
    elif main and (inner := _main_verb_in_opening(text, main, lemma)):
        return inner
    quoted = [q.span() for q in _QUOTED.finditer(text, main)]  # a quoted heading ("“Wat waren ...?”") is a name
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w-]+", text[main:])
             if not any(s <= main + m.start() < e for s, e in quoted)]
    opening = re.findall(r"[\w-]+", text[:main])
    # the clause an opening "Indien ..." subordinates is still open unless its verb closed it before the comma
    in_relative, subordinate = False, bool(opening) and not is_finite(opening[-1], None, lemma)
    closed = 0  # the end of the verb cluster that closed a subordinate clause ("kan brengen,")
    # a list point ("...;", or lower case: "verklaringen van ..., dat ... een getrouw beeld geven"): its verb must
    # stand outside any subordinate clause
    point = stripped.endswith(";") or bool(re.match(r"[^\w]*[a-z]", text))
    by_relative = False  # the subordinate clause is a relative one, which the comma after its verb closes
    for i, (w, s, e) in enumerate(words):
        if main + s < closed:
            continue
        # "voor die verwijzing" points; "onder wiens recht", "krachtens welke" open a relative clause
        demonstrative = i > 0 and words[i - 1][0].lower() in _PREPOSITIONS and w.lower() in ("die", "dat")
        if not subordinate and i > 0 and w.lower() in _SUBORDINATORS and not demonstrative:
            subordinate, by_relative = True, w.lower() in _RELATIVES
        if i > 0 and w.lower() in _RELATIVES and not demonstrative:
            in_relative = True  # the next finite verb closes this relative clause (Dutch: verb-final)
            continue
        if in_relative and i > 0 and "," in text[main + words[i - 1][2]:main + s]:
            in_relative = False  # "die bijdraagt aan ..., nemen": the comma closed it even if its verb went unseen
        if (i == 0 and main == 0 and w.lower() not in _FINITE) or w[0].isupper() or w.isdigit():
            continue  # the first word of a sentence is its subject (or an adverb), not its verb
        if is_finite(w, words[i - 1][0].lower() if i else None, lemma, words[i + 1][0] if i + 1 < len(words) else None):
            if i > 0 and words[i - 1][0].lower() == "dat":
                continue  # "het beleid dat wordt gevoerd": the relative clause's verb ("dat" + subject never has it)
            # "... in gevaar kan brengen, mag", "dat ... tot sancties heeft geleid, uitgedrukt"
            cluster = re.match(r"(?:\s+[\w-]+(?:en|d|t)){0,2}\s*[,:]", text[main + e:])
            if in_relative:
                in_relative = False
                # "de personen die ... verrichten, beschikken over"
                subordinate = subordinate and not (cluster and by_relative)
                continue
            if point and subordinate and not cluster:
                return None  # "een verklaring dat de assuranceverklaring niet voldoet aan ...;": a noun phrase
            if cluster and subordinate:
                # verb-final: the end of a subordinate clause ("Indien ... X verleent, wordt ..."); without one the
                # verb is the main one and a comma merely follows it ("Elk Lid neemt, rekening houdend met ...")
                subordinate, closed = False, main + e + cluster.end()
                continue
            if main + s >= effect or (effect < len(text) and _MODALS.get(w.lower()) is None
                                      and not re.search("[:;]", text[main + e:effect])):
                # a legal-effect formula ("treedt in werking") comes first or in the verb's own clause; a modal
                # governs one of its clause ("kunnen niet ... worden gewijzigd")
                return None
            if w.lower() not in _COPULA:
                return main + s, main + e
            in_relative = (
                any(x[0].lower() in ("die", "dat", "welke") for x in words[:i])
                and "," in text[main + words[i - 1][2] :]
            )
            if not in_relative:
                return None  # "X is Y" describes; it does not bind
    return None


def _main_verb_in_opening(text: str, main: int, lemma: Callable[[str], str]) -> Span | None:
    """Dutch may leave out the comma that closes an opening subordinate clause: "Tenzij ... het meest gebaat is bij
    vertrouwelijkheid stelt het NCP, na ...": after the clause's own verb, a second finite verb followed only by its
    subject ("het NCP") before the comma is the main verb."""
    comma = text.find(",", 0, main)  # the first leading clause ends there
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w-]+", text[:comma if comma > 0 else main])]
    finite = [i for i, (w, _, _) in enumerate(words) if i > 0 and not w[0].isupper() and not w.isdigit()
              and is_finite(w, words[i - 1][0].lower(), lemma, words[i + 1][0] if i + 1 < len(words) else None)]
    if len(finite) < 2 or words[finite[-1]][0].lower() in _COPULA:
        return None
    subject = words[finite[-1] + 1:]
    if 1 <= len(subject) <= 3 and subject[0][0].lower() in _SUBJECT_START:
        return words[finite[-1]][1], words[finite[-1]][2]
    return None


def present_duty(text: str, masked: str, cue: Cue | None, lemma: Callable[[str], str], main: int) -> Cue | None:
    """The first finite verb governs ("De Commissie verleent ... en kan ..."): an obligation, unless an auxiliary
    or a later exemption/prohibition cue outside a subordinate clause decides."""
    return _never(text, _present_duty(text, masked, cue, lemma, main))


def _never(text: str, cue: Cue | None) -> Cue | None:
    """"In geen geval zal ... vergunning verleend mogen worden": an opening "in no case" forbids what follows."""
    return ("prohibition", cue[1], cue[2]) if cue and cue[0] != "exemption" and _NEVER.match(text) else cue


def _present_duty(text: str, masked: str, cue: Cue | None, lemma: Callable[[str], str], main: int) -> Cue | None:
    verb = present_verb(text, masked, lemma, main)
    if verb and cue and cue[0] == "exemption" and cue[2] <= verb[0]:
        # "In afwijking van lid 1 bevestigen financiëlemarktdeelnemers ...": the derogation's verb; its subject follows
        return "exemption", verb[0], verb[1]
    modal = verb and _MODALS.get(text[verb[0]:verb[1]].lower(), "")
    if verb and modal != "":
        # a modal is a cue of its own, also after an opening phrase ("Onverminderd artikel 11 kunnen ..."); a
        # derogation ("In afwijking van lid 3 kunnen ...") and the future "zal" keep the cue found so far
        # the finder skipped subordinate clauses to reach it, so another cue elsewhere ("die ... kan brengen, mag
        # niet ...") does not govern; "mag niet", "kunnen geen": a prohibition
        other = cue is None or (cue[1] != verb[0] and cue[0] != "exemption")
        if modal == "permission" and re.match(r"\s+(?:niet|geen)\b", text[verb[1]:]):
            modal = "prohibition"
        if modal == "prohibition" and cue is not None and cue[0] != "exemption":
            other = True  # "kunnen niet ... worden gewijzigd": the cue found was this very modal, read as a permission
        return (modal, verb[0], verb[1]) if modal and other else _future_modal(text, cue)
    cue = _future_modal(text, cue)
    aux = verb and text[verb[0]:verb[1]].lower() in _AUX
    governs = verb and cue and verb[1] <= cue[1] - 2 and not aux and (
        cue[0] in ("permission", "obligation") or re.search(r"\b(?:welke|die|dat|of|wie)\b", text[verb[1]:cue[1]]))
    if verb and (cue is None or governs):
        return ("prohibition" if _NEGATED.match(text, verb[1]) else "obligation"), verb[0], verb[1]
    return cue


def _future_modal(text: str, cue: Cue | None) -> Cue | None:
    """"zal/zullen" (shall, in older treaties) takes the modality of a modal infinitive in its own clause: up to the
    next ";" or the next "zal", outside relative and subordinate clauses ("zal de autoriteit, die ..., ... slechts
    mogen toestaan": a permission)."""
    if cue is None or text[cue[1]:cue[2]].lower() not in ("zal", "zullen"):
        return cue
    clause = re.split(r";|\b(?:zal|zullen)\b", text[cue[2]:], maxsplit=1)[0]
    for m in _FUTURE_MODAL.finditer(clause):
        opened = clause[:m.start()].rsplit(",", 1)[-1]
        if not any(w.lower() in _SUBORDINATORS - {"of"} for w in re.findall(r"[\w-]+", opened)):  # "of": or
            return _INFINITIVE_MODALITY[(m.group(1) or m.group(2)).lower()], cue[1], cue[2]
    return cue


def is_passive(text: str, cue_start: int, cue_end: int, agent_start: int) -> bool:
    """'wordt ... door X': the cue is a form of 'worden', or one follows after the agent."""
    if text[cue_start:cue_end].lower() in ("wordt", "worden"):
        return True
    later = re.search(r"\bworden\b", text[cue_end:])
    return later is not None and cue_end + later.start() > agent_start


def keeps_condition(cue: str, before: str, after: str) -> bool:
    """'als' mostly means 'as'; it conditions only before a subject ("als de onderneming ...")."""
    return cue != "als" or bool(re.match(r"\s+(?:de|het|een|er|zij|hij|deze|dit)\b", after))


PACK = LanguagePack(
    code="nl",
    make_nlp=make_nlp,
    # "in" is Dutch as well ("In de gevallen bedoeld in ..., ")
    leading_clause=r"indien|tenzij|voor zover|wanneer|in afwijking|onverminderd|overeenkomstig|uiterlijk|"
    r"met ingang van|"
    r"behoudens|ingeval|als|in het geval|voor de toepassing|op verzoek|op voorwaarde dat|mits|na|bij|om|in",
    relative_words=r"die|dat|welke|indien|wanneer|tenzij|waar(?:op|in|mee|bij|door|aan|over|toe|uit|naar|onder|voor|van)",
    in_pp=re.compile(
        r"\b(?:van|op|voor|door|aan|met|bij|uit|in|tot|over|tegen|naar|dan|onder)\s+"
        r"(?:(?:de|het|een|alle|elke|iedere|deze|die|dat|hun|zijn|haar|andere|betrokken)\s+){0,3}$",
        re.I,
    ),
    agent=re.compile(r"\bdoor\s+(?:(?:de|het|alle)\s+)?$", re.I),
    determiners=r"de|het|alle",
    attach_prepositions=r"op",
    pronouns=r"zij|hij|ze",
    derogation=re.compile(r"\bin afwijking van\b", re.I),
    definitions=(
        re.compile(
            r"^\W*(?:(?:\d+\)|[a-z][.)])\s*[^:;.]{1,60}:\s|(?:\(?\d+[a-z]?\)?\.?\s*)?[‘'\"“][^’'\"”]{1,80}[’'\"”]\s*:)"
            r"|wordt verstaan onder"
            r"|\bde\s+uitdrukking\s+[„“\"‘]",  # ILO: "heeft de uitdrukking „kind” betrekking op", "duidt ... aan"
            re.I,
        ),
    ),
    is_passive=is_passive,
    keeps_condition=keeps_condition,
    legal_effect=re.compile(
        r"^\W*(?:\d+\.\s*)?(?:deze|dit|het|de)\s+(?:richtlijn|verordening|besluit|verdrag|wet|regeling)\s+"
        r"(?:treedt|is van toepassing|is verbindend|is gericht|wordt aangehaald|vervalt)",
        re.I,
    ),
    present_duty=present_duty,
    negated_modal=re.compile(r"^[^;.]*?\b(?:niet|geen)\b(?:\s+[\w-]+){0,6}\s+(?:mogen|mag)\b", re.I),
    future_auxiliaries=frozenset(("zal", "zullen")),
    recipient=re.compile(r"^\W*(?:\d+\.\s*)?aan\s+(?:de|het)\s+$", re.I),
    recipient_in_cue=re.compile(r"\baan\s+(?:de|het)\s+$", re.I),
    v2_cut=re.compile(
        r"\W*(?:\d+[a-z]?\.\s+)?(?:in afwijking van|onverminderd|overeenkomstig|uiterlijk|met ingang van|behoudens|"
        r"voor de toepassing van|op verzoek van|in|bij|na)\b"
        r"(?:(?!\b(?:die|dat|welke|waar\w+|indien|wanneer|als|tenzij|zodat|of|om|te)\b)[^,])*?\s"
        r"(?=(?:kan|kunnen|mag|mogen|moet|moeten|dient|dienen|zal|zullen|wordt|worden|heeft|hebben)\b)", re.I),
    agent_modifier=re.compile(r"\s+[\w-]{3,}(?:de|te)\b"),
    inverted_subject=True,
    agent_before_participle=True,
    action_from_cue=True,
    lemmatizes=True,
    lemma=lemma,
)
