"""The applicability form and POST /api/applicability on the crawled mirror."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from analysis.mirror_corpus import crawled_mirror
from bs4 import BeautifulSoup

from search_app import create_app

PROFILES = Path(__file__).resolve().parents[1] / "analysis" / "profiles"


@pytest.fixture(scope="module")
def client():
    app = create_app({"DATA_DIR": str(crawled_mirror()), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"})
    return app.test_client()


def test_api_answers_the_textile_scenario(client):
    profile = json.loads((PROFILES / "textile_1200.json").read_text())
    resp = client.post("/api/applicability", json=profile)
    assert resp.status_code == 200
    body = resp.json
    applicable = {i["short_title"]: i for i in body["applicable"]}
    assert set(applicable) == {"CSRD", "WZK", "Forced Labour Regulation"}
    assert applicable["CSRD"]["applies_from"]["date"] == "2027-01-01"
    csddd = next(i for i in body["not_applicable"] if i["short_title"] == "CSDDD")
    assert csddd["official_identifier"] == "CELEX 32024L1760"
    assert csddd["link"] == {"document_id": "celex-02024L1760-20260318-en", "provision_id": "art_2.par_1.pt_a",
                             "official_url": "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:02024L1760-20260318#art_2",
                             "in_corpus": True}
    assert [c["status"] for c in csddd["changes"]] == ["applicable", "applicable", "not_applicable"]


def test_api_rejects_bad_profiles_field_by_field(client):
    resp = client.post("/api/applicability", json={"employees": "many", "commodities": ["tea"], "colour": "red"})
    assert resp.status_code == 400
    fields = " ".join(resp.json["error"]["fields"])
    assert "employees" in fields and "commodities" in fields and "colour" in fields
    assert client.post("/api/applicability", data="not json", content_type="application/json").status_code == 400
    assert client.post("/api/applicability", json=[1, 2]).status_code == 400


def test_form_round_trip(client):
    empty = BeautifulSoup(client.get("/applicability").get_data(as_text=True), "html.parser")
    assert empty.select_one("form.profile-form") is not None and empty.select_one("#answer") is None
    resp = client.post("/applicability", data={
        "name": "Cocoa importer", "employees": "150", "turnover_worldwide_eur": "45 000 000",
        "balance_sheet_total_eur": "20000000", "established_in_eu": "yes", "places_products_on_eu_market": "yes",
        "commodities": ["cocoa"], "eudr_role": "operator"})
    html = BeautifulSoup(resp.get_data(as_text=True), "html.parser")
    eudr = html.select_one('article[data-instrument="eudr"]')
    assert eudr["data-status"] == "applicable"
    assert "30 December 2026" in eudr.select_one(".applies-from").get_text()
    assert html.select_one("[data-size]")["data-size"] == "medium"
    assert html.select_one('input[name="employees"]')["value"] == "150"  # the form keeps what was typed
    assert html.select_one('input[value="cocoa"]').has_attr("checked")
    assert [li.a.get_text() for li in html.select("ul.frameworks li")][0].startswith("OECD Guidelines")


def test_form_reports_bad_numbers(client):
    resp = client.post("/applicability", data={"employees": "twelve"})
    assert resp.status_code == 400
    html = BeautifulSoup(resp.get_data(as_text=True), "html.parser")
    assert "twelve" in html.select_one("#errors").get_text()


# ---- the compliance officer's form, in both languages (issue 12) ----------------------------------------------
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # eudr_role, places_products_on_eu_market, turnover_worldwide_eur


def _cocoa_form(employees: str) -> dict:
    return {
        "name": "Cacao Import",
        "employees": employees,
        "turnover_worldwide_eur": "500 m",
        "established_in_eu": "yes",
        "commodities": ["cocoa"],
    }


def _visible(html) -> str:
    for tag in html(["script", "style", "link"]):
        tag.decompose()
    return html.select_one("main").get_text(" ", strip=True)


@pytest.mark.parametrize("lang, employees", [("nl", "1.200"), ("en", "1,200")])
def test_cocoa_importer_in_both_languages(client, lang, employees):
    resp = client.post(f"/applicability?lang={lang}", data=_cocoa_form(employees))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    html = BeautifulSoup(resp.get_data(as_text=True), "html.parser")
    read = {li["data-field-read"]: li.get_text() for li in html.select("#understood li")}
    assert "1\u00a0200" in read["employees"] and "EUR 500\u00a0000\u00a0000" in read["turnover_worldwide_eur"]
    eudr = html.select_one('article[data-instrument="eudr"]')
    assert eudr["data-status"] == "applicable"
    assert (
        eudr.select_one(".reason")
        .get_text()
        .startswith({"nl": "Van toepassing als marktdeelnemer", "en": "Applies as operator"}[lang])
    )
    assert eudr.select_one('[data-question="eudr_role"] a')["href"] == "#f-eudr_role"  # the refining question
    assert html.select_one("#f-eudr_role") is not None
    assert (
        html.select_one("[data-size]")["data-size"] == "large"
        and html.select_one("[data-size]")["data-decided"] == "yes"
    )
    summary = {s["data-kind"]: s["data-instruments"].split() for s in html.select("#summary span")}
    for kind in ("applicable", "undetermined", "not_applicable"):
        listed = [a["data-instrument"] for a in html.select(f'section[data-group="{kind}"] article')]
        assert summary.get(kind, []) == listed, kind
    text = _visible(html)
    assert not SNAKE.findall(text), SNAKE.findall(text)
    if lang == "nl":
        from analysis.english_texts import english_in

        answer = html.select_one("#answer")
        for quote in answer.select("[lang]"):  # quotes of the law and document titles, in the text's own language
            quote.decompose()
        found = english_in(answer.get_text(" ", strip=True))
        assert not found, found


def test_ambiguous_figure_read_by_the_interface_language(client):
    """'1.200' employees: twelve hundred in Dutch; 1.2 in English, which the English form refuses and explains."""
    nl = BeautifulSoup(
        client.post("/applicability?lang=nl", data={"employees": "1.200"}).get_data(as_text=True), "html.parser"
    )
    assert "1\u00a0200" in nl.select_one('#understood [data-field-read="employees"]').get_text()
    resp = client.post("/applicability?lang=en", data={"employees": "1.200", "turnover_worldwide_eur": "500 bln"})
    assert resp.status_code == 400
    html = BeautifulSoup(resp.get_data(as_text=True), "html.parser")
    errors = [a.get_text() for a in html.select("#errors li a")]
    assert errors[0].startswith("Employees (average, FTE): “1.200” reads as 1.2") and "1,200 or 1200" in errors[0]
    assert "“bln” in “500 bln”" in errors[1]
    assert [a["href"] for a in html.select("#errors li a")] == ["#f-employees", "#f-turnover_worldwide_eur"]
    assert html.select_one("#f-employees")["aria-invalid"] == "true"
    assert not SNAKE.findall(html.select_one("#errors").get_text())


def test_every_mistake_at_once_in_the_readers_words(client):
    resp = client.post(
        "/applicability?lang=nl", data={"employees": "twaalf", "turnover_worldwide_eur": "200000000000000"}
    )
    assert resp.status_code == 400
    errors = [li.get_text() for li in BeautifulSoup(resp.get_data(as_text=True), "html.parser").select("#errors li")]
    assert errors[0].startswith("Werknemers (gemiddeld, fte): “twaalf” is geen getal") and "1.200" in errors[0]
    assert errors[1].startswith(
        "Wereldwijde netto-omzet (EUR): EUR 200\u00a0000\u00a0000\u00a0000\u00a0000 is meer dan"
    )
    assert errors[1].endswith("kleiner is dan of gelijk aan 100000000000000.")


def test_the_api_answers_in_the_interface_language_with_machine_field_names(client):
    body = {"established_in_eu": True, "employees": 1200, "turnover_worldwide_eur": 5e8, "commodities": ["cocoa"]}
    answer = client.post("/api/applicability?lang=nl", json=body).json
    eudr = next(i for i in answer["applicable"] if i["instrument"] == "eudr")
    assert eudr["status"] == "applicable" and eudr["status_label"] == "van toepassing"
    assert eudr["questions"][0]["field"] == "eudr_role" and eudr["questions"][0]["text"].startswith("Brengt")
    assert answer["lang"] == "nl" and answer["derived"]["size_class"] == "large"
    refused = client.post("/api/applicability", json={"employees": "1.200"})  # JSON numbers only (openapi.yaml)
    assert refused.status_code == 400 and refused.json["error"]["fields"][0].startswith("employees:")


def test_sector_page_explains_and_leads_to_the_check(indexed_dir):
    app = create_app({"DATA_DIR": str(indexed_dir), "TESTING": True})
    web = app.test_client()
    for lang, word in (("en", "listed because"), ("nl", "vermeld omdat")):
        html = BeautifulSoup(web.get(f"/sectors/C13?lang={lang}").get_data(as_text=True), "html.parser")
        route = html.select_one("#applicability-route a")
        assert route["href"] == "/applicability?nace=C13"
        whys = [w.get_text() for w in html.select(".why")]
        assert whys and all(word in w.lower() for w in whys), whys
    form = BeautifulSoup(web.get("/applicability?nace=C13").get_data(as_text=True), "html.parser")
    assert form.select_one("#f-nace")["value"] == "C13"
