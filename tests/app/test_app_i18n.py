"""One translation system: every interface string (Python and templates, the tracking and applicability pages
included) is in the Dutch catalogue, the committed .mo is the compiled .po, and the pages read it."""
from __future__ import annotations

import typing
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch
from bs4 import BeautifulSoup
from jinja2.ext import babel_extract

from indexer.analysis.compare import FigureChange, ObligationChange, ProvisionChange
from indexer.analysis.timeline import KIND_LABELS
from search_app import create_app
from search_app.views.tracking import CHANGE_LABELS, EVENT_LABELS, FIGURE_LABELS

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "search_app"
NL = APP / "translations" / "nl" / "LC_MESSAGES"
TEMPLATES = ["home.html", "documents.html", "tracking/_chart.html", "tracking/timeline.html", "tracking/whatsnew.html",
             "tracking/compare.html", "applicability/form.html"]


def _key(msgid):
    return msgid if isinstance(msgid, str) else tuple(msgid)


def _mapping():
    """babel.cfg, as `pybabel extract -F babel.cfg ... .` (scripts/translations) reads it."""
    with (ROOT / "babel.cfg").open() as fh:
        return parse_mapping_cfg(fh, filename="babel.cfg")


def _extracted() -> dict[str, set[str]]:
    """msgid -> files it was extracted from, by babel's own extraction with the project's babel.cfg."""
    method_map, options_map = _mapping()
    out: dict[str, set[str]] = {}
    for filename, _, msg, _, _ in extract_from_dir(str(ROOT), method_map, options_map):
        out.setdefault(msg if isinstance(msg, str) else msg[0], set()).add(filename)
    return out


def _translated() -> set[str]:
    with (NL / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    return {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog
            if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}


def test_babel_cfg_extracts_python_and_every_template():
    extracted = _extracted()
    files = set().union(*extracted.values())
    assert {"search_app/views/tracking.py", "search_app/present.py", "indexer/search/facets.py"} <= files
    assert {f"search_app/templates/{t}" for t in TEMPLATES} <= files
    expected = {"Timelines", "Entry into force", "today", "Employees (average, FTE)", "Show the deleted text"}
    assert expected <= set(extracted)


def test_every_interface_string_has_a_dutch_translation():
    extracted = set(_extracted())
    assert len(extracted) > 200
    assert extracted - _translated() == set(), "run scripts/translations and translate the strings it lists"


def test_no_translation_call_takes_a_variable():
    """`_(label)` would look a string up that extraction never saw: the text must be literal where it is marked."""
    method_map, _ = _mapping()
    keywords = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext"}
    dynamic = []
    tops = {pattern.split("/")[0] for pattern, _ in method_map}
    for path in sorted(p for top in tops for p in (ROOT / top).rglob("*")):
        rel = str(path.relative_to(ROOT))
        method = next((m for pattern, m in method_map if pathmatch(pattern, rel)), None)
        if method is None or not path.is_file():
            continue
        extractor = babel_extract if method == "jinja2" else extract_python
        with path.open("rb") as fh:
            for lineno, func, messages, _ in extractor(fh, keywords, [], {}):
                first = messages[0] if isinstance(messages, (tuple, list)) else messages
                if not first:
                    dynamic.append(f"{rel}:{lineno}: {func}(…)")
    assert dynamic == []


def test_committed_mo_matches_po():
    with (NL / "messages.po").open("rb") as fh:
        po = {_key(m.id): _key(m.string) for m in read_po(fh) if m.id}
    with (NL / "messages.mo").open("rb") as fh:
        mo = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    assert po == mo, "run scripts/translations (it compiles the .mo)"


def test_interface_labels_name_every_kind_of_the_data():
    """The page's event, change and figure names cover the analyses' kinds; in English they are the CLI's names."""
    app = create_app({"DATA_DIR": str(ROOT / "no-such-dir"), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"})
    with app.test_request_context("/?lang=en"):
        assert {k: str(v) for k, v in EVENT_LABELS.items()} == KIND_LABELS
    assert list(EVENT_LABELS) == list(KIND_LABELS)  # the legend's order
    statuses = typing.get_args(ProvisionChange.model_fields["status"].annotation)
    obligation_statuses = typing.get_args(ObligationChange.model_fields["status"].annotation)
    assert set(CHANGE_LABELS) == set(statuses) == set(obligation_statuses)
    assert set(FIGURE_LABELS) == set(typing.get_args(FigureChange.model_fields["kind"].annotation))


# ---- the pages read the catalogue ----------------------------------------------------------

@pytest.fixture(scope="module")
def tracking():
    from analysis.mirror_corpus import crawled_mirror

    app = create_app({"DATA_DIR": str(crawled_mirror()), "TESTING": True, "SEARCH_BACKEND": "no-such-engine"})
    return app.test_client()


def _page(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return BeautifulSoup(resp.get_data(as_text=True), "html.parser")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_timeline_page_in_each_language(tracking, lang):
    html = _page(tracking, f"/timeline?act=csddd&lang={lang}")
    with (NL / "messages.po").open("rb") as fh:
        nl = {m.id: m.string for m in read_po(fh) if m.id}
    word = (lambda en: nl[en]) if lang == "nl" else (lambda en: en)
    assert html.h1.get_text() == f"{word('Timeline')}: CSDDD"
    assert [li.get_text() for li in html.select("ul.legend li")] == [word(en) for en in KIND_LABELS.values()]
    svg = html.select_one("svg.timeline-chart")
    assert svg.select_one("line.today + text").get_text() == word("today")
    assert svg.title.get_text() == word("Timeline of %(acts)s") % {"acts": "CSDDD"}
    row = html.select_one("#tl-csddd tr[data-kind=entry_into_force]")
    assert row.select("td")[1].get_text() == word("Entry into force")
    marker = svg.select_one("circle.event-entry_into_force")
    assert marker["aria-label"].startswith(f"2024-07-25 - {word('Entry into force')}: ")
    headers = [word(w) for w in ("Date", "Event", "Details", "Source")]
    assert [th.get_text() for th in html.select("#tl-csddd th")] == headers


def test_compare_and_applicability_pages_in_dutch(tracking):
    html = _page(tracking, "/compare?old=celex-32024L1760-en&new=celex-02024L1760-20260318-en&lang=nl")
    art2 = html.select_one("#change-art_2")
    assert art2.select_one(".status").get_text() == "gewijzigd"
    assert art2.select_one("details.unchanged-parts summary").get_text() == "10 leden en onderdelen ongewijzigd"
    assert html.select_one("#change-art_22 .status").get_text() == "geschrapt"
    assert html.select_one("#change-art_22 summary").get_text() == "Toon de geschrapte tekst"
    assert art2.select_one("ul.figures li[data-kind=employees]").get_text().startswith("werknemers: ")
    form = _page(tracking, "/applicability?lang=nl")
    labels = [lab.get_text(" ", strip=True) for lab in form.select("form.profile-form label")]
    assert "Werknemers (gemiddeld, fte)" in labels
    tristate = form.select_one("select[name=established_in_eu]")
    assert [o.get_text() for o in tristate.select("option")] == ["onbekend", "ja", "nee"]
    english = _page(tracking, "/applicability?lang=en").select_one("select[name=established_in_eu]")
    assert [o.get_text() for o in english.select("option")] == ["unknown", "yes", "no"]
