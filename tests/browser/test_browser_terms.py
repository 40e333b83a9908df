"""Defined terms and cited-by in a real browser on the real mirror texts: find a term from the search box, read
the EUDR's and the Batteries Regulation's definitions side by side, follow a defined term from a provision to its
definition, open the list of provisions citing CSDDD Article 3, see Article 22's deletion; English and Dutch."""
from __future__ import annotations

import re

import pytest

from .conftest import LiveServer, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def terms_server():
    from app.linked_mirror import linked_mirror

    server = LiveServer(linked_mirror())
    yield server
    server.stop()


def test_find_a_term_and_compare_definitions_side_by_side(page, terms_server):
    page.goto(terms_server.url + "/terms?lang=en")
    page.fill("#term-q", "business partner")
    page.press("#term-q", "Enter")
    page.wait_for_url(re.compile(r"/terms\?q=business"))
    page.click('ul.term-list a[href="/terms/business-partner"]')
    page.wait_for_url(re.compile(r"/terms/business-partner$"))
    card = page.locator('li.term-def[data-act="eu-2024-1760-L"]')
    assert "CSDDD" in card.locator("h3").inner_text()
    assert card.locator("blockquote").first.inner_text().startswith("‘business partner’ means an entity:")
    shot(page, "terms-1-business-partner")
    page.click('p.aligned a[hreflang="fr"]')
    page.wait_for_url(re.compile(r"/terms/partenaire-commercial$"))
    assert "«partenaire commercial»" in page.locator("li.term-def blockquote").first.inner_text()

    page.goto(terms_server.url + "/terms/operator")
    eudr = page.locator('li.term-def[data-act="eu-2023-1115-R"][data-slug="operator"]').bounding_box()
    batt = page.locator('li.term-def[data-act="eu-2023-1542-R"][data-slug="economic-operator"]').bounding_box()
    assert eudr and batt
    assert eudr["width"] < 700 and batt["width"] < 700  # columns of a grid, not one definition per row
    shot(page, "terms-2-operator")
    assert page.console_errors == []


def test_defined_term_and_cited_by_in_the_reader(page, terms_server):
    page.goto(terms_server.url + "/documents/celex-32024L1760-en?lang=en#art_8")
    term = page.locator('section[id="art_8.par_1"] a.term', has_text=re.compile(r"^adverse impacts?$", re.I)).first
    term.click()
    page.wait_for_url(re.compile(r"#art_3\.par_1\.pt_d$"))
    assert "‘adverse impact’ means" in page.locator('section[id="art_3.par_1.pt_d"] p.text').inner_text()

    cited = page.locator('section[id="art_3"] a.cited-by')
    label = cited.inner_text()
    n = int(re.match(r"Cited by (\d+) provisions? in \d+ acts?", label).group(1))
    cited.click()
    page.wait_for_url(re.compile(r"/art_3/cited-by"))
    assert page.locator("h1").inner_text() == "Who cites Article 3"
    assert page.locator("ul.citations li").count() == n
    page.locator("ul.citations li a").first.click()
    page.wait_for_url(re.compile(r"/documents/celex-32024L1760-en#"))
    shot(page, "terms-3-cited-by-followed")

    page.goto(terms_server.url + "/documents/celex-02024L1760-20250417-en#art_22")
    deleted = page.locator('section[id="art_22"] .amended-deleted')
    assert deleted.inner_text().startswith("Deleted by Directive (EU) 2026/470 (Article 4, point (16), 18 March 2026")
    deleted.locator("a").click()
    page.wait_for_url(re.compile(r"/documents/celex-32026L0470-en#art_4\.pt_16$"))
    assert "Article 22 is deleted" in page.locator('section[id="art_4.pt_16"]').inner_text()
    assert page.console_errors == []


def test_dutch_interface(page, terms_server):
    page.goto(terms_server.url + "/terms/operator?lang=nl")
    assert page.locator("#own-title").inner_text().startswith("Gedefinieerd in")
    assert page.locator("#related-title").inner_text() == "Begrippen die het bevatten"
    assert page.locator('nav.main-nav a[aria-current="page"]').inner_text() == "Gedefinieerde begrippen"
    page.goto(terms_server.url + "/documents/celex-32024L1760-en?lang=nl")
    assert page.locator('section[id="art_3"] a.cited-by').inner_text().startswith("Aangehaald door")
    page.locator('section[id="art_3"] a.cited-by').click()
    assert page.locator("h1").inner_text() == "Wie haalt Article 3 aan"
    shot(page, "terms-4-dutch-cited-by")
    page.goto(terms_server.url + "/documents/celex-02024L1760-20250417-en?lang=nl")
    assert page.locator('section[id="art_22"] .amended-deleted').inner_text().startswith("Geschrapt door")
    assert page.console_errors == []


@pytest.mark.parametrize("path", ["/terms", "/terms/operator?lang=nl", "/documents/celex-32024L1760-en/art_3/cited-by",
                                  "/documents/celex-02024L1760-20250417-en"])
def test_contrast_and_labels(page, terms_server, path):
    from .test_browser_a11y import CONTRAST_JS, SELECTORS

    page.goto(terms_server.url + path)
    ratios = page.evaluate(CONTRAST_JS, [*SELECTORS, ".relations", ".amended-deleted", "a.term", "a.cited-by",
                                         ".term-grid figcaption", ".aligned", ".hint", ".cites"])
    assert ratios and [r for r in ratios if r[2] < 4.5] == []
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.outerHTML)""")
    assert unlabelled == []
