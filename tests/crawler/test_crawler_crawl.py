"""The crawl against a real HTTP server on 127.0.0.1: bad input, re-crawls, links, documents."""
from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path

import pypdf
import pytest
from crawl_helpers import SEEN_PARSER_KEYS, SEEN_RAW, make_source, run_crawl, test_parser
from loopback import Reply

from crawler.crawl import Parser
from regkb.sources import DocumentHint

GOOD = Reply(body=b"<html><head><title>Good page</title></head><body><p>Fine.</p></body></html>",
             headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"good-1"'})


def pdf_bytes() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def state_row(data: Path, url: str) -> sqlite3.Row:
    db = sqlite3.connect(data / "state" / "crawl.sqlite3")
    db.row_factory = sqlite3.Row
    return db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()


BAD_INPUTS = {
    "malformed-html": (
        Reply(body=b"<html><body><div><p>no title <<<>>> &&&", headers={"Content-Type": "text/html"}),
        "no <title>",
    ),
    "truncated-html": (
        Reply(body=b"<html><head><title>Cut", headers={"Content-Type": "text/html", "Content-Length": "5000"}),
        "network error",
    ),
    "corrupt-pdf": (
        Reply(body=b"%PDF-1.7\n garbage \x00\x01\x02 not a pdf", headers={"Content-Type": "application/pdf"}),
        "not a readable PDF",
    ),
    "truncated-pdf": (Reply(body=pdf_bytes()[:300], headers={"Content-Type": "application/pdf"}), "not a readable PDF"),
    "not-found": (Reply(404, b"gone"), "HTTP 404"),
    "gone": (Reply(410, b"gone for good"), "HTTP 410"),
    "server-error": (Reply(500, b"oops"), "HTTP 500"),
    "timeout": (Reply(body=b"late", delay=1.5), "timed out"),
    "oversized-declared": (Reply(body=b"x" * 300_000, headers={"Content-Type": "text/html"}), "exceeds the limit"),
    "oversized-streamed": (Reply(endless=True, headers={"Content-Type": "text/html"}), "exceeds the limit"),
    "raises": (
        Reply(body=b"<html><title>t</title></html>", headers={"Content-Type": "text/html"}),
        "parser crashed (RuntimeError)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_logged_error_and_the_crawl_goes_on(tmp_path, http_server, caplog, case):
    reply, expected = BAD_INPUTS[case]
    bad_path = "/raises" if case == "raises" else f"/{case}"
    http_server.routes.update({bad_path: reply, "/good": GOOD})
    bad_url = http_server.url(bad_path)
    with caplog.at_level(logging.INFO, logger="crawler"):
        summary = run_crawl(tmp_path, [make_source([bad_url, http_server.url("/good")])])
    assert list((tmp_path / "documents").glob("*.json"))
    assert [m for u, m in summary.errors if u == bad_url and expected in m], summary.errors
    assert len(summary.errors) == 1
    lines = [r for r in caplog.records if bad_url in r.getMessage() and r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    row = state_row(tmp_path, bad_url)
    assert expected in (row["error"] or row["parse_error"] or "")
    good = state_row(tmp_path, http_server.url("/good"))
    assert good["outcome"] == "fetched" and json.loads(good["doc_ids"])


def test_redirect_loop_and_too_many_redirects_are_recorded(tmp_path, http_server):
    http_server.routes["/loop-a"] = Reply(302, headers={"Location": "/loop-b"})
    http_server.routes["/loop-b"] = Reply(302, headers={"Location": "/loop-a"})
    for i in range(10):
        http_server.routes[f"/hop-{i}"] = Reply(301, headers={"Location": f"/hop-{i + 1}"})
    http_server.routes["/hop-10"] = GOOD
    http_server.routes["/moved"] = Reply(301, headers={"Location": "/good"})
    http_server.routes["/good"] = GOOD
    summary = run_crawl(tmp_path, [make_source([http_server.url("/loop-a"), http_server.url("/hop-0"),
                                                http_server.url("/moved")])], max_redirects=5)
    errors = dict(summary.errors)
    assert "redirect loop" in errors[http_server.url("/loop-a")]
    assert "more than 5 redirects" in errors[http_server.url("/hop-0")]
    moved = state_row(tmp_path, http_server.url("/moved"))
    assert moved["outcome"] == "fetched"
    assert SEEN_RAW[0].url == http_server.url("/moved") and SEEN_RAW[0].final_url == http_server.url("/good")


def test_wrong_declared_charset_reaches_the_parser_as_raw_bytes(tmp_path, http_server):
    body = "<html><head><title>Côte d’Ivoire – cacao</title></head><body>é</body></html>".encode("cp1252")
    http_server.routes["/latin"] = Reply(body=body, headers={"Content-Type": "text/html; charset=UTF-8"})
    run_crawl(tmp_path, [make_source([http_server.url("/latin")])])
    assert SEEN_RAW[0].body == body
    assert SEEN_RAW[0].charset == "UTF-8" and SEEN_RAW[0].content_type == "text/html"


def test_recrawl_downloads_and_parses_nothing_new(tmp_path, http_server):
    http_server.routes["/etag"] = GOOD
    http_server.routes["/lastmod"] = Reply(body=b"<title>LM</title>", headers={
        "Content-Type": "text/html", "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})
    http_server.routes["/plain"] = Reply(body=b"<title>No validators</title>", headers={"Content-Type": "text/html"})
    source = make_source([http_server.url(p) for p in ("/etag", "/lastmod", "/plain")])
    first = run_crawl(tmp_path, [source])
    assert (first.fetched, first.parsed, first.unchanged) == (3, 3, 0)
    docs_before = {p.name: p.read_bytes() for p in (tmp_path / "documents").iterdir()}
    second = run_crawl(tmp_path, [source])
    assert (second.fetched, second.parsed, second.unchanged, second.reparse_skipped) == (0, 0, 3, 3)
    assert second.documents_written == 0
    assert http_server.hits("/etag")[-1].headers.get("if-none-match") == '"good-1"'
    assert http_server.hits("/lastmod")[-1].headers.get("if-modified-since") == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert {p.name: p.read_bytes() for p in (tmp_path / "documents").iterdir()} == docs_before
    assert len(list((tmp_path / "raw").glob("*.warc.gz"))) == 1  # the second run wrote no WARC file


def test_recrawl_with_server_error_keeps_the_stored_document(tmp_path, http_server):
    http_server.routes["/page"] = GOOD
    source = make_source([http_server.url("/page")])
    run_crawl(tmp_path, [source])
    [doc_path] = (tmp_path / "documents").glob("*.json")
    before = doc_path.read_bytes()
    http_server.routes["/page"] = Reply(500, b"down")
    summary = run_crawl(tmp_path, [source])
    assert summary.failed == 1 and doc_path.read_bytes() == before
    assert state_row(tmp_path, http_server.url("/page"))["outcome"] == "failed"
    http_server.routes["/page"] = GOOD
    again = run_crawl(tmp_path, [source])
    assert (again.unchanged, again.fetched, again.parsed) == (1, 0, 0)  # validators survived the failure


def test_changed_page_is_reparsed_and_parse_failure_keeps_old_document(tmp_path, http_server):
    http_server.routes["/page"] = GOOD
    source = make_source([http_server.url("/page")])
    run_crawl(tmp_path, [source])
    [doc_path] = (tmp_path / "documents").glob("*.json")
    before = doc_path.read_bytes()
    http_server.routes["/page"] = Reply(
        body=b"<html><body>title gone", headers={"Content-Type": "text/html", "ETag": '"2"'}
    )
    summary = run_crawl(tmp_path, [source])
    assert (summary.fetched, summary.parse_failed) == (1, 1)
    assert doc_path.read_bytes() == before
    again = run_crawl(tmp_path, [source])  # not parsed again for nothing, but still reported
    assert (again.parsed, again.parse_failed) == (0, 0)
    assert [u for u, _ in again.standing_errors] == [http_server.url("/page")]


def test_links_followed_within_scope_and_depth_once_each(tmp_path, http_server):
    base = http_server.base
    http_server.routes["/site/a"] = Reply(body=f"""<html><title>A</title>
        <a href="/site/b">b</a> <a href="{base}/site/b#part">b again</a> <a href="/site/a">self</a>
        <a href="/elsewhere/c">out of scope</a> <a href="mailto:x@example.org">mail</a>""".encode(),
        headers={"Content-Type": "text/html"})
    http_server.routes["/site/b"] = Reply(body=b'<title>B</title><a href="/site/d">deeper</a>',
                                          headers={"Content-Type": "text/html"})
    http_server.routes["/site/d"] = GOOD
    source = make_source([http_server.url("/site/a")], scope=[http_server.url("/site/")], max_depth=1)
    run_crawl(tmp_path, [source])
    assert len(http_server.hits("/site/a")) == 1 and len(http_server.hits("/site/b")) == 1
    assert not http_server.hits("/elsewhere/c") and not http_server.hits("/site/d")
    second = run_crawl(tmp_path, [source])  # links are remembered for pages that answer 304
    assert second.unchanged == 2 and len(http_server.hits("/site/b")) == 2


def test_two_manifestations_of_one_document_keep_the_best_and_record_the_other(tmp_path, http_server):
    http_server.routes["/doc.html"] = Reply(body=b"<title>Act</title>", headers={"Content-Type": "text/html"})
    http_server.routes["/doc.xml"] = Reply(body=b"Act (xml)", headers={"Content-Type": "application/xml"})
    html, xml = http_server.url("/doc.html"), http_server.url("/doc.xml")
    outputs = []
    for order in ([html, xml], [xml, html]):
        hints = [DocumentHint(url=u, short_title="same-act") for u in order]
        data = tmp_path / f"order-{len(outputs)}"
        run_crawl(data, [make_source(hints)], workers=1)
        outputs.append((data / "documents" / "same-act.json").read_bytes())
    assert outputs[0] == outputs[1]
    doc = json.loads(outputs[0])
    assert doc["source_url"] == html and doc["alternate_urls"] == [xml] and doc["fetched_at"] is None


def test_linking_runs_over_the_whole_corpus(tmp_path, http_server):
    http_server.routes["/en"] = Reply(body=b"<title>Same</title>", headers={"Content-Type": "text/html"})
    http_server.routes["/fr"] = Reply(body=b"<title>Same</title>", headers={"Content-Type": "text/html"})
    run_crawl(tmp_path, [make_source([DocumentHint(url=http_server.url("/en"), short_title="d-en"),
                                      DocumentHint(url=http_server.url("/fr"), short_title="d-fr")])])
    doc = json.loads((tmp_path / "documents" / "d-en.json").read_text())
    assert [link["document_id"] for link in doc["links"]] == ["d-fr"]


def test_without_parser_raw_is_kept_and_parsed_later_without_refetching(tmp_path, http_server):
    http_server.routes["/page"] = GOOD
    source = make_source([http_server.url("/page")])
    first = run_crawl(tmp_path, [source], parser=Parser(unavailable="parser unavailable (test)"))
    assert first.parser_unavailable and first.fetched == 1 and not list((tmp_path / "documents").glob("*.json"))
    second = run_crawl(tmp_path, [source])
    assert (second.fetched, second.unchanged, second.parsed) == (0, 1, 1)
    assert SEEN_RAW[0].body == GOOD.body  # replayed from the WARC file
    assert list((tmp_path / "documents").glob("*.json"))


def test_parser_version_bump_reparses_from_raw(tmp_path, http_server):
    http_server.routes["/page"] = GOOD
    source = make_source([http_server.url("/page")])
    run_crawl(tmp_path, [source])
    bumped = run_crawl(tmp_path, [source], parser=test_parser("t2"))
    assert (bumped.fetched, bumped.parsed) == (0, 1)
    assert len(http_server.hits("/page")) == 2 and http_server.hits("/page")[-1].headers.get("if-none-match")


def test_unsupported_content_type_is_skipped_not_failed(tmp_path, http_server):
    http_server.routes["/logo.png"] = Reply(body=b"\x89PNG\r\n\x1a\n....", headers={"Content-Type": "image/png"})
    summary = run_crawl(tmp_path, [make_source([http_server.url("/logo.png")])])
    assert (summary.skipped, summary.failed, summary.parsed) == (1, 0, 0)


def test_content_sniffed_when_type_is_generic(tmp_path, http_server):
    http_server.routes["/file"] = Reply(body=pdf_bytes(), headers={"Content-Type": "application/octet-stream"})
    summary = run_crawl(tmp_path, [make_source([http_server.url("/file")])])
    assert summary.parsed == 1 and SEEN_RAW[0].content_type == "application/pdf"


def test_broken_links_and_a_storage_bug_do_not_stop_the_crawl(tmp_path, http_server):
    http_server.routes["/site/a"] = Reply(body=b"""<html><title>A</title><a href="http://[::1">bad ipv6</a>
        <a href="/site/%zz">odd escape</a><a href="/site/b">b</a>""", headers={"Content-Type": "text/html"})
    http_server.routes["/site/b"] = GOOD
    http_server.routes["/other"] = GOOD

    def parse_or_return_junk(raw, source, hint):
        if raw.url.endswith("/other"):
            return ["not a document"]  # a parser bug the store trips over
        return test_parser().parse(raw, source, hint)

    parser = Parser(parse=parse_or_return_junk, link=None, version="t1")
    summary = run_crawl(tmp_path, [make_source([http_server.url("/site/a"), http_server.url("/other")],
                                               scope=[http_server.url("/site/")], max_depth=1)], parser=parser)
    assert len(http_server.hits("/site/b")) == 1
    assert dict(summary.errors) == {
        http_server.url("/other"): "internal error: AttributeError: 'str' object has no attribute 'model_copy'",
        http_server.url("/site/%zz"): "HTTP 404",
    }
    assert state_row(tmp_path, http_server.url("/other"))["error_kind"] == "internal"


def test_parsing_in_worker_processes_gives_the_same_documents_and_errors(tmp_path, http_server):
    http_server.routes.update({"/good": GOOD, "/corrupt-pdf": BAD_INPUTS["corrupt-pdf"][0],
                               "/raises": BAD_INPUTS["raises"][0]})
    source = make_source([http_server.url(p) for p in ("/good", "/corrupt-pdf", "/raises")])
    results = {}
    for processes in (0, 1):
        data = tmp_path / f"processes-{processes}"
        summary = run_crawl(data, [source], parse_processes=processes)
        results[processes] = (summary.parsed, sorted(summary.errors),
                              {p.name: p.read_bytes() for p in (data / "documents").iterdir()})
    assert results[0] == results[1]
    parsed, errors, docs = results[1]
    assert parsed == 1 and len(docs) == 1
    assert [m.split(":")[0] for _, m in errors] == ["parse error", "parser crashed (RuntimeError)"]


def test_a_seed_parser_key_applies_only_to_the_format_it_reads(tmp_path, http_server):
    http_server.routes["/as-json"] = Reply(body=b'{"articles": []}', headers={"Content-Type": "application/json"})
    http_server.routes["/as-html"] = Reply(body=b"<title>live page</title>", headers={"Content-Type": "text/html"})
    hints = [DocumentHint(url=http_server.url(p), parser="derived_json") for p in ("/as-json", "/as-html")]
    run_crawl(tmp_path, [make_source(hints, parser="eurlex")], workers=1)
    assert dict(zip([r.url.rsplit("/", 1)[1] for r in SEEN_RAW], SEEN_PARSER_KEYS)) == {
        "as-json": "derived_json", "as-html": "eurlex"}
