"""Registers the parsers other than EUR-Lex HTML (imported by dispatch)."""
from __future__ import annotations

import re
from typing import Optional

from regkb.records import RawResource
from regkb.sources import DocumentHint, Source

from .dispatch import language_hint, parser, text_of
from .document import Parsed
from .metadata import celex_from_url


@parser("formex")
def _formex(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .formex import parse_formex, xml_files_from_zip
    if raw.body[:4] == b"PK\x03\x04" or raw.content_type.endswith("zip"):
        files = xml_files_from_zip(raw.body)
    else:
        files = [raw.body]
    return [parse_formex(files)]


@parser("eurlex_text_json")
def _text_json(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .eurlex_text import parse_text_json
    text, notes = text_of(raw)
    parsed = parse_text_json(text, language_hint(raw, source, hint) or source.language)
    parsed.warnings = notes + parsed.warnings
    m = re.search(r"\.(\d{5}[A-Z]\d{4})\.", raw.url)
    url_celex = celex_from_url(raw.url) or (m.group(1) if m else None)
    if url_celex and parsed.instrument_type != "corrigendum":
        parsed.celex = url_celex
    return [parsed]


@parser("derived_json")
def _derived_json(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .derived_json import parse_derived_json
    text, notes = text_of(raw)
    parsed = parse_derived_json(text, language_hint(raw, source, hint) or source.language)
    parsed.warnings = notes + parsed.warnings
    return [parsed]


@parser("markdown_law")
def _markdown(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .markdown_law import parse_markdown_law
    text, notes = text_of(raw)
    docs = parse_markdown_law(text, raw.url, (hint.language if hint and hint.language else source.language))
    for d in docs:
        d.warnings = notes + d.warnings
    return docs


@parser("wetten_xml")
def _wetten(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .wetten_xml import parse_wetten_xml
    return [parse_wetten_xml(raw.body)]


@parser("policy_page", "covenant")
def _page(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .web_page import parse_web_page
    text, notes = text_of(raw)
    parsed = parse_web_page(text, raw.url, (hint.language if hint and hint.language else None) or source.language)
    parsed.warnings = notes + parsed.warnings
    return [parsed]


@parser("text")
def _text(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .web_page import parse_plain_text
    text, notes = text_of(raw)
    parsed = parse_plain_text(text, (hint.language if hint and hint.language else None) or source.language)
    parsed.warnings = notes + parsed.warnings
    return [parsed]


@parser("pdf")
def _pdf(raw: RawResource, source: Source, hint: Optional[DocumentHint]) -> list[Parsed]:
    from .pdf import parse_pdf
    return [parse_pdf(raw.body, (hint.language if hint and hint.language else None) or source.language)]
