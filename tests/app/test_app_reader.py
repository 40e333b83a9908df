"""The document reader, the record API, i18n, security and errors: everything that works without a search index."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import yaml
from bs4 import BeautifulSoup

EN = "celex-32024L1760-en"
OB = "celex-32024L1760-en:art_8.par_2:1"


def soup(resp) -> BeautifulSoup:
    return BeautifulSoup(resp.get_data(as_text=True), "lxml")


def test_document_list_groups_language_versions(reader):
    resp = reader.get("/documents")
    assert resp.status_code == 200
    page = soup(resp)
    hrefs = {a["href"] for a in page.select(".doc-versions a")}
    assert {
        "/documents/celex-32024L1760-en",
        "/documents/celex-32024L1760-fr",
        "/documents/bwb-BWBV0001522-nl",
    } <= hrefs


def test_reader_shows_toc_provisions_obligations_and_metadata(reader):
    page = soup(reader.get(f"/documents/{EN}?highlight={OB}"))
    assert page.select_one('.toc a[href="#art_8"]').get_text().startswith("Article 8")
    section = page.select_one('section[id="art_8.par_2"]')
    mark = section.select_one("mark.ob")
    assert mark["id"] == f"ob-{OB}" and "target" in mark["class"]
    assert mark.get_text().startswith("As part of the obligation")
    # the reference inside the obligation is a link to the cited provision
    refs = {a.get_text(): a["href"] for a in section.select("mark.ob a.ref")}
    assert refs["Article 3(1), point (b)"] == f"/documents/{EN}#art_3.par_1.pt_b"
    assert section.select_one("details.obligations")["open"] is not None
    meta = page.select_one(".meta-panel").get_text(" ", strip=True)
    assert "32024L1760" in meta and "2024/1760" in meta
    assert page.select_one('.meta-panel a[href="https://eur-lex.europa.eu/eli/dir/2024/1760/oj"]')
    assert "26 July 2026" in meta  # transposition deadline, formatted in the interface language


def test_other_obligations_are_marked_but_not_targeted(reader):
    page = soup(reader.get(f"/documents/{EN}"))
    marks = page.select("mark.ob")
    assert len(marks) == 3 and not page.select("mark.target")
    assert page.select_one('mark[id="ob-celex-32024L1760-en:anx_I:1"]')["class"] == ["ob", "ob-prohibition"]


def test_language_switch_links_to_the_other_version(reader):
    page = soup(reader.get(f"/documents/{EN}"))
    link = page.select_one(".versions a[data-keep-position]")
    assert link["href"] == "/documents/celex-32024L1760-fr" and link["hreflang"] == "fr"
    fr = soup(reader.get("/documents/celex-32024L1760-fr"))
    assert fr.select_one('section[id="art_8.par_2"]') and fr.select_one("article.document")["lang"] == "fr"


def test_crawled_markup_is_escaped(reader):
    html = reader.get(f"/documents/{EN}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;markup&lt;/b&gt; &amp; escaping" in html


def test_unknown_and_hostile_document_ids_are_404(reader):
    for path in ("/documents/nope", "/documents/..%2F..%2Fetc%2Fpasswd", "/documents/.hidden", "/api/documents/..%2Fx"):
        resp = reader.get(path)
        assert resp.status_code == 404, path
    assert "nothing at this address" in reader.get("/documents/nope").get_data(as_text=True)


def test_error_page_title_in_the_readers_language(reader):
    assert reader.get("/api/documents/nope").get_json()["error"]["title"] == "Page not found"
    english = reader.get("/documents/nope").get_data(as_text=True)
    dutch = reader.get("/documents/nope?lang=nl").get_data(as_text=True)
    assert "Page not found" in english and "Not Found" not in english
    assert "Pagina niet gevonden" in dutch and "Op dit adres staat niets" in dutch


def test_security_headers_and_no_inline_script(reader):
    for path in ("/documents", f"/documents/{EN}", "/api/documents/" + EN, "/nope"):
        resp = reader.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    page = soup(reader.get(f"/documents/{EN}"))
    assert all(s.get("src") for s in page.find_all("script"))
    assert not [t for t in page.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert not page.find_all("style") and not page.find_all(style=True)


def test_accessibility_landmarks(reader):
    page = soup(reader.get(f"/documents/{EN}"))
    assert page.select_one("a.skip")["href"] == "#main" and page.select_one("main#main")
    assert page.select_one("header.site nav[aria-label]") and page.select_one("footer")
    assert page.html["lang"] == "en"


def test_browser_language_and_switch(reader):
    nl = reader.get("/documents", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert soup(nl).html["lang"] == "nl" and "Documenten" in soup(nl).h1.get_text()
    switched = reader.get("/documents?lang=nl", headers={"Accept-Language": "en"})
    assert soup(switched).html["lang"] == "nl"
    assert "lang=nl" in switched.headers["Set-Cookie"]
    # the cookie now overrides the browser; ?lang=en overrides the cookie
    assert soup(reader.get("/documents", headers={"Accept-Language": "en"})).html["lang"] == "nl"
    assert soup(reader.get("/documents?lang=en")).html["lang"] == "en"
    assert soup(reader.get("/documents")).html["lang"] == "en"


def test_unsupported_language_falls_back(reader):
    assert soup(reader.get("/documents?lang=xx", headers={"Accept-Language": "de"})).html["lang"] == "en"


def test_search_without_index_is_a_clear_503(reader):
    resp = reader.get("/?q=child")
    assert resp.status_code == 503 and "Search is not available" in resp.get_data(as_text=True)
    api = reader.get("/api/search?q=child")
    assert api.status_code == 503 and api.json["error"]["status"] == 503 and api.json["error"]["message"]
    # the sector list still renders (labels from config/nace.yaml), with a notice
    sectors = reader.get("/sectors")
    assert sectors.status_code == 200 and "Manufacture of textiles" in sectors.get_data(as_text=True)


# -- record API --------------------------------------------------------------
def test_api_document(reader):
    data = reader.get(f"/api/documents/{EN}").json
    assert data["id"] == EN and data["identifiers"]["celex"] == "32024L1760"
    assert any(p["id"] == "art_8.par_2" for p in data["provisions"]) and data["url"] == f"/documents/{EN}"
    assert "provisions" not in reader.get(f"/api/documents/{EN}?provisions=0").json


def test_api_provision_with_obligations_and_children(reader):
    data = reader.get(f"/api/provisions/{EN}/art_8.par_2").json
    assert data["citation"] == "Article 8(2)" and data["document_id"] == EN
    assert [o["id"] for o in data["obligations"]] == [OB]
    assert data["url"] == f"/documents/{EN}#art_8.par_2"
    assert reader.get(f"/api/provisions/{EN}/art_8").json["children"] == ["art_8.par_1", "art_8.par_2"]


def test_api_obligation(reader):
    data = reader.get(f"/api/obligations/{OB}").json
    assert data["modality"] == "obligation" and data["addressee_text"] == "companies"
    assert data["thresholds"][0]["value"] == 1000
    assert data["url"] == f"/documents/{EN}?highlight={OB}#art_8.par_2"


def test_api_errors_are_json(reader):
    cases = {"/api/documents/nope": 404, f"/api/provisions/{EN}/nope": 404, "/api/obligations/nope": 404,
             "/api/nothing/here": 404, "/api": 404}
    for path, status in cases.items():
        resp = reader.get(path)
        assert resp.status_code == status and resp.is_json and resp.json["error"]["status"] == status, path
    wrong_method = reader.delete(f"/api/documents/{EN}")
    assert wrong_method.status_code == 405 and wrong_method.is_json


def test_openapi_describes_every_api_route(reader_app, reader):
    spec = yaml.safe_load(reader.get("/api/openapi.yaml").get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert reader.get("/api/openapi.json").json == spec
    documented = {re.sub(r"\{[^}]+\}", "{}", p) for p in spec["paths"]}
    every_route = {re.sub(r"<[^>]+>", "{}", r.rule) for r in reader_app.url_map.iter_rules()}
    assert {r for r in every_route if r.startswith("/api/")} == {p for p in documented if p.startswith("/api/")}
    # machine-readable pages outside /api (the Atom feeds) may be described too, but only routes that exist
    assert documented <= every_route, documented - every_route


def test_analyze_validates_input(reader):
    assert reader.post("/api/analyze", data="not json", content_type="text/plain").status_code == 415
    assert reader.post("/api/analyze", json=["a list"]).status_code == 400
    missing = reader.post("/api/analyze", json={"lang": "en"})
    assert missing.status_code == 400 and "text" in missing.json["error"]["message"]
    assert reader.post("/api/analyze", json={"text": "x", "lang": "english"}).status_code == 400
    too_long = reader.post("/api/analyze", json={"text": "a" * 200_001})
    assert too_long.status_code == 400 and "maximum" in too_long.json["error"]["message"]


def test_admin_reindex_needs_a_token(reader_app):
    client = reader_app.test_client()
    assert reader_app.config["ADMIN_TOKEN"] is None
    resp = client.post("/api/admin/reindex")
    assert resp.status_code == 403 and "REGKB_ADMIN_TOKEN" in resp.json["error"]["message"]
    reader_app.config["ADMIN_TOKEN"] = "s3cret"
    try:
        assert client.post("/api/admin/reindex").status_code == 401
        assert client.post("/api/admin/reindex", headers={"Authorization": "Bearer wrong"}).status_code == 401
    finally:
        reader_app.config["ADMIN_TOKEN"] = None
    assert client.get("/api/admin/reindex").status_code == 405


def test_analyze_finds_the_obligation_like_regkb_analyze(reader):
    from indexer.nlp.pipeline import analyze_text

    text = "Member States shall ensure that companies carry out risk-based human rights due diligence by 26 July 2027."
    resp = reader.post("/api/analyze", json={"text": text, "lang": "en"})
    assert resp.status_code == 200 and resp.json["lang"] == "en"
    records = resp.json["records"]
    expected = analyze_text(text, "en")
    assert [r["modality"] for r in records] == [f.modality for f in expected] and records
    assert records[0]["text"] == expected[0].text and records[0]["start"] == 0
    nl = reader.post("/api/analyze", json={"text": "De onderneming moet de kinderarbeid voorkomen.", "lang": "nl"})
    assert nl.status_code == 200
    fr_text = ("Au plus tard le 26 juillet 2027, les États membres veillent à ce que les entreprises "
               "publient un rapport.")
    fr = reader.post("/api/analyze", json={"text": fr_text, "lang": "fr"})
    assert fr.status_code == 200 and fr.json["lang"] == "fr"
    [found] = fr.json["records"]  # French states the duty in the plain present: an obligation of the Member States
    assert found["modality"] == "obligation" and found["addressee"] == "member_states"
    assert [d["date"] for d in found["deadlines"]] == ["2027-07-26"]
    unsupported = reader.post("/api/analyze", json={"text": "Die Unternehmen müssen handeln.", "lang": "de"})
    assert unsupported.status_code == 400 and "de" in unsupported.json["error"]["message"]
    assert all(lang in unsupported.json["error"]["message"] for lang in ("en", "nl", "fr"))
    # like `regkb analyze --kind recital`: recitals never bind
    recital = reader.post("/api/analyze", json={"text": text, "lang": "en", "kind": "recital"})
    assert recital.status_code == 200 and recital.json["records"] == []


def test_damaged_files_are_skipped_not_fatal(tmp_path, caplog):
    from search_app import create_app

    from .app_corpus import copy_fixture_corpus

    root = copy_fixture_corpus(tmp_path)
    (root / "documents" / "broken-en.json").write_text('{"id": "broken-en", "title": ')
    with (root / "obligations" / f"{EN}.jsonl").open("a") as fh:
        fh.write("not json\n" + '{"id": "x"}\n')
    client = create_app({"DATA_DIR": str(root), "SEARCH_BACKEND": "no-such-engine"}).test_client()
    listing = client.get("/documents")
    assert listing.status_code == 200 and "broken-en" not in listing.get_data(as_text=True)
    assert client.get("/documents/broken-en").status_code == 404
    page = soup(client.get(f"/documents/{EN}"))
    assert len(page.select("mark.ob")) == 3  # the good obligations are still marked
    assert any("broken-en.json" in r.getMessage() for r in caplog.records)
    assert any("skipping bad obligation record" in r.getMessage() for r in caplog.records)


# -- cross-references in the provision text -----------------------------------------------------
def test_references_in_provision_text_link_to_the_cited_provision(reader):
    page = soup(reader.get(f"/documents/{EN}"))
    text = page.select_one('section[id="art_8.par_2"] p.text')
    refs = {a.get_text(): a["href"] for a in text.select("a.ref")}
    # "paragraph 1" is relative to the article it stands in; the obligation's reference is linked too
    assert refs == {"paragraph 1": f"/documents/{EN}#art_8.par_1",
                    "Article 3(1), point (b)": f"/documents/{EN}#art_3.par_1.pt_b"}
    assert page.select_one('section[id="art_8.par_1"]')  # the target exists on the page


def test_unresolvable_reference_stays_text(reader):
    # CSDDD fixture has no Article 32 (it is the Convention's article): no link, wording intact
    annex = soup(reader.get(f"/documents/{EN}")).select_one('section[id="anx_I"] p.text')
    assert not annex.select("a") and "within the meaning of Article 32 of the Convention" in annex.get_text()


class _Nesting(HTMLParser):
    """Records every end tag that does not close the element opened last (i.e. broken nesting)."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _provision_html(html: str, provision_id: str) -> str:
    start = html.index(f'<section id="{provision_id}"')
    body = html[html.index('<p class="text">', start):]
    return body[:body.index("</p>") + 4]


