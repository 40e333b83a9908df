"""The done-when scenario on the real corpus (the offline mirror through crawl → extract → index):

from the UI, find the obligations on child labour that concern the textile sector, land on the CSDDD
provision that carries one, switch to the French version of that provision, and find the same topic
in the Dutch-language documents.
"""
from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

from .conftest import LiveServer, shot
from .test_browser_flow import in_viewport, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
MIRROR = REPO / ".." / "shared" / "mirror"
# The sources that hold the CSDDD (EN + FR) and the Dutch-language texts on child labour.
# Omnibus I (2026/470) is there because it deleted CSDDD Article 22 (the versions tests say by which act).
SOURCES = ["eurlex-csddd", "eurlex-omnibus-i", "wetten-ilo-treaties", "wetten-ncp", "rijksoverheid-imvo", "eurlex-csrd"]


@pytest.fixture(scope="session")
def real_server(tmp_path_factory):
    """The app over a corpus built from the mirror by the real pipeline steps (or REGKB_APP_TEST_CORPUS, prebuilt)."""
    prebuilt = os.environ.get("REGKB_APP_TEST_CORPUS")
    if prebuilt:
        root = Path(prebuilt)
    else:
        if not (MIRROR / "MANIFEST.tsv").is_file():
            pytest.skip(f"!!! shared mirror missing at {MIRROR.resolve()}: done-when scenario SKIPPED !!!")
        for module in ("crawler.commands", "indexer.commands", "indexer.search.commands"):
            if importlib.util.find_spec(module) is None:
                pytest.skip(f"!!! {module} is not installed: the done-when scenario on the real corpus is SKIPPED !!!")
        from regkb.cli import build_parser

        root = tmp_path_factory.mktemp("done-when-corpus")
        args = build_parser().parse_args(["run", "--mirror", str(MIRROR.resolve()), "--data-dir", str(root),
                                          "--sources", *SOURCES, "--no-serve"])
        assert args.func(args) == 0, "regkb run (crawl, extract, index) failed"
    server = LiveServer(root)
    yield server
    server.stop()


# The CSDDD names no sector: its obligations are of general scope and so concern the textile sector too
# (the sector facet counts them under every sector), and its child-labour prohibition is Annex I, Part I, point (10).
def test_child_labour_textile_csddd_french_and_dutch(page, real_server):
    page.goto(real_server.url + "/")
    page.fill("#q", "child labour")
    page.press("#q", "Enter")
    page.wait_for_selector("li.card")

    # the textile sector (NACE C13) in the facet sidebar
    textile = page.locator('#facet-sector input[value="C13"]')
    assert textile.count() == 1, "the textile sector (C13) cannot be chosen for obligations on child labour"
    if not textile.is_visible():  # a long sector list shows its first values, the rest behind "Show more"
        page.click("#facet-sector button.more")
    textile.check()
    page.wait_for_url(re.compile(r"sector=C13"))
    shot(page, "done-when-1-textile-child-labour")
    csddd = page.locator("li.card a.result-link", has_text="CSDDD")
    assert csddd.count() >= 1, "no CSDDD obligation among the child-labour obligations for the textile sector"

    # the exact CSDDD provision, with the obligation highlighted
    csddd.first.click()
    # the text in force today: the latest consolidation (or the OJ text where no consolidation has the provision)
    page.wait_for_url(re.compile(r"/documents/celex-\d2024L1760[-0-9]*-en\?highlight=.+#.+"))
    english_id = page.evaluate("location.pathname").rsplit("/", 1)[1]
    provision_id = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    assert wait_until(page, "document.activeElement.classList.contains('target')")
    assert in_viewport(page, "mark.target")
    shot(page, "done-when-2-csddd-provision")

    # the French version, at the same provision
    page.click(".versions a[hreflang=fr]")
    page.wait_for_url(re.compile(rf"/documents/{english_id[:-3]}-fr#"))
    assert page.evaluate("decodeURIComponent(location.hash.slice(1))") == provision_id
    assert in_viewport(page, f'section[id="{provision_id}"]')
    shot(page, "done-when-3-csddd-french")

    # the same topic in the Dutch-language documents
    page.goto(real_server.url + "/?topic=child_labour&language=nl&lang=nl")
    titles = page.locator("li.card h3").all_inner_texts()
    assert titles, "no Dutch-language obligation on child labour"
    assert "kinderarbeid" in " ".join(page.locator("li.card .snippet").all_inner_texts()).lower()
    shot(page, "done-when-4-dutch-documents")


