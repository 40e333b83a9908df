"""French: fr_core_news_sm (its NER only) and the habits of EU French drafting.

WHY the present-tense rule: EU French states most duties in the plain present indicative ("Les États membres
veillent à ce que ...", "La Commission adopte ...", "Le marquage CE est apposé ..."), where English writes "shall".
So in operative provisions the first finite present-tense verb of the main clause makes the sentence an
obligation (as in Dutch), a negated one ("Les opérateurs ne mettent pas ...") a prohibition. The verb is recognised
without a tagger, from its ending and the lemma lookup table of spacy-lookups-data, because the cheap candidate
filter runs before any model: only sentences that come out normative reach fr_core_news_sm. "être" counts only
before a participle (a passive: "sont publiées"); before an adjective or a noun it describes ("est celle de",
"est un responsable du traitement"). Conditional, imperfect and subjunctive forms ("devraient", "soient") never
bind.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import spacy
from spacy.language import Language

from indexer.nlp.lang import Cue, LanguagePack, Span

# Our components read text and entities only; the NER of fr_core_news_sm embeds its own tok2vec.
EXCLUDE = ["tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"]


def make_nlp() -> Language:
    """fr_core_news_sm without tagger/parser/lemmatizer; legal sentences first (its NER then sees them)."""
    nlp = spacy.load("fr_core_news_sm", exclude=EXCLUDE)
    nlp.add_pipe("regkb_legal_sentences", first=True)
    return nlp


@lru_cache(maxsize=1)
def _lemma_table():
    """spacy-lookups-data's French lemma lookup (local data; keyed by string hash, values are lists of lemmas)."""
    from spacy.lookups import load_lookups

    return load_lookups("fr", ["lemma_lookup"]).get_table("lemma_lookup")


def lemma(word: str) -> str:
    found = _lemma_table().get(word.lower())
    return (found[0] if isinstance(found, list) and found else found) or word.lower()


_lookup_lemma = lemma  # the French rules' own lemmas (the pipeline has no lemmatizer)


@lru_cache(maxsize=1)
def _infinitives() -> frozenset[str]:
    """French infinitives: lemmas ending in -er, -ir, -re or -oir."""
    lemmas = (v for vs in _lemma_table().values() for v in (vs if isinstance(vs, list) else [vs]))
    return frozenset(v for v in lemmas if isinstance(v, str) and re.search(r"(?:er|ir|re)$", v))


# finite present forms the endings below do not recognise (third person singular and plural)
_IRREGULAR = frozenset(
    "est sont a ont fait font va vont peut peuvent doit doivent prend prennent met mettent tient tiennent vient "
    "viennent reçoit reçoivent prévoit prévoient voit voient dit disent sait savent veut veulent vaut valent "
    "soumet soumettent "
    "transmet transmettent permet permettent remet remettent comprend comprennent rend rendent inclut incluent "
    "contient contiennent obtient obtiennent maintient maintiennent détient détiennent produit produisent "
    "conduit conduisent inscrit inscrivent décrit décrivent fournit fournissent établit établissent".split()
)
# past participles of -ir/-re/-oir verbs the lookup table reads as adjectives ("incluses" → "inclus")
_PARTICIPLES = frozenset(
    "inclus exclus compris mis soumis transmis permis admis remis pris tenu prévu rendu fourni établi défini requis "
    "acquis conclu reçu émis produit inscrit décrit fait dit écrit revu obtenu maintenu détenu contenu entendu "
    "interdit réduit introduit construit conduit ouvert offert couvert".split()
)
_ETRE = frozenset(("est", "sont"))
_AVOIR = frozenset(("a", "ont"))
# words after which a word is a noun or an infinitive, never a finite verb
_NOT_BEFORE_VERB = frozenset(
    "le la les l un une des du de d au aux ce cet cette ces son sa ses leur leurs chaque tout toute tous toutes "
    "aucun aucune nul nulle tel telle tels telles notre nos votre vos ledit ladite lesdits lesdites dudit desdits "
    "à par pour en dans sur sous avec sans entre vers selon contre après avant depuis chez dès via "
    "premier première présent présente simple seul seule seuls seules même".split()
)
# adjectives and nouns whose stem is also a verb ("différer", "précéder", "membrer": "Chaque État membre désigne")
_NOT_VERBS = frozenset(
    "précédent différent résident président excédent adhérent influent convergent divergent négligent équivalent "
    "intervenant parent membre limite type cadre modèle pilote".split()
)
_RELATIVE = frozenset("qui que qu dont lequel laquelle lesquels lesquelles auquel auxquels auxquelles duquel "
                      "desquels desquelles où".split())
