"""The search page, sector pages, the search API and exports, on the real search backend over the fixture corpus."""
from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from indexer.search.facets import FACETS
from search_app.security import csv_cell

EN = "celex-32024L1760-en"
OB = "celex-32024L1760-en:art_8.par_2:1"


def soup(resp) -> BeautifulSoup:
    return BeautifulSoup(resp.get_data(as_text=True), "lxml")


def card_for(page: BeautifulSoup, citation: str):
    return next(c for c in page.select("li.card") if citation in c.select_one("h3").get_text())


def test_the_guessed_search_address_opens_the_search_page(client):
    moved = client.get("/search?q=child+labour&kind=provision")
    assert moved.status_code == 301 and moved.headers["Location"] == "/?q=child+labour&kind=provision"
    assert client.get("/search").headers["Location"] == "/"
    page = soup(client.get("/search?q=child+labour", follow_redirects=True))
    assert card_for(page, "CSDDD Art. 8(2)")


def test_obligation_cards_show_who_what_when_and_links(client):
    page = soup(client.get("/?q=child+labour"))
    card = card_for(page, "CSDDD Art. 8(2)")
    assert card.select_one(".badge-obligation").get_text() == "Obligation"
    assert card.select_one(".addressee").get_text() == "Companies"  # the role as the Who facet names it
    assert "map their own operations" in card.select_one(".action").get_text()
    assert card.select_one(".deadline").get_text() == "by 26 July 2027"
    assert "1 000 employees" in card.select_one(".thresholds").get_text()
    assert [t.get_text() for t in card.select(".topics .tag")] == ["Child labour", "Due diligence (process)"]
    assert [m.get_text().lower() for m in card.select(".snippet mark")][:1] in (["child"], ["child labour"])
    link = urlsplit(card.select_one("a.result-link")["href"])
    assert (
        link.path == f"/documents/{EN}" and link.fragment == "art_8.par_2" and parse_qs(link.query)["highlight"] == [OB]
    )
    assert (
        card.select_one('a[rel~="external"]')["href"] == "https://eur-lex.europa.eu/eli/dir/2024/1760/oj#art_8"
    )  # EUR-Lex anchors articles
    assert "of" in page.select_one(".result-count").get_text()


def test_facets_who_first_with_counts_and_labels(client):
    page = soup(client.get("/?q=child+labour"))
    names = [fs["id"].removeprefix("facet-") for fs in page.select("fieldset.facet")]
    # the filter column follows config/search.yaml `facets`: who must act and how first, then the sector
    assert names[:3] == ["addressee", "modality", "sector"]
    assert [n for n in names if n in FACETS] == [n for n in FACETS if n in names]
    asked = client.get("/api/search?q=child+labour").json["query"]["facets"]  # the API counts them in that order
    assert asked == [n for n in FACETS if n in asked]
    assert [n for n in asked if n in names] == [n for n in names if n in FACETS]
    textile = page.select_one('#facet-sector input[value="C13"]')
    label = page.select_one(f'label[for="{textile["id"]}"]').get_text(" ", strip=True)
    assert "Manufacture of textiles" in label and label.split()[-1].isdigit() and int(label.split()[-1]) >= 1
    # addressee keys are shown with their wording from config/addressees.yaml
    companies = page.select_one('#facet-addressee input[value="companies"]')
    assert page.select_one(f'label[for="{companies["id"]}"]').contents[0].strip() == "Companies"


def test_sector_filter_chip_and_removal(client):
    page = soup(
        client.get("/?q=child+labour&sector=C13&expand=off")
    )  # English words only: the Dutch treaty is not matched
    assert page.select_one('#facet-sector input[value="C13"]').has_attr("checked")
    chip = page.select_one("a.chip")
    assert "Manufacture of textiles" in chip.get_text()
    assert "sector" not in parse_qs(urlsplit(chip["href"]).query)
    citations = [h.get_text() for h in page.select("li.card h3")]
    assert citations and all("CSDDD" in c for c in citations)  # the NL treaty has no sector


def test_filters_and_across_facets(client):
    only_nl = client.get("/api/search?q=kinderarbeid&language=nl").json
    assert only_nl["total"] >= 1 and all(h["record"]["language"] == "nl" for h in only_nl["hits"])
    textile = client.get("/api/search?q=kinderarbeid&language=nl&sector=C13").json
    assert textile["total"] == only_nl["total"]  # the Dutch hits name no sector: they concern textiles too
    assert all(h["record"]["sectors"] == ["*"] and h["record"]["language"] == "nl" for h in textile["hits"])
    none = client.get("/api/search?q=kinderarbeid&language=nl&modality=permission").json
    assert none["total"] == 0 and none["hits"] == []


def test_switch_to_provisions_and_documents(client):
    page = soup(client.get("/?q=child+labour&kind=provision"))
    assert page.select_one('.kinds a[aria-current="page"]').get_text() == "Provisions"
    assert any(a["href"].startswith(f"/documents/{EN}#") for a in page.select("a.result-link"))
    docs = soup(client.get("/?q=child+labour&kind=document"))
    assert any(a["href"] == f"/documents/{EN}" for a in docs.select("a.result-link"))