def test_child_labour_textile_from_the_sector_pages(page, real_server):
    """The same scenario from the sector list and the provisions tab: the CSDDD names no sector, so a textile
    filter keeps it; its child-labour provision is the prohibition in Annex I, Part I."""
    # textiles from the sector list, then the search within that sector
    page.goto(real_server.url + "/sectors")
    page.click('a[href="/sectors/C13"]')
    page.click("main a[href='/?sector=C13']")
    page.wait_for_url(re.compile(r"sector=C13"))
    page.fill("#q", "child labour")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=child\+labour.*sector=C13|sector=C13.*q=child\+labour"))
    page.click(".kinds a:has-text('Provisions')")
    page.wait_for_url(re.compile(r"kind=provision"))
    assert "Manufacture of textiles" in page.inner_text("a.chip")
    page.check('#facet-instrument input[value="CSDDD"]')
    page.wait_for_url(re.compile(r"instrument=CSDDD"))
    annex = page.locator("li.card a.result-link[href*='-en'][href*='#anx_']")
    assert annex.count() >= 1, "no CSDDD Annex provision on child labour among the textile results"
    shot(page, "done-when-every-sector-1-textile")

    annex.first.click()
    page.wait_for_url(re.compile(r"/documents/celex-\d2024L1760[-0-9]*-en#anx_"))
    english_id = page.evaluate("location.pathname").rsplit("/", 1)[1]
    provision_id = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    assert "child labour" in page.inner_text(f'section[id="{provision_id}"]').lower()
    assert in_viewport(page, f'section[id="{provision_id}"]')
    shot(page, "done-when-every-sector-2-csddd-annex")

    page.click(".versions a[hreflang=fr]")
    page.wait_for_url(re.compile(rf"/documents/{english_id[:-3]}-fr#"))
    assert page.evaluate("decodeURIComponent(location.hash.slice(1))") == provision_id
    assert "travail des enfants" in page.inner_text(f'section[id="{provision_id}"]').lower()
    shot(page, "done-when-every-sector-3-csddd-annex-fr")

    page.goto(real_server.url + "/?topic=child_labour&language=nl&lang=nl")
    assert "kinderarbeid" in " ".join(page.locator("li.card .snippet").all_inner_texts()).lower()
    assert page.console_errors == []


def test_csddd_provision_french_version_and_dutch_topic(page, real_server):
    """The rest of the scenario on the real corpus: a CSDDD provision by citation, its French version, Dutch texts."""
    page.goto(real_server.url + "/")
    page.fill("#q", "CSDDD art 8(2)")
    page.press("#q", "Enter")
    # the citation look-up opens a CSDDD text (the latest consolidated version, or the OJ text)
    page.wait_for_url(re.compile(r"/documents/celex-\d2024L1760[-0-9]*-en#art_8\.par_2$"))
    english_id = page.evaluate("location.pathname").rsplit("/", 1)[1]
    assert in_viewport(page, 'section[id="art_8.par_2"]')
    assert "appropriate measures" in page.inner_text('section[id="art_8.par_2"]')
    shot(page, "real-1-csddd-art-8-2")

    page.click(".versions a[hreflang=fr]")
    page.wait_for_url(re.compile(rf"/documents/{english_id[:-3]}-fr#art_8\.par_2$"))
    assert in_viewport(page, 'section[id="art_8.par_2"]')
    assert "mesures appropriées" in page.inner_text('section[id="art_8.par_2"]')
    shot(page, "real-2-csddd-art-8-2-fr")

    page.goto(real_server.url + "/?lang=nl")
    page.fill("#q", "kinderarbeid")
    page.press("#q", "Enter")
    page.wait_for_selector("li.card")
    page.check('#facet-language input[value="nl"]')
    page.wait_for_url(re.compile(r"language=nl"))
    snippets = " ".join(page.locator("li.card .snippet").all_inner_texts()).lower()
    assert "kinderarbeid" in snippets
    assert page.get_attribute("html", "lang") == "nl"
    shot(page, "real-3-dutch-kinderarbeid")
    assert page.console_errors == []
