"""The parsers by key (config/sources.yaml `parser`), and what every parser needs from the raw response."""
from __future__ import annotations

import re
from collections.abc import Callable

from regkb.records import RawResource
from regkb.sources import DocumentHint, Source

from .decode import decode
from .document import Parsed

# parser key -> function taking (raw, source, hint) and returning Parsed objects
PARSERS: dict[str, Callable[..., list[Parsed]]] = {}


def parser(*keys: str):
    """Register the decorated function as the parser of these keys."""
    def register(fn):
        for key in keys:
            PARSERS[key] = fn
        return fn
    return register


def text_of(raw: RawResource) -> tuple[str, list[str]]:
    text, note = decode(raw.body, raw.charset)
    return text, [note] if note else []


def language_hint(raw: RawResource, source: Source, hint: DocumentHint | None) -> str | None:
    if hint and hint.language:
        return hint.language
    m = re.search(r"/legal-content/([A-Z]{2})/", raw.url)
    if m:
        return m.group(1).lower()
    return None
