"""HTTP fetching as a polite crawler does it.

One `Fetcher` per crawl: a requests session with the project's User-Agent,
robots.txt (protego) per host, a per-host politeness delay and concurrency
limit, timeouts, a streamed size cap, manual redirects (so every hop is
checked against robots.txt and loops are caught), and retries with
exponential backoff that honour Retry-After. Everything that goes wrong is
returned as a `FetchResult` with an error, never raised, so one bad URL
cannot stop a crawl.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter

from crawler.settings import CrawlSettings
from crawler.urls import canonical, host_key

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FetchResult:
    """The outcome of fetching one URL (following redirects)."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    fetched_at: str = field(default_factory=utc_now)
    error: str | None = None
    error_kind: str | None = None  # http | timeout | network | too_large | redirect_loop | too_many_redirects | robots
    attempts: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304 and self.error is None

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"') or None
        return None


class _TooLarge(Exception):
    pass


class HostGate:
    """Per-host politeness: at most N requests in flight, and `delay` seconds between request starts."""

    def __init__(self, delay: float, concurrency: int) -> None:
        self.delay = delay
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._sems: dict[str, threading.Semaphore] = {}

    def set_delay(self, host: str, delay: float) -> None:
        """A robots.txt Crawl-delay can only make us slower, never faster."""
        with self._lock:
            self._delays[host] = max(self.delay, delay)

    @contextmanager
    def slot(self, host: str) -> Iterator[float]:
        """Wait for this host's turn; yields the claimed start time (monotonic)."""
        with self._lock:
            sem = self._sems.setdefault(host, threading.Semaphore(self.concurrency))
        sem.acquire()
        try:
            while True:  # claim the next start time only once it has come, so oversleeping never shortens a gap
                with self._lock:
                    now = time.monotonic()
                    wait = self._next.get(host, 0.0) - now
                    if wait <= 0:
                        self._next[host] = now + self._delays.get(host, self.delay)
                        break
                time.sleep(wait)
            yield now
        finally:
            sem.release()


class MirrorAdapter(HTTPAdapter):
    """Sends every request to the loopback mirror, keeping path and query and the live host in `Host:`.

    Everything above the transport (robots, redirects, retries, conditional
    requests) stays the live-web code path; responses carry the live URL.
    """

    def __init__(self, mirror_url: str) -> None:
        super().__init__()
        self.mirror_netloc = urlsplit(mirror_url).netloc

    def send(self, request: requests.PreparedRequest, **kwargs):  # type: ignore[override]
        original = request.url or ""
        parts = urlsplit(original)
        request.url = urlunsplit(("http", self.mirror_netloc, parts.path or "/", parts.query, ""))
        request.headers["Host"] = parts.netloc
        try:
            response = super().send(request, **kwargs)
        finally:
            request.url = original
        response.url = original
        return response


