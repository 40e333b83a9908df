"""Raw responses with provenance, in WARC files under DataDir.raw.

One WARC file per crawl process, written as `<name>.warc.gz.open` (each
record its own gzip member, flushed and fsynced) and renamed to
`<name>.warc.gz` when the crawl ends. After a crash, `recover()` cuts an
`.open` file back to its last complete record and renames it, so a kill -9
never leaves a WARC that breaks the next run. The crawl state stores the
final file name and offset of every record, so a later run can re-parse a
response without downloading it again; every read verifies the record
(gzip CRC, WARC block and payload digests, SHA-256 of the payload).
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.fetch import FetchResult

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
CHUNK = 64 * 1024
SKIP_HEADERS = {"transfer-encoding", "content-encoding", "content-length"}  # the stored body is decoded


class WarcStore:
    def __init__(self, raw_dir: Path, name: str) -> None:
        self.raw_dir = raw_dir
        self.name = _unused_name(raw_dir, name)
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
            f"{result.status} {_reason(result.status)}",
            [(k, v) for k, v in result.headers.items() if k not in SKIP_HEADERS],
            protocol="HTTP/1.1",
        )
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


class CorruptRecord(Exception):
    """A stored record that cannot be read back exactly as it was written."""


def read_record(raw_dir: Path, name: str, offset: int, sha256: str | None = None) -> tuple[dict[str, str], bytes]:
    """HTTP headers (lower-case names) and body of the record at `offset`, verified, or CorruptRecord.

    Verified means: its gzip member inflates with a good CRC, warcio finds the WARC-Block-Digest and
    WARC-Payload-Digest it was written with, and the body's SHA-256 is the one in the record (and `sha256`, the
    crawl state's, when given). A damaged record is never handed on as a shorter body.
    """
    try:
        with open(raw_dir / name, "rb") as fh:
            data, _end = _read_member(fh, offset)
        return _verified(data, sha256)
    except CorruptRecord as exc:
        raise CorruptRecord(f"stored record {name} @ {offset} is damaged: {exc}") from None
    except OSError as exc:
        raise CorruptRecord(f"stored record {name} @ {offset} cannot be read: {exc.strerror or exc}") from None


def _read_member(fh: BinaryIO, offset: int) -> tuple[bytes, int]:
    """The inflated gzip member at `offset` and the offset where it ends (zlib checks CRC and length)."""
    fh.seek(offset)
    inflater = zlib.decompressobj(wbits=31)
    parts, consumed = [], 0
    while not inflater.eof:
        chunk = fh.read(CHUNK)
        if not chunk:
            raise CorruptRecord("the file ends inside the record" if consumed else "there is no record at this offset")
        try:
            parts.append(inflater.decompress(chunk))
        except zlib.error as exc:
            raise CorruptRecord(f"it cannot be decompressed ({exc})") from None
        consumed += len(chunk)
    return b"".join(parts), offset + consumed - len(inflater.unused_data)


def _verified(data: bytes, sha256: str | None) -> tuple[dict[str, str], bytes]:
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data), check_digests=True)))
        body = record.content_stream().read()
    except (ArchiveLoadFailed, StopIteration, ValueError, EOFError) as exc:
        raise CorruptRecord(f"it is not a readable WARC record ({exc or type(exc).__name__})") from None
    checker = record.digest_checker
    if checker.problems:
        raise CorruptRecord("; ".join(checker.problems))
    if checker.passed is not True:
        raise CorruptRecord("it is incomplete or carries no digest to verify")
    actual = hashlib.sha256(body).hexdigest()
    for expected, what in ((record.rec_headers.get_header("WARC-X-Payload-SHA256"), "the record's"),
                           (sha256, "the crawl state's")):
        if expected and actual != expected:
            raise CorruptRecord(f"its payload's SHA-256 {actual[:12]}… is not {what} {expected[:12]}…")
    headers = {k.lower(): v for k, v in (record.http_headers.headers if record.http_headers else [])}
    return headers, body


def _last_complete_offset(path: Path) -> int:
    """Where the last record that verifies ends (a kill mid-write leaves a partial member after it)."""
    end = 0
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        while end < size:
            try:
                data, next_end = _read_member(fh, end)
                _verified(data, None)
            except CorruptRecord as exc:
                log.debug("WARC %s ends in an incomplete record at %d: %s", path.name, end, exc)
                break
            end = next_end
    return end


def _reason(status: int | None) -> str:
    try:
        return HTTPStatus(status or 0).phrase
    except ValueError:
        return "-"


def _unused_name(raw_dir: Path, name: str) -> str:
    """`<name>.warc.gz`, or `<name>-N.warc.gz` when an earlier run (of the same second and process) has that name:
    closing must never rename over another run's records."""
    candidate, n = f"{name}.warc.gz", 0
    while (raw_dir / candidate).exists() or (raw_dir / (candidate + OPEN_SUFFIX)).exists():
        n += 1
        candidate = f"{name}-{n}.warc.gz"
    return candidate


def run_name() -> str:
    return datetime.now(UTC).strftime("crawl-%Y%m%dT%H%M%S") + f"-{os.getpid()}"
