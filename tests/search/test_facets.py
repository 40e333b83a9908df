"""Facets are small classes (indexer/search/facets.py) listed in config/search.yaml: what each one does with
typed values, counts and labels, and that the API description and the pages name exactly those facets."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask_babel import Babel, force_locale

from indexer.search.facets import FACETS, FILTER_FIELDS, field_for, filter_values, normalize_value
from regkb.settings import load_config
from regkb.taxonomy import ALL_SECTORS

OPENAPI = Path(__file__).resolve().parents[2] / "search_app" / "openapi.yaml"
# /api/search parameters that are not facets
GENERAL_PARAMETERS = {
    "q",
    "kind",
    "sort",
    "page",
    "size",
    "date_from",
    "date_to",
    "as_of",
    "versions",
    "expand",
    "format",
}


def test_the_api_description_lists_exactly_the_facets_that_exist():
    spec = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    refs = spec["paths"]["/api/search"]["get"]["parameters"]
    names = {
        spec["components"]["parameters"][r["$ref"].rsplit("/", 1)[1]]["name"] if "$ref" in r else r["name"]
        for r in refs
    }
    assert names - GENERAL_PARAMETERS == set(FACETS)


def test_pages_offer_only_facets_that_exist():
    app = load_config("app")
    named = {n for per_kind in app["facets_by_kind"].values() for n in per_kind}
    assert named <= set(FACETS)


@pytest.mark.parametrize(
    ("name", "typed", "stored"),
    [
        ("sector", "13", "C13"),
        ("sector", "c13", "C13"),
        ("language", "NL", "nl"),
        ("modality", " Obligation ", "obligation"),
        ("jurisdiction", "eu", "EU"),
        ("instrument", "deforestation regulation", "EUDR"),
        ("instrument", "csddd", "CSDDD"),
        ("status", "IN_FORCE", "in_force"),
        ("provision_kind", "Article", "article"),
        ("document_id", " x ", "x"),
    ],
)
def test_typed_values_become_stored_values(name, typed, stored):
    assert normalize_value(name, typed) == stored


def test_a_sector_selects_the_rules_of_general_scope_too():
    assert filter_values("sector", "C13") == ("C13", ALL_SECTORS)
    assert filter_values("sector", ALL_SECTORS) == (ALL_SECTORS,)
    assert filter_values("modality", "obligation") == ("obligation",)


def test_sector_counts_name_the_sector_and_general_rules_are_counted_once():
    """Adding the general rules to every sector made the facet flat (every sector ~ the same count)."""
    spread = dict(FACETS["sector"].spread([("C13", 3), (ALL_SECTORS, 10)]))
    assert spread["C13"] == 3 and spread[ALL_SECTORS] == 10
    assert spread["A"] == 0  # a section no record names can still be chosen (it selects the general rules)
    listed = [v for v, _ in FACETS["sector"].order(list(spread.items()))]
    assert listed[:3] == [ALL_SECTORS, "C13", "A"]  # counted first, then the sections at 0, then their divisions
    assert listed.index("U") < listed.index("A01")
    assert dict(FACETS["sector"].spread([("C13", 3)])) == {"C13": 3}  # no general rules: nothing to choose
    assert FACETS["modality"].spread([("obligation", 2)]) == [("obligation", 2)]


def test_facets_label_themselves_in_the_interface_language():
    app = Flask(__name__)
    Babel(app, default_translation_directories=str(Path(__file__).resolve().parents[2] / "search_app" / "translations"))
    with app.app_context():
        with force_locale("nl"):
            assert str(FACETS["modality"].label) == "Modaliteit"
            assert FACETS["modality"].value_label("obligation", "nl") == "Verplichting"
            assert FACETS["sector"].value_label("C13", "nl") == "C13 – Vervaardiging van textiel"
        with force_locale("en"):
            assert str(FACETS["sector"].label) == "Sector"
            assert FACETS["sector"].value_label("C13", "en") == "C13 – Manufacture of textiles"
            assert FACETS["language"].value_label("fr", "en") == "Français"


def test_an_unknown_name_says_which_exist():
    with pytest.raises(ValueError, match=r"unknown filter .colour.; known: .*\bsector\b"):
        field_for("colour")
    assert field_for("provision_kind") == FILTER_FIELDS["provision_kind"]


def test_acts_are_named_in_the_interface_language():
    """config/acts.yaml `name_nl`: the Dutch interface says Batterijenverordening, the English Batteries Regulation."""
    assert FACETS["instrument"].value_label("BATT", "nl") == "Batterijenverordening"
    assert FACETS["instrument"].value_label("BATT", "en") == "Batteries Regulation"
    assert FACETS["instrument"].value_label("CSDDD", "nl") == "CSDDD"  # a short title people use in both languages
