"""Issue 14, the last Dutch gaps: one test per class of mistake the gold sets showed, each on sentences written for
the test (not the gold sentences) and with the contrasting case the rule must leave alone. Real pipeline, no mocks."""
from __future__ import annotations

import pytest

from indexer.nlp.fields import find_thresholds
from indexer.nlp.pipeline import analysis_units, analyze_text, extract_document

ACT = {"kind": "paragraph", "instrument_type": "directive", "operative": True}


def one(text: str):
    found = analyze_text(text, "nl", ACT)
    assert len(found) <= 1, found
    return found[0] if found else None


def reading(text: str) -> tuple[str | None, str | None]:
    f = one(text)
    return (f.modality, f.addressee) if f else (None, None)


@pytest.mark.parametrize("text,expected", [
    # the future "zal" takes the modality of a modal infinitive of its own clause (older treaty Dutch)
    ("De lidstaten zullen deze gegevens slechts mogen verwerken voor statistische doeleinden.",
     ("permission", "member_states")),
    ("Ieder lid zal deze overeenkomst na tien jaar kunnen opzeggen.", ("permission", "ilo_members")),
    ("De bevoegde autoriteiten zullen deze gegevens niet mogen doorgeven.", ("prohibition", "competent_authorities")),
    # ... not of one in a relative clause, nor across the next "zal"
    ("De lidstaten zullen de maatregelen nemen, die kunnen worden getroffen.", ("obligation", "member_states")),
    # "zal ... gebonden zijn" and "wordt stilzwijgend verlengd" are legal effects
    ("Elk lid dat deze overeenkomst niet opzegt, zal voor een nieuwe termijn van vijf jaren gebonden zijn.",
     (None, None)),
    ("De overeenkomst wordt telkens stilzwijgend met een jaar verlengd.", (None, None)),
])
def test_future_auxiliary_and_legal_effects(text, expected):
    assert reading(text) == expected


def test_a_negated_modal_stays_a_prohibition_when_it_is_the_cue_itself():
    assert reading("Meldingen kunnen niet worden ingetrokken nadat zij zijn behandeld.") == ("prohibition", None)
    assert reading("In geen geval zal daarvoor vergunning verleend mogen worden.") == ("prohibition", None)
    assert reading("Meldingen kunnen worden ingetrokken zolang zij niet zijn behandeld.") == ("permission", None)


def test_an_effect_formula_in_a_later_point_does_not_hide_the_main_verb():
    text = ("Uiterlijk op 1 juli 2027 beoordeelt de Commissie de werking van deze richtlijn, en onderzoekt zij met "
            "name: (a) of artikel 5 moet worden vervangen.")
    f = one(text)
    assert (f.modality, f.addressee) == ("obligation", "commission")
    assert text[f.start:f.end].startswith("Uiterlijk") and f.deadlines[0]["date"] == "2027-07-01"
    # the formula in the verb's own clause still decides
    assert reading("Deze verordening treedt in werking op de twintigste dag na de bekendmaking.") == (None, None)


@pytest.mark.parametrize("text,expected", [
    # a point continuing its introduction's subordinate clause has no main verb
    ("3. dat iedere werknemer de bevoegdheid heeft het werk te verlaten.", (None, None)),
    ("als een middel om arbeidskrachten te werven voor economische doeleinden;", (None, None)),
    # a participle closes a subordinate verb cluster: an indicator name, no duty
    ("Aantal meldingen dat tot een onderzoek heeft geleid, uitgedrukt als percentage.", (None, None)),
    # list points: the verb must stand outside any subordinate clause
    ("een verklaring dat de jaarrekening niet voldoet aan de vereisten van artikel 5;", (None, None)),
    ("de beoordelaars die de controles verrichten, beschikken over passende kwalificaties;", ("obligation", None)),
    # a quoted term without its point label opens a definition
    ("“netto-omzet”: het bedrag van de verkoop van goederen en de verlening van diensten;", (None, None)),
])
def test_points_and_subordinate_clauses(text, expected):
    assert reading(text) == expected


