"""Raw responses with provenance, in WARC files under DataDir.raw.

One WARC file per crawl process, written as `<name>.warc.gz.open` (each
record its own gzip member, flushed and fsynced) and renamed to
`<name>.warc.gz` when the crawl ends. After a crash, `recover()` cuts an
`.open` file back to its last complete record and renames it, so a kill -9
never leaves a WARC that breaks the next run. The crawl state stores the
final file name and offset of every record, so a later run can re-parse a
response without downloading it again.
"""
from __future__ import annotations

import io
import logging
import os
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.fetch import FetchResult

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
SKIP_HEADERS = {"transfer-encoding", "content-encoding", "content-length"}  # the stored body is decoded


class WarcStore:
    def __init__(self, raw_dir: Path, name: str) -> None:
        self.raw_dir = raw_dir
        self.name = f"{name}.warc.gz"
        self._path = raw_dir / (self.name + OPEN_SUFFIX)
        self._fh: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None

    def append(self, result: FetchResult, sha256: str) -> tuple[str, int]:
        """Write one response record; return (final file name, offset) once it is on disk."""
        if self._fh is None:
            self._fh = open(self._path, "ab")
            self._writer = WARCWriter(self._fh, gzip=True)
        assert self._writer is not None
        offset = self._fh.tell()
        http_headers = StatusAndHeaders(
            f"{result.status} {_reason(result.status)}", [(k, v) for k, v in result.headers.items() if k not in SKIP_HEADERS],
            protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            result.final_url, "response", payload=io.BytesIO(result.body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": result.fetched_at, "WARC-X-Original-URL": result.url,
                               "WARC-X-Payload-SHA256": sha256})
        self._writer.write_record(record)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        return self.name, offset

    def close(self) -> None:
        """Finish this run's file: rename `.open` to its final name."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            os.replace(self._path, self.raw_dir / self.name)

    @staticmethod
    def recover(raw_dir: Path) -> list[str]:
        """Cut every leftover `.open` file back to its last complete record and give it its final name."""
        recovered = []
        for path in sorted(raw_dir.glob(f"*{OPEN_SUFFIX}")):
            good_end = _last_complete_offset(path)
            with open(path, "r+b") as fh:
                fh.truncate(good_end)
            final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
            if good_end:
                os.replace(path, final)
                recovered.append(final.name)
            else:
                path.unlink()
            log.info("recovered interrupted WARC %s (%d bytes kept)", final.name, good_end)
        return recovered


def _last_complete_offset(path: Path) -> int:
    end = 0
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                record.content_stream().read()
                it.read_to_end(record)
                end = it.get_record_offset() + it.get_record_length()
    except Exception as exc:  # a truncated gzip member or record: everything before it is kept
        log.debug("WARC %s ends in an incomplete record: %s", path.name, exc)
    return end


def read_record(raw_dir: Path, name: str, offset: int) -> tuple[dict[str, str], bytes]:
    """HTTP headers (lower-case names) and body of the record at `offset`."""
    with open(raw_dir / name, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        headers = {k.lower(): v for k, v in (record.http_headers.headers if record.http_headers else [])}
        return headers, record.content_stream().read()


def _reason(status: int | None) -> str:
    try:
        return HTTPStatus(status or 0).phrase
    except ValueError:
        return "-"


def run_name() -> str:
    return datetime.now(timezone.utc).strftime("crawl-%Y%m%dT%H%M%S") + f"-{os.getpid()}"