def _hostile_corpus(tmp_path):
    """The fixture corpus with hostile wording around references and an obligation ending inside one."""
    from .app_corpus import copy_fixture_corpus, link_references

    root = copy_fixture_corpus(tmp_path)
    path = root / "documents" / f"{EN}.json"
    doc = json.loads(path.read_text())
    text = ('<script>alert(1)</script> "Article 8(2)" and \'paragraph 1\' of <b onclick="x">Annex I</b>; '
            'see Directive (EU) 2024/1760, the CSDDD, Article 77(9) and Directive 2013/34/EU.')
    annex = next(p for p in doc["provisions"] if p["id"] == "anx_I")
    doc["provisions"].insert(doc["provisions"].index(annex), {**annex, "id": "art_9", "kind": "article", "number": "9",
                                                              "citation": "Article 9", "heading": None, "text": text})
    path.write_text(json.dumps(doc))
    cut = text.index("8(2)") + 1  # the obligation ends in the middle of "Article 8(2)"
    ob = {"id": f"{EN}:art_9:1", "document_id": EN, "provision_id": "art_9", "citation": "Article 9", "language": "en",
          "text": text[:cut], "start": 0, "end": cut, "modality": "obligation"}
    with (root / "obligations" / f"{EN}.jsonl").open("a") as fh:
        fh.write(json.dumps(ob) + "\n")
    link_references(root)
    return root, text