def test_pagination_and_result_counts(client):
    first = client.get("/api/search?q=&size=1").json
    assert first["total"] >= 3 and len(first["hits"]) == 1
    second = client.get("/api/search?q=&size=1&page=2").json
    assert second["hits"][0]["id"] != first["hits"][0]["id"]
    page = soup(client.get("/?size=1"))
    assert (
        page.select_one('.pager a[rel="next"]')["href"].endswith("page=2")
        or "page=2" in page.select_one('.pager a[rel="next"]')["href"]
    )


def test_empty_state_is_helpful(client):
    page = soup(client.get("/?q=zzyzzxqv"))
    assert page.select_one(".empty") and page.select_one(".result-count").get_text(strip=True) == "No results"
    assert "kind=provision" in page.select_one(".empty a")["href"]


def test_dutch_interface(client):
    page = soup(client.get("/?q=kinderarbeid&lang=nl"))
    assert page.html["lang"] == "nl"
    assert page.select_one('.kinds a[aria-current="page"]').get_text() == "Verplichtingen"
    assert page.select_one("#facets-title").get_text() == "Filteren"


def test_bad_queries_and_parameters_are_400_never_500(client):
    bad = {"q": '"unbalanced', "page": "0", "size": "100000", "sort": "sideways", "kind": "everything",
           "date_from": "yesterday"}
    for name, value in bad.items():
        html = client.get("/", query_string={name: value})
        assert html.status_code == 400, name
        assert "<h1" in html.get_data(as_text=True)
        api = client.get("/api/search", query_string={name: value})
        assert api.status_code == 400 and api.json["error"]["message"], name
    message = client.get("/api/search", query_string={"q": '"unbalanced'}).json["error"]["message"]
    assert "quote" in message.lower()


def test_api_search_shape(client):
    data = client.get("/api/search?q=child+labour&sector=C13&modality=obligation&expand=off").json
    assert data["total"] == len(data["hits"]) >= 1
    hit = data["hits"][0]
    assert (
        hit["kind"] == "obligation" and hit["record"]["modality"] == "obligation" and "C13" in hit["record"]["sectors"]
    )
    assert all(set(fv) == {"value", "count"} for values in data["facets"].values() for fv in values)
    assert hit["url"].startswith("/documents/")


def test_citation_lookup_redirects_to_the_provision(client):
    resp = client.get("/?q=CSDDD+art+8")
    assert resp.status_code == 302
    target = urlsplit(resp.headers["Location"])
    assert target.path == f"/documents/{EN}" and target.fragment.startswith("art_8")


