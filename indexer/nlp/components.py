"""spaCy pipeline components (registered factories) for legal text, EN and NL.

Each component reads and writes Doc/Span extensions so the pipeline can be
inspected step by step (`nlp.pipe_names`) and reused: the legal sentence
splitter, rule entities (legal acts, gazetteers, dates, money), the
normative analysis, structured fields, and topic tagging.
`Doc._.context` carries what the text alone does not say (provision kind,
instrument type), set by the caller before `nlp.pipe`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy
from spacy.attrs import IDX, LEMMA, LOWER, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from thinc.types import Ints2d

from indexer.nlp import fields
from indexer.nlp.lexicon import entity_gazetteer, lexicon
from indexer.nlp.normative import Analysis, analyse
from indexer.nlp.parties import duty_bearer
from indexer.nlp.segment import segment_text
from regkb.settings import load_config

for _name, _default in (("context", None), ("obligations", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
for _name in ("modality", "addressee", "duty_bearer", "addressee_text", "action", "cue", "conditions", "deadlines",
              "thresholds", "references", "topics"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


_TEXT = "regkb_text"  # Doc.user_data key of the doc's text
_REFS = "regkb_references"  # Doc.user_data key of the references found in the doc's text
PRIOR = "regkb_prior"  # Doc.user_data key of the candidate filter's Prior for the doc's text (one sentence)


@dataclass(frozen=True)
class Prior:
    """The candidate filter's analysis of a sentence, and the words whose lemma it asked the pack's lookup for."""

    analysis: Analysis
    asked: tuple[str, ...]


def make_doc(nlp: Language, text: str) -> Doc:
    """The tokenized `text`, which `text_of` then reads without joining tokens (the tokenizer keeps every
    character, so it is the doc's text)."""
    doc = nlp.make_doc(text)
    doc.user_data[_TEXT] = text
    return doc


def text_of(span: Doc | Span) -> str:
    """`doc.text` / `span.text`, the doc's text joined once: spaCy joins every token again on each access, and the
    components read a sentence's text several times (that joining was a third of the Dutch pipeline's time)."""
    if isinstance(span, Doc):
        text = span.user_data.get(_TEXT)
        if text is None:
            text = span.user_data[_TEXT] = span.text
        return text
    return text_of(span.doc)[span.start_char:span.end_char]


def _references(span: Doc | Span, lang: str) -> list[fields.Ref]:
    """`fields.find_references` of the span's text, found once for a doc and a sentence that is the whole doc (the
    entities and the fields of a one-sentence doc both ask)."""
    if isinstance(span, Span):
        if span.start != 0 or span.end != len(span.doc):
            return fields.find_references(text_of(span), lang)
        span = span.doc
    doc = span
    if _REFS not in doc.user_data:
        doc.user_data[_REFS] = fields.find_references(text_of(doc), lang)
    return doc.user_data[_REFS]


def _char_span(doc: Doc, start: int, end: int, label: str = "") -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


def _lang(nlp: Language) -> str:
    """The pipeline's language code (spaCy types it optional; every Language class names its language)."""
    assert nlp.lang is not None
    return nlp.lang


@Language.factory("regkb_legal_sentences")
def legal_sentences(nlp: Language, name: str):
    """Sentence boundaries from `segment_text` (points stay with their intro; abbreviations do not split)."""
    lang = _lang(nlp)

    def component(doc: Doc) -> Doc:
        if len(doc):  # array reads and one write: setting is_sent_start token by token was most of its time
            idx = doc.to_array(IDX)
            starts = numpy.asarray([s for s, _ in segment_text(text_of(doc), lang)], dtype=idx.dtype)
            pos = numpy.searchsorted(idx, starts)  # the token that starts at each sentence start, if one does
            pos = pos[(pos < len(idx)) & (idx[numpy.minimum(pos, len(idx) - 1)] == starts)]
            flags = numpy.full(len(idx), -1, dtype="int64")
            flags[pos] = 1
            flags[0] = 1
            doc.from_array([SENT_START], cast(Ints2d, flags.astype("uint64").reshape(-1, 1)))
        return doc
    return component


_DATE_ANY = re.compile(fields.DATE, re.I)
_MONEY = re.compile(
    r"(?:EUR|€)\s*\d[\d\s.,]*\d(?:\s*(?:million|billion|miljoen|miljard))?|\d[\d\s.,]*\d\s*euro\b", re.I
)


@Language.factory("regkb_entities")
def rule_entities(nlp: Language, name: str):
    """Legal acts (LAW), gazetteer organisations/places, dates and money by rule; kept over overlapping NER guesses."""
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for label, names in entity_gazetteer().items():
        matcher.add(label, [nlp.make_doc(n) for n in names])
    lang = _lang(nlp)
    cfg = load_config("legal_cues")
    keep_labels, stoplist = set(cfg["entity_labels"]), {w.lower() for w in cfg["entity_stoplist"]}

    def component(doc: Doc) -> Doc:
        found: list[Span | None] = []
        # acts and their provisions, whole ("Article 8(2), point (a)")
        text = text_of(doc)
        for ref in _references(doc, lang):
            found.append(_char_span(doc, ref.start, ref.end, "LAW"))
        for pattern, label in ((_DATE_ANY, "DATE"), (_MONEY, "MONEY")):
            found += [_char_span(doc, m.start(), m.end(), label) for m in pattern.finditer(text)]
        found += [Span(doc, s, e, label=label_id) for label_id, s, e in matcher(doc)]
        rule = [s for s in found if s is not None]
        keep = [e for e in doc.ents if e.label_ in keep_labels and e.text.lower() not in stoplist
                and not any(e.start < r.end and r.start < e.end for r in rule)]
        doc.ents = filter_spans(rule + keep)
        return doc
    return component


@Language.factory("regkb_normative")
def normative(nlp: Language, name: str):
    """Each sentence: modality, addressee (as written and normalised), action, conditions; Doc._.obligations lists
    the normative ones."""
    lex = lexicon(nlp.lang)

    def component(doc: Doc) -> Doc:
        ctx = doc._.context or {}
        lemmas = _token_lemmas(doc) if lex.pack.lemmatizes and len(doc) else None
        prior: Prior | None = doc.user_data.get(PRIOR)
        found = []
        for sent in doc.sents:
            # without a pipeline lemmatizer the pack's lookup decides, as in the candidate filter
            text = text_of(sent)
            whole = sent.start == 0 and sent.end == len(doc)
            a = prior.analysis if prior and whole and _same_lemmas(prior, lemmas, lex) else analyse(
                text, lex, ctx, lemma=lemmas)
            if a.modality is None:
                continue
            sent._.modality, sent._.addressee, sent._.addressee_text = a.modality, a.addressee, a.addressee_text
            sent._.duty_bearer = duty_bearer(text, lex, a.cue, a.addressee)
            sent._.action, sent._.conditions, sent._.cue = a.action, a.conditions, a.cue
            found.append(sent)
        doc._.obligations = found
        return doc
    return component


def _same_lemmas(prior: Prior, lemmas: Callable[[str], str] | None, lex) -> bool:
    """The pipeline's lemmas of the words the filter's analysis asked for are the lookup's: the same analysis (it
    depends on the text, the context and those lemmas only), so it is not computed again."""
    return lemmas is None or all(lemmas(w) == lex.pack.lemma(w) for w in prior.asked)


def _token_lemmas(doc: Doc) -> Callable[[str], str]:
    """word → the lemma (lower-cased) of the last token whose lower form it is, else the word itself; read from the
    token arrays, as making a Python Token of every word cost more than the two or three lookups the rules make."""
    rows = doc.to_array([LOWER, LEMMA])
    by_lower = dict(zip(rows[:, 0].tolist(), rows[:, 1].tolist()))
    strings = doc.vocab.strings

    def lemma(word: str) -> str:
        found = by_lower.get(get_string_id(word))
        return word if found is None else cast(str, strings[found]).lower()
    return lemma


@Language.factory("regkb_fields")
def structured_fields(nlp: Language, name: str):
    """Deadlines, thresholds and cross-references of each normative sentence (resolution to ids happens per corpus)."""
    lang = _lang(nlp)

    def component(doc: Doc) -> Doc:
        for sent in doc._.obligations or []:
            text = text_of(sent)
            sent._.deadlines = [f.value | {"text": f.text} for f in fields.find_deadlines(text)]
            sent._.thresholds = [f.value | {"text": f.text} for f in fields.find_thresholds(text)]
            sent._.references = _references(sent, lang)
        return doc
    return component


@Language.factory("regkb_classify")
def classify(nlp: Language, name: str):
    """Risk topics from the config/topics.yaml keyword lists (lower-cased phrase match). Not sectors: a word in a
    sentence does not make a rule concern a sector; its instrument and scope do (indexer/nlp/sectors.py)."""
    lex = lexicon(nlp.lang)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key, words in lex.topics.items():
        if words:
            matcher.add(key, [nlp.make_doc(w) for w in words])

    def component(doc: Doc) -> Doc:
        hits = [(nlp.vocab.strings[mid], s, e) for mid, s, e in matcher(doc)]
        for sent in doc._.obligations or []:
            sent._.topics = sorted({k for k, s, e in hits if s >= sent.start and e <= sent.end})
        return doc
    return component
