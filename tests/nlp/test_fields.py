"""Deadlines, thresholds and cross-references, in both languages, and their resolution against a corpus."""
import pytest

from indexer.nlp.fields import find_deadlines, find_references, find_thresholds
from indexer.nlp.pipeline import ReferenceResolver, analyze_text, extract_document


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Member States shall adopt the measures by 26 July 2027.", [("2027-07-26", None)]),
        (
            "It shall be published after 25 July 2024, but no later than 26 July 2026.",
            [("2024-07-25", None), ("2026-07-26", None)],
        ),
        (
            "The company shall respond within three months of receipt of the request.",
            [(None, "P3M after receipt of the request")],
        ),
        ("De lidstaten doen dit uiterlijk op 1 januari 2025.", [("2025-01-01", None)]),
        (
            "De onderneming meldt dit binnen zes maanden na de inwerkingtreding.",
            [(None, "P6M after de inwerkingtreding")],
        ),
        (
            "Operators shall keep the records for five years from the date of submission.",
            [(None, "P5Y after the date of submission")],
        ),
        (  # ILO conventions in Dutch (BWB): the period of denunciation
            "Een Lid kan het opzeggen na verloop van een tijdvak van tien jaar na de datum waarop het Verdrag in "
            "werking is getreden, door middel van een verklaring.",
            [(None, "P10Y after de datum waarop het Verdrag")],
        ),
        ("Het verslag wordt uiterlijk .op 6 december 2018 bekendgemaakt.", [("2018-12-06", None)]),  # as published
        # number words, a unit worth six months, and the words a period may sit in (config/legal_cues.yaml periods)
        ("Hij meldt het binnen een halfjaar na het verstrijken van de termijn.",
         [(None, "P6M after het verstrijken van de termijn")]),
        ("Zij maken het binnen een redelijke termijn van niet meer dan 12 maanden na balansdatum openbaar.",
         [(None, "P12M after balansdatum openbaar")]),
        ("Elk Lid dat binnen den termijn van een jaar na verloop van den termijn van tien jaar, geen gebruik maakt.",
         [(None, "P1Y after verloop van den termijn van tien jaar")]),
        # Dutch without a time preposition before the period
        ("De opzegging wordt eerst van kracht een jaar na de datum waarop zij is geregistreerd.",
         [(None, "P1Y after de datum waarop zij")]),
        ("De gegevens worden niet langer dan tien jaar na de datum van indiening bewaard.",
         [(None, "P10Y after de datum van indiening bewaard")]),
        # a date inside a relative clause says what the party did, not when the duty falls due; "die" pointing does not
        ("De lidstaten zien erop toe dat auditors die vóór 1 januari 2024 zijn toegelaten, niet onder lid 7 vallen.",
         []),
        ("Zij hoeven niet te voldoen, mits zij die procedure vóór 1 januari 2026 afronden.", [("2026-01-01", None)]),
    ],
)
def test_deadlines_absolute_and_relative(text, expected):
    assert [(f.value["date"], f.value["relative"]) for f in find_deadlines(text)] == expected


def test_ages_are_not_deadlines():
    assert find_deadlines("work done by persons at least 14 years of age in undertakings") == []


def test_thresholds_structured():
    text = ("the company had more than 1 000 employees on average and had a net worldwide turnover of more than "
            "EUR 450 000 000 in the last financial year")
    got = [(f.value["metric"], f.value["value"], f.value["comparison"]) for f in find_thresholds(text)]
    assert got == [("employees", 1000.0, "more_than"), ("turnover", 450_000_000.0, "more_than")]
    got = [
        (f.value["metric"], f.value["value"], f.value["comparison"])
        for f in find_thresholds("not less than 5 % of the turnover, at most EUR 40 million and at least 250 workers")
    ]
    assert got == [
        ("percentage", 5.0, "at_least"),
        ("amount", 40_000_000.0, "at_most"),
        ("employees", 250.0, "at_least"),
    ]
    nl = [
        (f.value["metric"], f.value["value"], f.value["comparison"])
        for f in find_thresholds(
            "ondernemingen met meer dan 500 werknemers en een netto-omzet van meer dan EUR 150 000 000"
        )
    ]
    assert nl == [("employees", 500.0, "more_than"), ("turnover", 150_000_000.0, "more_than")]


