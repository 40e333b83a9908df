"""The production HTTP server of `regkb serve`: gunicorn, run in-process, sized by config/app.yaml `server:`.

Why these choices (two cores, CPU-bound searches):

- A few worker processes, each with a small thread pool (gthread): processes use both cores despite the
  GIL, threads overlap the socket I/O. `preload_app` builds the app, and reads the corpus, once in the
  master; the workers share those pages copy-on-write.
- The search backend (tantivy's index, or an Elasticsearch client) is opened lazily by the app and never
  in the master: each worker opens its own after the fork (`post_worker_init` warms it), because neither
  a tantivy searcher's threads nor an HTTP connection pool survive a fork.
- `HeadTimeoutWorker`: gunicorn's threaded worker lets a connection that sends nothing keep a thread for
  seconds, and one that trickles its headers keep it for ever. Here the worker's event loop gathers each
  request head (no thread is used) and drops the connection when the request line and headers are not
  complete within `header_timeout`; then every body read and response write must progress within
  `io_timeout`. So half-open and slowloris connections cost a file descriptor for a few seconds, never
  a thread (`worker_connections` caps the descriptors).
- gunicorn names itself in every response's `Server` header and no setting changes that; `SERVER_NAME`
  replaces it (the worker's response object reads that module constant).
- SIGHUP re-reads the settings and replaces the workers one generation at a time: the old ones serve until
  the new ones have reopened the search index (a rebuilt index is picked up) and answered `warmup_paths`.
"""
from __future__ import annotations

import gc
import logging
import os
import selectors
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import yaml
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.http import wsgi as gunicorn_wsgi
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import TConn, ThreadWorker
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regkb.settings import load_config

log = logging.getLogger(__name__)

SERVER_NAME = "regkb"
gunicorn_wsgi.SERVER = SERVER_NAME  # the Server header of every response: no product version


class ServerSettings(BaseModel):
    """The `server:` section of config/app.yaml (every value is described there)."""

    model_config = ConfigDict(extra="forbid")

    workers: int = Field(ge=1, le=64)
    threads: int = Field(ge=1, le=256)
    worker_connections: int = Field(ge=1)
    backlog: int = Field(ge=1)
    header_timeout: float = Field(gt=0)
    io_timeout: float = Field(gt=0)
    keepalive: int = Field(ge=0)
    timeout: int = Field(ge=1)
    graceful_timeout: int = Field(ge=1)
    limit_request_line: int = Field(ge=1, le=8190)  # gunicorn's 0 (no limit) is not offered
    limit_request_fields: int = Field(ge=1, le=32768)
    limit_request_field_size: int = Field(ge=1)
    max_requests: int = Field(ge=0)
    max_requests_jitter: int = Field(ge=0)
    forwarded_allow_ips: str
    log_level: str = Field(pattern="^(debug|info|warning|error|critical)$")
    access_log: str | None = None
    warmup_paths: list[str]


def load_server_settings(**overrides: Any) -> ServerSettings:
    """config/app.yaml `server:`, with the command line's overrides (None means: keep the file's value)."""
    data = dict((load_config("app") or {}).get("server") or {})
    data.update({k: v for k, v in overrides.items() if v is not None})
    return ServerSettings.model_validate(data)


class _DeadlineUnreader(SocketUnreader):
    """Reads one connection: the request head must be in by `deadline`; later reads wait `io_timeout` each.

    A read that runs out of time returns b"" (end of stream): gunicorn's parser then drops the connection
    quietly, and a body cut short becomes Werkzeug's 400 "client disconnected", never a truncated body.
    """

    def __init__(self, sock: socket.socket, deadline: float, io_timeout: float):
        super().__init__(sock)
        self.deadline: float | None = deadline
        self.io_timeout = io_timeout

    def expect_head(self, deadline: float) -> None:
        self.deadline = deadline

    def expect_body(self) -> None:
        """The head is parsed: from now on (body and response) each socket operation gets `io_timeout`."""
        self.deadline = None
        self.sock.settimeout(self.io_timeout)

    def chunk(self, size_hint: int | None = None) -> bytes:
        wait = self.io_timeout if self.deadline is None else self.deadline - time.monotonic()
        if wait <= 0:
            return b""
        self.sock.settimeout(wait)
        try:
            return super().chunk(size_hint)
        except TimeoutError:
            return b""


class _Conn(TConn):
    """A connection whose request head is gathered by the event loop, and whose reads are bounded."""

    def __init__(self, cfg, sock, client, server, head_deadline: float, io_timeout: float):
        super().__init__(cfg, sock, client, server)
        self.head_deadline = head_deadline
        self.io_timeout = io_timeout
        self.head = bytearray()  # what the event loop read of the next request so far

    def init(self) -> None:
        first = not self.initialized
        super().init()
        if first and type(self.parser.unreader) is SocketUnreader:
            bounded = _DeadlineUnreader(self.sock, self.head_deadline, self.io_timeout)
            bounded.buf = self.parser.unreader.buf
            self.parser.unreader = bounded
        if self.head:
            self.parser.unreader.unread(bytes(self.head))
            self.head.clear()


