"""The applicability form and POST /api/applicability on the crawled mirror."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis.mirror_corpus import crawled_mirror
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
