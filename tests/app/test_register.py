"""The compliance register (/register, /register.xlsx|csv, GET/POST /api/register) on real texts: the CSDDD as
amended by Omnibus I and the CSRD, crawled from the mirror and extracted by the real extractor."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from analysis.mirror_corpus import extracted_subset
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from regkb.cli import main
from search_app import create_app

DOCUMENTS = ("celex-02024L1760-20260318-en", "celex-32022L2464-en")
# A 6,000-employee manufacturer formed in a Member State with EUR 2 bn turnover: above the CSDDD thresholds as
# amended by Directive (EU) 2026/470 (5,000 employees, EUR 1.5 bn) and a large undertaking under the CSRD.
MANUFACTURER = {"name": "Acme Batteries NV", "nace": "27.20", "employees": 6000, "turnover_worldwide_eur": 2e9,
                "turnover_eu_eur": 2e9, "balance_sheet_total_eur": 1e9, "established_in_eu": True}
FORM = {"name": "Acme Batteries NV", "nace": "27.20", "employees": "6000", "turnover_worldwide_eur": "2 bn",
        "turnover_eu_eur": "2 bn", "balance_sheet_total_eur": "1 bn", "established_in_eu": "yes"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = extracted_subset(tmp_path_factory.mktemp("register-corpus"), DOCUMENTS)
    app = create_app({"DATA_DIR": str(root), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"})
    return app.test_client()


def _articles(entries) -> set[int]:
    return {int(m.group(1)) for e in entries if (m := re.match(r"art_(\d+)", e["provision_id"]))}


def _section(body, short_title):
    return next(s for s in body["sections"] if s["short_title"] == short_title)


def test_manufacturer_register_lists_the_csddd_company_duties_and_the_csrd(client):
    resp = client.post("/api/register", json=MANUFACTURER)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.json
    csddd = _section(body, "CSDDD")
    assert csddd["status"] == "applicable"
    # Articles 7-16: the due diligence steps, from integrating due diligence to communicating on it
    assert set(range(7, 17)) <= _articles(csddd["duties"])
    assert all(e["duty_bearer"] not in ("member_states", "commission") for e in csddd["duties"])
    assert any(e["via"] for e in csddd["duties"]), "duties imposed through the Member States say so"
    assert all(e["citation"].endswith("CSDDD") and e["citation"][0].isupper() for e in csddd["duties"])
    assert not any(e["provision_id"].startswith("art_22") for e in csddd["duties"]), "deleted by 2026/470"
    csrd = _section(body, "CSRD")
    assert csrd["duties"], "the CSRD's reporting duties"
    assert body["duty_count"] == sum(len(s["duties"]) for s in body["sections"])


def test_get_with_the_form_fields_gives_the_same_register(client):
    by_post = client.post("/api/register", json=MANUFACTURER).json
    by_get = client.get("/api/register?" + urlencode(FORM)).json
    assert [(s["instrument"], len(s["duties"])) for s in by_get["sections"]] == \
        [(s["instrument"], len(s["duties"])) for s in by_post["sections"]]


def test_xlsx_opens_and_holds_every_duty_as_text(client):
    body = client.post("/api/register", json=MANUFACTURER).json
    resp = client.get("/register.xlsx?" + urlencode(FORM))
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(resp.data))
    duties, depends = wb.worksheets
    header = [c.value for c in duties[1]]
    assert header[:3] == ["Instrument", "Citation", "Modality"]
    assert duties.max_row - 1 == body["duty_count"]
    assert depends.max_row - 1 == body["depends_count"]
    cells = [c for row in duties.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"], "no cell is a formula"
    assert all(isinstance(c.value, str) for c in cells if c.value is not None)
    links = [row[header.index("Link")] for row in duties.iter_rows(min_row=2, values_only=True)]
    assert all(link.startswith("http://localhost/documents/") for link in links)


def test_csv_and_the_api_formats(client):
    resp = client.get("/api/register?format=csv&" + urlencode(FORM))
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert rows and {"Instrument", "Citation", "Who", "What", "Link"} <= set(rows[0])
    assert client.get("/api/register?format=pdf&" + urlencode(FORM)).status_code == 400


def test_bad_profiles_are_a_clear_400(client):
    resp = client.post("/api/register", json={"employees": "many"})
    assert resp.status_code == 400 and "employees" in resp.json["error"]["message"]
    assert client.post("/api/register", data="[1", content_type="application/json").status_code == 400
    page = client.get("/register?employees=lots")
    assert page.status_code == 400
    assert BeautifulSoup(page.data, "html.parser").select_one("#errors")


@pytest.mark.parametrize("lang,heading,duties", [("en", "Compliance register", "Duties"),
                                                  ("nl", "Nalevingsregister", "Verplichtingen")])
def test_page_in_both_languages_from_the_applicability_answer(client, lang, heading, duties):
    answer = client.post(f"/applicability?lang={lang}", data=FORM)
    link = BeautifulSoup(answer.data, "html.parser").select_one("#open-register")
    assert link is not None, "the applicability answer leads to the register in one click"
    page = client.get(link["href"] + f"&lang={lang}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.data, "html.parser")
    assert soup.h1.get_text(strip=True) == heading
    csddd = soup.select_one("#reg-csddd")
    assert csddd is not None and duties in csddd.get_text()
    first = csddd.select_one("li.duty .cite a")
    assert first["href"].startswith("/documents/celex-02024L1760-20260318-en#art_")
    assert soup.select_one(".downloads a[href*='register.xlsx']")


def test_text_that_looks_like_a_formula_stays_text(client):
    """A provision may begin with '=' or '+' ('= 5 % of turnover'): a spreadsheet must show it, never run it."""
    from search_app.views.register import _xlsx

    row = {"group": "duty", "short_title": "X", "citation": "=HYPERLINK(\"http://evil\")", "text": "+1+1"}
    with client.application.test_request_context():
        wb = load_workbook(io.BytesIO(_xlsx([row])))
    cells = {c.value: c.data_type for c in wb.worksheets[0][2] if c.value}
    assert cells == {"X": "s", '=HYPERLINK("http://evil")': "s", "+1+1": "s"}


def test_cli_prints_the_same_register(client, tmp_path, capsys):
    import json

    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(MANUFACTURER))
    root = client.application.config["DATA_DIR"]
    capsys.readouterr()
    assert main(["applicability", "--data-dir", root, "--profile", str(profile), "--register", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    api = client.post("/api/register", json=MANUFACTURER).json
    assert [(s["instrument"], len(s["duties"])) for s in printed["sections"]] == \
        [(s["instrument"], len(s["duties"])) for s in api["sections"]]


def test_a_choice_the_form_cannot_send_is_a_400(client):
    resp = client.get("/api/register?employees=6000&ultimate_parent_of_group=AAA&established_in_eu=maybe")
    assert resp.status_code == 400
    message = resp.json["error"]["message"]
    assert "ultimate_parent_of_group" in message and "established_in_eu" in message