class HeadTimeoutWorker(ThreadWorker):
    """gunicorn's threaded worker, where a silent or slow client never holds a thread for its head.

    The event loop itself reads each request head (non-blocking, at most `max_head` bytes) and hands the
    connection to a thread only once the head is complete; a head not complete within `header_timeout`
    of the connect (or of a kept-alive connection's next bytes) is dropped by gunicorn's pending sweep.
    """

    header_timeout: float = 5.0  # set from ServerSettings before the workers fork
    io_timeout: float = 30.0
    warmup_paths: tuple[str, ...] = ()
    warm_before_serving = False  # set in the master once the first workers serve

    @property
    def max_head(self) -> int:
        """The most the event loop buffers of one head: a longer one goes on in a thread, under the same deadline
        (so a thousand idle connections cost at most 64 MiB, whatever the header limits)."""
        cfg = self.cfg
        return min(cfg.limit_request_line + cfg.limit_request_fields * (cfg.limit_request_field_size + 2) + 4, 65536)

    def accept(self, listener) -> None:
        if self.cfg.is_ssl:  # TLS belongs to the reverse proxy; gunicorn's own path keeps it working
            return super().accept(listener)
        try:
            client, addr = listener.accept()
        except (BlockingIOError, ConnectionAbortedError, InterruptedError):
            return
        self.nr_conns += 1
        conn = _Conn(self.cfg, client, addr, listener.getsockname(), 0.0, self.io_timeout)
        self._await_head(conn)

    def on_client_socket_readable(self, conn, client) -> None:
        """A kept-alive connection speaks again: gather its next head in the loop too."""
        if not isinstance(conn, _Conn):
            return super().on_client_socket_readable(conn, client)
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_head(conn)
        self._read_head(conn, client)

    def _await_head(self, conn: _Conn) -> None:
        conn.head_deadline = conn.timeout = time.monotonic() + self.header_timeout  # murder_pending() closes it then
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read_head, conn))

    def _read_head(self, conn: _Conn, client) -> None:
        try:
            data = conn.sock.recv(self.max_head)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            conn.head += data
            if b"\r\n\r\n" not in conn.head and len(conn.head) <= self.max_head:
                return
        self.poller.unregister(client)
        self.pending_conns.remove(conn)
        if not data:  # the client left before finishing its head
            self.nr_conns -= 1
            conn.close()
            return
        conn.data_ready = True
        if conn.initialized:
            conn.parser.unreader.unread(bytes(conn.head))
            conn.head.clear()
        self.enqueue_req(conn)

    def handle(self, conn):
        """Runs in a pool thread. A pipelined request (already buffered) gets a fresh head deadline."""
        if conn.initialized and isinstance(conn.parser.unreader, _DeadlineUnreader):
            conn.parser.unreader.expect_head(time.monotonic() + self.header_timeout)
        return super().handle(conn)

    def handle_request(self, req, conn):
        if isinstance(conn.parser.unreader, _DeadlineUnreader):
            conn.parser.unreader.expect_body()
        return super().handle_request(req, conn)


class _Arbiter(Arbiter):
    """gunicorn's master, where a reload (SIGHUP) stops the old workers only once the new ones are ready.

    gunicorn stops the old generation as soon as the new one is forked, so for the new workers' start-up
    (opening the index) nobody accepts and requests wait. Here the old workers keep serving until each new
    one has entered its request loop (its heartbeat file was touched once since the fork).
    """

    def manage_workers(self) -> None:
        self.app.announce_when_serving(self)
        if len(self.WORKERS) > self.num_workers and not self._newest_ready():
            return
        super().manage_workers()

    def reap_workers(self) -> None:
        super().reap_workers()
        if len(self.WORKERS) > self.num_workers and self._newest_ready():
            super().manage_workers()

    def _newest_ready(self) -> bool:
        newest = sorted(self.WORKERS.values(), key=lambda w: w.age)[-self.num_workers:]
        return all(_ready(w) for w in newest)


def _ready(worker) -> bool:
    try:
        return worker.tmp.last_update() != getattr(worker, "forked_at", None)
    except (OSError, ValueError):  # its heartbeat file is closed: it is gone
        return True


@dataclass
class Listening:
    """Where the server listens, once the port is bound."""

    host: str
    port: int


