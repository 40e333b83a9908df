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
    page = _page(client, f"/documents/{CURRENT}")
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
    page = _page(client, f"/documents/{EARLIER}")
    section = page.select_one('section[id="art_22"]')
    assert "prov-gone" not in section["class"] and page.select('section[id^="art_22."] p.text')
