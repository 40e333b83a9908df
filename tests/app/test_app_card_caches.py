"""What a search keeps between requests to build its cards cheaply, and that it never shows a stale or foreign answer:
reader links are url_for's, wordings follow each request's language, "Also in" follows a reloaded corpus."""
from __future__ import annotations

import re
from datetime import date

import pytest
from analysis.mirror_corpus import extracted_subset
from bs4 import BeautifulSoup
from flask import url_for

from regkb.cli import main
from search_app import create_app
from search_app.present import reader_link

IDS = ["celex-32024L1760-en", "odd id/with ü & #hash?", "a+b=c;d@e"]
HIGHLIGHTS = [None, "celex-32024L1760-en/ob/art_8.par_2/3", "x y&z=1#2?ü"]
ANCHORS = [None, "", "art_8.par_2", "anx_I.pt_1 §2/ü#?"]


@pytest.mark.parametrize("script_root", ["", "/kb"])
def test_reader_links_are_url_for(reader_app, script_root):
    """The same string url_for builds, for every id, highlight and anchor, under each script root of one app."""
    for root in (script_root, "", "/other"):
        with reader_app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for doc_id in IDS:
                for highlight in HIGHLIGHTS:
                    for anchor in ANCHORS:
                        assert reader_link(doc_id, highlight, anchor) == url_for(
                            "documents.read", doc_id=doc_id, highlight=highlight, _anchor=anchor)
            assert reader_link(IDS[0]).startswith(f"{root}/documents/")


def test_version_wording_follows_each_requests_language(client):
    """Version wordings are kept per process: the next request in another language still gets its own words."""
    def versions(lang):
        hits = client.get(f"/api/search?q=child+labour&kind=provision&lang={lang}").json["hits"]
        return {(h["version"]["label"], h["version"]["detail"]) for h in hits if h["version"]}

    english, dutch = versions("en"), versions("nl")
    assert ("As adopted (OJ of 5 July 2024)", "current") in english
    assert ("Zoals vastgesteld (PB van 5 juli 2024)", "geldend") in dutch
    assert versions("en") == english and versions("nl") == dutch


def test_json_answers_are_flasks_json(reader_app):
    """orjson writes what Flask's own JSON would say: dates as HTTP dates, HTML as its text, sets as lists, and
    integers orjson cannot hold through Flask's encoder."""
    from markupsafe import Markup

    with reader_app.test_request_context("/"):
        body = {"d": date(2024, 7, 5), "m": Markup("<mark>x</mark>"), "s": {"a"}, "é": "ü\u2028", 1: None,
                "big": 2**70, "n": [1.5, True]}
        assert reader_app.json.response(body).get_json() == {
            "d": "Fri, 05 Jul 2024 00:00:00 GMT", "m": "<mark>x</mark>", "s": ["a"], "é": "ü\u2028", "1": None,
            "big": 2**70, "n": [1.5, True]}
        answer = reader_app.json.response({"a": 1})
        assert answer.mimetype == "application/json" and answer.get_data() == b'{"a":1}\n'


CSDDD_VERSIONS = ("celex-32024L1760-en", "celex-02024L1760-20250417-en", "celex-02024L1760-20260318-en")


@pytest.fixture(scope="module")
def versions_dir(tmp_path_factory):
    root = extracted_subset(tmp_path_factory.mktemp("versions-corpus"), CSDDD_VERSIONS)
    assert main(["index", "--data-dir", str(root)]) == 0
    return root


def _also_in(client, doc_id: str) -> list[str]:
    """The documents an "Also in" line of the first card of `doc_id` links to."""
    page = client.get("/?q=%22identify+and+assess+actual+and+potential+adverse+impacts%22&kind=provision"
                      "&versions=all&size=50")
    assert page.status_code == 200
    soup = BeautifulSoup(page.data, "html.parser")
    for card in soup.select("article"):
        link = card.find("a", class_="result-link", href=re.compile(rf"^/documents/{re.escape(doc_id)}#"))
        also = card.select_one(".also-in")
        if link and also:
            return [a["href"].split("#")[0].rsplit("/", 1)[1] for a in also.find_all("a")]
    raise AssertionError(f"no card of {doc_id} with other versions")


def test_also_in_follows_a_reloaded_corpus(versions_dir):
    """The other versions are found once per corpus snapshot: a version whose file is removed under the running
    app disappears from the cards of the next request."""
    client = create_app({"DATA_DIR": str(versions_dir), "TESTING": True}).test_client()
    assert set(_also_in(client, CSDDD_VERSIONS[0])) == set(CSDDD_VERSIONS[1:])
    assert set(_also_in(client, CSDDD_VERSIONS[2])) >= {CSDDD_VERSIONS[0]}
    (versions_dir / "documents" / f"{CSDDD_VERSIONS[1]}.json").rename(versions_dir / f"{CSDDD_VERSIONS[1]}.json")
    try:
        assert _also_in(client, CSDDD_VERSIONS[0]) == [CSDDD_VERSIONS[2]]
    finally:
        (versions_dir / f"{CSDDD_VERSIONS[1]}.json").rename(versions_dir / "documents" / f"{CSDDD_VERSIONS[1]}.json")


def test_templates_translate_each_request_in_its_language(client):
    """The catalogue is looked up once per request, never kept for the next: NL, EN, NL on one app."""
    def heading(lang):
        page = BeautifulSoup(client.get(f"/?q=child+labour&lang={lang}").data, "html.parser")
        return page.select_one("#facets-title").get_text(), page.select_one("a.result-link") is not None

    assert [heading(lang) for lang in ("nl", "en", "nl")] == [("Filteren", True), ("Filter", True), ("Filteren", True)]


def test_the_acts_amending_a_version_since_are_named_in_the_readers_language(reader_app):
    """'amended since by Regulation (EU) 2025/2650' on an English page, 'Verordening (EU) 2025/2650' on a Dutch one."""
    from search_app.present import version_note

    record = {"version_date": "2025-12-26", "consolidated": True, "amended_since": ["Regulation (EU) 2025/2650"]}
    with reader_app.test_request_context("/?lang=en"):
        assert "Regulation (EU) 2025/2650" in version_note(record, lang="en").amended_since
    with reader_app.test_request_context("/?lang=nl"):
        dutch = version_note(record, lang="nl").amended_since
        assert "Verordening (EU) 2025/2650" in dutch and "Regulation" not in dutch
