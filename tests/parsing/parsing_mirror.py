"""Build parser inputs from ../shared/mirror the way the crawler would fetch them."""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from functools import lru_cache
from pathlib import Path

from regkb.records import RawResource
from regkb.sources import Source

MIRROR = Path(__file__).resolve().parents[2] / ".." / "shared" / "mirror"
CONTENT_TYPES = {".html": "text/html", ".xhtml": "application/xhtml+xml", ".xml": "application/xml",
                 ".json": "application/json", ".md": "text/markdown", ".txt": "text/plain", ".pdf": "application/pdf"}


@lru_cache(maxsize=1)
def manifest() -> list[dict[str, str]]:
    with (MIRROR / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def entry(local_path: str) -> dict[str, str]:
    return next(row for row in manifest() if row["local_path"] == local_path)


def raw_from_bytes(url: str, body: bytes, content_type: str, charset: str | None = None,
                   source_id: str = "test") -> RawResource:
    return RawResource(url=url, final_url=url, status=200, content_type=content_type, charset=charset,
                       body=body, sha256=hashlib.sha256(body).hexdigest(), fetched_at="2026-01-01T00:00:00Z",
                       source_id=source_id)


def raw_for(local_path: str) -> RawResource:
    row = entry(local_path)
    path = MIRROR / local_path
    return raw_from_bytes(row["original_url"], path.read_bytes(), CONTENT_TYPES[path.suffix])


def cellar_zip(url: str) -> RawResource:
    """The Cellar zip the crawler gets for `url`: all manifest members of that URL."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for row in manifest():
            if row["original_url"] == url:
                zf.write(MIRROR / row["local_path"], Path(row["local_path"]).name)
    return raw_from_bytes(url, buf.getvalue(), "application/zip")


def source(parser: str, language: str = "en", jurisdiction: str = "EU", instrument_type: str = "regulation",
           status: str = "in_force", sectors: list[str] | None = None, sid: str = "test") -> Source:
    return Source(id=sid, name=sid, site="example", parser=parser, instrument_type=instrument_type,
                  jurisdiction=jurisdiction, language=language, status=status, sectors=sectors or [], seeds=[])