_NOT_RELATIVE_QUE = frozenset("ainsi même tant plutôt alors bien afin sorte avant après dès pendant tandis parce "
                              "pour sans moins plus autre autres tel telle tels telles ce".split())
_ADVERBS = frozenset("également aussi ensuite toujours dûment immédiatement notamment alors désormais néanmoins "
                     "toutefois en outre pas plus jamais uniquement seulement exclusivement obligatoirement "
                     "automatiquement régulièrement directement".split())
_CLITICS = frozenset("se s le la les l lui leur y en me m te t nous vous".split())
_NOT_PRESENT = re.compile(r"^(?:\w{2,}(?:rait|raient)|\w{3,}aient|soit|soient)$")
_FRAGMENT = re.compile(r"^\W*(?:[a-z]\.|[a-z]\)|\d+°\.?|\(\w+\))")
_WORDS = re.compile(r"[\w-]+")


_NOT_FINITE_END = re.compile(r"(?:ait|aient|oient|ssent|iez|ions|ant)$")
_FINITE_END = re.compile(r"(?:e|ent|t|d)$")
_PARTICIPLE_END = re.compile(r"(?:é|ée|és|ées)$")
_IR_PARTICIPLE_END = re.compile(r"(?:i|ie|is|ies|u|ue|us|ues|t|te|ts|tes)$")


def is_finite(word: str, prev: str | None, lemma: Callable[[str], str] = lemma) -> bool:
    """A third-person present indicative: irregular forms, or an ending (-e, -ent, -t, -d) on a known verb stem."""
    w = word.lower()
    if prev in ("en", "y") and (w in _ETRE or w in _AVOIR):
        return True  # the pronouns "en", "y": "les raisons en sont communiquées", "il y a"
    if prev in _NOT_BEFORE_VERB or not w.isalpha() or w in _NOT_VERBS:
        return False
    return _finite_form(w) if lemma is _lookup_lemma else _finite_form.__wrapped__(w, lemma)


@lru_cache(maxsize=1 << 16)
def _finite_form(w: str, lemma: Callable[[str], str] | None = None) -> bool:
    """The word's form alone (cached: a corpus repeats its verbs)."""
    if w in _IRREGULAR:
        return True
    if _NOT_FINITE_END.search(w) and not w.endswith("issent"):
        return False  # imperfect, conditional, subjunctive, present participle ("devraient", "soient", "concernant")
    verbs, lem = _infinitives(), (lemma or _lookup_lemma)(w)
    if lem != w and lem in verbs and _FINITE_END.search(w) and not _PARTICIPLE_END.search(w):
        return True
    if w.endswith("ent") and len(w) > 4:
        stem = w[:-3]
        return bool({stem + "er", stem + "ir", stem[:-2] + "ir", stem + "re"} & verbs)
    if w.endswith("e") and len(w) > 3:
        return w + "r" in verbs
    if w.endswith("it") and len(w) > 3:
        return w[:-1] + "r" in verbs
    return False


@lru_cache(maxsize=1 << 16)
def is_participle(word: str) -> bool:
    """A past participle after "être" (a passive): "publié(e)(s)", "fournies", "mis", "tenu", "inclus"."""
    w = word.lower()
    if _PARTICIPLE_END.search(w) or {w, w[:-1], w[:-2]} & _PARTICIPLES:
        return True
    lem, verbs = _lookup_lemma(w), _infinitives()
    return (lem != w and lem.endswith(("ir", "re")) and lem in verbs and w + "r" not in verbs
            and _IR_PARTICIPLE_END.search(w) is not None)


