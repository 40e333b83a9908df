"""The JSON API (documented in search_app/openapi.yaml, served at /api/openapi.yaml).

Record ids in URLs: documents by their id, provisions as
`/api/provisions/<document_id>/<provision_id>`, obligations by their id.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, abort, jsonify, request, send_file, url_for
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from indexer.search.base import SearchRequest, SearchResponse
from search_app import present
from search_app.params import BadParameter, choice, json_body, parse_search
from search_app.security import absolute_url, csv_cell, require_admin_token
from search_app.state import state
from search_app.views.search import run_search

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI = Path(__file__).resolve().parent.parent / "openapi.yaml"
EXPORT_FIELDS = ("id", "kind", "citation", "version", "version_state", "language", "modality", "addressee",
                 "duty_bearer", "action", "deadlines", "thresholds", "document_id", "provision_id", "link",
                 "official_url", "text")


# -- search and export ------------------------------------------------------
@bp.get("/search")
def search():
    if choice(request.args, "format", ("json", "csv"), "json") == "csv":
        return export()
    req = parse_search(request.args, state().settings)
    resp = run_search(req)
    body = {
        "total": resp.total, "page": req.page, "size": req.size,
        "query": req.model_dump(mode="json"),
        **_hits_and_facets_json(resp),
        "redirect": resp.redirect,
        "as_of": resp.as_of.isoformat() if resp.as_of else None,
        "best_match": resp.best_match,
        "expansions": resp.expansions,
    }
    return jsonify(body)


def _hits_and_facets_json(resp: SearchResponse) -> dict[str, Any]:
    """The hits, each with its card's link, citation and version, and the facet counts (dumped in one go: one
    model_dump per hit and facet value cost more than the cards)."""
    dumped = resp.model_dump(mode="json", include={"hits", "facets"})
    for out, hit in zip(dumped["hits"], resp.hits):
        c = present.card(hit, resp.as_of)
        out |= {"url": c.link, "citation": c.citation,
                "version": {"label": c.version.label, "state": c.version.state, "detail": c.version.detail}
                if c.version else None}
    return dumped


@bp.get("/export", endpoint="export")
def export():
    """The whole result set (up to export_max_rows) as CSV or JSON, for spreadsheets and scripts."""
    fmt = choice(request.args, "format", ("csv", "json"), "csv")
    settings = state().settings
    req = parse_search(request.args, settings, size=settings["max_page_size"])
    rows = list(_export_rows(req, settings["export_max_rows"]))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"regkb-{req.kind}s-{stamp}.{fmt}"
    if fmt == "json":
        payload = json.dumps(
            {"query": req.model_dump(mode="json"), "count": len(rows), "rows": rows}, ensure_ascii=False, indent=1
        )
        return Response(
            payload, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return Response(
        buf.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _export_rows(req: SearchRequest, limit: int) -> Iterator[dict[str, Any]]:
    req = req.model_copy(update={"page": 1, "facets": [], "highlight": False})
    produced = 0
    while produced < limit:
        resp = run_search(req)
        for hit in resp.hits:
            c = present.card(hit, resp.as_of)
            yield {"id": c.id, "kind": c.kind, "citation": c.citation, "modality": c.modality,
                   "addressee": present.addressee_label(hit.record), "duty_bearer": c.addressee,
                   "version": c.version.label if c.version else None, "language": c.language,
                   "version_state": c.version.detail if c.version else None,
                   "action": c.action, "deadlines": c.deadlines, "thresholds": c.thresholds,
                   "document_id": c.document_id, "provision_id": c.provision_id,
                   "link": absolute_url(c.link), "official_url": c.official_url,
                   "text": hit.record.get("text") or hit.record.get("title") or ""}
            produced += 1
            if produced >= limit:
                return
        if not resp.hits or req.page * req.size >= resp.total or req.page >= state().settings["max_page"]:
            return
        req = req.model_copy(update={"page": req.page + 1})


# -- records ----------------------------------------------------------------
@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    doc = state().corpus.document(doc_id)
    if doc is None:
        abort(404)
    data = doc.model_dump(mode="json")
    if choice(request.args, "provisions", ("1", "0"), "1") == "0":
        data.pop("provisions")
    data["url"] = url_for("documents.read", doc_id=doc.id)
    return jsonify(data)


@bp.get("/provisions/<doc_id>/<provision_id>")
def provision(doc_id: str, provision_id: str):
    doc = state().corpus.document(doc_id)
    prov = doc.provision(provision_id) if doc else None
    if doc is None or prov is None:
        abort(404)
    obligations = [
        o.model_dump(mode="json") for o in state().corpus.obligations_of(doc.id) if o.provision_id == prov.id
    ]
    return jsonify(prov.model_dump(mode="json") | {
        "document_id": doc.id, "document_title": doc.title, "short_title": doc.short_title, "language": doc.language,
        "official_url": doc.official_url or doc.source_url,
        "url": url_for("documents.read", doc_id=doc.id, _anchor=prov.id),
        "children": [p.id for p in doc.provisions if p.parent_id == prov.id],
        "obligations": obligations,
        "language_versions": [_twin_json(t) for t in state().corpus.provision_twins(doc.id, prov.id)],
        **_relations(doc, prov.id),
    })


def _relations(doc, provision_id: str) -> dict[str, Any]:
    """`cited_by` (the citing provisions, every version and language of the citing acts) and `amended_by` (the
    amending acts' instructions about the article or annex that holds the provision)."""
    index = state().corpus.cited_by()
    return {
        "cited_by": [dataclasses.asdict(c) | {"url": url_for("documents.read", doc_id=c.document_id,
                                                              _anchor=c.provision_id)}
                     for c in index.cited_by(doc.act_id, provision_id, doc.language, doc.id)],
        "amended_by": [dataclasses.asdict(a) | {"date": a.date.isoformat() if a.date else None}
                       for a in index.amended_by(doc.act_id, provision_id, doc.language)],
    }


@bp.get("/terms")
def terms():
    """The defined terms whose name matches `q` (all of them without it)."""
    from search_app.views.terms import summaries_json, term_query

    q = term_query()
    found = summaries_json(q)
    return jsonify({"query": q, "count": len(found), "terms": found})


@bp.get("/terms/<slug>")
def term(slug: str):
    """Every act's definition of one term, the longer terms that contain it and the term in other languages."""
    from search_app.views.terms import term_json

    body = term_json(slug)
    if body is None:
        abort(404, description="No act of the corpus defines this term: search /api/terms?q=")
    return jsonify(body)


@bp.get("/obligations/<path:obligation_id>")
def obligation(obligation_id: str):
    ob = state().corpus.obligation(obligation_id)
    if ob is None:
        abort(404)
    return jsonify(ob.model_dump(mode="json") | {
        "url": url_for("documents.read", doc_id=ob.document_id, highlight=ob.id, _anchor=ob.provision_id),
        "language_versions": [_twin_json(t) for t in state().corpus.twins(ob.id)]})


def _twin_json(twin) -> dict[str, Any]:
    """A provision or obligation in another language version, with the reader's link to it (obligation_id null:
    the two languages hold a different number of obligations there, so the provision is linked)."""
    return dataclasses.asdict(twin) | {
        "url": url_for("documents.read", doc_id=twin.document_id, highlight=twin.obligation_id,
                       _anchor=twin.provision_id)}


# -- analyze ----------------------------------------------------------------
class AnalyzeRequest(BaseModel):
    """The options of `regkb analyze`: language, and the provision kind and instrument type the text comes from.
    Strict and closed, like its description in openapi.yaml: a misspelt field is an error, not ignored."""

    model_config = ConfigDict(strict=True, extra="forbid")

    text: str = Field(min_length=1)
    lang: str = Field("en", max_length=8)
    kind: str = Field("article", max_length=40)
    instrument_type: str = Field("other", max_length=40)

    @field_validator("lang")
    @classmethod
    def _has_pack(cls, lang: str) -> str:
        """Every language with a pack (indexer/nlp/lang), as `regkb analyze --lang` accepts."""
        from indexer.nlp.lang import has_pack, languages

        if not has_pack(lang):
            raise ValueError(f"no language pack for {lang!r}; use one of {', '.join(languages())}")
        return lang

    def context(self) -> dict[str, Any]:
        """The same context `regkb analyze` builds from its options."""
        from indexer.nlp.pipeline import text_context

        return text_context(self.lang, self.kind, self.instrument_type)


@bp.post("/analyze")
def analyze():
    """Run the same analysis as `regkb analyze` on posted text."""
    payload = json_body()
    if not isinstance(payload, dict):
        raise BadParameter('Send a JSON object like {"text": "…", "lang": "en"} with Content-Type: application/json.')
    try:
        body = AnalyzeRequest.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        got = f" (got {json.dumps(err['input'])[:40]})" if err["type"] != "missing" else ""
        raise BadParameter(f"'{'.'.join(str(p) for p in err['loc'])}': {err['msg']}{got}") from None
    limit = state().settings["analyze_max_chars"]
    if len(body.text) > limit:
        raise BadParameter(f"The text is {len(body.text)} characters long; the maximum is {limit}. Split it up.")
    analyze_text = _analyzer()
    try:
        records = analyze_text(body.text, body.lang, body.context())
    except ValueError as exc:  # e.g. a language without a pipeline
        raise BadParameter(f"Cannot analyse this text: {exc}") from None
    return jsonify({"lang": body.lang, "records": [_jsonable(r) for r in records]})


def _analyzer():
    """The function `regkb analyze` calls; imported on the first analysis only, so that the web process loads
    spaCy only when someone asks it to analyse a text (pages never need it)."""
    from indexer.nlp.pipeline import analyze_text
    return analyze_text


def _jsonable(record: Any) -> Any:
    if isinstance(record, BaseModel):
        return record.model_dump(mode="json")
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return json.loads(json.dumps(dataclasses.asdict(record), default=str))
    return record


# -- OpenAPI and admin ------------------------------------------------------
@bp.get("/openapi.yaml")
def openapi_yaml():
    return send_file(OPENAPI, mimetype="application/yaml")


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(yaml.safe_load(OPENAPI.read_text(encoding="utf-8")))


@bp.post("/admin/reindex")
def reindex():
    """Rebuild the search index from the corpus; only with the admin token (REGKB_ADMIN_TOKEN)."""
    require_admin_token()
    return jsonify({"status": "ok", "indexed": _reindex()})


def _reindex() -> dict[str, Any]:
    """The same work as `regkb index`, on the app's own backend (searches keep answering meanwhile)."""
    from indexer.search.build import build_index
    from indexer.search.records import LoadReport

    report = LoadReport()
    built = build_index(state().backend(), state().data_dir, report)
    return {
        "records": built.records,
        "translations": built.translations,
        "documents": report.documents,
        "obligations": report.obligations,
        "errors": report.errors,
    }
