"""The lawyer's and the policy officer's tasks in headless Chromium on the real corpus, in both interface
languages, on a desktop and on a 390×844 phone (issue 12).

Lawyer: a citation opens the reader at the provision; an obligation search, its first result reached by keyboard
in a few Tab presses, the reader at that provision, and the CSV export of the results page holding exactly the
results the page counts. Policy officer: what's new → the comparison of two CSDDD versions (Article 22 deleted,
a changed point shown with its citation and its figures paired old → new) → the timeline. On every page:
nothing wider than the phone, no internal names (snake_case fields, file names, raw document ids) on screen,
no console errors (a CSP violation is one). Screenshots of every step: test-artifacts/users-<lang>-<device>-*.png.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

from .conftest import shot
from .test_browser_done_when import real_server  # noqa: F401  (the session fixture: the real corpus, served)
from .test_browser_flow import in_viewport, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LOCALES = {"en": "en-GB", "nl": "nl-NL"}
# What a reader must never see: field names (snake_case), configuration file names, raw document ids.
INTERNAL = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[\w-]+\.ya?ml\b|\b(?:celex|bwb|eur-lex-europa)-[\w-]+")
WORDS = {"en": {"obligation": "forced labour", "deleted": "deleted", "changed": "changed",
                "current": "Consolidated text of 18 March 2026"},
         "nl": {"obligation": "dwangarbeid", "deleted": "geschrapt", "changed": "gewijzigd",
                "current": "Geconsolideerde tekst van 18 maart 2026"}}
CSDDD_NOW = "celex-02024L1760-20260318-en"
# English interface words that must not be left in the Dutch interface (texts in another language carry their lang)
ENGLISH = re.compile(r"\b(?:Search|Version|Versions|Name|amount|employees|date|changed|deleted|added|unchanged|Compare|"
                     r"Source|Timeline|Older|Newer|Export|Sort by|Obligations|Provisions|Consolidated|As adopted|"
                     r"Skip to|Show|current|superseded)\b")
INTERFACE_TEXT = """() => { const out = []; const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) { const el = w.currentNode.parentElement, t = w.currentNode.textContent.trim();
    if (!t || !el.checkVisibility()) continue;
    const l = el.closest('[lang]'); if (l && l.lang !== document.documentElement.lang) continue;
    if (el.closest('.snippet, .text, .diff, .who-what dd, .heading, svg')) continue;  // the documents' own words
    out.push(t); } return out.join(' | '); }"""


class User:
    """One browser tab in one interface language on one device, checking every page it opens."""

    def __init__(self, page, base: str, lang: str, device: str):
        self.page, self.base, self.lang, self.device = page, base, lang, device
        self.width = DEVICES[device]["width"]

    def open(self, path: str) -> None:
        self.page.goto(self.base + path + ("&" if "?" in path else "?") + f"lang={self.lang}")

    def check(self, step: str, english_check: bool = True) -> None:
        """The page as a reader meets it: fits the screen, speaks no internal names, logs no errors, and in Dutch
        leaves no English interface word (the documents' own words are marked with their language)."""
        page = self.page
        page.wait_for_load_state("load")
        assert page.get_attribute("html", "lang") == self.lang
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(f"""[...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > {self.width} + 1).slice(0, 5)
            .map(e => e.tagName + '.' + e.getAttribute('class') + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert width <= self.width, f"{step}: the page is {width}px wide on a {self.width}px screen: {wide}"
        visible = page.evaluate("document.body.innerText") + "\n" + "\n".join(
            page.evaluate("[...document.querySelectorAll('option')].map(o => o.textContent)"))
        internal = sorted({m.group(0) for m in INTERNAL.finditer(visible)})
        assert internal == [], f"{step}: internal names on the page: {internal[:10]}"
        if self.lang == "nl" and english_check:
            english = sorted({m.group(0) for m in ENGLISH.finditer(page.evaluate(INTERFACE_TEXT))})
            assert english == [], f"{step}: English left in the Dutch interface: {english}"
        assert page.console_errors == [], f"{step}: {page.console_errors}"
        shot(page, f"users-{self.lang}-{self.device}-{step}")


@pytest.fixture(params=[(lang, device) for lang in LOCALES for device in DEVICES], ids=lambda p: f"{p[0]}-{p[1]}")
def user(browser, real_server, request):  # noqa: F811
    lang, device = request.param
    context = browser.new_context(locale=LOCALES[lang], viewport=DEVICES[device], accept_downloads=True,
                                  is_mobile=device == "phone", has_touch=device == "phone")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield User(page, real_server.url, lang, device)
    context.close()


def tabs_to_first_result(page, limit: int = 5) -> int:
    """Tab presses from page load until the first result's link has focus (Enter on a skip link follows it)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('li.card:first-child a.result-link')"):
            return presses
        if page.evaluate("document.activeElement.matches('a.skip[href=\"#results\"]')"):
            page.keyboard.press("Enter")
    return limit + 1


def test_lawyer_finds_a_provision_and_an_obligation_and_exports_them(user):
    page, words = user.page, WORDS[user.lang]

    # the landing page says what RegKB is for and where its three tasks start, every feature in the main menu
    user.open("/")
    assert page.locator("main h1").count() == 1
    assert page.locator(".tasks section.task").count() == 3
    assert page.locator("header.site nav.main-nav a").count() == 8  # also Defined terms
    user.check("1-home")

    # a citation opens the reader at the provision
    page.fill("#q", "CSDDD art 8(2)(a)")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/documents/celex-\d2024L1760[-0-9]*-en(\?[^#]*)?#art_8\.par_2"))
    anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    assert in_viewport(page, f'section[id="{anchor}"]')
    user.check("2-reader-citation")

    # an obligation: the results page, its first result by keyboard
    user.open("/")
    page.fill("#q", words["obligation"])
    page.press("#q", "Enter")
    page.wait_for_selector("li.card a.result-link")
    total = int(page.get_attribute("#results-title", "data-total"))
    assert str(total) in page.inner_text("#results-title")
    assert total > page.locator("li.card").count() > 0 and page.locator("nav.pager").count() == 1  # several pages
    user.check("3-results")
    page.reload()
    assert tabs_to_first_result(page) <= 5, "the first result is not reachable in 5 Tab presses"

    # the reader at the provision of that obligation
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/documents/[^?#]+\?highlight=[^#]+#.+"))
    assert wait_until(page, "document.activeElement && document.activeElement.classList.contains('target')")
    assert in_viewport(page, "mark.target")
    user.check("4-reader-obligation")

    # the CSV export from the results page holds exactly the results the page counts (all its pages)
    page.go_back()
    page.wait_for_selector("a.export-csv")
    with page.expect_download() as download:
        page.click("a.export-csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert len(rows) == total, f"the export has {len(rows)} rows, the page counts {total} results"
    assert all(r["kind"] == "obligation" for r in rows)


def test_policy_officer_follows_a_change_from_whats_new_to_the_timeline(user):
    page, words = user.page, WORDS[user.lang]

    # what's new: the CSDDD consolidation of March 2026, with its comparison
    page.goto(user.base + f"/?lang={user.lang}")
    page.click("nav.main-nav a[href='/whatsnew']")
    page.wait_for_url(re.compile(r"/whatsnew"))
    page.fill("#since", "2026-01-01")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_url(re.compile(r"since=2026-01-01"))
    item = page.locator("ol.news > li", has=page.locator(f"a.compare-link[href*='new={CSDDD_NOW}']"))
    assert item.count() == 1
    assert "CSDDD" in item.locator("strong").inner_text()
    user.check("1-whatsnew")

    # the comparison: the choices name versions by date, Article 22 is deleted, a changed point has its citation
    item.locator("a.compare-link").click()
    page.wait_for_selector("#change-art_22")
    chosen = page.locator("select[name=new] option:checked").inner_text()
    assert words["current"] in chosen and "CSDDD" in chosen
    art22 = page.locator("#change-art_22")
    assert art22.get_attribute("data-status") == "removed"
    assert art22.locator(".status").inner_text() == words["deleted"]
    point = page.locator("#change-art_2 li.part[data-provision='art_2.par_1.pt_a']")
    assert point.get_attribute("data-status") == "changed"
    assert point.locator("a.citation").inner_text() == "Art. 2(1)(a)"
    assert point.locator(".status").inner_text() == words["changed"]
    employees = point.locator("ul.figures li[data-kind=employees]")  # one figure, paired old → new
    assert employees.count() == 1
    assert employees.locator("del.old").inner_text().replace("\u00a0", " ") == "1 000"
    assert employees.locator("ins.new").inner_text().replace("\u00a0", " ") == "5 000"
    assert page.locator("#change-art_2 details.unchanged-parts").count() == 1  # the unchanged parts fold
    point.scroll_into_view_if_needed()
    user.check("2-compare")

    # the timeline: the whole chart in view, proper titles, no internal source names
    page.click("nav.main-nav a[href='/timeline']")
    page.wait_for_url(re.compile(r"/timeline"))
    chart = page.locator("svg.timeline-chart:visible")
    assert chart.count() == 1
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= user.width
    last_year = chart.locator("text").filter(has_text=re.compile(r"^20[3-9]\d$")).last
    assert last_year.count() == 1 and last_year.bounding_box()["x"] + last_year.bounding_box()["width"] <= user.width
    user.check("3-timeline")
    page.click("ul.instruments a[href='/timeline/csddd']")
    page.wait_for_url(re.compile(r"/timeline/csddd"))
    details = " ".join(page.locator("#tl-csddd td:nth-child(3)").all_inner_texts())
    assert not re.search(r"\b\w{1,2} …?$|[A-Z]{4,} [A-Z]{4,}", details), "a title cut mid-word or in capitals"
    user.check("4-timeline-csddd")


@pytest.mark.parametrize("path", ["/documents", "/sectors", "/sectors/C13", "/applicability", "/compare"])
def test_every_other_page_fits_and_names_things_for_people(user, path):
    user.open(path)
    user.check("page" + path.replace("/", "-"))


def test_the_landing_examples_find_something(page, real_server):  # noqa: F811
    page.goto(real_server.url + "/")
    examples = page.locator(".task .examples a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert len(examples) >= 6
    for href in examples:
        page.goto(real_server.url + href)
        found = page.locator("li.card, section.prov:target, #chart, ol.news > li, section.change").count()
        assert found, f"the landing page's example {href} finds nothing"
    assert page.console_errors == []
