"""A crawler that stays in scope: a wall-clock deadline per response, redirects kept to the source's hosts and
off private and metadata addresses, robots.txt read as RFC 9309 says. All against real loopback servers."""
from __future__ import annotations

import ipaddress
import time

import pytest
from crawl_helpers import TEST_SETTINGS, make_source, run_crawl
from loopback import LoopbackServer, Reply

from crawler.fetch import Fetcher
from crawler.settings import CrawlSettings
from crawler.transport import AddressPolicy
from crawler.urls import Scope

PAGE = b"<html><head><title>slow page</title></head><body>" + b"x" * 60 + b"</body></html>"
OK = Reply(body=b"<title>ok</title>", headers={"Content-Type": "text/html"})


def fetcher(mirror_url: str | None = None, **overrides) -> Fetcher:
    return Fetcher(CrawlSettings.load(mirror=mirror_url is not None, **{**TEST_SETTINGS, **overrides}), mirror_url)


TRICKLES = {
    "body without Content-Length": Reply(body=PAGE, headers={"Content-Type": "text/html"}, trickle=0.2,
                                         send_length=False),
    "body with Content-Length": Reply(body=PAGE, headers={"Content-Type": "text/html"}, trickle=0.2),
    "headers": Reply(body=PAGE, headers={"Content-Type": "text/html", "X-Padding": "p" * 200}, trickle=0.2,
                     trickle_headers=True),
}


@pytest.mark.parametrize("case", sorted(TRICKLES))
def test_a_trickling_server_is_cut_off_at_the_total_deadline(http_server, case):
    http_server.routes["/slow"] = TRICKLES[case]  # one byte per 0.2 s: each read is well inside read_timeout
    started = time.monotonic()
    result = fetcher(total_timeout_seconds=2.0, read_timeout_seconds=1.0).fetch(http_server.url("/slow"))
    elapsed = time.monotonic() - started
    assert result.error_kind == "timeout" and "no complete response within 2s" in result.error
    assert result.body == b"" and result.attempts == 1  # nothing cut short is kept, and a trickle is not retried
    assert 1.9 <= elapsed < 3.0, elapsed
    assert len(http_server.hits("/slow")) == 1


def test_a_slow_response_inside_the_deadline_is_complete(http_server):
    http_server.routes["/steady"] = Reply(body=b"<title>t</title>" + b"y" * 14, trickle=0.02, send_length=False,
                                          headers={"Content-Type": "text/html"})
    f = fetcher(total_timeout_seconds=3.0)
    first, second = f.fetch(http_server.url("/steady")), f.fetch(http_server.url("/steady"))
    assert first.error is None and first.body == b"<title>t</title>" + b"y" * 14
    assert second.error is None and second.body == first.body  # the guard of the first left nothing behind


def test_a_trickling_page_in_a_crawl_is_one_timeout_error_and_no_document(tmp_path, http_server):
    http_server.routes["/slow"] = TRICKLES["body without Content-Length"]
    http_server.routes["/good"] = OK
    started = time.monotonic()
    summary = run_crawl(tmp_path, [make_source([http_server.url("/slow"), http_server.url("/good")])])
    assert time.monotonic() - started < 6
    assert summary.problems == {"fetch": [http_server.url("/slow")]}
    assert "no complete response within 3s" in dict(summary.errors)[http_server.url("/slow")]
    [doc] = (tmp_path / "documents").glob("*.json")
    assert doc.name.endswith("-good.json")


def _redirecting_source(server: LoopbackServer, location: str, scope: list[str] | None = None):
    server.routes["/start"] = Reply(302, headers={"Location": location})
    return make_source([server.url("/start")], scope=scope or [])


def test_a_redirect_to_the_metadata_address_is_refused_before_connecting(tmp_path, http_server):
    metadata = "http://169.254.169.254/latest/meta-data/"
    out_of_scope = run_crawl(tmp_path / "a", [_redirecting_source(http_server, metadata)])
    in_scope = run_crawl(tmp_path / "b", [_redirecting_source(http_server, metadata, ["http://169.254.169.254/"])])
    start = http_server.url("/start")
    assert dict(out_of_scope.errors)[start] == (
        f"redirect to {metadata} refused: 169.254.169.254 is outside the source's scope (allowed: "
        f"127.0.0.1, {start.split('/')[2]})")
    assert dict(in_scope.errors)[start] == (
        f"redirect to {metadata} refused: 169.254.169.254 is a link-local or cloud-metadata address, "
        "which is never fetched")
    for data in (tmp_path / "a", tmp_path / "b"):
        assert not list((data / "documents").glob("*.json"))
        assert not list((data / "raw").glob("*.warc.gz"))  # nothing was stored either


def test_a_redirect_to_another_loopback_server_is_refused_even_when_its_prefix_is_in_scope(tmp_path, http_server):
    with LoopbackServer() as other:
        other.routes["/inside"] = OK
        inside = other.url("/inside")
        outside = run_crawl(tmp_path / "a", [_redirecting_source(http_server, inside)])
        listed = run_crawl(tmp_path / "b", [_redirecting_source(http_server, inside, [other.url("/")])])
        assert not other.requests
    start = http_server.url("/start")
    assert "is outside the source's scope" in dict(outside.errors)[start]
    assert dict(listed.errors)[start] == (
        f"redirect to {inside} refused: 127.0.0.1 is a loopback address; only public addresses are fetched")


