"""The compliance officer's task in headless Chromium, in Dutch and English, on a desktop and on a 390 × 844 phone:
'does it apply to us?' for a cocoa importer with 1.200 / 1,200 employees and 500 m turnover, on the real texts of
the offline mirror (crawled by the real `regkb crawl`)."""
from __future__ import annotations

import re

import pytest
from analysis.english_texts import english_in
from analysis.mirror_corpus import crawled_mirror

from .conftest import LiveServer, shot

pytestmark = pytest.mark.browser

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # eudr_role, places_products_on_eu_market, turnover_worldwide_eur ...
DEVICES = {"desktop": {"viewport": {"width": 1280, "height": 900}},
           "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}
EMPLOYEES = {"nl": "1.200", "en": "1,200"}
OPERATOR = {"nl": "Van toepassing als marktdeelnemer", "en": "Applies as operator"}


@pytest.fixture(scope="module")
def mirror_server():
    server = LiveServer(crawled_mirror())
    yield server
    server.stop()


def _text_without_quotes(page, selector: str) -> str:
    """The visible text, less the quotes of the law and document titles (marked with their own `lang`)."""
    text = page.inner_text(selector)
    for quoted in page.locator(f"{selector} [lang]").all_inner_texts():
        text = text.replace(quoted, " ")
    return text


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_does_it_apply_to_a_cocoa_importer(browser, mirror_server, lang, device):
    context = browser.new_context(locale={"nl": "nl-NL", "en": "en-GB"}[lang], **DEVICES[device])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    name = f"applicability-{lang}-{device}"
    try:
        page.goto(f"{mirror_server.url}/applicability?lang={lang}")
        page.fill("#f-name", "Cacao Import")
        page.fill("#f-employees", EMPLOYEES[lang])
        page.fill("#f-turnover_worldwide_eur", "500 m")
        page.select_option("#f-established_in_eu", "yes")
        page.check('input[name=commodities][value=cocoa]')
        shot(page, f"{name}-1-form-filled")
        page.click("form.profile-form button[type=submit]")
        page.wait_for_selector("#answer")
        page.evaluate("document.querySelectorAll('#answer details').forEach(d => { d.open = true; })")
        shot(page, f"{name}-2-answer")

        # how the figures were read, in the reader's notation
        read = page.inner_text("#understood")
        assert "1\u00a0200" in read and "EUR 500\u00a0000\u00a0000" in read

        # the EUDR applies, as operator, with the question that refines the role
        eudr = page.locator('article[data-instrument="eudr"]')
        assert eudr.get_attribute("data-status") == "applicable"
        assert eudr.locator(".reason").inner_text().startswith(OPERATOR[lang])
        question = eudr.locator('[data-question="eudr_role"] a')
        assert question.is_visible() and question.get_attribute("href") == "#f-eudr_role"
        eudr.scroll_into_view_if_needed()
        shot(page, f"{name}-3-eudr-applies-as-operator")

        # the summary names exactly the instruments of each list
        for part in page.locator("#summary span").all():
            kind, ids = part.get_attribute("data-kind"), part.get_attribute("data-instruments").split()
            if kind == "thresholds":
                listed = page.locator('section[data-group="not_applicable"] article').evaluate_all(
                    "els => els.map(e => e.dataset.instrument)")
                assert set(ids) <= set(listed)
                continue
            group = page.locator(f'section[data-group="{kind}"] article')
            assert group.evaluate_all("els => els.map(e => e.dataset.instrument)") == ids, kind
            for title in group.locator("h4").evaluate_all("els => els.map(e => e.firstChild.textContent.trim())"):
                assert title in part.inner_text(), (kind, title)
        assert page.locator('section[data-group="undetermined"] article[data-instrument="eudr"]').count() == 0

        # no internal field name anywhere on the page; on the Dutch page, no English string of the answer or form
        visible = page.inner_text("main")
        assert not SNAKE.findall(visible), SNAKE.findall(visible)
        if lang == "nl":
            found = english_in(_text_without_quotes(page, "main"))
            assert not found, found

        if device == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, width
        assert errors == [], errors

        # the refining question leads to the form field; choosing trader turns the EUDR to Article 5
        question.click()
        page.select_option("#f-eudr_role", "trader")
        page.click("form.profile-form button[type=submit]")
        page.wait_for_selector("#answer")
        assert page.locator('article[data-instrument="eudr"] [data-question]').count() == 0
        assert "17" in page.inner_text('article[data-instrument="eudr"] dd >> nth=1')
        shot(page, f"{name}-4-refined-as-trader")
    finally:
        context.close()


@pytest.mark.parametrize("lang, typed, message", [("en", "1.200", "reads as 1.2"), ("nl", "twaalf", "is geen getal")])
def test_a_figure_that_cannot_be_taken_says_what_to_type(browser, mirror_server, lang, typed, message):
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    try:
        page.goto(f"{mirror_server.url}/applicability?lang={lang}")
        page.fill("#f-employees", typed)
        page.click("form.profile-form button[type=submit]")
        page.wait_for_selector("#errors")
        error = page.inner_text("#errors")
        assert message in error and not SNAKE.findall(error)
        page.click("#errors li a")
        assert page.evaluate("location.hash") == "#f-employees"
        assert page.get_attribute("#f-employees", "aria-invalid") == "true"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, f"applicability-{lang}-phone-error")
    finally:
        context.close()
