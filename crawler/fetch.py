"""HTTP fetching as a polite crawler does it.

One `Fetcher` per crawl: a requests session with the project's User-Agent,
robots.txt (protego) per host, a per-host politeness delay and concurrency
limit, a wall-clock deadline per response (crawler.transport), a streamed
size cap, manual redirects (so every hop is checked against the source's
scope, the address policy and robots.txt, and loops are caught), and retries
with exponential backoff that honour Retry-After. Everything that goes wrong
is returned as a `FetchResult` with an error, never raised, so one bad URL
cannot stop a crawl.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from protego import Protego

from crawler.settings import CrawlSettings
from crawler.transport import IP, AddressPolicy, AddressRefused, GuardedAdapter, RequestGuard
from crawler.urls import Scope, canonical, host_key

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    # http | timeout | network | too_large | redirect_loop | too_many_redirects | robots | scope | address
    error_kind: str | None = None
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


class _DeadlineExceeded(requests.Timeout):
    """The whole response took longer than total_timeout_seconds (not retried: a trickling server trickles again)."""


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


class MirrorAdapter(GuardedAdapter):
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


@dataclass
class Robots:
    """One host's robots.txt for this crawl: its rules, or why nothing on the host is fetched."""

    rules: Protego | None = None  # None and not unreachable: no robots.txt, everything is allowed
    unreachable: str | None = None  # set: complete disallow for this crawl


