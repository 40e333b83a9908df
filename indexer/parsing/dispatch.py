"""Choose the parser for a fetched resource and turn its output into Documents."""
from __future__ import annotations

from lxml.etree import LxmlError

from regkb.records import Document, RawResource
from regkb.sources import DocumentHint, Source

from . import formats  # noqa: F401  (registers the parsers)
from .document import build
from .errors import ParseError
from .registry import PARSERS


def parse_resource(raw: RawResource, source: Source, hint: DocumentHint | None = None) -> list[Document]:
    """Structured documents from one fetched resource.

    Raises ParseError when nothing can be understood; documents that were only
    partly understood carry `warnings`.
    """
    if not raw.body or not raw.body.strip():
        raise ParseError(f"{raw.url}: empty response body; re-fetch it")
    key = _key(raw, source)
    fn = PARSERS.get(key)
    if fn is None:
        raise ParseError(f"{raw.url}: no parser for key {key!r} (content type {raw.content_type}); "
                         f"use one of {', '.join(sorted(PARSERS))} in config/sources.yaml")
    try:
        return [build(p, raw, source, hint) for p in fn(raw, source, hint)]
    except ParseError as exc:
        if raw.url in str(exc):
            raise
        raise ParseError(f"{raw.url}: {exc}") from exc
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, UnicodeError, RecursionError,
            LxmlError) as exc:
        raise ParseError(f"{raw.url}: {key} parser failed on this input ({type(exc).__name__}: {exc})") from exc


def _key(raw: RawResource, source: Source) -> str:
    """The configured parser, corrected by what the response actually is (a Formex zip, a PDF ...)."""
    ctype = raw.content_type.lower()
    body = raw.body[:8]
    if body.startswith(b"%PDF") or ctype == "application/pdf":
        return "pdf"
    if body.startswith(b"PK\x03\x04") or ctype in ("application/zip", "application/x-zip-compressed"):
        return "formex"
    if source.parser == "eurlex" and ctype in ("application/json",):
        return "eurlex_text_json"
    return source.parser
