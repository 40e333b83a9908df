"""The parsers of every format, registered by key (imported by dispatch)."""
from __future__ import annotations

import re

from regkb.records import RawResource
from regkb.sources import DocumentHint, Source

from .corrigendum import corrections, is_corrigendum
from .document import Parsed
from .metadata import celex_from_url
from .registry import language_hint, parser, text_of


@parser("eurlex")
def _eurlex(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
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


@parser("formex")
def _formex(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
    from .formex import parse_formex, xml_files_from_zip
    if raw.body[:4] == b"PK\x03\x04" or raw.content_type.endswith("zip"):
        files = xml_files_from_zip(raw.body)
    else:
        files = [raw.body]
    return [parse_formex(files)]


@parser("eurlex_text_json")
def _text_json(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
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
def _derived_json(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
    from .derived_json import parse_derived_json
    text, notes = text_of(raw)
    parsed = parse_derived_json(text, language_hint(raw, source, hint) or source.language)
    parsed.warnings = notes + parsed.warnings
    return [parsed]


@parser("markdown_law")
def _markdown(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
    from .markdown_law import parse_markdown_law
    text, notes = text_of(raw)
    docs = parse_markdown_law(text, raw.url, (hint.language if hint and hint.language else source.language))
    for d in docs:
        d.warnings = notes + d.warnings
    return docs


@parser("wetten_xml")
def _wetten(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
    from .wetten_xml import parse_wetten_xml
    return [parse_wetten_xml(raw.body)]


@parser("policy_page", "covenant")
def _page(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
    from .web_page import parse_web_page
    text, notes = text_of(raw)
    parsed = parse_web_page(text, raw.url, (hint.language if hint and hint.language else None) or source.language)
    parsed.warnings = notes + parsed.warnings
    return [parsed]


@parser("text")
def _text(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
    from .web_page import parse_plain_text
    text, notes = text_of(raw)
    parsed = parse_plain_text(text, (hint.language if hint and hint.language else None) or source.language)
    parsed.warnings = notes + parsed.warnings
    return [parsed]


@parser("pdf")
def _pdf(raw: RawResource, source: Source, hint: DocumentHint | None) -> list[Parsed]:
    from .pdf import parse_pdf
    return [parse_pdf(raw.body, (hint.language if hint and hint.language else None) or source.language)]