class RobotsCache:
    """robots.txt per host, fetched once per crawl and read as RFC 9309 §2.3.1 says.

    2xx: its rules. 4xx: there is none, everything is allowed (429 "too many requests" excepted). 5xx, 429,
    a timeout or network error, or a redirect to another scheme or out of the source's scope: unreachable,
    so nothing on the host is fetched this crawl (§2.3.1.4: complete disallow). More than max_redirects
    redirects: unavailable, everything allowed (§2.3.1.2).
    """

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._lock = threading.Lock()
        self._robots: dict[str, Robots] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def refusal(self, url: str, scope: Scope) -> str | None:
        """Why robots.txt keeps us from `url`, or None when it may be fetched."""
        robots = self._robots_for(url, scope)
        if robots.unreachable:
            return robots.unreachable
        if robots.rules is not None and not robots.rules.can_fetch(url, self.fetcher.settings.user_agent):
            return "disallowed by robots.txt"
        return None

    def _robots_for(self, url: str, scope: Scope) -> Robots:
        host = host_key(url)
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            if host not in self._robots:
                self._robots[host] = self._fetch(url, host, scope)
            return self._robots[host]

    def _fetch(self, url: str, host: str, scope: Scope) -> Robots:
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        for hop in range(self.fetcher.settings.max_redirects + 1):  # e.g. http -> https, or to www.
            refused = self.fetcher.hop_refusal(robots_url, scope) if hop else None
            if refused:
                return self._unreachable(host, f"redirected to {robots_url}, which is refused: {refused[0]}")
            result = self.fetcher.get_with_retries(robots_url, robots_url, {}, scope)
            if result.error:
                return self._unreachable(host, result.error)
            if result.status not in REDIRECT_STATUSES or "location" not in result.headers:
                break
            robots_url = urljoin(robots_url, result.headers["location"])
        else:
            log.info(
                "robots.txt of %s: more than %d redirects; treated as absent", host, self.fetcher.settings.max_redirects
            )
            return Robots()
        status = result.status or 0
        if 400 <= status < 500 and status != 429:
            return Robots()
        if not 200 <= status < 300:
            return self._unreachable(host, f"HTTP {status}")
        rules = Protego.parse(result.body.decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(self.fetcher.settings.user_agent)
        if delay:
            self.fetcher.gate.set_delay(host, float(delay))
        return Robots(rules)

    @staticmethod
    def _unreachable(host: str, why: str) -> Robots:
        message = (f"robots.txt of {host} unreachable ({why}); nothing on {host} is fetched this crawl "
                   "(RFC 9309: an unreachable robots.txt means complete disallow)")
        log.warning("%s", message)
        return Robots(unreachable=message)


class Fetcher:
    """Fetches URLs politely; thread-safe (the crawl runs several workers)."""

    def __init__(self, settings: CrawlSettings, mirror_url: str | None = None) -> None:
        self.settings = settings
        self.mirror = mirror_url is not None
        self.addresses = AddressPolicy.from_networks(settings.never_fetch_networks)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        adapter = MirrorAdapter(mirror_url) if mirror_url else GuardedAdapter()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.gate = HostGate(settings.politeness_delay_seconds, settings.max_concurrency_per_host)
        self.robots = RobotsCache(self)

    def close(self) -> None:
        self.session.close()

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
              scope: Scope | None = None) -> FetchResult:
        """GET `url`, following redirects inside `scope` (default: the URL's own host); conditional when a
        validator from the last crawl is given."""
        scope = scope or Scope.around(url)
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        seen: list[str] = []
        current = url
        attempts = 0
        for _hop in range(self.settings.max_redirects + 1):
            key = canonical(current) if urlsplit(current).scheme in ("http", "https") else current
            if key in seen:
                return FetchResult(url, current, error=f"redirect loop ({' -> '.join(seen + [key])})",
                                   error_kind="redirect_loop", attempts=attempts)
            seen.append(key)
            refused = self.hop_refusal(current, scope)
            if refused:
                message = f"redirect to {current} refused: {refused[0]}" if current != url else f"refused: {refused[0]}"
                return FetchResult(url, current, error=message, error_kind=refused[1], attempts=attempts)
            robots = self.robots.refusal(current, scope)
            if robots:
                return FetchResult(url, current, error=robots, error_kind="robots", attempts=attempts)
            result = self.get_with_retries(url, current, conditional, scope)
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

    def hop_refusal(self, url: str, scope: Scope) -> tuple[str, str] | None:
        """(why, error kind) when `url` may not be requested: its scheme or host is outside `scope`, or (live,
        not in mirror mode, where every request goes to the loopback mirror) its host resolves to an address
        the policy refuses."""
        reason = scope.refusal(url)
        if reason:
            return reason, "scope"
        if self.mirror:
            return None
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return f"{parts.netloc} has an invalid port", "scope"
        reason = self.addresses.resolve_refusal(parts.hostname or "", port, host_key(url) in scope.literal_hosts)
        return (reason, "address") if reason else None

    def get_with_retries(self, url: str, current: str, headers: dict[str, str], scope: Scope) -> FetchResult:
        """One hop, retried on transient failures with backoff (Retry-After honoured)."""
        s = self.settings
        result = FetchResult(url, current)
        for attempt in range(s.retries + 1):
            result = FetchResult(url, current, attempts=attempt + 1)
            wait = s.backoff_seconds * (2 ** attempt)
            try:
                result.status, result.headers, result.body = self.get_once(current, headers, scope)
            except _TooLarge as exc:
                result.error, result.error_kind = str(exc), "too_large"
                return result
            except AddressRefused as exc:
                result.error, result.error_kind = str(exc), "address"
                return result
            except _DeadlineExceeded as exc:
                result.error, result.error_kind = f"timed out ({exc})", "timeout"
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
                log.debug(
                    "retrying %s in %.2fs (attempt %d: %s)", current, wait, attempt + 1, result.error or result.status
                )
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
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def get_once(self, url: str, headers: dict[str, str], scope: Scope) -> tuple[int, dict[str, str], bytes]:
        """One GET through the host gate, within total_timeout_seconds of wall-clock time, capped at
        max_response_bytes, connecting only to addresses the policy allows for `scope`."""
        s = self.settings
        with self.gate.slot(host_key(url)), RequestGuard(s.total_timeout_seconds, self._peer_check(scope)) as guard:
            try:
                answer = self._read(url, headers)
            except (_TooLarge, AddressRefused):
                raise
            except Exception as exc:
                if guard.expired:
                    raise _DeadlineExceeded(self._too_slow()) from exc
                raise
            if guard.expired:  # the socket was shut down: what was read may be cut short
                raise _DeadlineExceeded(self._too_slow())
            return answer

    def _too_slow(self) -> str:
        return (f"no complete response within {self.settings.total_timeout_seconds:g}s "
                "(total_timeout_seconds in config/crawler.yaml)")

    def _peer_check(self, scope: Scope) -> Callable[[str, IP], str | None] | None:
        """The connect-time address check; none in mirror mode (the adapter connects to the loopback mirror)."""
        if self.mirror:
            return None
        return lambda key, ip: self.addresses.refusal(ip, key.lower() in scope.literal_hosts)

    def _read(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        s = self.settings
        with self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                              timeout=(s.connect_timeout_seconds, s.read_timeout_seconds)) as response:
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > s.max_response_bytes:
                raise _TooLarge(f"response of {declared} bytes exceeds the limit of {s.max_response_bytes}")
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > s.max_response_bytes:
                    raise _TooLarge(
                        f"response exceeds the limit of {s.max_response_bytes} bytes (aborted while streaming)"
                    )
            return response.status_code, resp_headers, bytes(body)
