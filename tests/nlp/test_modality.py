"""Modality, addressee, action and conditions in English and Dutch, including the hard negatives."""
import pytest

from indexer.nlp.pipeline import analyze_text

ACT = {"kind": "paragraph", "instrument_type": "directive", "operative": True}


def one(text: str, lang: str = "en", ctx: dict | None = None):
    found = analyze_text(text, lang, ctx or ACT)
    assert len(found) <= 1, found
    return found[0] if found else None


@pytest.mark.parametrize(
    "text,modality,addressee",
    [
        (
            "Member States shall ensure that companies carry out risk-based due diligence.",
            "obligation",
            "member_states",
        ),
        (
            "Operators shall not place relevant products on the market unless they are deforestation-free.",
            "prohibition",
            "operators",
        ),
        ("The Commission may adopt delegated acts to amend Annex I.", "permission", "commission"),
        (
            "Companies shall not be required to terminate the business relationship where this would cause harm.",
            "exemption",
            "companies",
        ),
        ("Paragraph 1 shall not apply to companies that report under Directive 2013/34/EU.", "exemption", "companies"),
        (
            "By way of derogation from paragraph 2, Member States may provide for a longer period.",
            "exemption",
            "member_states",
        ),
        (
            "Member States may provide that the obligations in Article 22 apply only from 2029.",
            "permission",
            "member_states",
        ),
        ("Power is delegated to the Commission to supplement this Regulation.", "permission", "commission"),
        (
            "Where a company has identified adverse impacts, it shall take appropriate measures.",
            "obligation",
            "companies",
        ),
        ("Voluntary remediation may be provided by the company.", "permission", "companies"),
    ],
)
def test_english_modalities_and_addressees(text, modality, addressee):
    f = one(text)
    assert f is not None and (f.modality, f.addressee) == (modality, addressee)


@pytest.mark.parametrize(
    "text,modality,addressee",
    [
        ("De onderneming stelt jaarlijks een verklaring op.", "obligation", "companies"),
        ("De lidstaten zorgen ervoor dat ondernemingen een verslag opstellen.", "obligation", "member_states"),
        (
            "Indien een onderneming een verslag opstelt, verstrekt de onderneming dit aan de minister.",
            "obligation",
            "companies",
        ),
        ("Het NCP moet jaarlijks verslag uitbrengen.", "obligation", "national_contact_point"),
        ("De lidstaten kunnen bepalen dat kleine ondernemingen meer tijd krijgen.", "permission", "member_states"),
        ("Het is verboden kinderen arbeid te laten verrichten.", "prohibition", None),
        ("Ondernemingen mogen geen goederen uit dwangarbeid op de markt brengen.", "prohibition", "companies"),
        ("Artikel 3 is niet van toepassing op kleine ondernemingen.", "exemption", "companies"),
        ("Micro-ondernemingen zijn vrijgesteld van de verplichting van lid 1.", "exemption", None),
        ("De voorzitter kan door de minister worden geschorst.", "permission", "government"),
    ],
)
def test_dutch_modalities_and_addressees(text, modality, addressee):
    f = one(text, "nl")
    assert f is not None and (f.modality, f.addressee) == (modality, addressee)


@pytest.mark.parametrize(
    "text,lang,ctx",
    [
        ("‘company’ means a legal person constituted as a limited liability company.", "en", ACT),
        ("(5) Companies should take appropriate measures to identify adverse impacts.", "en", {"kind": "recital"}),
        (
            "Member States shall take measures to protect workers.",
            "en",
            {"kind": "recital", "instrument_type": "directive"},
        ),
        ("This Directive shall enter into force on the twentieth day following its publication.", "en", ACT),
        ("This Regulation shall apply from 30 December 2025.", "en", ACT),
        ("The designation shall be valid when confirmed by the authorised representative.", "en", ACT),
        ("Article 2 is amended as follows:", "en", ACT),
        ("In dit besluit wordt verstaan onder: a. de minister: de Minister voor Buitenlandse Handel.", "nl", ACT),
        ("Deze richtlijn treedt in werking op de twintigste dag na die van de bekendmaking.", "nl", ACT),
        ("Het NCP bestaat uit een voorzitter en ten hoogste vier andere leden.", "nl", ACT),
        ("Het kabinet wil dat bedrijven due diligence toepassen.", "nl", {"kind": "text", "instrument_type": "news"}),
        ("Bedrijven moeten risico's in kaart brengen.", "nl", {"kind": "text", "instrument_type": "news"}),
        (
            "Ondernemingen in dezelfde sector hebben vaak vergelijkbare effecten.",
            "nl",
            {"kind": "recital", "instrument_type": "directive"},
        ),
    ],
)
def test_hard_negatives_are_not_obligations(text, lang, ctx):
    assert one(text, lang, ctx) is None