def _negated(before: list[str]) -> bool:
    """"ne"/"n'" right before the verb, with only clitics between ("ne se facturent", "n'y apportent")."""
    for k in range(len(before) - 1, -1, -1):
        if before[k] in ("ne", "n"):
            return True
        if before[k] not in _CLITICS:
            return False
    return False


_CITATION_COMMA = re.compile(r"\b(?:paragraphes?|points?|alinéas?|articles?)\s+[\w)]+(?:\s+(?:et|à)\s+[\w)]+)?,\s*$",
                             re.I)


def _past_citations(text: str, main: int, lemma: Callable[[str], str]) -> int:
    """Where the main clause starts when a leading clause was cut at a citation's comma ("Lorsqu'une entreprise
    visée à l'article 2, paragraphe 2, ne respecte pas ..., tous les États membres ..."): still inside it while
    the words after the comma go on with its verb."""
    while _CITATION_COMMA.search(text[:main]):
        first = _WORDS.search(text, main)
        if first is None or not (first.group(0).lower() in ("ne", "n") or is_finite(first.group(0), "x", lemma)):
            return main
        nxt = text.find(", ", main)
        if nxt < 0:
            return main
        main = nxt + 2
    return main


def present_verb(text: str, masked: str, lemma: Callable[[str], str], main: int) -> tuple[Span, bool] | None:
    """The first finite present-tense verb of the main clause (from `main`) of an operative sentence, and whether it
    is negated ("ne ... pas", "n'introduisent pas"). None when it is "être" before no participle, "avoir" before a
    participle (a past tense describes), or the sentence is a fragment, a heading or holds a legal-effect formula."""
    stripped = text.strip().rstrip("”’\"')»")
    if not stripped.endswith(".") or _FRAGMENT.match(stripped) or masked != text:
        return None
    main = _past_citations(text, main, lemma)
    words = [(m.group(0), m.start(), m.end()) for m in _WORDS.finditer(text, main)]
    in_relative = False
    for i, (w, s, e) in enumerate(words):
        before_word = words[i - 1][0] if i else ""
        low, prev = w.lower(), (before_word.lower() if not before_word.isupper() else None)  # "CE" is no "ce"
        if low in _RELATIVE and i > 0 and not (low in ("que", "qu") and prev in _NOT_RELATIVE_QUE):
            in_relative = True  # the next finite verb belongs to the relative clause ("qui relèvent", "où ... a")
            continue
        if i and not in_relative and prev not in _NOT_BEFORE_VERB and _NOT_PRESENT.search(low):
            return None  # the main verb is conditional or past ("devraient", "pourrait"): nothing is required
        if i == 0 or w[0].isupper() or w.isdigit() or not is_finite(w, prev, lemma):
            continue  # the first word of the main clause is its subject, never its verb
        if in_relative:
            in_relative = False
            continue
        after = [x[0].lower() for x in words[i + 1:i + 4] if x[0].lower() not in _ADVERBS]
        if low in _ETRE and not (after and is_participle(after[0])):
            return None  # "est celle de", "est un responsable du traitement": describes
        if low in _AVOIR and after and is_participle(after[0]):
            return None  # "a adopté": a past tense reports
        return (s, e), _negated([x[0].lower() for x in words[max(0, i - 3):i]])
    return None


def present_duty(text: str, masked: str, cue: Cue | None, lemma: Callable[[str], str], main: int) -> Cue | None:
    """The first finite verb governs ("La Commission adopte ... qui peuvent ..."): an obligation (a prohibition when
    negated), unless it is the cue itself or an explicit cue before it decides."""
    found = present_verb(text, masked, lemma, main)
    if found is None:
        return cue
    (vs, ve), negated = found
    governs = cue is None or (ve <= cue[1] - 2 and (
        cue[0] in ("permission", "obligation") or re.search(r"\b(?:qui|que|qu|si|dont|lorsque|lorsqu)\b",
                                                             text[ve:cue[1]])))
    if not governs:
        return cue
    return ("prohibition" if negated else "obligation"), vs, ve


