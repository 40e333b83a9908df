"""Sector pages: which instruments and obligations concern a NACE sector, grouped by instrument."""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from indexer.search.base import SearchRequest
from search_app import present
from search_app.state import SearchUnavailable, label_for, state
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


def _sector_counts(kind: str) -> dict[str, int]:
    resp = run_search(SearchRequest(kind=kind, size=0, facets=["sector"], highlight=False))
    return {fv.value: fv.count for fv in resp.facets.get("sector", [])}


@bp.get("")
def index():
    """Every NACE code of config/nace.yaml (sections, divisions, groups), with how many records concern it."""
    lang = str(get_locale())
    obligations, documents, unavailable = {}, {}, None
    try:
        obligations, documents = _sector_counts("obligation"), _sector_counts("document")
    except SearchUnavailable as exc:
        unavailable = str(exc)
    labels = state().nace_labels
    codes = list(labels) + sorted(c for c in {*obligations, *documents} if c not in labels and NACE_CODE.match(c))
    rows = [SectorRow(c, label_for(labels, c, lang) or c, _depth(c), obligations.get(c, 0), documents.get(c, 0)) for c in codes]
    return render_template("sectors.html", rows=rows, unavailable=unavailable)


@bp.get("/<code>")
def sector(code: str):
    if not NACE_CODE.match(code):
        abort(404)
    lang = str(get_locale())
    label = label_for(state().nace_labels, code, lang)
    size = state().settings["max_page_size"]
    obligations = run_search(SearchRequest(kind="obligation", filters={"sector": [code]}, size=size,
                                           facets=["instrument"], highlight=False))
    documents = run_search(SearchRequest(kind="document", filters={"sector": [code]}, size=size, highlight=False))
    if label is None and not obligations.total and not documents.total:
        abort(404)
    groups: "OrderedDict[str, list[present.Card]]" = OrderedDict()
    for hit in obligations.hits:
        c = present.card(hit)
        instrument = hit.record.get("instrument") or c.citation.split(" Art.")[0] or c.document_id or "?"
        groups.setdefault(instrument, []).append(c)
    return render_template("sector.html", code=code, label=label or code, groups=groups,
                           total=obligations.total, shown=len(obligations.hits),
                           documents=[present.card(h) for h in documents.hits],
                           instruments=obligations.facets.get("instrument", []))