@pytest.mark.parametrize("text,addressee", [
    # "door X" inside a relative clause, or before a participle of a noun phrase, is no agent of the clause
    ("Wanneer het orgaan een advies uitbrengt, gebeurt dit binnen een maand na de datum waarop het door de Commissie "
     "is geraadpleegd.", None),
    ("Het verslag bevat de door de bevoegde autoriteiten verzamelde gegevens.", None),
    ("Het verslag wordt door de Commissie bekendgemaakt.", "commission"),  # the passive agent itself
    # the recipient of a conferred power inside the cue holds it
    ("De in artikel 7 bedoelde bevoegdheid om gedelegeerde handelingen vast te stellen, wordt voor een periode van "
     "vier jaar aan de Commissie verleend.", "commission"),
    # an inverted pronoun subject refers to the party of the leading clause, not to the object after it
    ("Indien marktdeelnemers een product in de handel brengen, verstrekken zij de bevoegde autoriteiten alle "
     "informatie.", "operators"),
    # a party's organ heads the subject for the party; any other noun of the party does not
    ("Het bestuur van de onderneming stelt jaarlijks een verslag op.", "companies"),
    ("Het verslag van de onderneming bevat een overzicht van de risico's.", None),
    # verb-second: a leading phrase ends at the finite verb even when the comma comes after the subject
    ("In afwijking van lid 3 kunnen marktdeelnemers, wanneer de informatie niet kan worden verstrekt, een verwijzing "
     "opnemen.", "operators"),
    ("In elk geval zal de bevoegde autoriteit, die de arbeiders inzet, hun onderhoud verzekeren.",
     "competent_authorities"),
    # a form the taxonomy knows (IORPs are financial undertakings, as in English)
    ("IBPV's publiceren de informatie op hun website.", "financial_undertakings"),
    # an opening subordinate clause left without its comma ends at the main verb and its subject
    ("Tenzij de zaak vertrouwelijk is stelt het NCP, na overleg met de partijen, een verklaring op.",
     "national_contact_point"),
])
def test_who_is_addressed(text, addressee):
    f = one(text)
    assert f is not None and f.addressee == addressee


@pytest.mark.parametrize("text,modality", [
    ("De marktdeelnemers verstrekken geen persoonsgegevens aan derden.", "prohibition"),
    ("In het register worden de gegevens niet langer dan vijf jaar bewaard.", "prohibition"),
    # not a deadline, an infinitive's negation or a compound
    ("De lidstaten delen de Commissie niet later dan 1 januari 2027 hun maatregelen mee.", "obligation"),
    ("De onderneming stelt een niet-financiële verklaring op.", "obligation"),
    ("De limieten gelden niet voor kleine ondernemingen.", "exemption"),
])
def test_negated_present_tense(text, modality):
    f = one(text)
    assert f is not None and f.modality == modality
    assert one("De bevoegde autoriteit heeft de mogelijkheid dit artikel niet toe te passen.").modality != "prohibition"
    assert one("Deze richtlijn doet geen afbreuk aan de bevoegdheden van de lidstaten.") is None


@pytest.mark.parametrize("text,expected", [
    ("mits zij minder dan drie werknemers hebben", [(3.0, "less_than")]),
    ("ondernemingen die het criterium van het gemiddeld aantal van 250 werknemers overschrijden, publiceren",
     [(250.0, "more_than")]),
    ("participants exceeding on their balance sheet dates the criterion of 500 employees shall",
     [(500.0, "more_than")]),
    ("ondernemingen die het criterium van 250 werknemers niet overschrijden", [(250.0, "at_most")]),
    ("een onderneming met 250 werknemers", [(250.0, "equal")]),
])
def test_thresholds_in_words_and_compared_by_the_verb(text, expected):
    assert [(t.value["value"], t.value["comparison"]) for t in find_thresholds(text)] == expected


def test_text_an_amending_instruction_quotes_is_read_on_its_own(mirror_docs):
    """CSRD (NL) Article 3(19)(a) replaces point (d) of Article 29(1) of Directive 2006/43/EC: the replacing point
    ("de personen die kwaliteitsbeoordelingen verrichten, beschikken over ...") binds; glued to the instruction
    "Artikel 29 wordt als volgt gewijzigd:" it yielded nothing."""
    doc = mirror_docs["celex-32022L2464-nl"]
    quoted = [p for p in doc.provisions if p.amendment is not None and p.amendment.quoted and p.text.strip()]
    units = analysis_units(doc)
    index = {p.id: i for i, p in enumerate(doc.provisions)}
    for p in quoted:  # a quoted provision never shares a unit with the instruction above it
        unit = next(u for u in units if any(i == index[p.id] for i, _ in u.pieces))
        first = doc.provisions[unit.pieces[0][0]]
        assert first.amendment is not None and first.amendment.quoted
    records = {r.provision_id: r for r in extract_document(doc)}
    replaced = next(p.id for p in quoted if p.text.startswith("de personen die kwaliteitsbeoordelingen verrichten"))
    assert records[replaced].modality == "obligation"
    assert records[replaced].action.startswith("beschikken over de nodige beroepskwalificaties")
