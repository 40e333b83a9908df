"""No 500 from input, safe links, trusted hosts, the admin token: the answers a hostile or careless client gets.

Everything runs through the real app (Flask test client, real files); the CLI runs as a real process.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lxml import etree

from search_app import create_app

from .app_corpus import build_index, copy_fixture_corpus

EN = "celex-32024L1760-en"
HUGE = "9" * 400
PROFILE_LIMITS = {"employees": 10_000_000, "turnover_worldwide_eur": 1e14}


def _error(resp) -> str:
    assert resp.is_json, resp.get_data(as_text=True)[:300]
    return resp.json["error"]["message"]


# -- bounded numbers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [
    ('{"employees": %s}' % HUGE, "employees"),
    ('{"group_employees": 10000001}', "group_employees"),
    ('{"turnover_worldwide_eur": %s}' % HUGE, "turnover_worldwide_eur"),
    ('{"employees": -1}', "employees"),
    ('{"employees": "12"}', "employees"),
    ('{"employees": 12.5}', "employees"),
    ('{"listed": 1}', "listed"),
    ('{"employes": 12}', "employes"),
    ('{"nace": "%s"}' % ("1" * 201), "nace"),
])
def test_applicability_api_rejects_bad_figures_field_by_field(reader, body, field):
    resp = reader.post("/api/applicability", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert any(f.startswith(field + ":") for f in resp.json["error"]["fields"]), resp.json


@pytest.mark.parametrize("literal", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_numbers_must_be_finite(reader, literal):
    for path, body in (("/api/applicability", '{"turnover_eu_eur": %s}'), ("/api/analyze", '{"text": "x", "n": %s}')):
        resp = reader.post(path, data=body % literal, content_type="application/json")
        assert resp.status_code == 400, (path, literal)
        assert "Infinity" not in resp.get_data(as_text=True).replace(literal, "")
        assert "finite" in _error(resp) or "JSON number" in _error(resp)


def test_figures_at_the_bounds_are_answered(reader):
    resp = reader.post(
        "/api/applicability", json={"employees": 10_000_000, "turnover_worldwide_eur": 1e14, "turnover_eu_eur": 0}
    )
    assert resp.status_code == 200
    assert resp.json["profile"]["employees"] == 10_000_000 and resp.json["derived"]["size_class"] == "large"


@pytest.mark.parametrize("value, message", [(HUGE, "far too large"), ("1e400", "not a number"), ("inf", "not a number"),
                                            ("1_000", "not a number"), ("20000000", "less than or equal to 10000000")])
def test_form_rejects_bad_figures(reader, value, message):
    resp = reader.post("/applicability", data={"employees": value})
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert message in resp.get_data(as_text=True)


def test_form_accepts_figures_with_separators(reader):
    resp = reader.post("/applicability", data={"employees": "1 200", "turnover_worldwide_eur": "450,000,000.50"})
    assert resp.status_code == 200


# -- JSON bodies: depth, size, media type ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/analyze", "/api/applicability"])
def test_deep_json_is_a_400_not_a_recursion_error(reader, path):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "[" * 100_000):
        resp = reader.post(path, data=body, content_type="application/json")
        assert resp.status_code == 400 and "nested more than 32" in _error(resp), path


def test_depth_counts_structure_not_brackets_in_strings(reader):
    text = "[" * 500 + " The company shall report."
    resp = reader.post("/api/analyze", json={"text": text, "lang": "en"})
    assert resp.status_code == 200
    at_limit = "[" * 31 + "{}" + "]" * 31  # 32 levels: parsed, then refused as not an object
    resp = reader.post("/api/analyze", data=at_limit, content_type="application/json")
    assert resp.status_code == 400 and "nested" not in _error(resp)


def test_body_too_large_is_a_documented_json_413(reader_app, reader):
    limit = reader_app.config["MAX_CONTENT_LENGTH"]
    resp = reader.post("/api/analyze", data=b'{"text": "' + b"a" * limit + b'"}', content_type="application/json")
    assert resp.status_code == 413 and f"{limit:,} bytes" in _error(resp)


@pytest.mark.parametrize("path", ["/api/analyze", "/api/applicability"])
def test_body_must_be_json(reader, path):
    resp = reader.post(path, data="employees=5", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415 and "application/json" in _error(resp)


def test_invalid_json_and_non_utf8_are_400(reader):
    for data in (b'{"text": ', b'{"text": "\xff\xfe"}', b'{"n": ' + b"9" * 5000 + b"}"):
        resp = reader.post("/api/analyze", data=data, content_type="application/json")
        assert resp.status_code == 400, data[:20]


# -- characters no input may hold --------------------------------------------------------------------------------
BAD = ["\ufffe", "\uffff", "\x00", "\x1b", "\x85"]


def _get_routes(app) -> list[str]:
    """A URL for every GET route (path arguments filled with 'x')."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            urls.append(rule.build({name: "x" for name in rule.arguments}, append_unknown=False)[1])
    return urls


