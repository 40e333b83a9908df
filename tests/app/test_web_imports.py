"""The web process never loads spaCy: the reader draws the references `regkb extract` persisted.

WHY: the extractor (spaCy and its model) costs start-up time and memory in every web worker, and running it
per page view made a page's links depend on the web process's copy of the extractor. Checked in a fresh
interpreter, where nothing the test runner imported can hide an import.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EN = "celex-32024L1760-en"

SERVE_AND_REPORT = """
import json, sys
from search_app import create_app
client = create_app({"DATA_DIR": sys.argv[1]}).test_client()
pages = {}
for url in ["/documents/%(en)s", "/?q=due+diligence", "/timeline", "/compare?old=%(en)s&new=celex-32024L1760-fr",
            "/api/search?q=companies"]:
    resp = client.get(url)
    pages[url] = [resp.status_code, 'class="ref"' in resp.get_data(as_text=True)]
print(json.dumps({"pages": pages, "spacy": sorted(m for m in sys.modules if m == "spacy" or m.startswith("spacy."))}))
""" % {"en": EN}


def test_serving_the_app_never_imports_spacy(indexed_dir):
    done = subprocess.run([sys.executable, "-c", SERVE_AND_REPORT, str(indexed_dir)], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(status == 200 for status, _ in report["pages"].values()), report["pages"]
    assert report["pages"][f"/documents/{EN}"][1], "the reader drew no cross-reference links"
    assert report["spacy"] == [], f"the web process imported {report['spacy'][:5]}"


def test_reader_draws_no_link_from_a_stale_reference_record(tmp_path):
    """A document changed after `regkb extract`: a persisted reference whose wording is no longer at its offsets
    is left out, never drawn over the wrong words."""
    from bs4 import BeautifulSoup

    from search_app import create_app

    from .app_corpus import copy_fixture_corpus

    root = copy_fixture_corpus(tmp_path)
    path = root / "documents" / f"{EN}.json"
    doc = json.loads(path.read_text())
    par2 = next(p for p in doc["provisions"] if p["id"] == "art_8.par_2")
    par2["text"] = "Moved: " + par2["text"]  # every offset shifts; references/ is not rewritten
    path.write_text(json.dumps(doc))
    client = create_app({"DATA_DIR": str(root), "SEARCH_BACKEND": "no-such-engine", "TESTING": True}).test_client()
    page = BeautifulSoup(client.get(f"/documents/{EN}").get_data(as_text=True), "lxml")
    text = page.select_one('section[id="art_8.par_2"] p.text')
    assert text.get_text().startswith("Moved: ") and not text.select("a.ref")


def test_a_data_dir_extracted_before_references_were_persisted_says_what_to_run(tmp_path, caplog):
    import logging
    import shutil

    from search_app import create_app

    from .app_corpus import FIXTURES

    for sub in ("documents", "obligations"):
        shutil.copytree(FIXTURES / sub, tmp_path / sub)
    client = create_app({"DATA_DIR": str(tmp_path), "SEARCH_BACKEND": "no-such-engine", "TESTING": True}).test_client()
    with caplog.at_level(logging.WARNING):
        assert client.get(f"/documents/{EN}").status_code == 200
        assert client.get(f"/documents/{EN}").status_code == 200
    advice = [r.getMessage() for r in caplog.records if "references" in r.getMessage()]
    assert len(advice) == 1 and f"regkb extract --data-dir {tmp_path}" in advice[0]
