"""The API and its description agree: schemathesis runs over /api/openapi.yaml against the real app on loopback.

Every operation gets generated requests, valid and invalid (the examples, coverage, fuzzing and stateful
phases, at most MAX_EXAMPLES per operation and phase) and every schemathesis check must pass: no 5xx, only
documented status codes, headers and content types, responses that match their schemas, invalid input
rejected and valid input accepted, a 405 with `Allow` for undeclared methods, 401 without the admin token.
The app runs on a werkzeug server thread (real HTTP on 127.0.0.1), on its own copy of the fixture corpus
(POST /api/admin/reindex rebuilds that index). About 1,400 requests, 40–60 s on two cores.

The run is reproducible (SEED); REGKB_SCHEMATHESIS_SEED=random explores new cases. A failure prints
schemathesis' own report: each failing request as a curl command.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from loopback import served_wsgi

from search_app import create_app

from .app_corpus import build_index, copy_fixture_corpus

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "search_app" / "openapi.yaml").read_text(encoding="utf-8"))
MAX_EXAMPLES = 25
SEED = "20260518"
TOKEN = "conformance-admin-token"
RUN_TIMEOUT = 300  # seconds: a hung run fails instead of blocking the suite
EN, FR = "celex-32024L1760-en", "celex-32024L1760-fr"
# Per operation: ids that reach past a 404 (generated ids never name a document of the corpus); and for the
# search operations, 400 among the answers to schema-valid requests: `q` is a query language (an unclosed
# quote, a query of punctuation only) that JSON Schema cannot describe, and its description says so (so are the
# register's figures typed as people type them, '2 bn'); a feed's
# `until` before its `since` is a 400 too.
CONFIG = f"""
[[operations]]
include-name = "GET /api/compare"
parameters = {{ "query.old" = "{EN}", "query.new" = "{FR}" }}

[[operations]]
include-path-regex = "^/api/(search|export)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", 400, 401, 403, 404, 409, 429, "5xx"]

[[operations]]
include-name = "GET /documents/{{document_id}}/feed.atom"
parameters = {{ "path.document_id" = "{EN}" }}

[[operations]]
include-name = "GET /documents/{{document_id}}/{{provision_id}}/feed.atom"
parameters = {{ "path.document_id" = "{EN}", "path.provision_id" = "art_8" }}

[[operations]]
include-name = "GET /api/register"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400]

[[operations]]
include-path-regex = "feed[.]atom$"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 404]
"""


@pytest.fixture(scope="module")
def served_api(tmp_path_factory) -> Iterator[str]:
    """The app with an admin token on its own indexed corpus copy, served on an ephemeral loopback port."""
    root = copy_fixture_corpus(tmp_path_factory.mktemp("conformance-corpus"))
    build_index(root)
    with served_wsgi(create_app({"DATA_DIR": str(root), "ADMIN_TOKEN": TOKEN}), quiet=True) as url:  # 1,400 log lines
        yield url


@pytest.mark.slow
def test_api_conforms_to_its_description(served_api, tmp_path):
    pytest.importorskip("schemathesis", reason="!!! schemathesis is not installed (pip install -r requirements.txt): "
                                               "the API is NOT checked against its description !!!")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    seed = os.environ.get("REGKB_SCHEMATHESIS_SEED", SEED)
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
           f"{served_api}/api/openapi.yaml", "--checks", "all", "--max-examples", str(MAX_EXAMPLES),
           "--workers", "1", "--request-timeout", "60", "--generation-database", "none", "--no-color",
           "--header", f"Authorization: Bearer {TOKEN}"]
    if seed != "random":
        cmd += ["--seed", seed]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    report = run.stdout + run.stderr
    assert run.returncode == 0, "schemathesis found disagreements:\n" + report[-20000:]
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", report)
    operations = sum(len(methods) for methods in SPEC["paths"].values())
    # every operation but the description's own URL, which schemathesis leaves out
    assert selected and len({*selected.groups(), str(operations - 1)}) == 1, report[-3000:]


# -- the description states the limits the code enforces -----------------------------------------------------
def _schema(ref: str) -> dict:
    node = SPEC
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _parameter(name: str) -> dict:
    return SPEC["components"]["parameters"][name]["schema"]


def test_company_profile_schema_is_the_model():
    """Same fields, types, bounds and nullability as CompanyProfile (config/profile.yaml), closed like it."""
    from indexer.analysis.applicability import CompanyProfile

    described = _schema(
        SPEC["paths"]["/api/applicability"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    )
    model = CompanyProfile.model_json_schema()
    assert described["additionalProperties"] is False and CompanyProfile.model_config["extra"] == "forbid"
    assert set(described["properties"]) == set(model["properties"])
    for name, prop in model["properties"].items():
        options = prop.get("anyOf", [prop])
        value = next(o for o in options if o.get("type") != "null")
        spec = described["properties"][name]
        assert spec.get("nullable", False) == (len(options) > 1), name
        assert spec["type"] == value["type"], name
        for key in ("maximum", "minimum", "maxLength"):
            assert spec.get(key) == value.get(key), (name, key)
        if "enum" in value or "items" in value:
            assert [e for e in spec.get("enum", spec.get("items", {}).get("enum", [])) if e is not None] == \
                value.get("enum", value.get("items", {}).get("enum")), name


def test_analyze_schema_is_the_model():
    from search_app.views.api import AnalyzeRequest

    described = SPEC["paths"]["/api/analyze"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    model = AnalyzeRequest.model_json_schema()
    assert described["additionalProperties"] is False and AnalyzeRequest.model_config["extra"] == "forbid"
    assert set(described["properties"]) == set(model["properties"]) and described["required"] == model["required"]
    from indexer.nlp.lang import languages

    # the language is checked against the language packs (one registry), not a list in the model
    assert described["properties"]["lang"]["enum"] == list(languages())
    assert described["properties"]["kind"]["maxLength"] == model["properties"]["kind"]["maxLength"]


def test_search_parameters_state_the_enforced_limits():
    from regkb.settings import load_config
    from search_app import params

    settings = load_config("app")
    assert _parameter("kind")["enum"] == list(params.KINDS) and _parameter("sort")["enum"] == list(params.SORTS)
    for facet, allowed in params.FACET_CHOICES.items():
        assert _parameter(facet)["items"]["enum"] == list(allowed)
    assert (
        _parameter("page")["maximum"] == settings["max_page"]
        and _parameter("size")["maximum"] == settings["max_page_size"]
    )
    assert settings["max_page"] * settings["max_page_size"] <= 10_000  # every described page can be served
    assert _parameter("q")["maxLength"] == settings["max_query_chars"]
    text = SPEC["paths"]["/api/analyze"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"][
        "text"
    ]
    assert text["maxLength"] == settings["analyze_max_chars"]


def test_text_pattern_is_the_character_check():
    """The `pattern` of every described string refuses exactly the characters params.INVALID_CHARS refuses
    (lone surrogates aside: they cannot be sent in a URL, and a JSON Schema pattern cannot name them portably)."""
    from search_app.params import INVALID_CHARS

    pattern = re.compile(SPEC["x-text-pattern"])
    for code in (*range(0xD800), *range(0xE000, 0x10000)):
        char = chr(code)
        assert (pattern.fullmatch(char) is None) == bool(INVALID_CHARS.search(char)), f"U+{code:04X}"
