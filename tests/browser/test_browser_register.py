"""The compliance officer's register in headless Chromium, in Dutch and English, on a desktop and a 390 px phone:
the applicability check for a 6,000-employee manufacturer, one click (by keyboard) to its register, the duties of
the CSDDD (as amended by Omnibus I) and the CSRD, and the spreadsheet download read back with openpyxl."""
from __future__ import annotations

import pytest
from analysis.mirror_corpus import extracted_subset
from openpyxl import load_workbook

from .conftest import LiveServer, shot

pytestmark = pytest.mark.browser

DEVICES = {"desktop": {"viewport": {"width": 1280, "height": 900}},
           "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}
EMPLOYEES = {"nl": "6.000", "en": "6,000"}
TITLE = {"nl": "Nalevingsregister", "en": "Compliance register"}
VIA = {"nl": "via Lidstaten", "en": "via Member States"}


@pytest.fixture(scope="module")
def register_server(tmp_path_factory):
    root = extracted_subset(tmp_path_factory.mktemp("register-browser"),
                            ("celex-02024L1760-20260318-en", "celex-32022L2464-en"))
    server = LiveServer(root)
    yield server
    server.stop()


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_register_of_a_large_manufacturer(browser, register_server, lang, device, tmp_path):
    context = browser.new_context(locale={"nl": "nl-NL", "en": "en-GB"}[lang], accept_downloads=True,
                                  **DEVICES[device])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    name = f"register-{lang}-{device}"
    try:
        page.goto(f"{register_server.url}/applicability?lang={lang}")
        page.fill("#f-name", "Acme Batteries")
        page.fill("#f-employees", EMPLOYEES[lang])
        page.fill("#f-turnover_worldwide_eur", "2 bn" if lang == "en" else "2 mld")
        page.fill("#f-turnover_eu_eur", "2 bn" if lang == "en" else "2 mld")
        page.select_option("#f-established_in_eu", "yes")
        page.click("form.profile-form button[type=submit]")
        page.wait_for_selector("#open-register")
        page.focus("#open-register")  # by keyboard: the link takes focus and Enter follows it
        page.keyboard.press("Enter")
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == TITLE[lang]
        shot(page, f"{name}-1-register")

        csddd = page.locator("#reg-csddd")
        duties = csddd.locator("ol.register > li.duty")
        assert duties.count() >= 20
        assert VIA[lang] in csddd.inner_text()
        articles = {a.split("(")[0].split(",")[0] for a in csddd.locator("li.duty .cite a").all_inner_texts()}
        assert {f"Article {n}" for n in range(7, 17)} <= {a.removesuffix(" CSDDD") for a in articles}
        assert page.locator("#reg-csrd li.duty").count() >= 1

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= DEVICES[device]["viewport"]["width"], f"the page is {width} px wide"

        with page.expect_download() as info:
            page.click(".downloads a[href*='register.xlsx']")
        path = tmp_path / "register.xlsx"
        info.value.save_as(path)
        sheet = load_workbook(path).worksheets[0]
        assert sheet.max_row - 1 == page.locator("ol.register:not(.depends) > li.duty").count()

        first = duties.first.locator(".cite a")
        first.click()
        page.wait_for_url("**/documents/celex-02024L1760-20260318-en*")
        shot(page, f"{name}-2-provision")
        assert not errors, errors
    finally:
        context.close()