@pytest.mark.parametrize("char", BAD)
def test_bad_characters_in_the_query_string_are_400_on_every_route(reader_app, reader, char):
    urls = _get_routes(reader_app)
    assert "/feed.atom" in urls and "/api/search" in urls and len(urls) > 15
    for url in urls:
        resp = reader.get(url, query_string={"q": f"child{char}labour", "since": "2020-01-01"})
        assert resp.status_code == 400, (url, resp.status_code)
        assert f"U+{ord(char):04X}" in resp.get_data(as_text=True), url


def test_the_feed_with_a_noncharacter_was_a_500(reader):
    resp = reader.get("/feed.atom?since=2020-01-01&x=%EF%BF%BE")
    assert resp.status_code == 400 and "U+FFFE" in resp.get_data(as_text=True)


@pytest.mark.parametrize("escaped", ["\\ufffe", "\\ud800", "\\u0000", "\\u001b"])
def test_bad_characters_in_json_strings_are_400(reader, escaped):
    for path, body in (("/api/analyze", '{"text": "a%sb"}'), ("/api/applicability", '{"name": "a%sb"}'),
                       ("/api/applicability", '{"a%sb": 1}')):
        resp = reader.post(path, data=body % escaped, content_type="application/json")
        assert resp.status_code == 400 and "U+" in _error(resp), (path, escaped)


def test_bad_characters_in_a_form_or_path_are_400(reader):
    assert reader.post("/applicability", data={"name": "ACME\x07"}).status_code == 400
    assert reader.get(f"/documents/{EN}\ufffe").status_code == 400
    assert reader.get("/api/obligations/a\x01b").status_code == 400


def test_tabs_and_newlines_are_text(reader):
    resp = reader.post("/api/analyze", json={"text": "Companies shall\treport.\r\nThey shall act.", "lang": "en"})
    assert resp.status_code == 200


# -- closed sets of values ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, name",
    [
        ("modality=h", "modality"),
        ("modality=", "modality"),
        ("jurisdiction=US", "jurisdiction"),
        ("sort=", "sort"),
        ("sort=newest", "sort"),
        ("kind=", "kind"),
        ("versions=", "versions"),
        ("expand=yes", "expand"),
        ("format=xml", "format"),
        ("page=1_000", "page"),
        ("page=%2B1", "page"),
        ("page=%D9%A1", "page"),
        ("page=", "page"),
        ("page=51", "page"),
        ("size=201", "size"),
        ("size=" + "9" * 40, "size"),
        ("date_from=20240101", "date_from"),
        ("as_of=2024-13-01", "as_of"),
    ],
)
def test_enums_and_numbers_are_enforced_with_the_allowed_values(client, query, name):
    resp = client.get(f"/api/search?{query}")
    assert resp.status_code == 400 and f"'{name}'" in _error(resp), query
    if name in ("modality", "sort", "kind"):
        assert {"modality": "obligation, prohibition, permission, exemption", "sort": "relevance, date, deadline",
                "kind": "obligation, provision, document"}[name] in _error(resp)


