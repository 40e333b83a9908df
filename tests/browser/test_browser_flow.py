"""The main journey in headless Chromium: search, filter by sector, open a result, land on the obligation, switch
languages."""
from __future__ import annotations

import re
import time

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser

EN = "celex-32024L1760-en"


def wait_until(page, expression: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return True
        page.wait_for_timeout(50)
    return False


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """el => { const r = el.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }""")


def test_search_filter_open_and_switch_language(page, fixture_server):
    page.goto(fixture_server.url + "/")
    page.fill("#q", "child labour")
    page.press("#q", "Enter")
    page.wait_for_selector("li.card")
    shot(page, "flow-1-search")

    # a sector facet checkbox applies at once (JS submits the form) and shows as a removable chip
    page.check('#facet-sector input[value="C13"]')
    page.wait_for_url(re.compile(r"sector=C13"))
    assert "Manufacture of textiles" in page.inner_text("a.chip")
    assert page.is_checked('#facet-sector input[value="C13"]')
    assert wait_until(page, "document.activeElement.value === 'C13'")  # focus kept for keyboard users
    shot(page, "flow-2-sector-facet")

    # open the CSDDD Art. 8(2) result: the reader scrolls to the provision and focuses the obligation
    page.click("li.card a.result-link:has-text('Art. 8(2)')")
    page.wait_for_url(re.compile(rf"/documents/{EN}\?highlight=.*#art_8\.par_2$"))
    # (polled from Python: Playwright's wait_for_function needs eval, which the CSP forbids, as it should)
    assert wait_until(page, "document.activeElement.classList.contains('target')")
    assert in_viewport(page, "mark.target")
    assert page.inner_text("mark.target").startswith("As part of the obligation")
    shot(page, "flow-3-reader-highlight")

    # the other language version opens at the same provision
    page.click(".versions a[hreflang=fr]")
    page.wait_for_url(re.compile(r"/documents/celex-32024L1760-fr#art_8\.par_2$"))
    assert in_viewport(page, 'section[id="art_8.par_2"]')
    assert "travail des enfants" in page.inner_text('section[id="art_8.par_2"]')
    shot(page, "flow-4-french-version")

    # the interface switches to Dutch and stays at the provision
    page.click("a[data-lang-switch=nl]")
    page.wait_for_url(re.compile(r"lang=nl.*#art_8\.par_2$"))
    assert page.get_attribute("html", "lang") == "nl"
    assert page.inner_text("#toc-title") == "Inhoud"
    assert in_viewport(page, 'section[id="art_8.par_2"]')
    shot(page, "flow-5-dutch-interface")
    assert page.console_errors == []


def test_dutch_documents_on_the_same_topic(page, fixture_server):
    page.goto(fixture_server.url + "/?kind=obligation&lang=nl")  # every obligation (the bare / is the landing page)
    page.check('#facet-topic input[value="child_labour"]')
    page.wait_for_url(re.compile(r"topic=child_labour"))
    page.check('#facet-language input[value="nl"]')
    page.wait_for_url(re.compile(r"language=nl"))
    titles = page.locator("li.card h3").all_inner_texts()
    assert titles and all("ILO" in t for t in titles)
    assert "kinderarbeid" in page.inner_text("li.card .snippet").lower()
    shot(page, "flow-6-dutch-topic")
    assert page.console_errors == []


def test_keyboard_skip_link_and_focus_style(page, fixture_server):
    page.goto(fixture_server.url + "/documents")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_usable_on_a_phone(browser, fixture_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        for path in ("/?q=child+labour", f"/documents/{EN}", "/sectors/C13"):
            page.goto(fixture_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, (path, overflow)
        shot(page, "phone-sector")
        page.goto(fixture_server.url + "/?q=child+labour")
        page.wait_for_load_state("load")
        assert page.evaluate("document.querySelector('details.filters').open") is False  # results first
        assert in_viewport(page, "li.card")
        shot(page, "phone-search")
    finally:
        context.close()


def test_language_switch_follows_the_reader_scrolling(browser, fixture_server):
    """Reading on by scrolling, then switching language, opens the other version where the reader is now."""
    context = browser.new_context(viewport={"width": 1280, "height": 420})
    page = context.new_page()
    try:
        page.goto(fixture_server.url + f"/documents/{EN}")
        page.wait_for_load_state("load")
        page.mouse.move(600, 300)
        top = page.eval_on_selector('section[id="art_8.par_2"]', "el => el.getBoundingClientRect().top")
        page.mouse.wheel(0, top - 130)
        at = "document.getElementById('art_8.par_2').getBoundingClientRect().top"
        assert wait_until(page, f"Math.abs({at} - 130) < 40")
        page.wait_for_timeout(100)  # the position is recorded on the next animation frame
        page.click(".versions a[hreflang=fr]")  # sticky: in view without scrolling back up
        page.wait_for_url(re.compile(r"/documents/celex-32024L1760-fr#art_8\.par_2$"))
        assert in_viewport(page, 'section[id="art_8.par_2"]')
        shot(page, "flow-7-scrolled-then-french")
    finally:
        context.close()
