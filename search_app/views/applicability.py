"""The applicability check: a form (GET/POST /applicability) and JSON (POST /api/applicability).

WHY here: the rules and their evaluation live in indexer.analysis (same answer
as `regkb applicability`), and the profile is read from the form or the JSON
body by search_app/profile_input.py (the register reads it the same way); this
module only answers. Both answer in the interface language (?lang=, cookie,
Accept-Language); JSON keeps the field names.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from indexer.analysis.applicability import EUDR_COMMODITIES, MINERALS, CompanyProfile, evaluate
from indexer.analysis.wording import FIELDS, VALUES, field_label, value_name
from search_app.profile_input import (
    HEADCOUNT_FIELDS,
    FormError,
    Understood,
    bad_profile,
    form_errors,
    profile_from_form,
    profile_from_json,
    profile_lang,
)
from search_app.views.tracking import analysis_corpus

bp = Blueprint("applicability", __name__)

FINANCIAL = tuple(VALUES["financial_undertaking"])
EUDR_ROLES = tuple(VALUES["eudr_role"])


@bp.get("/applicability")
def form():
    prefill = MultiDict({k: v for k, v in (("nace", request.args.get("nace", "")[:20]),) if v})
    return _page(prefill, None, [], [])


@bp.post("/applicability")
def submit():
    lang = profile_lang()
    data, errors, understood = profile_from_form(request.form, lang)
    answer = None
    try:  # the figures that could be read are checked too: every mistake is listed at once
        profile = CompanyProfile.model_validate(data)
    except ValidationError as exc:
        errors += form_errors(exc, data)
    else:
        answer = None if errors else evaluate(profile, analysis_corpus(), lang=lang)
    return _page(request.form, answer, errors, understood), 400 if errors else 200


def _page(form_data, answer, errors: list[FormError], understood: list[Understood]):
    return render_template("applicability/form.html", form=form_data, answer=answer, errors=errors,
                           invalid={e.field for e in errors}, understood=understood, options=_options())


@bp.get("/applicability.css")
def css():
    return Response(render_template("applicability/applicability.css"), mimetype="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


@bp.post("/api/applicability")
def api():
    profile, errors = profile_from_json()
    if profile is None:
        return bad_profile(errors)
    return jsonify(evaluate(profile, analysis_corpus(), lang=profile_lang()).model_dump(mode="json"))


def _options() -> dict[str, Any]:
    """The form's choices, with every label and value name in the interface language."""
    lang = profile_lang()
    return {"commodities": EUDR_COMMODITIES, "minerals": MINERALS, "financial": FINANCIAL, "eudr_roles": EUDR_ROLES,
            "labels": {f: field_label(f, lang) for f in FIELDS}, "headcounts": HEADCOUNT_FIELDS,
            "values": {f: {v: value_name(f, v, lang) for v in words} for f, words in VALUES.items()}}