def test_valid_values_and_empty_dates_are_accepted(client):
    resp = client.get(
        "/api/search?modality=obligation&modality=prohibition&jurisdiction=EU&as_of=&date_from=&page=50&size=200"
    )
    assert resp.status_code == 200
    assert client.get(f"/api/documents/{EN}?provisions=2").status_code == 400
    assert client.get(f"/api/documents/{EN}?provisions=0").status_code == 200


# -- 405 Allow -------------------------------------------------------------------------------------------------------
def test_every_405_says_which_methods_are_allowed(reader_app, reader):
    checked = 0
    for rule in reader_app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.build({name: "x" for name in rule.arguments}, append_unknown=False)[1]
        resp = reader.open(url, method="PUT")  # no route takes PUT
        assert resp.status_code == 405, url
        allowed = {m.strip() for m in resp.headers.get("Allow", "").split(",")}
        assert set(rule.methods) <= allowed, (url, resp.headers.get("Allow"))
        checked += 1
    assert checked > 15
    assert "use GET, HEAD, OPTIONS." in _error(reader.delete("/api/search"))


# -- the admin token ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def admin_app(tmp_path_factory):
    root = copy_fixture_corpus(tmp_path_factory.mktemp("admin-corpus"))
    build_index(root)
    return create_app({"DATA_DIR": str(root), "ADMIN_TOKEN": "s3cret", "TESTING": True})


@pytest.mark.parametrize(
    "header", [None, "s3cret", "Basic czNjcmV0", "Bearer", "Bearer wrong", "bearer  s3cret2", "Token s3cret"]
)
def test_admin_token_only_as_bearer(admin_app, header):
    resp = admin_app.test_client().post("/api/admin/reindex", headers={"Authorization": header} if header else {})
    assert resp.status_code == 401, header
    assert resp.headers["WWW-Authenticate"] == 'Bearer realm="regkb"' and resp.is_json


def test_admin_bearer_token_reindexes(admin_app):
    resp = admin_app.test_client().post("/api/admin/reindex", headers={"Authorization": "Bearer s3cret"})
    assert resp.status_code == 200 and resp.json["indexed"]["records"] > 0


# -- links from documents ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_urls_app(tmp_path_factory):
    """The fixture corpus whose English CSDDD names a javascript: URL as its official text."""
    root = copy_fixture_corpus(tmp_path_factory.mktemp("hostile-urls"))
    path = root / "documents" / f"{EN}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["official_url"] = doc["source_url"] = "javascript:alert(document.cookie)"
    path.write_text(json.dumps(doc), encoding="utf-8")
    build_index(root)
    return create_app({"DATA_DIR": str(root), "TESTING": True})


def test_only_http_urls_become_links(hostile_urls_app):
    client = hostile_urls_app.test_client()
    pages = [client.get(f"/documents/{EN}"), client.get("/?q=due+diligence&kind=document"),
             client.get("/whatsnew?since=2000-01-01"), client.get("/timeline")]
    for resp in pages:
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and 'href="javascript' not in html.lower(), resp.request.path
    assert "javascript:alert(document.cookie)" in pages[0].get_data(as_text=True)  # shown as text, not as a link
    feed = etree.fromstring(client.get("/feed.atom?since=2000-01-01").data)
    hrefs = feed.xpath("//a:link/@href", namespaces={"a": "http://www.w3.org/2005/Atom"})
    assert hrefs and all(h.startswith("http://localhost/") or h.startswith("https://") for h in hrefs), hrefs


def test_external_link_helper(hostile_urls_app):
    from search_app.present import external_link

    with hostile_urls_app.test_request_context():
        assert str(external_link("https://eur-lex.europa.eu/x?a=1&b=2", "EUR-Lex")) == \
            '<a href="https://eur-lex.europa.eu/x?a=1&amp;b=2" rel="noopener noreferrer external">EUR-Lex</a>'
        for url in (
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<b>",
            "//evil.example/x",
            "/relative",
            None,
        ):
            assert "<a" not in str(external_link(url, "<b>label</b>")), url


