"""Sector pages: which instruments and obligations concern a NACE sector, grouped by instrument."""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from indexer.search.base import SearchRequest
from regkb.taxonomy import ALL_SECTORS, label_for, nace_labels
from search_app import present
from search_app.state import SearchUnavailable, state
from search_app.views.search import run_search

bp = Blueprint("sectors", __name__, url_prefix="/sectors")

NACE_CODE = re.compile(r"^[A-U](\d{2}(\.\d{1,2})?)?$")


@dataclass
class SectorRow:
    code: str
    label: str
    depth: int  # 0 section (C), 1 division (C13), 2 group (C13.2), 3 class (C13.20)
    obligations: int
    documents: int


def _depth(code: str) -> int:
    return 0 if len(code) == 1 else 1 if "." not in code else 1 + len(code.split(".", 1)[1])


# Records that name no sector are of general scope: the engine counts them under every sector (and as "*").
SPECIFIC_ONLY, GENERAL_ONLY = f"-sector:{ALL_SECTORS}", f"sector:{ALL_SECTORS}"


def _sector_counts(kind: str) -> tuple[dict[str, int], int]:
    """Per sector, the records that name it; and how many records of general scope concern every sector."""
    resp = run_search(SearchRequest(kind=kind, size=0, facets=["sector"], highlight=False))
    counts = {fv.value: fv.count for fv in resp.facets.get("sector", [])}
    general = counts.pop(ALL_SECTORS, 0)
    return {code: n for code, n in counts.items() if n}, general


@bp.get("")
def index():
    """Every NACE code of config/nace.yaml (sections, divisions, groups), with how many records name it."""
    lang = str(get_locale())
    obligations: dict[str, int] = {}
    documents: dict[str, int] = {}
    unavailable = None
    general = {"obligations": 0, "documents": 0}
    try:
        obligations, general["obligations"] = _sector_counts("obligation")
        documents, general["documents"] = _sector_counts("document")
    except SearchUnavailable as exc:
        unavailable = str(exc)
    labels = nace_labels()
    codes = list(labels) + sorted(c for c in {*obligations, *documents} if c not in labels and NACE_CODE.match(c))
    rows = [
        SectorRow(c, label_for(labels, c, lang) or c, _depth(c), obligations.get(c, 0), documents.get(c, 0))
        for c in codes
    ]
    return render_template("sectors.html", rows=rows, general=general, unavailable=unavailable)


@bp.get("/<code>")
def sector(code: str):
    if not NACE_CODE.match(code):
        abort(404)
    lang = str(get_locale())
    label = label_for(nace_labels(), code, lang)
    size = state().settings["max_page_size"]
    obligations = run_search(SearchRequest(query=SPECIFIC_ONLY, kind="obligation", filters={"sector": [code]},
                                           size=size, facets=["instrument"], highlight=False))
    general = run_search(SearchRequest(query=GENERAL_ONLY, kind="obligation", filters={"sector": [code]}, size=0,
                                       facets=["instrument"], highlight=False))
    documents = run_search(SearchRequest(query=SPECIFIC_ONLY, kind="document", filters={"sector": [code]}, size=size,
                                         highlight=False))
    if label is None and not obligations.total and not documents.total:
        abort(404)
    groups: OrderedDict[str, list[present.Card]] = OrderedDict()
    for hit in obligations.hits:
        c = present.card(hit)
        instrument = hit.record.get("instrument") or c.citation.split(" Art.")[0] or c.document_id or "?"
        groups.setdefault(instrument, []).append(c)
    # why each text is listed: the NACE codes it declares within this sector (the most specific ones)
    declared = {h.id: _declared_codes(h.record.get("sectors") or [], code) for h in documents.hits}
    return render_template("sector.html", code=code, label=label or code, groups=groups, declared=declared,
                           total=obligations.total, shown=len(obligations.hits),
                           general=general.facets.get("instrument", []), all_total=obligations.total + general.total,
                           documents=[present.card(h) for h in documents.hits],
                           instruments=obligations.facets.get("instrument", []))


def _declared_codes(sectors: list[str], code: str) -> list[str]:
    """The codes a document declares at or below `code`, without their ancestors ('C13.20', not 'C13' and 'C13.2')."""
    inside = [s for s in sectors if s == code or s.startswith(code)]
    return [s for s in inside if not any(o != s and o.startswith(s) for o in inside)] or [code]
