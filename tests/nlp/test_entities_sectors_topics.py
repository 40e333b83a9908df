"""Entities (NER + rules), risk topics, both languages; NACE sectors from the instrument and its scope provisions."""
from indexer.nlp.pipeline import analyze_text


def _labels(f):
    return {(e["text"], e["label"]) for e in f.entities}


def test_english_entities_rules_and_model():
    f = analyze_text(
        "The European Commission shall report to the European Parliament by 26 July 2027 on Regulation (EU) "
        "2023/1115 and on fines of EUR 40 million imposed in the Netherlands.",
        "en",
    )[0]
    labels = _labels(f)
    assert ("European Commission", "ORG") in labels and ("European Parliament", "ORG") in labels
    assert ("Regulation (EU) 2023/1115", "LAW") in labels
    assert ("26 July 2027", "DATE") in labels and ("EUR 40 million", "MONEY") in labels
    assert any(label == "GPE" and "Netherlands" in text for text, label in labels)


def test_dutch_entities_from_rules_and_gazetteers():
    f = analyze_text(
        "De Europese Commissie moet uiterlijk op 1 januari 2026 aan het Europees Parlement verslag uitbrengen "
        "over Richtlijn 2013/34/EU en over boetes van EUR 10 000 in Nederland.",
        "nl",
    )[0]
    labels = _labels(f)
    assert {("Europese Commissie", "ORG"), ("Europees Parlement", "ORG"), ("Richtlijn 2013/34/EU", "LAW"),
            ("1 januari 2026", "DATE"), ("Nederland", "GPE")} <= labels
    assert any(label == "MONEY" for _, label in labels)


def test_a_sentence_alone_names_no_sector():
    """Words do not make a rule concern a sector (ILO C029 Art. 14(5) on rations is not about textiles)."""
    for text, lang in (
        ("Nothing in this Article shall prevent ordinary rations being given as a part of wages; clothing and "
         "accommodation shall not be deducted.", "en"),
        ("Operators placing cocoa, coffee, oil palm, soya, rubber, cattle and wood on the market shall exercise due "
         "diligence.", "en"),
        ("Ondernemingen die grondstoffen en cacao verhandelen, moeten gepaste zorgvuldigheid betrachten.", "nl"),
    ):
        found = analyze_text(text, lang)
        assert found and all(f.sectors == [] for f in found), text


def test_topics_both_languages():
    f = analyze_text("Companies shall identify risks of child labour, forced labour and deforestation.", "en")[0]
    assert {"child_labour", "forced_labour", "deforestation"} <= set(f.topics)
    g = analyze_text("De onderneming moet risico's op kinderarbeid en klimaatverandering beoordelen.", "nl")[0]
    assert {"child_labour", "climate"} <= set(g.topics)


def test_document_declared_sectors_are_kept(mirror_docs):
    from indexer.nlp.pipeline import extract_document

    doc = mirror_docs["bwb-BWBR0035293-nl"].model_copy(update={"sectors": ["K", "22.1"]})
    obligations = extract_document(doc)
    assert obligations and all({"K", "C22.1"} <= set(o.sectors) for o in obligations)



def test_legislative_machinery_concerns_no_sector(mirror_docs):
    """EUDR: the Commission's review and impact assessment (Art. 34) are the legislator's procedure and concern no
    sector; its implementing rules for the information system (Art. 33(3)) and the operators' duties keep the
    commodities the instrument declares (config/nace.yaml `machinery`)."""
    from indexer.nlp.pipeline import extract_document
    from regkb.taxonomy import NO_SECTOR

    obligations = extract_document(mirror_docs["celex-32023R1115-en"])
    review = [o for o in obligations if o.provision_id.startswith("art_34.") and o.duty_bearer == "commission"
              and "impact assessment" in o.text]
    system = [o for o in obligations if o.provision_id == "art_33.par_3" and o.duty_bearer == "commission"]
    operators = [o for o in obligations if o.duty_bearer == "operators"]
    assert review and all(o.sectors == [NO_SECTOR] for o in review)
    assert system and all("A02" in o.sectors for o in system)
    assert operators and all(NO_SECTOR not in o.sectors and "A02" in o.sectors for o in operators)


def test_a_machinery_record_is_indexed_under_no_sector_not_under_all():
    from indexer.search.records import _specific_or_all
    from regkb.taxonomy import ALL_SECTORS, NO_SECTOR

    assert _specific_or_all(["A02", "A", NO_SECTOR]) == [NO_SECTOR]  # the instrument's sectors do not come back
    assert _specific_or_all([]) == [ALL_SECTORS] and _specific_or_all(["A02", "A"]) == ["A02", "A"]