def is_passive(text: str, cue_start: int, cue_end: int, agent_start: int) -> bool:
    """'peut être effectuée par X', 'sont arrêtées par X': "être" after the modal, or the cue is a form of "être"."""
    cue = text[cue_start:cue_end].lower()
    return cue in _ETRE or cue.split()[-1:] in (["est"], ["sont"]) or bool(
        re.match(r"\s+(?:\w+\s+)?être\b", text[cue_end:]))


def keeps_condition(cue: str, before: str, after: str) -> bool:
    """'si' conditions only as a clause opener ("Si la PME demande ..."), not inside "ainsi" or "même si" lists."""
    return cue != "si" or bool(re.search(r"(?:^|[,;(:])\s*$", before))


_AP = "['’]"
PACK = LanguagePack(
    code="fr",
    make_nlp=make_nlp,
    leading_clause=r"lorsque|lorsqu|si|s['’]il|sauf|sans préjudice|par dérogation|nonobstant|aux fins|à cette fin|"
                   r"à cet effet|afin|pour|conformément|en vertu|en application|au plus tard|dans un délai|à compter|"
                   r"à partir|à l['’]issue|avant|après|dès|dans|sous réserve|en cas|au cas où|le cas échéant|"
                   r"toutefois|en outre|de plus|par ailleurs|en particulier|notamment|par conséquent|"
                   r"si tel est le cas|tant que|pendant|jusqu|au cours|compte tenu|en ce qui concerne|pour ce qui est|"
                   r"outre|à moins|quand|une fois|sur|selon|en|par|au|aux|à|paragraphes?|points?|alinéas?|"
                   r"premier alinéa|deuxième alinéa|troisième alinéa",
    relative_words=r"qui|que|qu|dont|lequel|laquelle|lesquels|lesquelles|où|si|lorsque|lorsqu",
    in_pp=re.compile(rf"\b(?:d|de|du|des|à|au|aux|par|pour|sur|avec|entre|contre|en|dans|auprès|envers|vers|selon|"
                     rf"sous|chez|que|qu|et de|ou de)(?:\s+|\s*{_AP}\s*)"
                     rf"(?:(?:le|la|les|l|un|une|chaque|tout|toute|tous|toutes|ces|cette|ce|cet|leur|leurs|ses|son|sa|"
                     rf"autres?|mêmes?|d)(?:\s+|\s*{_AP}\s*)){{0,3}}$", re.I),
    agent=re.compile(rf"\bpar\s+(?:(?:les|le|la|l|un|une|des|d|tout|toute|tous|toutes|chaque|autres?)"
                     rf"(?:\s+|\s*{_AP}\s*)){{0,2}}$", re.I),
    determiners=rf"le|la|les|l{_AP}|tous les|toutes les",
    attach_prepositions=r"à|au|aux",
    pronouns=r"il|elle|ils|elles|celui-ci|celle-ci|ceux-ci|celles-ci",
    derogation=re.compile(r"\bpar dérogation\b", re.I),
    definitions=(
        re.compile(r"^\W*(?:\(?\d+[a-z]?\)?\.?\s*|[a-z]\)\s*)?[«“\"‘]\s*[^»”\"’]{1,120}\s*[»”\"’]\s*"
                   r"(?:ou\s+[«“\"‘][^»”\"’]{1,80}[»”\"’]\s*)?(?:,\s*[^,]{1,80},\s*)?[:,]", re.I),
        re.compile(r"\bon entend par\b", re.I),
    ),
    is_passive=is_passive,
    keeps_condition=keeps_condition,
    legal_effect=re.compile(
        r"^\W*(?:\d+\.\s*)?(?:la|le)\s+présente?\s+(?:directive|règlement|décision)\s+"
        r"(?:entre|est obligatoire|s['’]applique|est applicable|est destinataire|établit|fixe|impose|définit|vise|"
        r"porte|prévoit|contribue|a pour objet|complète|modifie|n['’]affecte)", re.I),  # its subject matter
    present_duty=present_duty,
    action_from_cue=True,
    party_after_cue=False,
    lemma=lemma,
)
