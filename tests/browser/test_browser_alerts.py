"""Alerts in headless Chromium: "Follow this provision" in the reader, "Follow this search" on the results, in both
interface languages, and the feeds they lead to (console errors, e.g. a CSP violation, fail the tests)."""
from __future__ import annotations

import pytest
from analysis.mirror_corpus import crawled_mirror

from .conftest import LiveServer, shot

pytestmark = pytest.mark.browser
BEFORE = "celex-02024L1760-20250417-en"  # the CSDDD version that still has Article 22


@pytest.fixture(scope="module")
def mirror_server():
    server = LiveServer(crawled_mirror())
    yield server
    server.stop()


@pytest.mark.parametrize("lang, follow", [("en", "Follow this provision"), ("nl", "Volg deze bepaling")])
def test_follow_this_provision_leads_to_article_22s_deletion(page, mirror_server, lang, follow):
    page.goto(f"{mirror_server.url}/documents/{BEFORE}?lang={lang}#art_22")
    link = page.locator("#art_22 a.follow-provision")
    assert link.is_visible() and link.inner_text().strip() == follow
    box, heading = link.bounding_box(), page.locator("#art_22 h2.prov-head").bounding_box()
    assert box["y"] >= heading["y"]  # under the article's heading, not somewhere else on the page
    shot(page, f"alerts-follow-provision-{lang}")
    feed = page.request.get(mirror_server.url + link.get_attribute("href"))
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    deleted = ("Article 22 deleted by Directive (EU) 2026/470" if lang == "en"
               else "Article 22 geschrapt door Directive (EU) 2026/470")
    assert deleted in feed.text()
    act_feed = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert act_feed.count() == 1 and page.request.get(mirror_server.url + act_feed.get_attribute("href")).ok
    assert page.console_errors == []


@pytest.mark.parametrize("lang, follow", [("en", "Follow this search"), ("nl", "Volg deze zoekopdracht")])
def test_follow_this_search_is_the_results_feed(page, fixture_server, lang, follow):
    page.goto(f"{fixture_server.url}/?q=due+diligence&kind=provision&lang={lang}")
    link = page.locator("a.follow-search")
    assert link.is_visible() and link.inner_text().strip() == follow
    href = link.get_attribute("href")
    assert href.startswith("/feed.atom?q=due+diligence&kind=provision")
    assert page.locator('head link[rel="alternate"][type="application/atom+xml"]').get_attribute("href") == href
    feed = page.request.get(fixture_server.url + href + "&since=2000-01-01")
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert ("changes to the search “due diligence”" if lang == "en"
            else "wijzigingen in de zoekopdracht “due diligence”") in feed.text()
    shot(page, f"alerts-follow-search-{lang}")
    assert page.console_errors == []
