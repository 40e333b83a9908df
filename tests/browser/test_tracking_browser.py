"""Timeline, what's new/feed, comparison and applicability pages in headless Chromium, on the crawled mirror.

Console errors are collected by the `page` fixture: a CSP violation (inline
style or script) shows up there, so every test asserts there are none.
"""
from __future__ import annotations

import pytest
from analysis.mirror_corpus import crawled_mirror

from .conftest import LiveServer, shot

pytestmark = pytest.mark.browser
OLD, NEW = "celex-32024L1760-en", "celex-02024L1760-20260318-en"


@pytest.fixture(scope="module")
def mirror_server():
    server = LiveServer(crawled_mirror())
    yield server
    server.stop()


def test_timeline_chart_renders_and_explains_markers(page, mirror_server):
    page.goto(f"{mirror_server.url}/timeline")
    chart = page.locator("svg.timeline-chart:not(.narrow)")
    chart.wait_for()
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 150  # drawn, not collapsed
    markers = page.locator("svg.timeline-chart:not(.narrow) circle")  # the phone's chart is the other one
    assert markers.count() == page.locator("table.data tbody tr").count() > 40
    # a marker is reachable by keyboard and names its event
    first = markers.first
    first.focus()
    assert "Proposal" in first.get_attribute("aria-label") or ":" in first.get_attribute("aria-label")
    shot(page, "tracking-timeline-all")
    page.click("ul.instruments >> text=CSDDD")
    page.wait_for_url("**/timeline/csddd")
    assert page.locator("svg.timeline-chart:not(.narrow) g.timeline-row").count() == 1
    assert page.locator("#tl-csddd time[datetime='2029-07-26']").count() == 1
    shot(page, "tracking-timeline-csddd")
    assert page.console_errors == []


def test_whatsnew_feed_link_and_compare_link(page, mirror_server):
    page.goto(f"{mirror_server.url}/whatsnew")
    page.fill("input[name=since]", "2026-01-01")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_url("**/whatsnew?since=2026-01-01")
    assert page.locator("ol.news > li").count() > 3
    shot(page, "tracking-whatsnew")
    feed = page.request.get(mirror_server.url + page.locator("a.feed-link").get_attribute("href"))
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<feed xmlns=\"http://www.w3.org/2005/Atom\"" in feed.body()
    page.locator(f"a.compare-link[href*='new={NEW}']").click()
    page.wait_for_selector("#change-art_2")
    assert page.locator("select[name=new]").input_value() == NEW
    assert page.console_errors == []


def test_comparison_page_shows_changed_thresholds_and_diff(page, mirror_server):
    page.goto(f"{mirror_server.url}/compare")
    page.select_option("select[name=old]", OLD)
    page.select_option("select[name=new]", NEW)
    page.click("form.inline-form button[type=submit]")
    art2 = page.locator("#change-art_2")
    art2.wait_for()
    point = art2.locator("li.part[data-provision='art_2.par_1.pt_a']")  # the changed point, with its figures
    figures = point.locator("ul.figures").inner_text().replace("\u00a0", " ")
    assert "EUR 1 500 000 000" in figures and "5 000" in figures
    diff = point.locator(".diff")
    assert diff.is_visible() and diff.locator("ins").count() > 0 and diff.locator("del").count() > 0
    unchanged = art2.locator("details.unchanged-parts li").first
    assert not unchanged.is_visible()  # the unchanged paragraphs and points folded until asked for
    art2.locator("details.unchanged-parts summary").click()
    assert unchanged.is_visible()
    art2.scroll_into_view_if_needed()
    shot(page, "tracking-compare-csddd")
    assert page.locator("#change-art_22[data-status=removed]").count() == 1
    assert page.console_errors == []


def test_applicability_form_in_the_browser(page, mirror_server):
    page.goto(f"{mirror_server.url}/applicability")
    page.fill("input[name=name]", "Textile company")
    page.fill("input[name=employees]", "1200")
    page.fill("input[name=turnover_worldwide_eur]", "500000000")
    page.select_option("select[name=established_in_eu]", "yes")
    page.select_option("select[name=places_products_on_eu_market]", "yes")
    page.check("input[name=sells_to_dutch_end_users]")
    page.click("form.profile-form button[type=submit]")
    page.wait_for_selector("#answer")
    csrd = page.locator("article[data-instrument=csrd]")
    assert csrd.get_attribute("data-status") == "applicable"
    assert "1 January 2027" in csrd.locator(".applies-from").inner_text()
    csddd = page.locator("article[data-instrument=csddd]")
    assert csddd.get_attribute("data-status") == "not_applicable"
    assert csddd.locator("tr[data-version=adopted_2024] .status-applicable").count() >= 1  # the text as adopted applied
    page.locator("#answer").scroll_into_view_if_needed()
    shot(page, "applicability-textile")
    assert page.console_errors == []
