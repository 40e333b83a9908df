"""Language packs: one registry, a clear refusal for languages without a pack, act names from config/acts.yaml."""
from __future__ import annotations

import pytest

from indexer.nlp.fields import find_references
from indexer.nlp.lang import NoLanguagePack, has_pack, languages, pack
from indexer.nlp.lexicon import act_names, lexicon
from indexer.nlp.normative import analyse
from indexer.nlp.pipeline import build_pipeline, extract_document, text_context
from indexer.parsing.metadata import acts
from regkb.records import Document, Provision
from regkb.settings import load_config


def test_a_language_without_a_pack_is_refused_naming_the_languages_that_have_one():
    assert has_pack("fr") and not has_pack("de") and not has_pack(None)
    for call in (lambda: lexicon("de"), lambda: build_pipeline("de"), lambda: pack("de")):
        with pytest.raises(NoLanguagePack) as err:
            call()
        assert isinstance(err.value, ValueError)  # callers that catch ValueError (the analyze API) keep working
        message = str(err.value)
        assert all(lang in message for lang in languages()) and "has_pack" in message


def test_every_registered_pack_has_its_cue_section_and_a_pipeline_that_segments_first():
    cues = load_config("legal_cues")
    for lang in languages():
        p = pack(lang)
        assert p.code == lang and cues.get(p.section), f"config/legal_cues.yaml lacks the {p.section!r} section"
        nlp = build_pipeline(lang)
        assert nlp.lang == lang and nlp.pipe_names[0] == "regkb_legal_sentences"
        assert nlp.pipe_names[-4:] == ["regkb_entities", "regkb_normative", "regkb_fields", "regkb_classify"]


def test_documents_in_a_language_without_a_pack_are_skipped():
    doc = Document(
        id="celex-32024L1760-de",
        act_id="eu-2024-1760-L",
        version_id="celex-32024L1760",
        source_id="t",
        title="Richtlinie (EU) 2024/1760",
        instrument_type="directive",
        jurisdiction="EU",
        language="de",
        status="in_force",
        source_url="https://eur-lex.europa.eu/",
        provisions=[
            Provision(
                id="art_1.par_1",
                kind="paragraph",
                citation="Article 1",
                text="Die Mitgliedstaaten sorgen dafür, dass die Unternehmen diese Pflichten einhalten.",
            )
        ],
    )
    assert extract_document(doc) == []


def test_the_dutch_habits_live_in_the_dutch_pack():
    """Plain-present duties and the subject after the verb are Dutch rules: the English pack reads no duty there."""
    text = "Jaarlijks stelt de minister een verklaring op."
    nl = analyse(text, lexicon("nl"), text_context("nl"))
    assert nl.modality == "obligation" and nl.addressee == "government"
    assert nl.action == "stelt een verklaring op"  # inverted order: the subject is not part of the action
    assert analyse(text, lexicon("en"), text_context("en")).modality is None
    assert pack("nl").present_duty is not None and pack("en").present_duty is None


@pytest.mark.parametrize("text,verb,addressee", [
    # the verb is followed by a comma, no subordinate clause is open (ILO C182 art. 7(2))
    ("Elk Lid neemt, rekening houdend met het belang van onderwijs, doeltreffende maatregelen.", "neemt",
     "ilo_members"),
    # an opening phrase without a comma: the inverted verb and subject follow it (SFDR art. 4(6))
    ("Uiterlijk op 30 december 2021 ontwikkelen de ETA's via het Gemengd Comité ontwerpen van technische normen, "
     "wat betreft inhoud.", "ontwikkelen", "esma_eba_eiopa"),
    # a noun after a preposition or before a number is no verb ("leden 1 en 2"); the verb of the clause is
    ("In de gedelegeerde handelingen specificeert de Commissie welke informatie ondernemingen overeenkomstig "
     "artikel 19 bis, leden 1 en 2, rapporteren.", "specificeert", "commission"),
    # a verb only the lookup table knows ("geeft" → "geven")
    ("De Commissie geeft de lidstaten de gelegenheid opmerkingen te maken.", "geeft", "commission"),
])
def test_the_dutch_verb_finder_takes_the_finite_verb(text, verb, addressee):
    a = analyse(text, lexicon("nl"), text_context("nl"))
    assert a.modality == "obligation" and a.addressee == addressee
    assert a.action.split()[0].rstrip(",") == verb  # the "What" starts at the finite verb
    assert a.action is not None and a.action.split()[0].strip(",") == verb


def test_dutch_lemmas_and_what_is_no_verb():
    from indexer.nlp.lang import nl

    assert nl.lemma("geeft") == "geven" and nl.lemma("maatregelen") == "maatregel"  # keyed by hash, as spaCy stores
    assert not nl.is_finite("uitgedrukt", "telkens", nl.lemma)  # participle: ge- where "uitdrukken" has none
    assert not nl.is_finite("genomen", "maatregelen", nl.lemma)  # a participle, not "nemen"
    assert not nl.is_finite("miljoen", "per", nl.lemma) and not nl.is_finite("leden", "artikel", nl.lemma, "1")
    assert nl.is_finite("bevat", "verklaring", nl.lemma) and nl.is_finite("gelden", "regels", nl.lemma)


def test_act_names_come_from_config_acts_yaml_and_are_found_in_text():
    names = act_names()
    for act in acts().values():
        if act.get("short_title"):
            assert names[act["short_title"]] == act["short_title"]
        for alias in act.get("aliases") or []:
            assert names[alias] == act["short_title"]
    assert names["Wet zorgplicht kinderarbeid"] == "WZK" and names["Batteries Regulation"] == "BATT"
    for name in names:  # every configured name is recognised as a citation of that act, whole
        text = f"De verplichtingen op grond van {name} gelden, as set out in the {name}."
        found = [r for r in find_references(text, "nl") if r.short_title]
        assert [r.text for r in found] == [name, name], name
