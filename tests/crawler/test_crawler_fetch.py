"""Fetcher behaviour on a loopback server: robots.txt, User-Agent, retries, politeness."""
from __future__ import annotations

import threading
import time

from crawl_helpers import TEST_SETTINGS, make_source, run_crawl
from loopback import Reply

from crawler.fetch import Fetcher, HostGate
from crawler.settings import CrawlSettings

OK = Reply(body=b"<title>ok</title>", headers={"Content-Type": "text/html"})


def fetcher(**overrides) -> Fetcher:
    return Fetcher(CrawlSettings.load(**{**TEST_SETTINGS, **overrides}))


def test_user_agent_names_the_project_and_robots_txt_is_obeyed(tmp_path, http_server):
    http_server.routes["/robots.txt"] = Reply(
        body=b"User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"}
    )
    http_server.routes["/public"] = OK
    http_server.routes["/private/page"] = OK
    summary = run_crawl(tmp_path, [make_source([http_server.url("/public"), http_server.url("/private/page")])])
    assert dict(summary.errors) == {http_server.url("/private/page"): "disallowed by robots.txt"}
    assert not http_server.hits("/private/page")
    assert len(http_server.hits("/robots.txt")) == 1  # once per host and crawl
    assert http_server.hits("/public")[0].headers["user-agent"] == "regkb/0.1 (+https://github.com/regkb/regkb)"


def test_retry_after_is_honoured_on_503_and_429(http_server):
    for path, status in (("/busy", 503), ("/slow-down", 429)):
        calls = iter([Reply(status, b"busy", headers={"Retry-After": "1"}), OK])
        http_server.routes[path] = lambda _req, calls=calls: next(calls)
        result = fetcher(backoff_seconds=0.01).fetch(http_server.url(path))
        assert result.error is None and result.status == 200 and result.attempts == 2
        first, second = http_server.hits(path)
        assert second.at - first.at >= 0.95  # waited as told, not the 0.01 s backoff


def test_retry_after_beyond_the_limit_gives_up_at_once(http_server):
    http_server.routes["/later"] = Reply(503, b"", headers={"Retry-After": "3600"})
    result = fetcher().fetch(http_server.url("/later"))
    assert result.error == "HTTP 503" and len(http_server.hits("/later")) == 1


def test_exponential_backoff_then_success(http_server):
    calls = iter([Reply(502), Reply(502), OK])
    http_server.routes["/flaky"] = lambda _req: next(calls)
    result = fetcher(retries=2, backoff_seconds=0.1).fetch(http_server.url("/flaky"))
    assert result.status == 200 and result.attempts == 3
    t = [r.at for r in http_server.hits("/flaky")]
    assert t[1] - t[0] >= 0.09 and t[2] - t[1] >= 0.19  # 0.1 s, then 0.2 s


def test_politeness_delay_between_requests_to_one_host(tmp_path, http_server):
    for i in range(4):
        http_server.routes[f"/p{i}"] = OK
    run_crawl(tmp_path, [make_source([http_server.url(f"/p{i}") for i in range(4)])],
              politeness_delay_seconds=0.3, max_concurrency_per_host=1)
    starts = sorted(r.at for r in http_server.requests if r.path.startswith("/p"))
    assert len(starts) == 4 and starts[-1] - starts[0] >= 0.6  # 3 gaps of 0.3 s, less network jitter


def test_host_gate_spaces_request_starts_and_limits_concurrency():
    gate = HostGate(delay=0.1, concurrency=2)
    starts: list[float] = []
    inside = []
    peak = []

    def request() -> None:
        with gate.slot("example.org") as started:
            starts.append(started)
            inside.append(1)
            peak.append(len(inside))
            time.sleep(0.15)
            inside.pop()

    threads = [threading.Thread(target=request) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts.sort()
    assert all(b - a >= 0.1 for a, b in zip(starts, starts[1:]))
    assert max(peak) <= 2


def test_conditional_request_answers_304(http_server):
    http_server.routes["/c"] = lambda req: (Reply(304) if req.headers.get("if-none-match") == '"v1"'
                                            else Reply(body=b"x", headers={"ETag": '"v1"'}))
    f = fetcher()
    assert f.fetch(http_server.url("/c")).headers["etag"] == '"v1"'
    again = f.fetch(http_server.url("/c"), etag='"v1"')
    assert again.not_modified and again.body == b""


def test_redirected_robots_txt_is_followed(tmp_path, http_server):
    http_server.routes["/robots.txt"] = Reply(301, headers={"Location": "/real-robots.txt"})
    http_server.routes["/real-robots.txt"] = Reply(
        body=b"User-agent: regkb\nDisallow: /x\n", headers={"Content-Type": "text/plain"}
    )
    http_server.routes["/x/page"] = OK
    summary = run_crawl(tmp_path, [make_source([http_server.url("/x/page")])])
    assert dict(summary.errors) == {http_server.url("/x/page"): "disallowed by robots.txt"}
    assert not http_server.hits("/x/page")