def test_hostile_text_around_references_stays_escaped(tmp_path):
    from search_app import create_app

    root, _ = _hostile_corpus(tmp_path)
    client = create_app({"DATA_DIR": str(root), "SEARCH_BACKEND": "no-such-engine", "TESTING": True}).test_client()
    html = client.get(f"/documents/{EN}").get_data(as_text=True)
    fragment = _provision_html(html, "art_9")
    assert "<script>" not in fragment and "<b " not in fragment and "onclick=\"" not in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment and "&lt;b onclick=&#34;x&#34;&gt;" in fragment
    links = {a.get_text(): a["href"] for a in BeautifulSoup(fragment, "lxml").select("a.ref")}
    assert links["(2)"] == f"/documents/{EN}#art_8.par_2"  # "Article 8(2)" in quotes, split by the obligation's end
    # Article 9 has no paragraph 1: the extractor's resolver falls back to the article it stands in
    assert links["paragraph 1"] == f"/documents/{EN}#art_9"
    assert links["Annex I"] == f"/documents/{EN}#anx_I"
    assert links["Directive (EU) 2024/1760"] == f"/documents/{EN}" and links["CSDDD"] == f"/documents/{EN}"
    assert "Article 77(9)" not in links and "Directive 2013/34/EU" not in links  # not in the corpus: plain text


