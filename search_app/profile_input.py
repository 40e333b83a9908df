"""A company profile from untrusted input: a form or a query string (figures as people type them), or a JSON body.

The applicability check and the compliance register read the same profile the same way (the register's URL holds
the applicability form's fields), so both views take it from here. The bounds and types are the profile model's
(CompanyProfile, config/profile.yaml); what is wrong is said field by field: in the reader's words for a form,
by JSON field for the API.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import ValidationError

from indexer.analysis.applicability import CompanyProfile
from indexer.analysis.figures import MAX_DIGITS, Figure, FigureError, parse_figure
from indexer.analysis.scope_rules import format_amount
from indexer.analysis.wording import FIELDS, Lang, field_label
from search_app.params import json_body

HEADCOUNT_FIELDS = ("employees", "group_employees")
AMOUNT_FIELDS = ("turnover_worldwide_eur", "turnover_eu_eur", "balance_sheet_total_eur", "group_turnover_worldwide_eur",
                 "group_turnover_eu_eur", "royalties_eu_eur", "eu_subsidiary_or_branch_turnover_eur")
NUMBER_FIELDS = HEADCOUNT_FIELDS + AMOUNT_FIELDS
BOOL_FIELDS = ("ultimate_parent_of_group", "listed", "sells_to_dutch_end_users", "places_batteries_on_market")
TRISTATE_FIELDS = (
    "established_in_eu",
    "places_products_on_eu_market",
    "imports_minerals_into_eu",
    "minerals_import_above_annex_iii",
)
TEXT_FIELDS = ("name", "nace")


@dataclass
class FormError:
    """A field the user must correct and, in words, what to type."""

    field: str
    message: str


@dataclass
class Understood:
    """How a typed figure was read, when it was more than bare digits ('500 m' → EUR 500 000 000)."""

    field: str
    text: str


def profile_lang() -> Lang:
    """The interface language, as the rules and the catalogue know it."""
    return "nl" if str(get_locale()) == "nl" else "en"


def bad_profile(messages: list[str]) -> tuple[Response, int]:
    """The 400 answer of the JSON endpoints to a profile they cannot read: every problem, by field."""
    return jsonify({"error": {"status": 400, "title": "Invalid company profile", "message": "; ".join(messages),
                              "fields": messages}}), 400


def api_errors(exc: ValidationError) -> list[str]:
    """API errors name the JSON field (the API's readers are programs and their authors)."""
    return [f"{'.'.join(map(str, e['loc'])) or 'profile'}: {e['msg']}" for e in exc.errors()]


NOT_AN_OBJECT = "The body must be a JSON object with the company profile (Content-Type: application/json)."


def profile_from_json() -> tuple[CompanyProfile | None, list[str]]:
    """The profile in the request's JSON body, or what is wrong with it by JSON field."""
    body = json_body()
    if not isinstance(body, dict):
        return None, [NOT_AN_OBJECT]
    try:
        return CompanyProfile.model_validate(body), []
    except ValidationError as exc:
        return None, api_errors(exc)


def profile_from_form(form, lang: Lang) -> tuple[dict[str, Any], list[FormError], list[Understood]]:
    """Form strings to profile values (empty fields stay unknown), the errors in words, and how figures were read."""
    data: dict[str, Any] = {name: (form.get(name) or "").strip() or None for name in TEXT_FIELDS}
    errors, understood = [], []
    for name in NUMBER_FIELDS:
        raw = form.get(name, "")
        if not raw.strip():
            continue
        try:
            figure = parse_figure(raw, lang, whole=name in HEADCOUNT_FIELDS)
        except FigureError as exc:
            errors.append(FormError(name, _figure_error(name, exc, lang)))
            continue
        data[name] = figure.number()
        if not figure.plain:
            understood.append(Understood(name, _understood(name, figure, lang)))
    for name in BOOL_FIELDS:
        data[name] = form.get(name) == "on"
    for name in TRISTATE_FIELDS:
        data[name] = {"yes": True, "no": False}.get(form.get(name, ""))
    data["commodities"] = form.getlist("commodities")
    data["minerals"] = form.getlist("minerals")
    data["eudr_role"] = form.get("eudr_role") or None
    data["financial_undertaking"] = form.get("financial_undertaking") or None
    return data, errors, understood


def _shown(name: str, value: Any) -> str:
    return format_amount(value, "EUR" if name in AMOUNT_FIELDS else None)


def _plain(value: Any) -> str:
    """A bound as digits only ('10000000'): unambiguous in both languages."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _example(name: str) -> str:
    return _("e.g. 1,200 or 1200") if name in HEADCOUNT_FIELDS else _("e.g. 45,000,000, 45 m or 1.5 bn")


def _understood(name: str, figure: Figure, lang: Lang) -> str:
    text = _("%(label)s: “%(typed)s” read as %(value)s.", label=field_label(name, lang), typed=figure.text,
             value=_shown(name, figure.number()))
    if figure.ambiguous:
        text += " " + _(
            "Written the English way: the comma separates thousands, the point marks decimals "
            "(the interface language decides)."
        )
    return text


def _figure_error(name: str, exc: FigureError, lang: Lang) -> str:
    """What is wrong with a typed figure and what to type instead."""
    label, typed = field_label(name, lang), exc.text[:40]
    if exc.problem == "too_long":
        return _("%(label)s: “%(typed)s…” is far too large: type the figure in digits, at most %(n)s of them.",
                 label=label, typed=typed, n=MAX_DIGITS)
    if exc.problem == "negative":
        return _("%(label)s: type a figure of 0 or more (not “%(typed)s”).", label=label, typed=typed)
    if exc.problem == "unknown_scale":
        return _(
            "%(label)s: “%(word)s” in “%(typed)s” is not a unit this form knows; "
            "write the figure in digits or with k, m (mln), mld (bn), %(example)s.",
            label=label,
            word=exc.word,
            typed=typed,
            example=_example(name),
        )
    if exc.problem == "not_whole":
        return _(
            "%(label)s: “%(typed)s” reads as %(value)s, and a number of employees is a whole number: "
            "type it without decimals, %(example)s.",
            label=label,
            typed=typed,
            value=str(exc.understood).rstrip("0").rstrip("."),
            example=_example(name),
        )
    return _(
        "%(label)s: “%(typed)s” is not a number: type digits, %(example)s.",
        label=label,
        typed=typed,
        example=_example(name),
    )


def form_errors(exc: ValidationError, data: dict[str, Any]) -> list[FormError]:
    """The profile model's errors (bounds, closed sets) in the reader's words, never by field name."""
    lang, out = profile_lang(), []
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else ""
        label = field_label(field, lang) if field in FIELDS else _("Company profile")
        ctx = e.get("ctx") or {}
        if e["type"] == "less_than_equal":
            message = _(
                "%(label)s: %(value)s is more than this check accepts; type a number less than or equal to %(max)s.",
                label=label,
                value=_shown(field, data.get(field)),
                max=_plain(ctx.get("le")),
            )
        elif e["type"] == "string_too_long":
            message = _("%(label)s: at most %(n)s characters.", label=label, n=ctx.get("max_length"))
        elif e["type"] in ("literal_error", "enum"):
            message = _("%(label)s: choose one of the options offered.", label=label)
        else:
            message = _("%(label)s: %(problem)s.", label=label, problem=e["msg"])
        out.append(FormError(field, message))
    return out