def test_csv_and_json_export(client):
    resp = client.get("/api/export?q=child+labour&format=csv")
    assert (
        resp.status_code == 200 and resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert any(r["citation"] == "CSDDD Art. 8(2)" and r["modality"] == "obligation" for r in rows)
    assert all(r["link"].startswith("http://localhost/documents/") for r in rows)
    same = client.get("/api/search?q=child+labour&format=csv")
    assert same.get_data(as_text=True).splitlines()[0] == resp.get_data(as_text=True).splitlines()[0]
    data = client.get("/api/export?q=child+labour&format=json").json
    assert data["count"] == len(rows) and {r["id"] for r in data["rows"]} == {r["id"] for r in rows}


def test_csv_cells_cannot_become_formulas():
    assert csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert csv_cell(["a", "b"]) == "a; b" and csv_cell("plain") == "plain"


def _facet_count(client, url: str, value: str) -> int:
    return next(v["count"] for v in client.get(url).json["facets"]["sector"] if v["value"] == value)


def test_sector_pages(client):
    listing = soup(client.get("/sectors"))
    link = listing.select_one('a[href="/sectors/C13"]')
    assert "Manufacture of textiles" in link.get_text()
    row = link.find_parent("tr")
    obligations, documents = (int(td.get_text()) for td in row.select("td.num"))
    # the table counts what names the sector; records of general scope are counted once, above the table
    # as the search page's sector facet counts them (records in every language of the version in force)
    assert obligations == _facet_count(client, "/api/search?q=-sector:*&size=0", "C13") >= 2
    assert documents == client.get("/api/search?q=-sector:*&sector=C13&kind=document&size=0").json["total"] >= 1
    general = client.get("/api/search?q=sector:*&size=0").json["total"]
    assert general > 0 and f"{general} obligations" in listing.get_text()
    assert (
        "depth-1" in row["class"] and "depth-0" in listing.select_one('a[href="/sectors/C"]').find_parent("tr")["class"]
    )
    page = soup(client.get("/sectors/C13"))
    groups = {g.select_one("h3").contents[0].strip(): g for g in page.select("section.group")}
    assert "CSDDD" in groups
    assert any(a["href"].startswith(f"/documents/{EN}") for a in groups["CSDDD"].select("a"))
    # instruments that name no sector are listed as concerning this sector too, linked to the filtered search
    general_links = page.select("#general-title ~ ul a")
    assert general_links and all("sector=C13" in a["href"] and "instrument=" in a["href"] for a in general_links)
    assert client.get("/sectors/not-a-code").status_code == 404


def test_sector_page_in_dutch(client):
    page = soup(client.get("/sectors/C13?lang=nl"))
    assert "Vervaardiging van textiel" in page.h1.get_text()


def test_admin_reindex_with_token(app):
    client = app.test_client()
    before = client.get("/api/search?q=child+labour").json["total"]
    app.config["ADMIN_TOKEN"] = "s3cret"
    try:
        resp = client.post("/api/admin/reindex", headers={"Authorization": "Bearer s3cret"})
    finally:
        app.config["ADMIN_TOKEN"] = None
    assert resp.status_code == 200 and resp.json["status"] == "ok"
    assert resp.json["indexed"]["documents"] == 3 and resp.json["indexed"]["obligations"] == 5
    assert isinstance(resp.json["indexed"]["translations"], int)  # learned again, as `regkb index` does
    assert client.get("/api/search?q=child+labour").json["total"] == before


def test_date_filters_and_their_chips(client):
    page = soup(client.get("/?q=&date_from=2024-01-01&date_to=2030-12-31"))
    assert page.select_one("#date_from")["value"] == "2024-01-01"
    chips = {c.get_text(" ", strip=True): c["href"] for c in page.select("a.chip")}
    from_chip = next(href for label, href in chips.items() if label.startswith("From: 1 January 2024"))
    assert "date_from" not in from_chip and "date_to=2030-12-31" in from_chip
    api = client.get("/api/search?date_from=2024-01-01&date_to=2030-12-31&versions=all").json
    assert api["query"]["date_from"] == "2024-01-01"
    assert {h["record"]["document_id"] for h in api["hits"]} == {
        "celex-32024L1760-en",
        "celex-32024L1760-fr",
    }  # adopted 2024
    # by default one hit per provision: the French text of the same obligation collapses into the English one
    default = client.get("/api/search?date_from=2024-01-01&date_to=2030-12-31").json
    assert {h["record"]["document_id"] for h in default["hits"]} == {"celex-32024L1760-en"}
    assert client.get("/api/search?date_from=2024-06-14").json["total"] == 0


def test_sector_filter_includes_rules_of_general_scope(client):
    """The ILO convention names no sector, so it concerns textiles too: a textile filter finds it."""
    page = soup(client.get("/?q=kinderarbeid&sector=C13&expand=off"))  # the Dutch word only
    links = [a["href"] for a in page.select("li.card a.result-link")]
    assert links and all(h.startswith("/documents/bwb-BWBV0001522-nl") for h in links)
    # with its translations, the CSDDD's child-labour obligations (English) are found too
    expanded = [a["href"] for a in soup(client.get("/?q=kinderarbeid&sector=C13")).select("li.card a.result-link")]
    assert any(h.startswith("/documents/celex-32024L1760-en") for h in expanded)
    facet = {i["value"]: i for i in page.select("#facet-sector input")}
    assert "C13" in facet and "*" in facet  # every sector can be chosen; general rules are counted under each
    assert "All sectors" in page.select_one("#facet-sector").get_text()

def test_api_error_cases_are_json_with_advice(client):
    cases = [("get", "/api/search?format=xml", 400, "format"), ("get", "/api/export?format=xml", 400, "format"),
             ("get", "/api/export?kind=laws", 400, "kind"), ("get", "/api/search?size=-1", 400, "size"),
             ("get", "/api/search?sector=" + "x" * 300, 400, "sector"), ("post", "/api/search", 405, ""),
             ("get", "/api/obligations/", 404, ""), ("get", "/api/provisions/celex-32024L1760-en", 404, "")]
    for method, url, status, word in cases:
        resp = getattr(client, method)(url)
        assert resp.status_code == status and resp.is_json, (url, resp.status_code)
        assert word in resp.json["error"]["message"], (url, resp.json)
    huge = client.post("/api/analyze", data=b"x" * (3 * 1024 * 1024), content_type="application/json")
    assert huge.status_code == 413 and huge.is_json


def test_a_question_about_a_meaning_opens_the_provisions(client):
    """A definition is a provision, not an obligation: the page opens on the provisions tab for such a question,
    and a tab the reader chose stays chosen."""
    resp = client.get("/", query_string={"q": "what does remediation mean"})
    assert resp.status_code == 302 and "kind=provision" in resp.headers["Location"]
    assert "q=what+does+remediation+mean" in resp.headers["Location"]
    assert client.get("/", query_string={"q": "what does remediation mean", "kind": "obligation"}).status_code == 200
    assert client.get("/", query_string={"q": "remediation"}).status_code == 200
