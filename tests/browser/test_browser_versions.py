"""Versions as a lawyer meets them, in a real browser on the real corpus: the deleted CSDDD Article 22 marked
deleted (by which act, from when), the superseded text's banner pointing to the text in force, the as-of
date and the all-versions switch, by keyboard, in English and Dutch, on a phone."""
from __future__ import annotations

import re

import pytest

from .conftest import shot
from .test_browser_done_when import real_server  # noqa: F401  (the session fixture: the real corpus, served)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_deleted_article_is_marked_deleted_and_its_page_points_to_the_text_in_force(page, real_server):  # noqa: F811
    page.goto(real_server.url + "/?q=climate+transition+plan&kind=provision")
    deleted = page.locator("li.card:has(.version-deleted)")
    assert deleted.count() >= 1, "the deleted Article 22 is not among the results, or not marked deleted"
    line = deleted.first.locator(".version-deleted").inner_text()
    assert "Directive (EU) 2026/470" in line and "18 March 2026" in line
    assert "Art. 22" in deleted.first.locator("h3").inner_text()
    assert page.locator(".notice.as-of").inner_text().startswith("The law in force today")
    shot(page, "versions-1-deleted-article-22")

    deleted.first.locator("a.result-link").click()
    page.wait_for_url(re.compile(r"/documents/celex-02024L1760-20250417-en.*#art_22"))
    banner = page.locator(".version-banner")
    assert "superseded on 18 March 2026" in banner.inner_text()
    assert page.locator('section[id="art_22"] .deleted-banner').inner_text().startswith("Deleted by")
    assert "Directive (EU) 2026/470" in page.locator('section[id="art_22"] .deleted-banner').inner_text()
    shot(page, "versions-2-reader-deleted-banner")
    page.locator(".version-banner a.current-link").click()
    page.wait_for_url(re.compile(r"/documents/celex-02024L1760-20260318-en"))
    assert "current" in page.locator(".version-banner").inner_text()
    gone = page.locator('section[id="art_22"].prov-gone')  # where the text was: deleted, by whom, from when
    assert "Deleted by Directive (EU) 2026/470 with effect from 18 March 2026" in gone.inner_text()
    assert gone.locator("p.text").count() == 0
    gone.locator(".deleted-tag a").click()
    page.wait_for_url(re.compile(r"/documents/celex-02024L1760-20250417-en.*#art_22"))
    assert page.console_errors == []


def test_as_of_date_and_all_versions_switch_by_keyboard(page, real_server):  # noqa: F811
    page.goto(real_server.url + "/?q=climate+transition+plan&kind=provision")
    page.focus("#as_of")
    page.keyboard.type("01012025")  # Chromium's date field takes the digits in the locale's order (en-GB: dd/mm/yyyy)
    page.focus("#facet-versions button.apply-versions")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"as_of=2025-01-01"))
    assert "1 January 2025" in page.locator(".notice.as-of").inner_text()
    art22 = page.locator("li.card", has=page.locator("h3", has_text=re.compile(r"Art\. 22")))
    assert art22.count() >= 1
    assert "in force on 1 January 2025" in art22.first.locator(".version").inner_text()
    assert page.locator("li.card .version-deleted").count() == 0
    shot(page, "versions-3-as-of-2025")

    page.check("#versions-all")
    page.click("#facet-versions button.apply-versions")
    page.wait_for_url(re.compile(r"versions=all"))
    assert "All versions" in page.locator(".notice.as-of").inner_text()
    labels = page.locator("li.card .version").all_inner_texts()
    assert any("Consolidated text of 17 April 2025" in t for t in labels) and any("As adopted" in t for t in labels)
    shot(page, "versions-4-all-versions")
    assert page.console_errors == []


def test_versions_in_dutch_on_a_phone(browser, real_server):  # noqa: F811
    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(real_server.url + "/?q=klimaattransitieplan&kind=provision&lang=nl")
        assert "Het recht dat vandaag geldt" in page.locator(".notice.as-of").inner_text()
        deleted = page.locator("li.card .version-deleted")
        assert deleted.count() >= 1, "a Dutch query does not reach the deleted CSDDD Article 22"
        assert "geschrapt door" in deleted.first.inner_text()
        page.screenshot(path="test-artifacts/versions-5-phone-nl.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate("""[...document.querySelectorAll('body *')]
                                 .filter(e => e.getBoundingClientRect().right > 391).slice(0, 5)
                                 .map(e => e.tagName + '.' + e.className + ' '
                                           + Math.round(e.getBoundingClientRect().right))""")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px): {wide}"
    finally:
        context.close()
