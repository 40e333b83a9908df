"""Offline replay: an HTTP server on 127.0.0.1 that answers for the live sites from a mirror folder.

The folder holds files plus `MANIFEST.tsv` (local_path, original_url, ...).
A request is looked up by its live URL, rebuilt from the `Host:` header and
the path+query (see `crawler.fetch.MirrorAdapter`). Several files under one
Cellar `.../zip` URL are served as one deterministic zip. Responses carry
ETag and Last-Modified and answer conditional requests with 304, like the
real sites, so re-crawls can be tested offline.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import threading
import zipfile
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawler.urls import canonical

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".xhtml": "application/xhtml+xml", ".xml": "application/xml",
    ".json": "application/json", ".md": "text/markdown", ".txt": "text/plain", ".pdf": "application/pdf",
    ".zip": "application/zip",
}
PERMISSIVE_ROBOTS = b"User-agent: *\nAllow: /\n"


def lookup_key(url: str) -> str:
    """The mirror's key for a URL: canonical form without the scheme (http and https are one page)."""
    return canonical(url).split("://", 1)[-1]


@dataclass(frozen=True)
class Entry:
    """What the mirror answers for one live URL."""

    files: tuple[Path, ...]
    as_zip: bool

    @cached_property
    def body(self) -> bytes:
        if not self.as_zip:
            return self.files[0].read_bytes()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(self.files, key=lambda p: p.name):
                info = zipfile.ZipInfo(path.name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, path.read_bytes())
        return buf.getvalue()

    @property
    def content_type(self) -> str:
        if self.as_zip:
            return "application/zip"
        return CONTENT_TYPES.get(self.files[0].suffix.lower(), "application/octet-stream")

    @cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @property
    def mtime(self) -> float:
        return int(max(p.stat().st_mtime for p in self.files))


def load_manifest(mirror_dir: Path) -> dict[str, Entry]:
    """Map lookup keys to entries; several files under one `/zip` URL become one zip entry."""
    grouped: dict[str, list[Path]] = {}
    with (mirror_dir / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            grouped.setdefault(lookup_key(row["original_url"]), []).append(mirror_dir / row["local_path"])
    entries = {}
    for key, files in grouped.items():
        as_zip = urlsplit("//" + key).path.rstrip("/").endswith("/zip") or len(files) > 1
        entries[key] = Entry(tuple(files), as_zip)
    return entries


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_HEAD(self) -> None:  # noqa: N802 (http.server naming)
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        host = self.headers.get("Host", "")
        url = f"https://{host}{self.path}"
        if urlsplit(url).path == "/robots.txt" and lookup_key(url) not in self.server.entries:
            return self._send(200, {"Content-Type": "text/plain"}, PERMISSIVE_ROBOTS, head)
        entry = self.server.entries.get(lookup_key(url))
        if entry is None or not all(p.is_file() for p in entry.files):
            return self._send(404, {"Content-Type": "text/plain"}, b"not in mirror\n", head)
        headers = {"Content-Type": entry.content_type, "ETag": entry.etag,
                   "Last-Modified": formatdate(entry.mtime, usegmt=True)}
        if self._not_modified(entry):
            return self._send(304, {"ETag": entry.etag, "Last-Modified": headers["Last-Modified"]}, b"", True)
        self._send(200, headers, entry.body, head)

    def _not_modified(self, entry: Entry) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return entry.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return entry.mtime <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, headers: dict[str, str], body: bytes, head: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("mirror: " + format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    entries: dict[str, Entry]


class MirrorServer:
    """`with MirrorServer(dir) as m: m.url` — a loopback server replaying the mirror."""

    def __init__(self, mirror_dir: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.mirror_dir = Path(mirror_dir)
        if not (self.mirror_dir / "MANIFEST.tsv").is_file():
            raise FileNotFoundError(
                f"{self.mirror_dir}/MANIFEST.tsv not found: --mirror must name a mirror folder with a MANIFEST.tsv"
            )
        self._server = _Server((host, port), _Handler)
        self._server.entries = load_manifest(self.mirror_dir)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="regkb-mirror", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # a TCP server's address is (host, port)
        return f"http://{host}:{port}"

    def __enter__(self) -> MirrorServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
