"""The applicability check on real scenarios, against the real texts of the offline mirror.

Each expectation below is what the cited provision says (read in the mirror):
CSDDD Article 2 and 37 as adopted, as amended by 2025/794 and by 2026/470;
CSRD Article 5(2) as amended; EUDR Articles 2 and 38 as amended by 2025/2650;
Batteries Regulation Articles 47-48 as amended by 2025/1561.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from indexer.analysis.applicability import CompanyProfile, evaluate
from regkb.cli import main

from .conftest import PROFILES, load_profile


def _answer(name, corpus):
    return evaluate(load_profile(name), corpus)


def _item(answer, short_title):
    for group in (answer.applicable, answer.not_applicable, answer.undetermined):
        for item in group:
            if item.short_title == short_title:
                return item
    raise AssertionError(f"{short_title} missing from the answer")


def _titles(items):
    return {i.short_title for i in items}


def test_textile_company_1200_employees_500m(corpus):
    a = _answer("textile_1200", corpus)
    assert _titles(a.applicable) == {"CSRD", "WZK", "Forced Labour Regulation"}
    assert not a.undetermined and not a.below_all_thresholds

    csddd = _item(a, "CSDDD")
    assert csddd.status == "not_applicable"
    assert csddd.citation == "Article 2(1), point (a) CSDDD"
    assert "more than 5\u00a0000 (you gave 1\u00a0200)" in csddd.reason
    assert "EUR 1\u00a0500\u00a0000\u00a0000" in csddd.reason
    # side by side: in scope under the 2024 text and after the stop-the-clock, out of scope after Omnibus I
    by_version = {c.version_id: c for c in csddd.changes}
    assert by_version["adopted_2024"].status == "applicable"
    assert by_version["adopted_2024"].applies_from.date == date(2029, 7, 26)  # Article 37(1)(e): not >3 000 / EUR 900 m
    assert by_version["adopted_2024"].applies_from.citation.startswith("Article 37(1), point (e)")
    assert by_version["stop_the_clock_2025"].applies_from.date == date(2029, 7, 26)
    assert by_version["omnibus_2026"].status == "not_applicable"
    changed = {t.label: t.values for t in csddd.threshold_changes if t.rule_id == "csddd_eu_company"}
    assert list(changed["employees on average"].values()) == ["1\u00a0000", "1\u00a0000", "5\u00a0000"]

    csrd = _item(a, "CSRD")
    assert csrd.applies_from.date == date(2027, 1, 1) and csrd.applies_from.basis == "financial_year"
    assert "Directive (EU) 2026/470" in csrd.citation
    assert csrd.link.document_id == "celex-32026L0470-en" and csrd.link.in_corpus
    assert csrd.link.provision_id == "art_2.pt_4"
    original = {c.version_id: c for c in csrd.changes}["adopted_2022"]
    assert original.applies_from.date == date(2025, 1, 1)  # second wave as adopted, postponed to 2027 by 2025/794

    wzk = _item(a, "WZK")
    assert wzk.applies_from.date is None
    assert "Stb. 2019, 401" in wzk.applies_from.text and "not been set" in wzk.applies_from.text
    assert wzk.official_identifier == "Stb. 2019, 401"
    assert wzk.official_url == "https://zoek.officielebekendmakingen.nl/stb-2019-401.html"


def test_dutch_importer_300_employees_selling_to_consumers(corpus):
    a = _answer("dutch_importer_300", corpus)
    assert a.derived["size_class"] == "large"  # 300 > 250 employees and EUR 90 m > EUR 50 m
    assert _titles(a.applicable) == {"EUDR", "WZK", "Forced Labour Regulation"}
    eudr = _item(a, "EUDR")
    assert eudr.citation == "Article 2, point (15), and Article 4 EUDR"
    assert eudr.applies_from.date == date(2026, 12, 30)
    assert eudr.applies_from.citation.startswith("Article 38(2)")
    assert eudr.link.document_id == "celex-02023R1115-20251226-en" and eudr.link.provision_id == "art_2.pt_15"
    history = {c.version_id: c.applies_from.date for c in eudr.changes}
    assert history == {
        "adopted_2023": date(2024, 12, 30),
        "amended_2024": date(2025, 12, 30),
        "amended_2025": date(2026, 12, 30),
    }
    assert any(o["citation"].startswith("Article 4(1) and (2)") for o in eudr.obligations)
    csrd = _item(a, "CSRD")
    assert csrd.status == "not_applicable"
    assert {c.version_id: c.status for c in csrd.changes} == {
        "adopted_2022": "applicable", "stop_the_clock_2025": "applicable", "omnibus_2026": "not_applicable"}
    assert _item(a, "CSDDD").status == "not_applicable"
    assert all(c.status == "not_applicable" for c in _item(a, "CSDDD").changes)  # 300 < 1 000 in every version


def test_non_eu_company_with_500m_eu_turnover(corpus):
    a = _answer("non_eu_500m", corpus)
    csddd = _item(a, "CSDDD")
    assert csddd.status == "not_applicable"
    assert csddd.citation == "Article 2(2), point (a) CSDDD"
    assert "net turnover in the Union more than EUR 1\u00a0500\u00a0000\u00a0000" in csddd.reason
    by_version = {c.version_id: c for c in csddd.changes}
    assert by_version["adopted_2024"].status == "applicable"  # > EUR 450 m in the Union under the 2024 text
    assert by_version["adopted_2024"].applies_from.date == date(2029, 7, 26)
    csrd = _item(a, "CSRD")
    assert csrd.status == "applicable"
    assert csrd.citation.startswith("Article 40a(1) of Directive 2013/34/EU")
    assert csrd.applies_from.date == date(2028, 1, 1)
    batteries = _item(a, "Batteries Regulation")
    assert batteries.applies_from.date == date(2027, 8, 18)  # due diligence postponed by Regulation (EU) 2025/1561
    assert {c.version_id: c.applies_from.date for c in batteries.changes}["adopted_2023"] == date(2025, 8, 18)
    assert {g.rule_id for g in batteries.grounds} == {"batteries_due_diligence", "batteries_producer"}
    assert _item(a, "Conflict Minerals Regulation").status == "not_applicable"  # no imports into the Union


def test_cocoa_importer_is_an_eudr_operator_and_sme(corpus):
    a = _answer("cocoa_trader", corpus)
    assert a.derived["size_class"] == "medium" and a.derived["is_sme"] is True
    eudr = _item(a, "EUDR")
    assert eudr.status == "applicable"
    assert eudr.applies_from.date == date(2026, 12, 30)  # medium: not the micro/small postponement of Article 38(3)
    assert a.below_all_thresholds  # nothing size-dependent applies
    assert _titles(a.applicable) == {"EUDR", "Forced Labour Regulation"}


def test_small_cocoa_trader_gets_article_5_not_operator_duties(corpus):
    a = _answer("cocoa_sme_trader", corpus)
    eudr = _item(a, "EUDR")
    assert eudr.citation == "Article 2, point (17), and Article 5 EUDR"
    assert [o["citation"] for o in eudr.obligations] == ["Article 5 EUDR"]
    assert eudr.applies_from.date == date(2026, 12, 30)  # Article 38(3) postpones only micro/small operators


def test_micro_operator_gets_the_later_date():
    profile = load_profile("cocoa_trader").model_copy(update={"employees": 8, "turnover_worldwide_eur": 600_000,
                                                               "balance_sheet_total_eur": 300_000})
    eudr = _item(evaluate(profile), "EUDR")
    assert eudr.applies_from.date == date(2027, 6, 30)
    assert eudr.applies_from.citation.startswith("Article 38(3)")


def test_bank(corpus):
    a = _answer("bank", corpus)
    assert _titles(a.applicable) == {"CSDDD", "CSRD", "SFDR", "WZK"}
    csddd = _item(a, "CSDDD")
    assert csddd.applies_from.date == date(2029, 7, 26)
    assert csddd.link.document_id == "celex-02024L1760-20260318-en" and csddd.link.provision_id == "art_2.par_1.pt_a"
    assert "#art_2" in csddd.link.official_url
    assert any("downstream" in n for n in csddd.notes)
    cited = [o["citation"] for o in csddd.obligations]
    assert "Article 8 CSDDD" in cited and "Article 22 CSDDD" not in cited  # Article 22 deleted by Omnibus I
    csrd = _item(a, "CSRD")
    assert csrd.applies_from.date == date(2024, 1, 1)  # public-interest entity > 500 employees: first wave
    assert {g.rule_id for g in csrd.grounds} == {"csrd_wave1_pie", "csrd_over_450m_1000"}
    sfdr = _item(a, "SFDR")
    assert {g.citation for g in sfdr.grounds} == {"Article 2, point (1)", "Article 4(3)"}
    assert _item(a, "EUDR").status == "not_applicable"


def test_company_below_every_threshold(corpus):
    a = _answer("below_thresholds", corpus)
    assert a.applicable == [] and a.undetermined == []
    assert a.below_all_thresholds
    assert (
        "does not reach the thresholds of CSDDD, CSRD, Batteries Regulation and Conflict Minerals Regulation"
        in a.summary
    )
    assert "voluntary frameworks below still apply" in a.summary
    names = " ".join(v["name"] for v in a.voluntary_frameworks)
    for framework in ("OECD Guidelines for Multinational Enterprises", "UN Guiding Principles", "ILO", "IMVO", "SER"):
        assert framework in names, framework


def test_missing_facts_make_an_instrument_undetermined_not_applicable():
    profile = CompanyProfile(established_in_eu=True)
    a = evaluate(profile)
    csddd = _item(a, "CSDDD")
    assert csddd.status == "undetermined"  # employees and turnover unknown
    assert "the number of employees and the net worldwide turnover" in csddd.reason
    assert [q.field for q in csddd.questions] == ["employees", "turnover_worldwide_eur"]
    assert csddd.questions[0].text.startswith("How many employees")
    assert "employees" not in csddd.reason.split("the number of employees")[0]  # no field name in the text
    assert not a.below_all_thresholds


def test_every_rule_cites_a_provision_that_exists_in_its_text(corpus):
    """The provision ids of the rules resolve exactly (no ancestor fallback) in the parsed mirror texts."""
    from indexer.analysis.scope_rules import load_scope_rules

    checked = 0
    for inst in load_scope_rules().instruments:
        for version in inst.versions:
            for rule in inst.rules_in(version.id):
                doc = corpus.get(rule.document or version.document)
                if doc is None or not rule.provision:
                    continue
                assert doc.provision(rule.provision) is not None, (
                    f"{inst.id}/{rule.id}: {rule.provision} not in {doc.id}"
                )
                checked += 1
    assert checked >= 25


def test_cli_json_and_errors(data_dir, tmp_path, capsys):
    assert main(["applicability", "--profile", str(PROFILES / "bank.json"), "--data-dir", str(data_dir), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert {i["short_title"] for i in answer["applicable"]} == {"CSDDD", "CSRD", "SFDR", "WZK"}

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"employees": -5, "commodities": ["tea"], "employes": 3}))
    assert main(["applicability", "--profile", str(bad), "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert "employees" in err and "commodities" in err and "employes" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["applicability", "--profile", str(broken), "--data-dir", str(data_dir)]) == 2
    assert main(["applicability", "--profile", str(tmp_path / "missing.json"), "--data-dir", str(data_dir)]) == 2


@pytest.mark.parametrize(
    "employees,turnover,expected",
    [
        (5001, 1_500_000_001, "applicable"),
        (5000, 1_500_000_001, "not_applicable"),
        (5001, 1_500_000_000, "not_applicable"),
    ],
)
def test_csddd_thresholds_are_strict(employees, turnover, expected):
    """'more than' in Article 2(1)(a): the threshold itself is not enough."""
    profile = CompanyProfile(established_in_eu=True, employees=employees, turnover_worldwide_eur=turnover)
    assert _item(evaluate(profile), "CSDDD").status == expected


def test_micro_timber_operator_does_not_get_the_later_date():
    """Article 38(3) EUDR excludes products covered by the Annex to Regulation (EU) No 995/2010 (timber)."""
    profile = CompanyProfile(
        established_in_eu=True,
        employees=5,
        turnover_worldwide_eur=500_000,
        balance_sheet_total_eur=200_000,
        commodities=["wood"],
        eudr_role="operator",
        places_products_on_eu_market=True,
    )
    eudr = _item(evaluate(profile), "EUDR")
    assert eudr.applies_from.date == date(2026, 12, 30)


def test_non_eu_franchisor():
    profile = CompanyProfile(established_in_eu=False, turnover_eu_eur=300_000_000, royalties_eu_eur=80_000_000)
    csddd = _item(evaluate(profile), "CSDDD")
    assert csddd.status == "applicable" and csddd.citation == "Article 2(2), point (c) CSDDD"
    assert csddd.applies_from.date == date(2029, 7, 26)


def test_a_pending_proposal_shows_in_changes_but_never_decides():
    """A proposed amendment (data only: `pending: true`) is evaluated side by side; the in-force text decides."""
    from indexer.analysis.scope_rules import Version, load_scope_rules

    rules = load_scope_rules().model_copy(deep=True)
    csddd = rules.instrument("csddd")
    csddd.versions.append(
        Version(id="proposal_x", label={"en": "hypothetical proposal", "nl": "hypothetisch voorstel"}, pending=True)
    )
    for rule in csddd.rules:
        for cond in rule.conditions:
            if isinstance(cond.value, dict):
                cond.value = dict(cond.value, proposal_x=cond.value["adopted_2024"])
    item = _item(evaluate(load_profile("textile_1200"), rules=rules), "CSDDD")
    assert item.status == "not_applicable"  # Omnibus I (in force) decides
    pending = next(c for c in item.changes if c.version_id == "proposal_x")
    assert pending.pending and pending.status == "applicable"
    assert "hypothetical proposal (pending proposal): applies" in item.changes_summary
    with pytest.raises(ValueError):
        csddd.model_validate(dict(csddd.model_dump(by_alias=True), current_version="proposal_x"))


def test_texts_that_declare_the_company_sector(corpus):
    chocolate = CompanyProfile(nace="10.82", established_in_eu=True)
    docs = evaluate(chocolate, corpus).sector_documents
    eudr = [d for d in docs if d["document_id"].startswith("celex-02023R1115")]
    assert eudr and eudr[0]["document_id"] == "celex-02023R1115-20251226-en"  # the newest English version
    assert "10" in eudr[0]["sectors"]
    assert len({d["document_id"] for d in docs}) == len(docs)
    assert evaluate(CompanyProfile(nace="62.01"), corpus).sector_documents == []  # software: no act declares it


# ---- the compliance officer's questions (issue 12) -------------------------------------------------------------

def _cocoa_importer(**update):
    """A cocoa importer that ticked cocoa and said nothing of its EUDR role (the profile's commodities are, by
    its own definition, placed on or exported from the EU market by the company)."""
    return CompanyProfile(**{"name": "Cocoa importer", "established_in_eu": True, "employees": 1200,
                             "turnover_worldwide_eur": 500_000_000, "commodities": ["cocoa"], **update})


def test_commodities_decide_the_eudr_and_the_role_refines_it(corpus):
    a = evaluate(_cocoa_importer(), corpus)
    eudr = _item(a, "EUDR")
    assert eudr.status == "applicable" and eudr.status_label == "applies"
    assert eudr.reason.startswith("Applies as operator")
    assert "(presumed)" in eudr.reason
    assert [p.field for p in eudr.presumed] == ["eudr_role"] and eudr.presumed[0].value == "operator"
    assert [q.field for q in eudr.questions] == ["eudr_role"]
    assert "trader" in eudr.questions[0].text and "downstream operator" in eudr.questions[0].text
    assert eudr.applies_from.date == date(2026, 12, 30) and eudr.applies_from.citation.startswith("Article 38(2)")
    assert [o["citation"] for o in eudr.obligations] == ["Articles 8 to 11 EUDR", "Article 4(1) and (2) EUDR"]
    assert "EUDR" not in _titles(a.undetermined)


def test_a_stated_role_replaces_the_presumption(corpus):
    trader = _item(evaluate(_cocoa_importer(eudr_role="trader"), corpus), "EUDR")
    assert trader.status == "applicable" and trader.citation == "Article 2, point (17), and Article 5 EUDR"
    assert trader.presumed == [] and trader.questions == []
    assert [o["citation"] for o in trader.obligations] == ["Article 5 EUDR"]
    none = _item(evaluate(_cocoa_importer(commodities=[]), corpus), "EUDR")
    assert none.status == "not_applicable" and none.presumed == []  # no commodity: nothing to presume on


def test_the_micro_postponement_needs_a_decided_size_class():
    """Article 38(3): only micro and small operators get 30 June 2027; a presumed operator of unknown size gets
    38(2)."""
    small = _item(evaluate(_cocoa_importer(employees=8, turnover_worldwide_eur=600_000)), "EUDR")
    assert small.applies_from.date == date(2027, 6, 30)
    unknown = _item(evaluate(_cocoa_importer(employees=8, turnover_worldwide_eur=None)), "EUDR")
    assert unknown.applies_from.date == date(2026, 12, 30)


@pytest.mark.parametrize(
    "figures, decided, shown, basis",
    [
        ({"employees": 1200, "turnover_worldwide_eur": 500e6}, "large", "large", "decided"),
        ({"employees": 1200}, None, "large", "employees"),  # the headcount alone: its band, said as such
        ({"employees": 8}, None, "micro", "employees"),
        ({"turnover_worldwide_eur": 30e6}, None, "medium", "turnover_worldwide_eur"),
        (
            {"employees": 1200, "turnover_worldwide_eur": 45e6},
            None,
            "large",
            "employees",
        ),  # medium or large: balance sheet decides
        (
            {"employees": 1200, "turnover_worldwide_eur": 45e6, "balance_sheet_total_eur": 20e6},
            "medium",
            "medium",
            "decided",
        ),
        (
            {"employees": 5, "turnover_worldwide_eur": 60e6, "balance_sheet_total_eur": 30e6},
            "large",
            "large",
            "decided",
        ),
        ({}, None, None, None),
    ],
)
def test_size_class_from_whatever_is_given(figures, decided, shown, basis):
    a = evaluate(CompanyProfile(**figures))
    assert a.derived["size_class"] == decided  # what the rules use: only a class the figures given decide
    assert (a.derived["size_class_estimate"], a.derived["size_class_basis"]) == (shown, basis)
    text = a.derived["size_class_text"]
    assert ("going by" in text) == (basis not in ("decided", None)) and "Directive 2013/34/EU" in text


def test_key_obligations_are_the_company_duties_first_things_first(tmp_path, data_dir):
    """The CSRD's list: what the company does, in order; no Member State options, auditor approval or other
    directives' exemptions (the extracted obligations of the real text, by the real extractor)."""
    import shutil

    from indexer.analysis.corpus import Corpus

    (tmp_path / "documents").mkdir()
    shutil.copy(data_dir / "documents" / "celex-32022L2464-en.json", tmp_path / "documents")
    assert main(["extract", "--data-dir", str(tmp_path)]) == 0
    csrd = _item(evaluate(_cocoa_importer(), Corpus.at(tmp_path)), "CSRD")
    assert csrd.status == "applicable"
    assert [o["priority"] for o in csrd.obligations] == [1, 2, 3]
    assert csrd.obligations[0]["summary"].startswith("Include sustainability information in the management report")
    quoted = [e for o in csrd.obligations for e in o.get("extracted", [])]
    assert quoted and all(e["text"].startswith(("Large undertakings", "Undertakings")) for e in quoted), quoted
    assert "extracted" not in csrd.obligations[2]  # assurance: the Audit Directive's duties are the auditor's
    every = [o for o in Corpus.at(tmp_path).obligations("celex-32022L2464-en")
             if o.provision_id.startswith("art_1.pt_4.amd_art_19a.par_1")]
    assert any(o.addressee in ("member_states", None) for o in every)  # the filter had something to leave out


