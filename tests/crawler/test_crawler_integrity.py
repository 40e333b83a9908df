"""Integrity end to end: damaged WARC records and document files are found, reported by URL, never turned into
truncated documents, and repaired (by `--repair` at once, by the next crawl otherwise)."""
from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import pytest
from crawl_helpers import make_source, run_crawl, test_parser
from loopback import Reply

from crawler.commands import crawl_command
from crawler.crawl import Crawler
from crawler.settings import CrawlSettings
from crawler.warc import CorruptRecord, read_record
from regkb.settings import DataDir
from regkb.sources import DocumentHint


def page(title: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body>{'<p>text of the law</p>' * 400}</body></html>".encode()


def conditional(body: bytes, etag: str):
    """A route that answers 304 to a request that carries its ETag, like the real sites."""
    def answer(req):
        if req.headers.get("if-none-match") == etag:
            return Reply(304, headers={"ETag": etag})
        return Reply(body=body, headers={"Content-Type": "text/html", "ETag": etag})
    return answer


def state(data: Path, url: str) -> sqlite3.Row:
    db = sqlite3.connect(data / "state" / "crawl.sqlite3")
    db.row_factory = sqlite3.Row
    return db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()


def damage_record(data: Path, url: str) -> None:
    """Overwrite 64 bytes in the middle of the URL's gzip member (as a bad disk block does)."""
    row = state(data, url)
    path = data / "raw" / row["warc_file"]
    db = sqlite3.connect(data / "state" / "crawl.sqlite3")
    later = [o for (o,) in db.execute("SELECT warc_offset FROM urls WHERE warc_file = ? AND warc_offset > ?",
                                      (row["warc_file"], row["warc_offset"]))]
    end = min(later, default=path.stat().st_size)
    middle = row["warc_offset"] + (end - row["warc_offset"]) // 2
    with path.open("r+b") as fh:
        fh.seek(middle)
        fh.write(bytes(range(64)))


def warcio_flood(stderr: str) -> list[str]:
    """The bare zlib lines warcio writes to stderr for each read of a damaged gzip member."""
    return [line for line in stderr.splitlines() if line.startswith("Error -3")]


@pytest.fixture
def two_pages(http_server):
    http_server.routes["/a"] = conditional(page("Page A"), '"a1"')
    http_server.routes["/b"] = conditional(page("Page B"), '"b1"')
    urls = [http_server.url("/a"), http_server.url("/b")]
    return urls, [
        make_source([DocumentHint(url=urls[0], short_title="doc-a"), DocumentHint(url=urls[1], short_title="doc-b")])
    ]


def test_a_damaged_record_is_an_error_naming_its_url_and_the_document_is_kept(tmp_path, two_pages, http_server, capfd):
    (url_a, url_b), sources = two_pages
    run_crawl(tmp_path, sources)
    doc_a = tmp_path / "documents" / "doc-a.json"
    original = doc_a.read_bytes()
    damage_record(tmp_path, url_a)
    capfd.readouterr()

    summary = run_crawl(tmp_path, sources, parser=test_parser("t2"))  # a parser upgrade: everything is re-parsed
    assert not summary.ok
    assert summary.problems == {"damaged record": [url_a]} and summary.damaged_records == 1
    [(url, message)] = summary.errors
    assert url == url_a and "is damaged" in message and "--repair" in message
    assert doc_a.read_bytes() == original  # never replaced by a truncated parse
    assert not warcio_flood(capfd.readouterr().err)
    row = state(tmp_path, url_a)
    assert row["error_kind"] == "corrupt_record" and "is damaged" in row["error"] and row["warc_file"] is None
    assert state(tmp_path, url_b)["parser_version"] == "t2"  # the good record was re-parsed

    before = len(http_server.hits("/a"))
    again = run_crawl(tmp_path, sources, parser=test_parser("t2"))  # the next ordinary crawl repairs it
    assert again.ok and again.repaired == [url_a], again.errors
    assert "if-none-match" not in http_server.hits("/a")[before].headers  # fetched unconditionally
    row = state(tmp_path, url_a)
    _headers, body = read_record(tmp_path / "raw", row["warc_file"], row["warc_offset"], row["sha256"])
    assert body == page("Page A") and row["parser_version"] == "t2" and row["error"] is None
    assert doc_a.read_bytes() == original


def test_repair_verifies_every_record_and_fetches_the_damaged_ones_again_at_once(tmp_path, two_pages, http_server):
    (url_a, url_b), sources = two_pages
    run_crawl(tmp_path, sources)
    damage_record(tmp_path, url_b)
    ordinary = run_crawl(tmp_path, sources)  # nothing is re-parsed, so nothing reads the damaged record
    assert ordinary.ok and ordinary.unchanged == 2

    settings = CrawlSettings.load(politeness_delay_seconds=0.0, parse_processes=0, retries=0)
    repaired = Crawler(DataDir.at(tmp_path), sources, settings, parser=test_parser(), repair=True).run()
    assert repaired.ok and repaired.damaged_records == 1 and repaired.repaired == [url_b]
    assert repaired.fetched == 1 and repaired.unchanged == 1
    for url in (url_a, url_b):
        row = state(tmp_path, url)
        read_record(tmp_path / "raw", row["warc_file"], row["warc_offset"], row["sha256"])  # both verify now


def test_a_deleted_and_a_corrupted_document_are_rebuilt_from_their_records(tmp_path, two_pages, http_server):
    _urls, sources = two_pages
    run_crawl(tmp_path, sources)
    docs = tmp_path / "documents"
    originals = {p.name: p.read_bytes() for p in docs.glob("*.json")}
    (docs / "doc-a.json").unlink()
    (docs / "doc-b.json").write_bytes(originals["doc-b.json"][: len(originals["doc-b.json"]) // 2])
    hits = len(http_server.requests)

    summary = run_crawl(tmp_path, sources)
    assert summary.ok, summary.errors
    assert sorted(summary.repaired) == ["documents/doc-a.json", "documents/doc-b.json"]
    assert {p.name: p.read_bytes() for p in docs.glob("*.json")} == originals  # byte for byte
    assert all(r.headers.get("if-none-match") for r in http_server.requests[hits:] if r.path in ("/a", "/b"))
    assert summary.fetched == 0 and summary.unchanged == 2  # rebuilt from the WARC records, not downloaded


def test_a_deleted_document_whose_record_is_damaged_too_is_refetched(tmp_path, two_pages):
    (url_a, _url_b), sources = two_pages
    run_crawl(tmp_path, sources)
    original = (tmp_path / "documents" / "doc-a.json").read_bytes()
    (tmp_path / "documents" / "doc-a.json").unlink()
    damage_record(tmp_path, url_a)

    first = run_crawl(tmp_path, sources)
    assert first.problems == {"damaged record": [url_a], "damaged document": ["doc-a"]}
    assert "documents/doc-a.json is missing and could not be rebuilt" in dict(first.errors)["doc-a"]
    second = run_crawl(tmp_path, sources)
    assert second.ok and sorted(second.repaired) == ["documents/doc-a.json", url_a]
    assert (tmp_path / "documents" / "doc-a.json").read_bytes() == original


@pytest.mark.parametrize("damage", ["64 bytes", "truncated", "another payload"])
def test_read_record_refuses_every_kind_of_damage(tmp_path, http_server, damage):
    http_server.routes["/a"] = Reply(body=page("A"), headers={"Content-Type": "text/html"})
    run_crawl(tmp_path, [make_source([http_server.url("/a")])])
    row = state(tmp_path, http_server.url("/a"))
    path = tmp_path / "raw" / row["warc_file"]
    if damage == "64 bytes":
        damage_record(tmp_path, http_server.url("/a"))
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size - 100])
    with pytest.raises(CorruptRecord, match=rf"stored record {row['warc_file']} @ {row['warc_offset']} is damaged"):
        sha = "0" * 64 if damage == "another payload" else row["sha256"]  # the state expects other content
        read_record(tmp_path / "raw", row["warc_file"], row["warc_offset"], sha)


def test_the_issue_scenario_on_the_real_mirror(tmp_path, mirror_dir, capsys):
    """Batteries Regulation: 64 bytes overwritten, forced re-parse → exit 1 naming the URL, document intact;
    `regkb crawl --repair` → exit 0, a good record and the same document."""
    args = argparse.Namespace(data_dir=str(tmp_path), mirror=str(mirror_dir), sources=["eurlex-batteries"])
    assert crawl_command(args) == 0
    url = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32023R1542"
    assert state(tmp_path, url)["warc_file"]
    db = sqlite3.connect(tmp_path / "state" / "crawl.sqlite3")
    docs = {p.name: p.read_bytes() for p in (tmp_path / "documents").glob("*.json")}
    damage_record(tmp_path, url)
    db.execute("UPDATE urls SET parser_version = 'older'")  # what a parser upgrade does
    db.commit()
    capsys.readouterr()

    assert crawl_command(args) == 1
    err = capsys.readouterr().err
    assert not warcio_flood(err) and "is damaged" in err
    failure = [line for line in err.splitlines() if "crawl failed" in line]
    assert failure and "damaged record 1" in failure[0] and url[:40] in err
    assert {p.name: p.read_bytes() for p in (tmp_path / "documents").glob("*.json")} == docs

    assert crawl_command(argparse.Namespace(**vars(args), repair=True)) == 0
    assert "repaired 1" in capsys.readouterr().err
    row = state(tmp_path, url)
    read_record(tmp_path / "raw", row["warc_file"], row["warc_offset"], row["sha256"])
    assert {p.name: p.read_bytes() for p in (tmp_path / "documents").glob("*.json")} == docs


