"""Choose the parser for a fetched resource and turn its output into Documents."""
from __future__ import annotations

import re
from typing import Callable, Optional

from lxml.etree import LxmlError

from regkb.records import Document, RawResource
from regkb.sources import DocumentHint, Source

from .corrigendum import corrections, is_corrigendum
from .decode import decode
from .document import Parsed, build
from .errors import ParseError
from .metadata import celex_from_url

# parser key -> module function taking (raw, text, source, hint) and returning Parsed objects
_PARSERS: dict[str, Callable[..., list[Parsed]]] = {}


def parser(*keys: str):
    def register(fn):
        for key in keys:
            _PARSERS[key] = fn
        return fn
    return register


def parse_resource(raw: RawResource, source: Source, hint: Optional[DocumentHint] = None) -> list[Document]:
    """Structured documents from one fetched resource.

    Raises ParseError when nothing can be understood; documents that were only
    partly understood carry `warnings`.
    """
    if not raw.body or not raw.body.strip():
        raise ParseError(f"{raw.url}: empty response body; re-fetch it")
    key = _key(raw, source)
    fn = _PARSERS.get(key)
    if fn is None:
        raise ParseError(f"{raw.url}: no parser for key {key!r} (content type {raw.content_type}); "
                         f"use one of {', '.join(sorted(_PARSERS))} in config/sources.yaml")
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


def text_of(raw: RawResource) -> tuple[str, list[str]]:
    text, note = decode(raw.body, raw.charset)
    return text, [note] if note else []


def language_hint(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> Optional[str]:
    if hint and hint.language:
        return hint.language
    m = re.search(r"/legal-content/([A-Z]{2})/", raw.url)
    if m:
        return m.group(1).lower()
    return None


@parser("eurlex")
def _eurlex(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .eurlex_html import parse_eurlex_html
    text, notes = text_of(raw)
    parsed = parse_eurlex_html(text, language_hint(raw, source, hint))
    url_celex = celex_from_url(raw.url) or celex_from_url(raw.final_url)
    if url_celex:
        parsed.celex = url_celex
        parsed.consolidated = parsed.consolidated or url_celex.startswith("0")
    if not parsed.celex:
        parsed.warnings.append("no CELEX number in the URL or the text; document id falls back to the URL")
    _split_corrigendum(parsed)
    parsed.warnings = notes + parsed.warnings
    return [parsed]


def _split_corrigendum(parsed: Parsed) -> None:
    """A corrigendum page without articles is a list of corrections: one provision per item, not one block."""
    if not is_corrigendum(parsed.title) or [n.kind for n in parsed.roots] != ["text"]:
        return
    parsed.roots, notes = corrections(parsed.roots[0].text, parsed.language)
    parsed.warnings = [w for w in parsed.warnings if not w.startswith("no articles or recitals found")] + notes


from . import formats  # noqa: E402,F401  (registers the other parsers)