def test_feed_drops_characters_xml_cannot_carry():
    from datetime import date

    from indexer.analysis.changes import WhatsNew
    from indexer.analysis.feed import atom_feed

    news = WhatsNew.model_validate({"since": "2024-01-01", "until": "2024-12-31", "entries": [{
        "id": "tag:x,2024:1", "date": "2024-05-01", "kind": "document", "category": "new_document",
        "title": "Form\x0cfeed\ufffe title", "summary": "A\x00B", "url": "javascript:alert(1)"}], "upcoming": []})
    feed = etree.fromstring(atom_feed(news, "http://localhost/feed.atom", "http://localhost/whatsnew"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.xpath("//a:entry/a:title/text()", namespaces=ns) == ["Formfeed title"]
    assert feed.xpath("//a:entry/a:link/@href", namespaces=ns) == ["http://localhost/whatsnew"]
    assert date(2024, 5, 1).isoformat() in feed.xpath("//a:entry/a:updated/text()", namespaces=ns)[0]


# -- absolute links: public base URL or a trusted host ------------------------------------------------------------
def test_untrusted_host_is_refused(reader):
    for path in ("/", "/feed.atom", "/api/export?format=json"):
        resp = reader.get(path, headers={"Host": "evil.example"})
        assert resp.status_code == 400 and "trusted_hosts" in resp.get_data(as_text=True), path
        assert "evil.example/" not in resp.get_data(as_text=True)
    assert reader.get("/whatsnew", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_feed_and_export_links_use_the_trusted_host(client):
    rows = client.get("/api/export?format=json&q=child+labour", headers={"Host": "127.0.0.1:8000"}).json["rows"]
    assert rows and all(r["link"].startswith("http://127.0.0.1:8000/documents/") for r in rows)


def test_public_base_url_names_every_absolute_link(indexed_dir, monkeypatch):
    monkeypatch.setenv("REGKB_PUBLIC_BASE_URL", "https://regkb.example.org/kb/")
    app = create_app({"DATA_DIR": str(indexed_dir), "TESTING": True})
    client = app.test_client()
    for prefix in ("", "/kb"):  # a proxy that strips the prefix, and one that does not
        feed = etree.fromstring(
            client.get(f"{prefix}/feed.atom?since=2000-01-01", headers={"Host": "evil.example"}).data
        )
        links = feed.xpath("/a:feed/a:link/@href", namespaces={"a": "http://www.w3.org/2005/Atom"})
        assert links and all(h.startswith("https://regkb.example.org/kb/") for h in links), links
        rows = client.get(f"{prefix}/api/export?format=json&q=child+labour", headers={"Host": "evil.example"}).json[
            "rows"
        ]
        assert rows and all(r["link"].startswith("https://regkb.example.org/kb/documents/") for r in rows)
    page = client.get("/", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert 'href="/kb/static/app.css"' in page


def test_public_base_url_must_be_http(indexed_dir):
    for bad in ("ftp://example.org/", "regkb.example.org", "https://example.org/?x=1"):
        with pytest.raises(ValueError, match="public_base_url"):
            create_app({"DATA_DIR": str(indexed_dir), "PUBLIC_BASE_URL": bad})


# -- the CLI --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, says", [
    ('{"employees": %s}' % HUGE, "employees: Input should be less than or equal to 10000000"),
    ('{"turnover_eu_eur": 1e400}', "turnover_eu_eur: Input should be a finite number"),
    ("[" * 5000 + "]" * 5000, "recursion limit"),
    ('{"employes": 5}', "employes: Extra inputs are not permitted"),
    ('{"employees": "12"}', "employees: Input should be a valid integer"),
    ("\xff\xfe", "Invalid JSON"),
])
def test_cli_rejects_bad_profiles_with_exit_2(corpus_dir, tmp_path, body, says):
    profile = tmp_path / "profile.json"
    profile.write_bytes(body.encode("latin-1"))
    run = subprocess.run([sys.executable, "-m", "regkb.cli", "applicability", "--profile", str(profile),
                          "--data-dir", str(corpus_dir)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr[-2000:]
    assert says in " ".join(run.stderr.split()) and "Traceback" not in run.stderr + run.stdout
