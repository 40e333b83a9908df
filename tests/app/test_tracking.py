"""Tracking pages and JSON on the crawled mirror: timeline chart, what's new, Atom feed, comparison."""
from __future__ import annotations

from pathlib import Path

import pytest
from analysis.mirror_corpus import crawled_mirror
from bs4 import BeautifulSoup
from lxml import etree

from search_app import create_app

ATOM_RNG = etree.RelaxNG(etree.parse(str(Path(__file__).resolve().parents[1] / "analysis" / "atom.rng")))
OLD, NEW = "celex-32024L1760-en", "celex-02024L1760-20260318-en"


@pytest.fixture(scope="module")
def tracking_client():
    app = create_app({"DATA_DIR": str(crawled_mirror()), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"})
    return app.test_client()


def page(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return BeautifulSoup(resp.get_data(as_text=True), "html.parser")


def test_timeline_page_has_an_svg_chart_and_tables(tracking_client):
    html = page(tracking_client.get("/timeline"))
    svg = html.select_one("figure#chart svg.timeline-chart")
    assert svg is not None
    rows = svg.select("g.timeline-row")
    assert {r["data-instrument"] for r in rows} >= {"csddd", "csrd", "eudr", "batteries", "wzk"}
    assert len(svg.select("circle")) == len(html.select("table.data tbody tr"))
    assert not html.select("[style]") and not html.select("script:not([src])")  # CSP: no inline style/script


def test_instrument_timeline_page(tracking_client):
    html = page(tracking_client.get("/timeline/csddd"))
    dates = [t["datetime"] for t in html.select("#tl-csddd time")]
    assert dates == sorted(dates) and "2029-07-26" in dates and "2024-07-25" in dates
    assert html.select_one('#tl-csddd a[href="/documents/celex-02024L1760-20260318-en"]') is not None
    assert tracking_client.get("/timeline/unknown-act").status_code == 404


def test_timeline_json(tracking_client):
    [eudr] = tracking_client.get("/api/timeline?act=eudr").json
    assert any(e["date"] == "2027-06-30" and e["kind"] == "application" for e in eudr["events"])
    assert tracking_client.get("/api/timeline?act=nope").status_code == 404


def test_whatsnew_page_and_feed(tracking_client):
    html = page(tracking_client.get("/whatsnew?since=2026-01-01&until=2026-11-25"))
    items = html.select("ol.news > li")
    assert items and all("2026-01-01" <= li.time["datetime"] <= "2026-11-25" for li in items)
    compare_link = html.select_one(f'a.compare-link[href*="new={NEW}"]')
    assert compare_link is not None
    assert html.select_one('a.feed-link')["href"] == "/feed.atom?since=2026-01-01"
    alternate = html.select_one('head link[rel="alternate"][type="application/atom+xml"]')
    assert alternate["href"] == "/feed.atom?since=2026-01-01"
    feed = tracking_client.get("/feed.atom?since=2026-01-01&until=2026-11-25")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    doc = etree.fromstring(feed.data)
    assert ATOM_RNG.validate(doc), ATOM_RNG.error_log
    assert len(doc.findall("{http://www.w3.org/2005/Atom}entry")) == len(items)


def test_whatsnew_bad_date_is_a_clear_400(tracking_client):
    resp = tracking_client.get("/feed.atom?since=yesterday")
    assert resp.status_code == 400 and "YYYY-MM-DD" in resp.get_data(as_text=True)
    api = tracking_client.get("/api/whatsnew?since=2026-13-01")
    assert api.status_code == 400 and "YYYY-MM-DD" in api.json["error"]["message"]


def test_compare_page(tracking_client):
    html = page(tracking_client.get(f"/compare?old={OLD}&new={NEW}"))
    art2 = html.select_one("#change-art_2")
    assert art2["data-status"] == "changed"
    figures = art2.select_one("ul.figures").get_text(" ")
    assert "EUR 450 000 000" in figures.replace("\u00a0", " ") and "EUR 1 500 000 000" in figures.replace("\u00a0", " ")
    assert art2.select_one(".diff del") is not None and art2.select_one(".diff ins") is not None
    assert html.select_one("#change-art_22")["data-status"] == "removed"
    assert int(html.select_one('[data-count="provisions_changed"]').get_text()) > 10
    selected = [o["value"] for o in html.select("select option[selected]")]
    assert selected == [OLD, NEW]


def test_compare_unknown_document(tracking_client):
    resp = tracking_client.get(f"/compare?old={OLD}&new=celex-nope")
    assert resp.status_code == 404 and "celex-nope" in resp.get_data(as_text=True)
    assert tracking_client.get(f"/api/compare?old={OLD}&new=x").json["error"]["status"] == 404


def test_compare_escapes_document_text(tracking_client):
    """Text from documents goes through the diff escaped: no markup from the sources reaches the page."""
    html = page(tracking_client.get(f"/compare?old={OLD}&new={NEW}"))
    for diff in html.select(".diff"):
        assert {t.name for t in diff.find_all(True)} <= {"ins", "del"}


def test_dutch_labels(tracking_client):
    html = page(tracking_client.get("/whatsnew?since=2026-01-01&lang=nl"))
    assert html.h1.get_text() == "Wat is er nieuw"
    timeline = page(tracking_client.get("/timeline/csddd?lang=nl"))
    cells = [td.get_text(" ", strip=True) for td in timeline.select("#tl-csddd td")]
    assert "Inwerkingtreding" in cells
    # curated milestones of config/scope_rules.yaml in the interface language, not as curated in English
    assert any("Voorstel van de Commissie COM(2022) 71" in c for c in cells), cells
    assert not any("Commission proposal" in c for c in cells)
    in_english = page(tracking_client.get("/timeline/csddd?lang=en"))
    english = [td.get_text(" ", strip=True) for td in in_english.select("#tl-csddd td")]
    assert any("Commission proposal COM(2022) 71" in c for c in english)


def test_pages_work_without_a_corpus(tmp_path):
    """Before any crawl: timelines and what's new come from the curated milestones, links go to the official texts."""
    client = create_app({"DATA_DIR": str(tmp_path), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"}).test_client()
    html = page(client.get("/timeline"))
    assert html.select("svg.timeline-chart circle") and not html.select('a[href^="/documents/"]')
    assert page(client.get("/whatsnew?since=2026-01-01&until=2026-11-25")).select("ol.news > li")
    assert page(client.get("/compare")).select_one("select[name=old]") is not None
    answer = client.post("/api/applicability", json={"established_in_eu": True, "employees": 6000,
                                                     "turnover_worldwide_eur": 2e9}).json
    csddd = next(i for i in answer["applicable"] if i["short_title"] == "CSDDD")
    assert csddd["link"]["in_corpus"] is False
    assert csddd["link"]["official_url"].startswith("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:02024L1760-20260318")