def test_the_summary_never_contradicts_the_lists(corpus):
    for profile in [_cocoa_importer(), load_profile("below_thresholds"), load_profile("bank"), CompanyProfile(),
                    load_profile("cocoa_trader"), _cocoa_importer(employees=None, turnover_worldwide_eur=None)]:
        a = evaluate(profile, corpus)
        lists = {"applicable": a.applicable, "undetermined": a.undetermined, "not_applicable": a.not_applicable}
        parts = {p.kind: p for p in a.summary_parts}
        for kind, items in lists.items():
            assert [i.instrument for i in items] == (parts[kind].instruments if kind in parts else [])
            for i in items:
                assert (i.short_title in parts[kind].text) if kind in parts else True
        if "thresholds" in parts:
            assert set(parts["thresholds"].instruments) <= {i.instrument for i in a.not_applicable}
            assert a.below_all_thresholds
        assert a.summary == " ".join(p.text for p in a.summary_parts)


def test_the_dutch_answer_is_dutch(corpus):
    from analysis.english_texts import answer_texts, english_in

    for profile in [_cocoa_importer(), CompanyProfile(established_in_eu=True), load_profile("bank"),
                    load_profile("non_eu_500m"), load_profile("textile_1200"), _cocoa_importer(employees=None)]:
        a = evaluate(profile, corpus, lang="nl")
        assert a.lang == "nl"
        for text in answer_texts(a):
            assert not english_in(text), (english_in(text), text)
        english = evaluate(profile, corpus, lang="en")
        assert [i.instrument for i in a.applicable] == [i.instrument for i in english.applicable]
    eudr = _item(evaluate(_cocoa_importer(), corpus, lang="nl"), "EUDR")
    assert eudr.reason.startswith("Van toepassing als marktdeelnemer") and eudr.status_label == "van toepassing"
    assert eudr.questions[0].text.startswith("Brengt de onderneming")


def test_no_text_of_the_answer_shows_a_field_name(corpus):
    import re

    from analysis.english_texts import answer_texts

    for lang in ("en", "nl"):
        for profile in [CompanyProfile(), _cocoa_importer(), load_profile("bank")]:
            for text in answer_texts(evaluate(profile, corpus, lang=lang)):
                assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text
