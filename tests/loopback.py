"""A loopback HTTP server for tests: real HTTP on 127.0.0.1 with settable routes.

`server.routes[path] = Reply(...)` sets what a path answers (status, headers,
body, a delay before answering, an endless body, a body or whole reply sent
one byte at a time); `server.requests` records what the server received. Used through the `http_server` fixture of
tests/conftest.py, instead of mocking HTTP.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the loopback server answers for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0              # seconds before the status line (timeouts)
    endless: bool = False           # stream body chunks without Content-Length until the client hangs up
    trickle: float = 0.0            # > 0: send the body one byte at a time, this many seconds apart
    trickle_headers: bool = False   # with trickle: the status line and headers too
    send_length: bool = True        # add Content-Length (unless endless or set in headers)


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]
    at: float


Route = Reply | Callable[[SeenRequest], Reply]


class LoopbackServer:
    """A threaded HTTP/1.0 server on 127.0.0.1 with settable routes (`server.routes[path] = Reply(...)`)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                seen = SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                outer.requests.append(seen)
                route = outer.routes.get(self.path)
                reply = route(seen) if callable(route) else route or Reply(404, b"not found")
                try:
                    self._write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _write(self, reply: Reply) -> None:
                time.sleep(reply.delay)
                head = self._head(reply)
                self._trickle(head, reply.trickle) if reply.trickle_headers else self.wfile.write(head)
                if reply.endless:
                    chunk = b"x" * 65536
                    for _ in range(100000):  # bounded: at most ~6 GB, the client hangs up long before
                        self.wfile.write(chunk)
                elif reply.trickle:
                    self._trickle(reply.body, reply.trickle)
                else:
                    self.wfile.write(reply.body)

            def _head(self, reply: Reply) -> bytes:
                headers = dict(reply.headers)
                if reply.send_length and not reply.endless and "Content-Length" not in headers:
                    headers["Content-Length"] = str(len(reply.body))
                phrase = self.responses.get(reply.status, ("-",))[0]
                lines = [f"{self.protocol_version} {reply.status} {phrase}", *(f"{k}: {v}" for k, v in headers.items())]
                return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

            def _trickle(self, data: bytes, interval: float) -> None:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    time.sleep(interval)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def served_wsgi(app: Any, quiet: bool = False) -> Iterator[str]:
    """A WSGI app (the real Flask app) on a free 127.0.0.1 port in a thread; yields its base URL.
    `quiet`: no access log line per request."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet if quiet else None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
