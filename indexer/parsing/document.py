"""Assemble a `Document` from a parsed provision tree plus what the config knows.

One place decides ids, act/version grouping, metadata precedence and dates, so
every parser produces documents that link up the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from regkb.records import Dates, Document, Identifiers, Link, RawResource
from regkb.sources import DocumentHint, Source

from . import amendments
from .metadata import (
    act_info,
    adoption_date,
    base_celex,
    celex_slug,
    default_act_id,
    instrument_from_title,
    number_from_title,
    text_dates,
)
from .tree import Node, citation_style, flatten


@dataclass
class Parsed:
    """What a format parser found; `build` turns it into a Document."""

    title: str
    language: str
    roots: list[Node]
    celex: str | None = None
    bwb: str | None = None
    consolidated: bool = False
    version_date: date | None = None
    published: date | None = None
    adopted: date | None = None
    oj: str | None = None
    eli: str | None = None
    number: str | None = None
    kamerstuk: str | None = None
    instrument_type: str | None = None
    jurisdiction: str | None = None
    status: str | None = None
    sectors: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    id_suffix: str | None = None
    act_celex: str | None = None  # the act a document without its own CELEX belongs to (e.g. a corrigendum)
    links: list[Link] = field(default_factory=list)  # what the text itself states (a consolidation's amending acts)


def build(parsed: Parsed, raw: RawResource, source: Source, hint: DocumentHint | None) -> Document:
    jurisdiction = parsed.jurisdiction or source.jurisdiction
    language = parsed.language or (hint.language if hint else None) or source.language
    style = citation_style(language, jurisdiction)
    # EU acts: an amending article's quoted provisions belong to the act it amends
    amend_warnings = amendments.restructure(parsed.roots, style, style) if style in ("en", "fr", "nl") else []
    provisions, tree_warnings = flatten(parsed.roots, style)
    tree_warnings = amend_warnings + tree_warnings
    info = act_info(parsed.celex or parsed.act_celex) if (parsed.celex or parsed.act_celex) else act_info(parsed.bwb)
    title = parsed.title or (hint.title if hint else None) or info.get("title") or raw.url
    title_type, _ = instrument_from_title(title)
    instrument = (title_type or parsed.instrument_type or (hint.instrument_type if hint else None)
                  or info.get("instrument_type") or source.instrument_type)
    if instrument == "corrigendum" or (parsed.celex and re.match(r"^\d{5}[A-Z]{1,2}\d{4}R\(?\d{2}\)?$", parsed.celex)):
        instrument = "corrigendum"
    doc_id, version_id = _ids(parsed, raw, language)
    act_id = (hint.act if hint and hint.act else None) or info.get("act_id") or (
        default_act_id(base_celex(parsed.celex or parsed.act_celex) or "") if parsed.celex or (
            parsed.act_celex and re.match(r"^\d{5}[A-Z]", parsed.act_celex)) else version_id)
    dates = _dates(parsed, provisions, info, instrument)
    number = parsed.number or number_from_title(title) or info.get("number")
    amendments.cite_quoted(provisions, amendments.own_name(instrument, number, style), style)
    eli = parsed.eli or _eli(instrument, number, parsed.celex)
    status = parsed.status or ("in_force" if parsed.consolidated else None) or (
        "published" if instrument == "corrigendum" else None) or (hint.status if hint and hint.status else None) \
        or source.status
    return Document(
        id=doc_id, act_id=act_id, version_id=version_id, source_id=source.id, title=title,
        short_title=(hint.short_title if hint and hint.short_title else None) or info.get("short_title"),
        instrument_type=instrument, jurisdiction=jurisdiction, language=language,
        identifiers=Identifiers(celex=parsed.celex, eli=eli, bwb=parsed.bwb, oj=parsed.oj,
                                kamerstuk=parsed.kamerstuk or info.get("kamerstuk"), number=number),
        dates=dates, status=status, consolidated=parsed.consolidated, source_url=raw.url,
        official_url=_official_url(parsed, raw, language), content_sha256=raw.sha256,
        content_type=raw.content_type,
        sectors=sorted(set(parsed.sectors or (hint.sectors if hint and hint.sectors else []) or source.sectors)),
        topics=parsed.topics, links=parsed.links, provisions=provisions, warnings=parsed.warnings + tree_warnings,
    )


def _ids(parsed: Parsed, raw: RawResource, language: str) -> tuple[str, str]:
    lang = language.lower()
    if parsed.celex:
        version = f"celex-{celex_slug(parsed.celex)}"
    elif parsed.bwb:
        version = f"bwb-{parsed.bwb}"
    else:
        version = page_slug(raw.url)
    if parsed.id_suffix:
        version = f"{version}-{parsed.id_suffix}"
    return f"{version}-{lang}", version


def page_slug(url: str) -> str:
    """'https://www.rijksoverheid.nl/actueel/nieuws/2020/10/16/x' -> 'rijksoverheid-actueel-nieuws-2020-10-16-x'."""
    parts = urlsplit(url)
    host = re.sub(r"^www\d?\.", "", parts.netloc.lower()).rsplit(".", 1)[0]
    path = re.sub(r"\.(html?|php|aspx?)$", "", parts.path.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", f"{host}-{path}-{parts.query.lower()}").strip("-")
    return slug[:150]


def _dates(parsed: Parsed, provisions, info: dict, instrument: str) -> Dates:
    dates = text_dates(provisions, parsed.published)
    dates.adopted = parsed.adopted or adoption_date(parsed.title or "")
    dates.version_date = parsed.version_date
    is_original = bool(parsed.celex and parsed.celex == base_celex(parsed.celex)) or bool(parsed.bwb)
    known = (info.get("dates") or {}) if is_original else {}
    if not parsed.consolidated:
        dates.adopted = dates.adopted or known.get("adopted")
        dates.published = dates.published or known.get("published")
        dates.entry_into_force = dates.entry_into_force or known.get("entry_into_force")
    if instrument == "corrigendum":
        dates.entry_into_force = None
    if instrument == "directive":
        dates.transposition_deadline = dates.transposition_deadline or known.get("transposition_deadline")
    else:
        dates.transposition_deadline = None if instrument != "directive" else dates.transposition_deadline
    return dates


ELI_TYPES = {"directive": "dir", "regulation": "reg", "delegated_regulation": "reg_del",
             "implementing_regulation": "reg_impl"}


def _eli(instrument: str, number: str | None, celex: str | None) -> str | None:
    """ELI of the act as published in the OJ (data.europa.eu/eli/<type>/<year>/<number>/oj)."""
    kind = ELI_TYPES.get(instrument)
    m = re.match(r"^(\d{4})/(\d+)$", number or "")
    if not kind or not m or not celex:
        return None
    letter = "L" if kind == "dir" else "R"
    if base_celex(celex) != f"3{m.group(1)}{letter}{int(m.group(2)):04d}":
        return None
    return f"http://data.europa.eu/eli/{kind}/{m.group(1)}/{int(m.group(2))}/oj"


def _official_url(parsed: Parsed, raw: RawResource, language: str) -> str:
    if parsed.celex:
        return f"https://eur-lex.europa.eu/legal-content/{language.upper()[:2]}/TXT/?uri=CELEX:{parsed.celex}"
    if parsed.bwb:
        return f"https://wetten.overheid.nl/{parsed.bwb}"
    return raw.url
