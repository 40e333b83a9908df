"""The facets both engines count and filter on, described once (Datasette-style).

A facet is a keyword field of the flat index record. Counting is a terms
aggregation over that field; filtering is "any of the selected values"
(OR within a facet, AND across facets). Counts for a facet ignore that
facet's own selection, so a user can widen a multi-select.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from indexer.search.settings import search_config
from regkb.settings import load_config


@dataclass(frozen=True)
class Facet:
    name: str    # as used in SearchRequest.filters / .facets and in the query syntax
    field: str   # keyword field of the index record
    label: str
    size: int = 50  # how many values to count


FACETS: dict[str, Facet] = {f.name: f for f in (
    Facet("sector", "sectors", "Sector (NACE)", 100),
    Facet("modality", "modality", "Modality"),
    Facet("addressee", "addressee", "Addressee"),
    Facet("instrument", "instrument", "Instrument", 100),
    Facet("jurisdiction", "jurisdiction", "Jurisdiction"),
    Facet("document_type", "document_type", "Document type"),
    Facet("topic", "topics", "Topic", 100),
    Facet("language", "language", "Language"),
    Facet("status", "status", "Status"),
    Facet("application_year", "application_years", "Applies from (year)"),
)}

# Keyword fields that filter but are not shown as facets.
FILTER_FIELDS = {"provision_kind": "provision_kind", "document_id": "document_id", "provision_path": "provision_path",
                 "kind": "kind", "id": "id", "dated": "dated"}

# The sector value of a record that names no sector: a rule of general scope (the CSDDD, an ILO convention)
# concerns every sector, so a sector filter also selects it and every sector's count includes it.
ALL_SECTORS = "*"

KEYWORD_FIELDS = tuple(sorted({f.field for f in FACETS.values()} | set(FILTER_FIELDS.values()) | {"act_id", "provision_id", "cite_key", "group"}))


def facet(name: str) -> Facet:
    try:
        return FACETS[name]
    except KeyError:
        raise ValueError(f"unknown facet {name!r}; known facets: {', '.join(FACETS)}") from None


def field_for(name: str) -> str:
    """The index field behind a facet or filter name."""
    if name in FACETS:
        return FACETS[name].field
    if name in FILTER_FIELDS:
        return FILTER_FIELDS[name]
    raise ValueError(f"unknown filter {name!r}; known: {', '.join([*FACETS, *FILTER_FIELDS])}")


@lru_cache(maxsize=1)
def _nace_codes() -> tuple[str, ...]:
    try:
        return tuple(load_config("nace").get("codes", {}))
    except FileNotFoundError:
        return ()


def normalize_value(name: str, value: str) -> str:
    """What a user types → the stored value ("sector:13" → "C13", "lang:NL" → "nl")."""
    value = value.strip()
    if name == "sector":
        upper = value.upper()
        if upper in _nace_codes():
            return upper
        match = next((c for c in _nace_codes() if c[1:] == value), None)
        return match or upper
    if name in ("language", "modality", "status", "document_type", "provision_kind"):
        return value.lower()
    if name == "jurisdiction":
        return {"eu": "EU", "nl": "NL", "international": "international"}.get(value.lower(), value)
    if name == "instrument":
        from indexer.search.citations import canonical_instrument
        return canonical_instrument(value) or value
    return value


@lru_cache(maxsize=1)
def _section_of_division() -> dict[str, str]:
    """'13' → 'C': NACE sections by division number (config/search.yaml nace_sections)."""
    out = {}
    for letter, (lo, hi) in (search_config().get("nace_sections") or {}).items():
        out.update({f"{n:02d}": letter for n in range(int(lo), int(hi) + 1)})
    return out


def sector_ancestors(code: str) -> list[str]:
    """'C13.20' → ['C', 'C13', 'C13.2', 'C13.20'], so 'sector:13' finds every class under division 13.
    Codes written without their section letter ('27.2', '01') get it from the division."""
    code = code.strip().upper().rstrip(".")
    if code[:2].isdigit():
        code = _section_of_division().get(code[:2], "") + code
    out = [code[:1]] if code[:1].isalpha() else []
    if len(code) >= 3:
        out.append(code[:3])
    if "." in code:
        head, tail = code.split(".", 1)
        out += [f"{head}.{tail[:i]}" for i in range(1, len(tail) + 1)]
    return list(dict.fromkeys(out or [code]))


def filter_values(name: str, value: str) -> tuple[str, ...]:
    """The stored values one selected value stands for: a sector also selects the rules of general scope."""
    if name == "sector" and value != ALL_SECTORS:
        return (value, ALL_SECTORS)
    return (value,)


def spread_general_scope(name: str, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Sector counts as a filter on each value would give them: specific records plus those of general scope.

    Every section and division of config/nace.yaml is listed, so a sector no text names explicitly can still be
    chosen (its count is then that of the rules that concern all sectors)."""
    general = dict(counts).get(ALL_SECTORS, 0)
    if name != "sector" or not general:
        return counts
    out = {v: c + general for v, c in counts if v != ALL_SECTORS}
    for code in _nace_codes():
        if len(code) <= 3:  # sections and divisions
            out.setdefault(code, general)
    out[ALL_SECTORS] = general
    return list(out.items())
