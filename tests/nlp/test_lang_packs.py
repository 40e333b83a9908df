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