class RobotsCache:
    """robots.txt per host, fetched once per crawl. Missing (4xx) or unreachable robots.txt allows everything."""

    def __init__(self, fetcher: "Fetcher") -> None:
        self.fetcher = fetcher
        self._lock = threading.Lock()
        self._rules: dict[str, Protego | None] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def allowed(self, url: str) -> bool:
        rules = self._rules_for(url)
        return rules is None or rules.can_fetch(url, self.fetcher.settings.user_agent)

    def _rules_for(self, url: str) -> Protego | None:
        host = host_key(url)
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            if host not in self._rules:
                self._rules[host] = self._fetch(url, host)
            return self._rules[host]

    def _fetch(self, url: str, host: str) -> Protego | None:
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        try:
            for _hop in range(self.fetcher.settings.max_redirects + 1):  # e.g. http -> https, or to www.
                status, headers, body = self.fetcher.get_once(robots_url, {})
                if status not in REDIRECT_STATUSES or "location" not in headers:
                    break
                robots_url = urljoin(robots_url, headers["location"])
        except (requests.RequestException, _TooLarge) as exc:
            log.warning("robots.txt of %s unreachable (%s); crawling it as allowed", host, exc)
            return None
        if status != 200:  # 4xx: no robots.txt; 5xx or a redirect chain: treated as allowing everything
            return None
        rules = Protego.parse(body.decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(self.fetcher.settings.user_agent)
        if delay:
            self.fetcher.gate.set_delay(host, float(delay))
        return rules


class Fetcher:
    """Fetches URLs politely; thread-safe (the crawl runs several workers)."""

    def __init__(self, settings: CrawlSettings, mirror_url: str | None = None) -> None:
        self.settings = settings
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        if mirror_url:
            adapter = MirrorAdapter(mirror_url)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.gate = HostGate(settings.politeness_delay_seconds, settings.max_concurrency_per_host)
        self.robots = RobotsCache(self)

    def close(self) -> None:
        self.session.close()

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET `url`, following redirects; conditional when a validator from the last crawl is given."""
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        seen: list[str] = []
        current = url
        attempts = 0
        for _hop in range(self.settings.max_redirects + 1):
            key = canonical(current)
            if key in seen:
                return FetchResult(url, current, error=f"redirect loop ({' -> '.join(seen + [key])})",
                                   error_kind="redirect_loop", attempts=attempts)
            seen.append(key)
            if not self.robots.allowed(current):
                return FetchResult(url, current, error="disallowed by robots.txt", error_kind="robots", attempts=attempts)
            result = self._get_with_retries(url, current, conditional)
            attempts += result.attempts
            result.attempts = attempts
            location = result.headers.get("location")
            if result.status in REDIRECT_STATUSES and location and result.error is None:
                current = urljoin(current, location)
                continue
            if result.error is None and result.status is not None and result.status >= 400:
                result.error, result.error_kind = f"HTTP {result.status}", "http"
            return result
        return FetchResult(url, current, error=f"more than {self.settings.max_redirects} redirects",
                           error_kind="too_many_redirects", attempts=attempts)

    def _get_with_retries(self, url: str, current: str, headers: dict[str, str]) -> FetchResult:
        s = self.settings
        result = FetchResult(url, current)
        for attempt in range(s.retries + 1):
            result = FetchResult(url, current, attempts=attempt + 1)
            wait = s.backoff_seconds * (2 ** attempt)
            try:
                result.status, result.headers, result.body = self.get_once(current, headers)
            except _TooLarge as exc:
                result.error, result.error_kind = str(exc), "too_large"
                return result
            except requests.Timeout as exc:
                result.error, result.error_kind = f"timed out ({exc.__class__.__name__})", "timeout"
            except requests.RequestException as exc:
                result.error, result.error_kind = f"network error: {exc.__class__.__name__}: {exc}", "network"
            else:
                if result.status not in s.retry_statuses:
                    return result
                wait = self._retry_after(result) or wait
                if wait > s.max_retry_after_seconds:
                    return result
            if attempt < s.retries:
                log.debug("retrying %s in %.2fs (attempt %d: %s)", current, wait, attempt + 1, result.error or result.status)
                time.sleep(wait)
        return result

    @staticmethod
    def _retry_after(result: FetchResult) -> float | None:
        """Seconds from a Retry-After header (delta or HTTP date) on 429/503."""
        value = result.headers.get("retry-after")
        if result.status not in (429, 503) or not value:
            return None
        if value.strip().isdigit():
            return float(value.strip())
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())

    def get_once(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One GET through the host gate, streamed and capped at max_response_bytes."""
        s = self.settings
        with self.gate.slot(host_key(url)):
            with self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                                  timeout=(s.connect_timeout_seconds, s.read_timeout_seconds)) as response:
                resp_headers = {k.lower(): v for k, v in response.headers.items()}
                declared = resp_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > s.max_response_bytes:
                    raise _TooLarge(f"response of {declared} bytes exceeds the limit of {s.max_response_bytes}")
                body = bytearray()
                deadline = time.monotonic() + s.total_timeout_seconds
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > s.max_response_bytes:
                        raise _TooLarge(f"response exceeds the limit of {s.max_response_bytes} bytes (aborted while streaming)")
                    if time.monotonic() > deadline:
                        raise requests.Timeout(f"response took longer than {s.total_timeout_seconds}s")
                return response.status_code, resp_headers, bytes(body)
