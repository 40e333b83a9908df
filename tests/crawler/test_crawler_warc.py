"""Raw responses in WARC: provenance, replay by offset, and recovery after a crash."""
from __future__ import annotations

import hashlib
import sqlite3

from crawl_helpers import make_source, run_crawl
from loopback import Reply
from warcio.archiveiterator import ArchiveIterator

from crawler.fetch import FetchResult
from crawler.warc import WarcStore, read_record


def test_every_response_is_kept_with_provenance(tmp_path, http_server):
    body = b"<title>kept</title>"
    http_server.routes["/kept"] = Reply(body=body, headers={"Content-Type": "text/html", "ETag": '"k"'})
    run_crawl(tmp_path, [make_source([http_server.url("/kept")])])
    [warc] = (tmp_path / "raw").glob("*.warc.gz")
    with warc.open("rb") as fh:
        records = [(r, r.content_stream().read()) for r in ArchiveIterator(fh) if r.rec_type == "response"]
    [(record, payload)] = records
    assert record.rec_headers.get_header("WARC-Target-URI") == http_server.url("/kept")
    assert record.rec_headers.get_header("WARC-Date")
    assert record.rec_headers.get_header("WARC-X-Payload-SHA256") == hashlib.sha256(body).hexdigest()
    assert record.http_headers.get_statuscode() == "200"
    assert record.http_headers.get_header("etag") == '"k"'
    assert payload == body
    db = sqlite3.connect(tmp_path / "state" / "crawl.sqlite3")
    name, offset = db.execute("SELECT warc_file, warc_offset FROM urls").fetchone()
    assert read_record(tmp_path / "raw", name, offset)[1] == body


def _result(i: int) -> FetchResult:
    return FetchResult(f"https://example.org/{i}", f"https://example.org/{i}", 200,
                       {"content-type": "text/plain"}, f"body {i}".encode() * 100)


def _sha(i: int) -> str:
    return hashlib.sha256(_result(i).body).hexdigest()


def test_an_interrupted_warc_is_cut_to_its_last_complete_record(tmp_path):
    store = WarcStore(tmp_path, "crashed")
    store.append(_result(1), _sha(1))
    name, offset = store.append(_result(2), _sha(2))
    open_file = tmp_path / (name + ".open")
    complete = open_file.stat().st_size
    with open_file.open("ab") as fh:  # half of a third record, as a kill -9 mid-write leaves it
        fh.write(b"\x1f\x8b\x08\x00" + b"\x00" * 40)
    assert WarcStore.recover(tmp_path) == [name]
    assert not list(tmp_path.glob("*.open"))
    assert (tmp_path / name).stat().st_size == complete
    with (tmp_path / name).open("rb") as fh:
        assert [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)] == [
            "https://example.org/1", "https://example.org/2"]
    assert read_record(tmp_path, name, offset)[1] == b"body 2" * 100


def test_two_runs_with_the_same_name_keep_both_files(tmp_path):
    """Two crawls in the same second of one process get the same run name; the second must not replace the first."""
    first = WarcStore(tmp_path, "same")
    name1, offset1 = first.append(_result(1), _sha(1))
    first.close()
    second = WarcStore(tmp_path, "same")
    name2, offset2 = second.append(_result(2), _sha(2))
    second.close()
    assert name1 != name2
    assert read_record(tmp_path, name1, offset1, _sha(1))[1] == _result(1).body
    assert read_record(tmp_path, name2, offset2, _sha(2))[1] == _result(2).body