def test_action_and_conditions():
    f = one("Where the adverse impact cannot be prevented, the company shall suspend the business relationship, "
            "provided that there is a reasonable expectation that efforts will succeed.")
    assert f.action.startswith("suspend the business relationship")
    assert any(c.startswith("Where the adverse impact cannot be prevented") for c in f.conditions)
    assert any(c.startswith("provided that") for c in f.conditions)
    g = one("De onderneming verstrekt de informatie aan de minister, tenzij de informatie vertrouwelijk is.", "nl")
    assert (
        g.action.startswith("verstrekt de informatie")
        and g.conditions == ["tenzij de informatie vertrouwelijk is."]
        or g.conditions[0].startswith("tenzij de informatie vertrouwelijk")
    )


def test_offsets_point_into_the_input():
    text = "Recital-like intro text. Member States shall lay down rules on penalties. Nothing else here."
    found = analyze_text(text, "en")
    assert [text[f.start:f.end] for f in found] == ["Member States shall lay down rules on penalties."]


def test_real_csddd_article_provisions(mirror_docs):
    """On the real CSDDD text: Article 7 binds Member States; recitals never produce records."""
    from indexer.nlp.pipeline import extract_document

    obligations = extract_document(mirror_docs["celex-32024L1760-en"])
    assert not [o for o in obligations if o.provision_id.startswith("rct_")]
    art7 = [o for o in obligations if o.provision_id.startswith("art_7.")]
    assert art7 and art7[0].addressee == "member_states" and art7[0].modality == "obligation"
    modalities = {o.modality for o in obligations}
    assert modalities == {"obligation", "permission", "prohibition", "exemption"}


def test_real_dutch_ncp_decree_present_tense_duties(mirror_docs):
    from indexer.nlp.pipeline import extract_document

    obligations = extract_document(mirror_docs["bwb-BWBR0035293-nl"])
    by_addressee = {o.addressee for o in obligations}
    assert {"national_contact_point", "government"} <= by_addressee
    assert not [o for o in obligations if "bestaat uit" in o.text]  # composition is not a duty


def test_repeated_sentences_are_parsed_once_but_reported_at_each_place():
    from indexer.nlp import pipeline

    sentence = "The Commission shall publish guidelines on child labour by 26 July 2027 in Brussels."
    text = f"{sentence} Unrelated words here. {sentence}"
    before = len(pipeline._CACHE)
    found = analyze_text(text, "en")
    assert len(pipeline._CACHE) - before <= 1
    assert [text[f.start:f.end] for f in found] == [sentence, sentence]
    for f in found:
        assert all(text[e["start"]:e["end"]] == e["text"] for e in f.entities)


ANNEX_POINT = {"kind": "point", "instrument_type": "directive", "operative": True}


@pytest.mark.parametrize("text,lang,topic", [
    ("The prohibition of the worst forms of child labour (persons below the age of 18 years), interpreted in line "
     "with Article 3 of the Worst Forms of Child Labour Convention, 1999 (No 182).", "en", "child_labour"),
    ("The prohibition of forced or compulsory labour, interpreted in line with Article 2(1) of the ILO Forced "
     "Labour Convention, 1930 (No 29).", "en", "forced_labour"),
    ("Het verbod op de ergste vormen van kinderarbeid (personen jonger dan 18 jaar).", "nl", "child_labour"),
])
def test_annex_lists_of_prohibitions_are_prohibitions(text, lang, topic):
    """CSDDD Annex I, Part I: each listed prohibition is what a company must not cause (Article 3(1)(c))."""
    f = one(text, lang, ANNEX_POINT)
    assert f is not None and f.modality == "prohibition" and topic in f.topics


def test_a_right_listed_in_an_annex_is_not_a_prohibition():
    assert one("The right of the child to the highest attainable standard of health.", "en", ANNEX_POINT) is None
