"""The applicability check: a form (GET/POST /applicability) and JSON (POST /api/applicability).

WHY here: the rules and their evaluation live in indexer.analysis (same answer
as `regkb applicability`); this module only reads a profile from a form or a
JSON body and reports invalid input field by field. The bounds and types are
the profile model's (CompanyProfile, config/profile.yaml): one validation for
the form, the API and the CLI.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify, render_template, request
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from indexer.analysis.applicability import EUDR_COMMODITIES, MINERALS, CompanyProfile, evaluate
from indexer.analysis.scope_rules import load_scope_rules
from search_app.blueprints.tracking import analysis_corpus
from search_app.params import json_body

bp = Blueprint("applicability", __name__)

NUMBER_FIELDS = ("employees", "turnover_worldwide_eur", "turnover_eu_eur", "balance_sheet_total_eur", "group_employees",
                 "group_turnover_worldwide_eur", "group_turnover_eu_eur", "royalties_eu_eur", "eu_subsidiary_or_branch_turnover_eur")
BOOL_FIELDS = ("ultimate_parent_of_group", "listed", "sells_to_dutch_end_users", "places_batteries_on_market")
TRISTATE_FIELDS = ("established_in_eu", "places_products_on_eu_market", "imports_minerals_into_eu", "minerals_import_above_annex_iii")
_FIGURE = re.compile(r"(?P<whole>[0-9]*)(\.[0-9]*)?")
MAX_FIGURE_DIGITS = 30  # far above every bound of config/profile.yaml: the model's bound then names the maximum
FINANCIAL = ("credit_institution", "credit_institution_portfolio_management", "investment_firm_portfolio_management",
             "insurance_undertaking", "aifm", "ucits_management_company", "iorp", "pension_product_manufacturer", "pepp_provider")


@bp.get("/applicability")
def form():
    return render_template("applicability/form.html", form=MultiDict(), answer=None, errors=[], options=_options())


@bp.post("/applicability")
def submit():
    data, errors = _profile_from_form(request.form)
    answer = None
    if not errors:
        try:
            answer = evaluate(CompanyProfile.model_validate(data), analysis_corpus())
        except ValidationError as exc:
            errors = _messages(exc)
    status = 400 if errors else 200
    return render_template("applicability/form.html", form=request.form, answer=answer, errors=errors,
                           options=_options()), status


@bp.post("/api/applicability")
def api():
    body = json_body()
    if not isinstance(body, dict):
        return _bad(["The body must be a JSON object with the company profile (Content-Type: application/json)."])
    try:
        profile = CompanyProfile.model_validate(body)
    except ValidationError as exc:
        return _bad(_messages(exc))
    return jsonify(evaluate(profile, analysis_corpus()).model_dump(mode="json"))


def _bad(messages: list[str]):
    return jsonify({"error": {"status": 400, "title": "Invalid company profile", "message": "; ".join(messages),
                              "fields": messages}}), 400


def _messages(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(map(str, e['loc'])) or 'profile'}: {e['msg']}" for e in exc.errors()]


def _profile_from_form(form) -> tuple[dict[str, Any], list[str]]:
    """Form strings to profile values; empty fields stay unknown."""
    data: dict[str, Any] = {"name": form.get("name") or None, "nace": form.get("nace") or None}
    errors = []
    for name in NUMBER_FIELDS:
        raw = form.get(name, "").replace(" ", "").replace("\u00a0", "").replace(",", "")
        if raw:
            number = _number(raw)
            if isinstance(number, str):
                errors.append(f"{name}: '{form.get(name)[:40]}' {number}")
            else:
                data[name] = number
    for name in BOOL_FIELDS:
        data[name] = form.get(name) == "on"
    for name in TRISTATE_FIELDS:
        data[name] = {"yes": True, "no": False}.get(form.get(name, ""))
    data["commodities"] = form.getlist("commodities")
    data["minerals"] = form.getlist("minerals")
    data["eudr_role"] = form.get("eudr_role") or None
    data["financial_undertaking"] = form.get("financial_undertaking") or None
    return data, errors


def _number(raw: str) -> int | float | str:
    """A form figure: ASCII digits with at most one decimal point (no 'inf', 'nan', '1e400' or '1_000'), or
    what is wrong with it. The model checks its bounds, as for a JSON figure."""
    m = _FIGURE.fullmatch(raw)
    if m is None or raw in ("", "."):
        return "is not a number (write digits, e.g. 250 or 40000000)"
    if len(m.group("whole").lstrip("0")) > MAX_FIGURE_DIGITS:
        return f"is far too large (more than {MAX_FIGURE_DIGITS} digits)"
    return float(raw) if "." in raw else int(raw)


def _options() -> dict[str, Any]:
    return {"commodities": EUDR_COMMODITIES, "minerals": MINERALS, "financial": FINANCIAL,
            "eudr_roles": ("operator", "downstream_operator", "trader"), "rules": load_scope_rules()}
