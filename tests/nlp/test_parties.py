"""Who must act: the role taxonomy (config/addressees.yaml) and the duty-bearer next to the formal addressee."""
from pathlib import Path

import pytest

from indexer.nlp.evaluate import evaluate, load_gold
from indexer.nlp.lang import has_pack
from indexer.nlp.pipeline import analyze_text
from regkb import taxonomy

GOLD = Path(__file__).resolve().parents[1] / "gold"
ACT = {"kind": "paragraph", "instrument_type": "directive", "operative": True}


@pytest.mark.parametrize("text,addressee,bearer", [
    ("Member States shall ensure that companies take appropriate measures to identify and assess actual and "
     "potential adverse impacts.", "member_states", "companies"),
    ("Member States shall require that each company empowers its authorised representative to receive "
     "communications from supervisory authorities.", "member_states", "companies"),
    ("Member States shall ensure that the authorised representative is obliged to cooperate with the supervisory "
     "authorities.", "member_states", "authorised_representatives"),
    ("Companies shall integrate due diligence into all their relevant policies.", "companies", "companies"),
    ("Member States shall lay down the rules on penalties applicable to infringements.", "member_states",
     "member_states"),
    # a power, right or permission of the party named next leaves the duty with the Member States
    ("Member States shall ensure that the supervisory authorities have adequate powers and resources.",
     "member_states", "member_states"),
    ("Member States shall ensure that parent companies falling under the scope of this Directive are allowed to "
     "fulfil the obligations on behalf of their subsidiaries.", "member_states", "member_states"),
    # a leading clause with commas inside the delegated clause
    ("Member States shall ensure that, where it is not feasible to prevent, mitigate or bring to an end all impacts "
     "at the same time, companies prioritise adverse impacts.", "member_states", "companies"),
    ("Member States shall require companies to retain documentation regarding the actions.", "member_states",
     "companies"),
    # companies ensuring something of their partners stay the duty-bearer: only legislators delegate
    ("Companies shall ensure that their business partners comply with the code of conduct.", "companies",
     "companies"),
    # the most specific role, not economic operators
    ("Manufacturers shall ensure that their batteries are accompanied by instructions.", "manufacturers",
     "manufacturers"),
    ("Distributors shall verify that the battery bears the CE marking.", "distributors", "distributors"),
    ("The notified body shall carry out third-party verifications.", "notified_bodies", "notified_bodies"),
    ("A notifying authority shall be established so that no conflict of interest with conformity assessment bodies "
     "occurs.", "notifying_authorities", "notifying_authorities"),
    ("The relevant national authorities shall inform the Commission.", "public_authorities", "public_authorities"),
])
def test_english_addressee_and_duty_bearer(text, addressee, bearer):
    found = analyze_text(text, "en", ACT)
    assert len(found) == 1 and (found[0].addressee, found[0].duty_bearer) == (addressee, bearer)


@pytest.mark.parametrize("text,addressee,bearer", [
    ("De lidstaten zorgen ervoor dat ondernemingen passende maatregelen nemen om negatieve effecten te "
     "identificeren.", "member_states", "companies"),
    ("De lidstaten schrijven voor dat de onderneming een verklaring publiceert.", "member_states", "companies"),
    ("De lidstaten eisen dat wettelijke auditors en auditkantoren de assurance uitvoeren met inachtneming van de "
     "assurancestandaarden.", "member_states", "auditors"),
    ("De lidstaten zorgen ervoor, wanneer de assurance door een auditkantoor wordt uitgevoerd, dat auditkantoor "
     "ten minste één duurzaamheidsvennoot aanwijst.", "member_states", "auditors"),
    # the Dutch verb closes the clause: an exemption of the party there keeps the duty with the Member States
    ("De lidstaten zorgen ervoor dat onafhankelijke verleners van assurancediensten die vóór 1 januari 2024 "
     "geaccrediteerd zijn, niet hoeven te voldoen aan de opleidingseisen.", "member_states", "member_states"),
    ("De aangemelde instantie stelt de aanmeldende autoriteit in kennis van elke weigering.", "notified_bodies",
     "notified_bodies"),
    ("De markttoezichtautoriteiten moeten de fabrikant verzoeken corrigerende maatregelen te nemen.",
     "market_surveillance_authorities", "market_surveillance_authorities"),
])
def test_dutch_addressee_and_duty_bearer(text, addressee, bearer):
    found = analyze_text(text, "nl", ACT)
    assert len(found) == 1 and (found[0].addressee, found[0].duty_bearer) == (addressee, bearer)


@pytest.mark.skipif(not has_pack("fr"), reason="no French language pack")
@pytest.mark.parametrize("text,addressee,bearer", [
    ("Les États membres veillent à ce que les entreprises prennent des mesures appropriées pour recenser les "
     "incidences négatives.", "member_states", "companies"),
    ("Les États membres exigent que chaque entreprise donne mandat à son mandataire pour recevoir les "
     "communications.", "member_states", "companies"),
    ("Les États membres veillent à ce que les autorités de contrôle disposent de pouvoirs adéquats.",
     "member_states", "member_states"),
    ("Les fabricants veillent à ce que leurs batteries soient accompagnées d’instructions.", "manufacturers",
     "manufacturers"),
    ("L’organisme notifié effectue des vérifications par tierce partie.", "notified_bodies", "notified_bodies"),
])
def test_french_addressee_and_duty_bearer(text, addressee, bearer):
    """The French clause words and role forms are data: the French pack reads them like the others."""
    found = analyze_text(text, "fr", ACT)
    assert len(found) == 1 and (found[0].addressee, found[0].duty_bearer) == (addressee, bearer)


def test_role_taxonomy_is_a_labelled_tree():
    labels = taxonomy.role_labels()
    for key in labels:
        assert {"en", "nl", "fr"} <= set(labels[key]), key
        chain = taxonomy.role_ancestors(key)
        assert chain[-1] == key and all(a in labels for a in chain), chain  # every parent is a role
        assert taxonomy.role_forms("fr") and key in set(taxonomy.role_forms("fr").values()), f"no French form: {key}"
    assert taxonomy.role_ancestors("manufacturers") == ["economic_operators", "manufacturers"]
    assert taxonomy.role_ancestors("market_surveillance_authorities")[0] == "public_authorities"
    assert "member_states" in taxonomy.delegating_roles() and "companies" not in taxonomy.delegating_roles()


@pytest.mark.parametrize("name,target", [("en_roles", 0.93), ("nl_roles", 0.93),
                                         # drawn after the rules were written (README): measured, not tuned on
                                         ("en_roles_heldout", 0.93), ("nl_roles_heldout", 0.85)])
def test_roles_gold_targets(name, target, mirror_docs):
    """Addressee and duty-bearer accuracy on the blind-labelled roles gold (tests/gold/README.md)."""
    result = evaluate(load_gold(GOLD / f"{name}.jsonl"), mirror_docs, name[:2])
    ext, base = result.extractor.summary(), result.baseline.summary()
    assert not result.unresolved
    assert ext["duty_bearer_n"] >= 14 and ext["role_n"] >= 3
    assert ext["addressee_accuracy"] >= target and ext["duty_bearer_accuracy"] >= target, result.extractor.errors
    assert ext["duty_bearer_accuracy"] > base["duty_bearer_accuracy"]