def test_a_host_name_that_resolves_to_loopback_is_refused(tmp_path, http_server):
    """Only an address a seed names literally may be private; 'localhost' is a name, resolved and checked."""
    target = f"http://localhost:{http_server.url('/').split(':')[2].rstrip('/')}/inner"
    http_server.routes["/inner"] = OK
    summary = run_crawl(tmp_path, [_redirecting_source(http_server, target, [target])])
    message = dict(summary.errors)[http_server.url("/start")]
    assert (
        message.startswith(f"redirect to {target} refused: localhost resolves to ") and "a loopback address" in message
    )
    assert not http_server.hits("/inner")


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/"])
def test_redirects_to_other_schemes_are_refused(http_server, location):
    http_server.routes["/start"] = Reply(302, headers={"Location": location})
    result = fetcher().fetch(http_server.url("/start"))
    assert result.error_kind == "scope"
    assert (
        result.error
        == f"redirect to {location} refused: {location.split(':')[0]}: URLs are not fetched (only http and https)"
    )


def test_same_host_redirects_still_work(http_server):
    http_server.routes["/start"] = Reply(301, headers={"Location": "/final"})
    http_server.routes["/final"] = OK
    result = fetcher().fetch(http_server.url("/start"))
    assert result.error is None and result.final_url == http_server.url("/final")


def test_in_mirror_mode_the_real_host_name_is_what_is_checked(http_server):
    """The mirror adapter sends everything to loopback; the scope check sees eur-lex.europa.eu, not 127.0.0.1."""
    http_server.routes["/away"] = Reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    http_server.routes["/moved"] = Reply(302, headers={"Location": "https://eur-lex.europa.eu/final"})
    http_server.routes["/final"] = OK
    scope = Scope.of("eur-lex.europa.eu", ["https://eur-lex.europa.eu/moved"], [])
    f = fetcher(mirror_url=http_server.base)
    moved = f.fetch("https://eur-lex.europa.eu/moved", scope=scope)
    assert moved.error is None and moved.final_url == "https://eur-lex.europa.eu/final" and moved.body == OK.body
    away = f.fetch("https://eur-lex.europa.eu/away", scope=scope)
    assert away.error_kind == "scope" and "169.254.169.254 is outside the source's scope" in away.error
    assert not http_server.hits("/latest/meta-data/")


# --- robots.txt (RFC 9309 §2.3.1) ---------------------------------------------------------------------------
ROBOTS_UNREACHABLE = {
    "server error": (Reply(500, b"oops"), "HTTP 500"),
    "too many requests": (Reply(429, b"slow down"), "HTTP 429"),
    "timeout": (Reply(body=b"User-agent: *\nAllow: /\n", delay=1.5), "timed out"),
    "redirect to file": (Reply(302, headers={"Location": "file:///etc/passwd"}),
                         "redirected to file:///etc/passwd, which is refused"),
    "redirect to metadata": (Reply(302, headers={"Location": "http://169.254.169.254/robots.txt"}),
                             "169.254.169.254 is outside the source's scope"),
}


@pytest.mark.parametrize("case", sorted(ROBOTS_UNREACHABLE))
def test_an_unreachable_robots_txt_disallows_the_whole_host(tmp_path, http_server, caplog, case):
    reply, why = ROBOTS_UNREACHABLE[case]
    http_server.routes["/robots.txt"] = reply
    http_server.routes["/a"] = OK
    http_server.routes["/b"] = OK
    summary = run_crawl(tmp_path, [make_source([http_server.url("/a"), http_server.url("/b")])])
    assert not http_server.hits("/a") and not http_server.hits("/b")
    assert sorted(summary.problems["fetch"]) == [http_server.url("/a"), http_server.url("/b")]
    host = http_server.base.split("//")[1]
    for _url, message in summary.errors:
        assert message.startswith(f"robots.txt of {host} unreachable (") and why in message
        assert "complete disallow" in message
    assert not list((tmp_path / "documents").glob("*.json"))
    robots_lines = [r for r in caplog.records if "robots.txt of" in r.getMessage() and r.levelname == "WARNING"]
    assert len(robots_lines) == 1  # said once per host, not once per URL


def test_a_missing_robots_txt_allows_everything(tmp_path, http_server):
    http_server.routes["/robots.txt"] = Reply(404, b"no robots here")
    http_server.routes["/a"] = OK
    summary = run_crawl(tmp_path, [make_source([http_server.url("/a")])])
    assert summary.ok and summary.fetched == 1 and len(http_server.hits("/a")) == 1


def test_the_connected_address_is_checked_too(http_server):
    """A name can resolve to another address at connect time than at the check: the socket's peer is checked.

    get_with_retries skips the resolve-time check, so this reaches the connect-time one alone."""
    http_server.routes["/x"] = OK
    url = f"http://localhost:{http_server.base.rsplit(':', 1)[1]}/x"
    result = fetcher().get_with_retries(url, url, {}, Scope.around(url))
    assert result.error_kind == "address" and result.attempts == 1
    assert result.error.startswith(
        f"refused to connect to localhost:{url.split(':')[2].split('/')[0]}: it connected to "
    )
    assert "a loopback address" in result.error
    assert not http_server.hits("/x")  # nothing was sent


@pytest.mark.parametrize("address, literal_ok, refused", [
    ("93.184.215.14", False, None),
    ("10.1.2.3", False, "a private address"),
    ("10.1.2.3", True, None),  # a seed that names it
    ("::ffff:127.0.0.1", False, "a loopback address"),
    ("169.254.169.254", True, "cloud-metadata"),  # never, whatever the config says
    ("fd00:ec2::254", True, "cloud-metadata"),
    ("100.100.100.200", True, "cloud-metadata"),
])
def test_the_address_policy(address, literal_ok, refused):
    policy = AddressPolicy.from_networks(CrawlSettings.load(**TEST_SETTINGS).never_fetch_networks)
    reason = policy.refusal(ipaddress.ip_address(address), literal_ok)
    assert (reason is None) if refused is None else (refused in (reason or ""))