def test_reference_crossing_an_obligation_nests_validly(tmp_path):
    from search_app import create_app

    root, text = _hostile_corpus(tmp_path)
    client = create_app({"DATA_DIR": str(root), "SEARCH_BACKEND": "no-such-engine", "TESTING": True}).test_client()
    fragment = _provision_html(client.get(f"/documents/{EN}").get_data(as_text=True), "art_9")
    checker = _Nesting()
    checker.feed(fragment)
    assert not checker.errors and checker.stack == []
    page = BeautifulSoup(fragment, "lxml")
    # the link is split at the end of the mark: both halves point to Article 8(2), together they spell it
    halves = [a for a in page.select("a.ref") if a["href"] == f"/documents/{EN}#art_8.par_2"]
    assert [a.get_text() for a in halves] == ["Article 8", "(2)"]
    assert halves[0].find_parent("mark")["id"] == f"ob-{EN}:art_9:1" and halves[1].find_parent("mark") is None
    assert page.get_text() == text


def test_dutch_references_use_the_dutch_finder(tmp_path):
    from search_app import create_app

    from .app_corpus import copy_fixture_corpus, link_references

    root = copy_fixture_corpus(tmp_path)
    path = root / "documents" / "bwb-BWBV0001522-nl.json"
    doc = json.loads(path.read_text())
    doc["provisions"][0]["text"] = "Zie artikel 1, tweede lid, en artikel 7 van dit Verdrag."
    path.write_text(json.dumps(doc))
    link_references(root)
    client = create_app({"DATA_DIR": str(root), "SEARCH_BACKEND": "no-such-engine", "TESTING": True}).test_client()
    text = soup(client.get("/documents/bwb-BWBV0001522-nl")).select_one('section[id="art_1"] p.text')
    # the article has no second paragraph here: the resolver falls back to the article; artikel 7 does not exist
    assert [(a.get_text(), a["href"]) for a in text.select("a.ref")] == [
        ("artikel 1, tweede lid", "/documents/bwb-BWBV0001522-nl#art_1")]
