"""The offline mirror server and the transport that routes live URLs to it."""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
import requests

from crawler.fetch import Fetcher
from crawler.mirror import MirrorServer
from crawler.settings import CrawlSettings

CSDDD_EN = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024L1760"
CORRIGENDUM = "https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:32024L1760R(02)"  # unencoded parentheses
CELLAR_ZIP = "https://publications.europa.eu/resource/cellar/6d4009db-43a6-11ef-865a-01aa75ed71a1.0007.01/zip"


@pytest.fixture(scope="module")
def mirror(mirror_dir):
    with MirrorServer(mirror_dir) as server:
        yield server


@pytest.fixture(scope="module")
def fetcher(mirror):
    return Fetcher(CrawlSettings.load(mirror=True), mirror_url=mirror.url)


@pytest.fixture(scope="module")
def manifest(mirror_dir):
    with (mirror_dir / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_live_url_is_answered_from_the_mirror_with_validators(fetcher, mirror_dir):
    result = fetcher.fetch(CSDDD_EN)
    assert result.error is None and result.final_url == CSDDD_EN
    assert result.media_type == "application/xhtml+xml"
    assert result.body == (mirror_dir / "eur-lex.europa.eu/legal-content/EN/TXT/CELEX_32024L1760.xhtml").read_bytes()
    assert result.headers["etag"] and result.headers["last-modified"]
    assert fetcher.fetch(CSDDD_EN, etag=result.headers["etag"]).not_modified
    assert fetcher.fetch(CSDDD_EN, last_modified=result.headers["last-modified"]).not_modified


def test_every_manifest_file_is_served_with_its_type(fetcher, manifest, mirror_dir):
    expected_types = {".html": "text/html", ".xhtml": "application/xhtml+xml", ".json": "application/json",
                      ".md": "text/markdown", ".txt": "text/plain"}
    for row in manifest:
        if row["original_url"].endswith("/zip"):
            continue
        result = fetcher.fetch(row["original_url"])
        assert result.status == 200, row["original_url"]
        assert hashlib.sha256(result.body).hexdigest() == row["sha256"]
        suffix = "." + row["local_path"].rsplit(".", 1)[-1]
        assert result.media_type == expected_types[suffix]


def test_cellar_zip_is_built_from_its_members_deterministically(fetcher, mirror, manifest, mirror_dir):
    first = fetcher.fetch(CELLAR_ZIP)
    assert first.media_type == "application/zip"
    members = {r["local_path"].rsplit("/", 1)[-1]: (mirror_dir / r["local_path"]).read_bytes()
               for r in manifest if r["original_url"] == CELLAR_ZIP}
    with zipfile.ZipFile(io.BytesIO(first.body)) as zf:
        assert sorted(zf.namelist()) == sorted(members)
        assert all(zf.read(name) == data for name, data in members.items())
    with MirrorServer(mirror_dir) as other:  # a fresh server builds the same bytes
        again = Fetcher(CrawlSettings.load(mirror=True), mirror_url=other.url).fetch(CELLAR_ZIP)
    assert again.body == first.body and again.headers["etag"] == first.headers["etag"]


def test_percent_encoding_variants_are_one_page(fetcher):
    assert fetcher.fetch(CORRIGENDUM).status == 200


def test_unknown_url_is_404_and_robots_txt_is_permissive(fetcher, mirror):
    missing = fetcher.fetch("https://www.imvoconvenanten.nl/nl/goud")
    assert missing.status == 404 and missing.error == "HTTP 404"
    robots = requests.get(mirror.url + "/robots.txt", headers={"Host": "eur-lex.europa.eu"}, timeout=5)
    assert robots.status_code == 200 and "Allow: /" in robots.text


def test_a_folder_without_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="MANIFEST.tsv"):
        MirrorServer(tmp_path)