class RegkbServer(BaseApplication):
    """gunicorn run programmatically: `regkb serve` stays one command and one process tree."""

    def __init__(self, app_factory: Callable[[], Any], host: str, port: int, overrides: dict[str, Any],
                 on_ready: Callable[[Listening], None], verbose: bool = False):
        """`overrides` are the command line's settings (None: config/app.yaml's). ValidationError when invalid."""
        self.app_factory = app_factory
        self.bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.overrides = overrides
        self.settings = load_server_settings(**overrides)
        self.on_ready = on_ready
        self.verbose = verbose
        self.listening: Listening | None = None
        self.announced = False
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        HeadTimeoutWorker.header_timeout = s.header_timeout
        HeadTimeoutWorker.io_timeout = s.io_timeout
        HeadTimeoutWorker.warmup_paths = tuple(s.warmup_paths)
        options = {
            "bind": [self.bind], "workers": s.workers, "threads": s.threads,
            "worker_class": "search_app.server.HeadTimeoutWorker",
            "worker_connections": s.worker_connections, "backlog": s.backlog,
            "keepalive": s.keepalive, "timeout": s.timeout, "graceful_timeout": s.graceful_timeout,
            "limit_request_line": s.limit_request_line, "limit_request_fields": s.limit_request_fields,
            "limit_request_field_size": s.limit_request_field_size,
            "max_requests": s.max_requests, "max_requests_jitter": s.max_requests_jitter,
            "forwarded_allow_ips": s.forwarded_allow_ips,
            "loglevel": "debug" if self.verbose else s.log_level, "accesslog": s.access_log,
            "errorlog": "-", "preload_app": True, "proc_name": "regkb",
            "control_socket_disable": True,  # one shared default path: several servers would collide
            "when_ready": self._when_ready, "pre_fork": _before_fork, "post_worker_init": _warm_worker,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def run(self) -> None:
        try:
            _Arbiter(self).run()
        except RuntimeError as exc:
            log.error("the server cannot start: %s", exc)
            raise SystemExit(1) from exc

    def reload(self) -> None:
        """SIGHUP: re-read config/app.yaml `server:`; an invalid file keeps the running settings (and says so)."""
        load_config.cache_clear()
        try:
            self.settings = load_server_settings(**self.overrides)
        except (ValidationError, OSError, yaml.YAMLError) as exc:
            log.error("config/app.yaml `server:` not reloaded, the running settings stay: %s", exc)
        super().reload()

    def load(self):
        """Build the app once, in the master (preload_app), and read the corpus there to share it."""
        app = self.app_factory()
        _warm_corpus(app)
        return app

    def _when_ready(self, arbiter) -> None:
        host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        self.listening = Listening(host, port)

    def announce_when_serving(self, arbiter) -> None:
        """Call `on_ready` once: the port is bound and a worker is in its request loop, so the URL answers now."""
        if self.listening and not self.announced and any(_ready(w) for w in arbiter.WORKERS.values()):
            self.announced = True
            HeadTimeoutWorker.warm_before_serving = True
            self.on_ready(self.listening)


def _warm_corpus(app) -> None:
    """Parse every document in the master: forked workers then share them instead of each parsing its own."""
    state = app.extensions.get("regkb")
    started = time.monotonic()
    try:
        count = len(state.corpus.summaries())
    except Exception as exc:  # a broken corpus must not stop the server: the pages report it per request
        log.warning("corpus not preloaded (%s); workers read documents on demand", exc)
        return
    log.info("preloaded %d documents in %.1fs", count, time.monotonic() - started)


def _before_fork(arbiter, worker) -> None:
    """Note the worker's heartbeat before it exists (see `_ready`), and move the master's objects out of the
    garbage collector's reach (Python's advice for prefork servers): a worker's collections then never write
    to the shared pages, which stay shared."""
    worker.forked_at = worker.tmp.last_update()
    gc.freeze()


def _warm_worker(worker) -> None:
    """Before this worker takes requests: open its own search backend (never in the master: fork safety) and,
    unless it is of the first generation, request `warmup_paths` in-process, so that no client waits for the
    first search's lazy loading."""
    from search_app.state import SearchUnavailable

    app = worker.wsgi
    # At start-up nobody else could answer meanwhile: the first generation serves at once, and warms up on
    # its first requests. Later workers (a reload's, a replacement's) warm up while the others serve.
    paths = HeadTimeoutWorker.warmup_paths if HeadTimeoutWorker.warm_before_serving else ()
    try:
        app.extensions["regkb"].backend()
    except SearchUnavailable as exc:  # no index yet: the search pages say so, warming them up would not help
        worker.log.warning("search unavailable in worker %s: %s", worker.pid, exc)
        paths = ()
    client = app.test_client()
    for path in paths:
        try:
            status = client.get(path).status_code
        except Exception as exc:  # a warm-up failure must not stop the worker: requests report it properly
            worker.log.warning("warm-up %s failed in worker %s: %s", path, worker.pid, exc)
            continue
        worker.log.debug("warm-up %s: %s", path, status)
    worker.notify()  # ready (see _ready): its request loop starts now
    os.kill(worker.ppid, signal.SIGCHLD)  # wakes the master at once, not within a second, to announce the URL


def port_is_free(host: str, port: int) -> str | None:
    """None when host:port can be bound (as gunicorn will), else why not: fails fast instead of five retries."""
    if port == 0:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None
