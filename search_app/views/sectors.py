"""Sector pages: which instruments and obligations concern a NACE sector, grouped by instrument."""
from __future__ import annotations

import re
from collections import OrderedDict

from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from indexer.search.base import SearchRequest
from search_app import present
from search_app.state import SearchUnavailable, label_for, state
from search_app.views.search import run_search

bp = Blueprint("sectors", __name__, url_prefix="/sectors")

NACE_CODE = re.compile(r"^[A-U](\d{2}(\.\d{1,2})?)?$")


@bp.get("")
def index():
    lang = str(get_locale())
    counts, unavailable = {}, None
    try:
        resp = run_search(SearchRequest(kind="obligation", size=0, facets=["sector"]))
        counts = {fv.value: fv.count for fv in resp.facets.get("sector", [])}
    except SearchUnavailable as exc:
        unavailable = str(exc)
    codes = list(state().nace_labels) + sorted(c for c in counts if c not in state().nace_labels)
    sectors = [(code, label_for(state().nace_labels, code, lang) or code, counts.get(code, 0)) for code in codes]
    return render_template("sectors.html", sectors=sectors, unavailable=unavailable)


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
