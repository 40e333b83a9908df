"""The reader of a version without a unit an earlier version had: the place where it was says that it was
deleted, by which act and from when, and links to its last text (as EUR-Lex's consolidations mark it)."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from search_app import create_app

CURRENT, EARLIER = "celex-02024L1760-20260318-en", "celex-02024L1760-20250417-en"


@pytest.fixture(scope="module")
def client():
    from analysis.mirror_corpus import crawled_mirror
    app = create_app({"DATA_DIR": str(crawled_mirror()), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"})
    return app.test_client()


def _page(client, url: str) -> BeautifulSoup:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return BeautifulSoup(resp.get_data(as_text=True), "lxml")


def test_a_deleted_article_is_marked_where_it_was(client):
    page = _page(client, f"/documents/{CURRENT}?lang=en")
    gone = page.select_one('section[id="art_22"]')
    assert gone is not None and "prov-gone" in gone["class"]
    assert "Combating climate change" in gone.select_one("h2").get_text()
    note = gone.select_one(".deleted-tag").get_text(" ", strip=True)
    assert note.startswith("Deleted by Directive (EU) 2026/470 with effect from 18 March 2026")
    assert gone.select_one(".deleted-tag a")["href"] == f"/documents/{EARLIER}#art_22"
    assert gone.select_one("p.text") is None  # no text: the current version has none
    units = [s["id"] for s in page.select("section.prov-article")]
    assert units.index("art_21") < units.index("art_22") == units.index("art_23") - 1
    toc = page.select_one('.toc a[href="#art_22"]')
    assert "(deleted)" in toc.get_text() and "toc-gone" in toc.parent["class"]


def test_the_deleted_article_is_marked_in_dutch_too(client):
    page = _page(client, f"/documents/{CURRENT}?lang=nl")
    note = page.select_one('section[id="art_22"] .deleted-tag').get_text(" ", strip=True)
    assert note.startswith("Geschrapt door Richtlijn (EU) 2026/470 met ingang van 18 maart 2026")


def test_the_version_that_still_has_the_text_shows_it(client):
    page = _page(client, f"/documents/{EARLIER}?lang=en")
    section = page.select_one('section[id="art_22"]')
    assert "prov-gone" not in section["class"] and page.select('section[id^="art_22."] p.text')


def test_a_deleted_point_is_marked_between_its_neighbours(client):
    page = _page(client, f"/documents/{CURRENT}?lang=en")
    ids = [s["id"] for s in page.select("section.prov")]
    at = ids.index("art_29.par_3.pt_d")
    assert ids[at - 1].startswith("art_29.par_3.pt_c") and ids[at + 1] == "art_29.par_3.pt_e"
    point = page.select_one('section[id="art_29.par_3.pt_d"]')
    assert point.select_one(".num").get_text() == "d" and point.select_one("h2") is None
    assert point.select_one(".deleted-tag").get_text(" ", strip=True).startswith("Deleted by Directive (EU) 2026/470")
    assert not page.select('.toc a[href="#art_29.par_3.pt_d"]')  # the contents list articles, not points


def test_the_last_text_of_a_deleted_paragraph_says_it_was_deleted(client):
    page = _page(client, f"/documents/{EARLIER}?lang=en")
    par = page.select_one('section[id="art_29.par_1"]')
    assert "prov-deleted" in par["class"]
    assert par.select_one(".deleted-banner").get_text(" ", strip=True).startswith(
        "Deleted by Directive (EU) 2026/470 with effect from 18 March 2026")
    assert "prov-deleted" in page.select_one('section[id="art_29.par_1.pt_a"]')["class"]
    assert "prov-deleted" not in page.select_one('section[id="art_29.par_2"]')["class"]