def test_references_english_and_dutch():
    refs = find_references(
        "as referred to in Article 2(1), point (a), of Directive 2013/34/EU and Regulation (EU) No 995/2010"
    )
    assert (refs[0].article, refs[0].paragraph, refs[0].point, refs[0].act) == ("2", "1", "a", "2013/34")
    assert [r.act for r in refs[1:]] == ["2013/34", "2010/995"]
    nl = find_references(
        "bedoeld in artikel 3, tweede lid, en artikel 19 bis, lid 2, onder a, van Richtlijn 2013/34/EU", "nl"
    )
    assert (nl[0].article, nl[0].paragraph) == ("3", "2")
    assert (nl[1].article, nl[1].paragraph, nl[1].point, nl[1].act) == ("19bis", "2", "a", "2013/34")


def test_references_resolve_to_corpus_ids(mirror_docs):
    resolver = ReferenceResolver.from_documents(mirror_docs.values())
    csddd = mirror_docs["celex-32024L1760-en"]
    internal = resolver.resolve({"text": "Article 8(2)", "article": "8", "paragraph": "2"}, csddd)
    assert (internal.target_document_id, internal.target_provision_id) == ("celex-32024L1760-en", "art_8.par_2")
    other = resolver.resolve({"text": "Regulation (EU) 2023/1115", "act": "2023/1115"}, csddd)
    target = mirror_docs[other.target_document_id]  # the EUDR in English (a consolidated version counts)
    assert (target.act_id, target.language) == (mirror_docs["celex-32023R1115-en"].act_id, "en")
    short = resolver.resolve({"text": "CSRD", "short_title": "CSRD"}, csddd)
    assert short.target_document_id == "celex-32022L2464-en"
    outside = resolver.resolve({"text": "Directive 2013/34/EU", "act": "2013/34"}, csddd)
    assert outside.target_document_id is None and outside.act == "2013/34"


def test_extracted_records_carry_fields(mirror_docs):
    """Real EUDR text: operators' obligations carry resolved references and deadlines somewhere in the act."""
    obligations = extract_document(mirror_docs["celex-32023R1115-en"],
                                   ReferenceResolver.from_documents(mirror_docs.values()))
    assert any(r.target_provision_id for o in obligations for r in o.references)
    assert any(d.date for o in obligations for d in o.deadlines)
    assert any(o.addressee == "operators" for o in obligations)
    assert all(o.start < o.end for o in obligations)


def test_analyze_finding_fields_in_dutch():
    f = analyze_text(
        "De lidstaten zorgen er uiterlijk op 1 januari 2025 voor dat ondernemingen met meer dan 500 werknemers "
        "de informatie bedoeld in artikel 3, tweede lid, openbaar maken.",
        "nl",
    )[0]
    assert f.deadlines[0]["date"] == "2025-01-01"
    assert f.thresholds[0]["metric"] == "employees" and f.thresholds[0]["value"] == 500
    assert f.references[0]["article"] == "3" and f.references[0]["paragraph"] == "2"


def test_relative_references_resolve_within_the_article(mirror_docs):
    resolver = ReferenceResolver.from_documents(mirror_docs.values())
    csddd = mirror_docs["celex-32024L1760-en"]
    par = resolver.resolve({"text": "paragraph 1", "paragraph": "1"}, csddd, "art_8.par_2")
    assert par.target_provision_id == "art_8.par_1"
    outside = resolver.resolve({"text": "paragraph 1", "paragraph": "1"}, csddd, None)
    assert outside.target_provision_id is None


@pytest.mark.parametrize(
    "text,lang",
    [
        (
            "interpreted in line with Article 3 of the International Labour Organization Worst Forms of Child Labour "
            "Convention, 1999 (No 182)",
            "en",
        ),
        (
            "in line with Articles 4 to 8 of the International Labour Organization Minimum Age Convention, "
            "1973 (No 138)",
            "en",
        ),
        ("interpreted in line with Article 32 of the Convention on the Rights of the Child", "en"),
        (
            "uitgelegd overeenkomstig artikel 7 van het Internationaal Verdrag inzake economische, sociale en "
            "culturele rechten",
            "nl",
        ),
    ],
)
def test_provisions_of_conventions_are_not_provisions_of_this_act(text, lang):
    """A lawyer must never be sent to Article 3 of the CSDDD for 'Article 3 of the ILO Convention'."""
    refs = [r for r in find_references(text, lang) if r.article]
    assert refs and all(r.external for r in refs)


def test_provisions_of_this_act_and_of_other_eu_acts_stay_resolvable():
    refs = {r.text: r for r in find_references(
        "companies comply with Article 8(2) of this Directive and Article 19a of Directive 2013/34/EU", "en")}
    assert not refs["Article 8(2)"].external and refs["Article 19a"].act == "2013/34"
