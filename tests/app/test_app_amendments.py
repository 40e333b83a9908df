"""Amending acts in the app: the reader links an instruction to the amended provision, a typed citation of the
amended act opens the quoted provision, and cards cite it as lawyers do. A small corpus of real mirror texts
(CSRD, Stop-the-clock, the CSDDD consolidation it changes), parsed, linked and indexed by the real code."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from indexer.parsing import link_documents, parse_resource
from search_app import create_app

from .app_corpus import build_index, link_references

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "parsing"))
from parsing_mirror import MIRROR, raw_for, source  # noqa: E402

pytestmark = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")
LC = "eur-lex.europa.eu/legal-content/EN/TXT/"
TEXTS = [(LC + "CELEX_32022L2464.derived-articles-recitals.json", "derived_json"),
         (LC + "CELEX_32025L0794.xhtml", "eurlex"), (LC + "CELEX_02024L1760-20250417.html", "eurlex")]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("amendments-corpus")
    (root / "documents").mkdir()
    (root / "obligations").mkdir()
    docs = [parse_resource(raw_for(path), source(parser, instrument_type="directive"))[0] for path, parser in TEXTS]
    for d in link_documents(docs):
        (root / "documents" / f"{d.id}.json").write_text(d.model_dump_json(), encoding="utf-8")
    link_references(root)
    build_index(root)
    return create_app({"DATA_DIR": str(root), "TESTING": True}).test_client()


def test_reader_links_the_instruction_to_the_amended_provision(client):
    page = BeautifulSoup(client.get("/documents/celex-32025L0794-en").get_data(as_text=True), "lxml")
    link = page.select_one('section[id="art_2"] p.amends a')
    assert link.get_text() == "Read Article 37(1), first and second subparagraphs in Directive (EU) 2024/1760"
    assert link["href"] == "/documents/celex-02024L1760-20250417-en#art_37.par_1"
    quoted = page.select_one('section[id="art_2.amd_par_1"] .prov-head, section[id="art_2.amd_par_1"] .num')
    assert quoted is not None
    assert "Article 37(1) of Directive (EU) 2024/1760, as replaced by Article 2" in quoted["title"]


@pytest.mark.parametrize("typed,anchor", [("CSRD Article 29a(1)", "art_1.pt_7.amd_art_29a.par_1"),
                                          ("2013/34 art 29a", "art_1.pt_7.amd_art_29a")])
def test_typed_citation_of_the_amended_act_opens_the_quoted_provision(client, typed, anchor):
    resp = client.get("/", query_string={"q": typed})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/documents/celex-32022L2464-en#{anchor}")


def test_quoted_text_and_the_consolidation_that_took_it_in_are_one_hit(client):
    """Stop-the-clock quotes CSDDD Article 37(1) as replaced; the 2025-04-17 consolidation holds the same words.
    A reader gets the provision once, as the consolidation (what a lawyer cites), not twice."""
    hits = client.get("/api/search", query_string={"q": '"shall adopt and publish, by 26 July 2027"',
                                                   "kind": "provision"}).get_json()["hits"]
    paragraphs = [h["record"] for h in hits if h["record"]["provision_id"] in ("art_37.par_1", "art_2.amd_par_1")]
    assert [r["document_id"] for r in paragraphs] == ["celex-02024L1760-20250417-en"]
    every = client.get("/api/search", query_string={"q": '"shall adopt and publish, by 26 July 2027"',
                                                    "kind": "provision", "versions": "all"}).get_json()["hits"]
    assert {h["record"]["document_id"] for h in every} >= {"celex-02024L1760-20250417-en", "celex-32025L0794-en"}
