"""Cited-by, amended-by and the defined-terms pages and API on the real mirror texts (documents, references and
terms as `regkb extract` writes them), in both interface languages."""
from __future__ import annotations

import re

import pytest

from search_app import create_app

from .linked_mirror import linked_mirror


@pytest.fixture(scope="module")
def client():
    app = create_app({"DATA_DIR": str(linked_mirror()), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"})
    return app.test_client()


def _section(html: str, pid: str) -> str:
    start = html.index(f'<section id="{pid}"')
    return html[start:html.index("<section ", start + 10)]


def test_reader_csddd_article_3_links_to_its_citations(client):
    html = client.get("/documents/celex-32024L1760-en?lang=en").get_data(as_text=True)
    art3 = _section(html, "art_3")
    m = re.search(r'<a class="cited-by" href="([^"]+)">Cited by (\d+) provisions in (\d+) acts?</a>', art3)
    assert m, art3
    assert m.group(1) == "/documents/celex-32024L1760-en/art_3/cited-by" and int(m.group(2)) >= 3
    page = client.get(m.group(1) + "?lang=en").get_data(as_text=True)
    assert "Who cites Article 3" in page
    assert 'href="/documents/celex-32024L1760-en#art_16.par_3.sub_2"' in page  # uses Article 3(1), point (a)
    lists = re.findall(r'<ul class="citations">(.*?)</ul>', page, re.S)
    assert sum(block.count("<li>") for block in lists) == int(m.group(2))


def test_reader_article_22_deleted_by_omnibus(client):
    html = client.get("/documents/celex-02024L1760-20250417-en?lang=en").get_data(as_text=True)
    art22 = _section(html, "art_22")
    assert re.search(r'class="amended-by amended-deleted">Deleted by Directive \(EU\) 2026/470 \('
                     r'<a href="/documents/celex-32026L0470-en#art_4.pt_16"[^>]*>Article 4, point \(16\)</a>', art22)
    nl = _section(client.get("/documents/celex-02024L1760-20250417-en?lang=nl").get_data(as_text=True), "art_22")
    assert re.search(r'class="amended-by amended-deleted">Geschrapt door Richtlijn \(EU\) 2026/470 \(', nl), nl


def test_reader_links_defined_terms_to_their_definition(client):
    html = client.get("/documents/celex-32024L1760-en?lang=en").get_data(as_text=True)
    art8 = _section(html, "art_8.par_1")
    assert re.search(r'<a class="term" href="/documents/celex-32024L1760-en#art_3.par_1.pt_d">adverse impacts?</a>',
                     art8), art8
    own = _section(html, "art_3.par_1.pt_f")
    assert 'href="/documents/celex-32024L1760-en#art_3.par_1.pt_f"' not in own.split('class="text"', 1)[1]


def test_api_provision_cited_by_and_amended_by(client):
    body = client.get("/api/provisions/celex-32024L1760-en/art_22").get_json()
    [deleted] = [a for a in body["amended_by"] if a["kind"] == "deleted"]
    assert deleted == {"kind": "deleted", "act_id": "eu-2026-470-L", "act_label": "Directive (EU) 2026/470",
                       "document_id": "celex-32026L0470-en", "provision_id": "art_4.pt_16",
                       "citation": "Article 4, point (16)", "language": "en", "date": "2026-03-18"}
    art3 = client.get("/api/provisions/celex-32024L1760-fr/art_3").get_json()
    assert art3["cited_by"] and {"act_id", "document_id", "provision_id", "citation", "language", "text",
                                 "target_provision_id", "url"} <= set(art3["cited_by"][0])
    assert all(c["target_provision_id"].startswith("art_3") for c in art3["cited_by"])


def test_term_page_business_partner_shows_the_csddd_definition(client):
    for lang, heading in (("en", "Defined in"), ("nl", "Gedefinieerd in")):
        html = client.get(f"/terms/business-partner?lang={lang}").get_data(as_text=True)
        assert heading in html
        assert "‘business partner’ means an entity:" in html and "CSDDD" in html
        assert 'href="/terms/partenaire-commercial"' in html  # the French version of the same provision
        assert '<span lang="nl"' in html and ">zakenpartner</span> (NL)" in html  # config/glossary.yaml
        assert "Article 3(1), point (f)" in html


def test_term_page_operator_shows_eudr_and_batteries_side_by_side(client):
    html = client.get("/terms/operator?lang=en").get_data(as_text=True)
    # one grid: the term's own definitions, then the longer terms that contain it
    [grid_html] = re.findall(r'<ul class="term-grid">(.*?)</ul>', html, re.S)
    grid = re.findall(r'<li class="term-def[^"]*" id="[^"]+" data-act="([^"]+)" data-slug="([^"]+)">', grid_html)
    assert grid[0] == ("eu-2023-1115-R", "operator")
    assert ("eu-2023-1115-R", "operator") in grid and ("eu-2023-1542-R", "economic-operator") in grid
    assert "‘operator’ means any natural or legal person" in html
    assert "‘economic operator’ means the manufacturer" in html
    # the EUDR's versions: one entry per wording, oldest first; Regulation (EU) 2025/2650 changed it
    eudr = html[html.index('data-act="eu-2023-1115-R" data-slug="operator"'):].split("</li>", 1)[0]
    wordings = re.findall(r'<blockquote class="definition" lang="en">(.*?)</blockquote>', eudr)
    assert wordings[0].endswith("places relevant products on the market or exports them;")
    assert wordings[-1].endswith("excluding downstream operators;") and len(wordings) in (2, 3)
    assert eudr.index("As adopted (OJ of 9 June 2023)") < eudr.index("Consolidated text of 26 December 2025")
    if len(wordings) == 3:  # the amending act's quoted wording, in the EUDR's column, named by that act
        assert "as replaced by Article 1(1)(a) of Regulation (EU) 2025/2650" in eudr


@pytest.mark.parametrize("slug", ["economic-operator", "chain-of-activities", "adverse-impact", "due-diligence",
                                  "deforestation-free"])
def test_term_pages_of_the_issue(client, slug):
    assert client.get(f"/terms/{slug}?lang=nl").status_code == 200


def test_terms_index_search_and_404(client):
    html = client.get("/terms?q=partner&lang=nl").get_data(as_text=True)
    assert 'href="/terms/business-partner"' in html and "Zoek een begrip" in html
    assert client.get("/terms/no-such-term-anywhere").status_code == 404
    assert client.get("/terms/Not%20A%20Slug").status_code == 404


def test_api_terms(client):
    body = client.get("/api/terms?q=operator").get_json()
    assert body["query"] == "operator" and body["count"] == len(body["terms"])
    assert body["terms"][0]["slug"] == "operator" and body["terms"][0]["acts"] >= 1
    one = client.get("/api/terms/operator").get_json()
    # the EUDR's, and the wording Regulation (EU) 2025/2650 writes into it (quoted in the amending act)
    assert {d["act_id"] for d in one["definitions"]} - {"eu-2025-2650-R"} == {"eu-2023-1115-R"}
    assert all(d["amends_document_id"].startswith("celex-02023R1115-") for d in one["definitions"]
               if d["act_id"] == "eu-2025-2650-R")
    assert "eu-2023-1542-R" in {d["act_id"] for d in one["related"]}
    assert {"language": "fr", "term": "opérateur", "slug": "operateur", "url": "/terms/operateur"} in one["aligned"]
    assert {"language": "nl", "term": "marktdeelnemer", "slug": None, "url": None} in one["aligned"]
    found = client.get("/api/terms?q=zakenpartner").get_json()["terms"]  # a Dutch word finds the English term
    assert found[0]["slug"] == "business-partner"
    assert client.get("/api/terms/no-such-term").status_code == 404
    too_long = client.get("/api/terms?q=" + "x" * 201)
    assert too_long.status_code == 400 and "at most 200" in too_long.get_json()["error"]["message"]
