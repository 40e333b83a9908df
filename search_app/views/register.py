"""The compliance register: GET /register (page), /register.csv, /register.xlsx and GET/POST /api/register.

WHY GET with the profile in the query: one click from an applicability answer opens the register of the same
profile, and the URL can be bookmarked or sent to a colleague; the API also takes the profile as a JSON body, as
POST /api/applicability does. The register itself is indexer.analysis.register (the same for every format).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from pydantic import ValidationError

from indexer.analysis.applicability import CompanyProfile
from indexer.analysis.register import EXPORT_COLUMNS, Entry, Register, build_register, rows
from search_app.params import choice
from search_app.profile_input import (
    BOOL_FIELDS,
    TRISTATE_FIELDS,
    bad_profile,
    form_errors,
    profile_from_form,
    profile_from_json,
    profile_lang,
)
from search_app.security import absolute_url, csv_cell
from search_app.views.tracking import analysis_corpus

bp = Blueprint("register", __name__)


def _columns() -> dict[str, str]:
    """Column headings of the downloads, in the interface language."""
    return {"short_title": _("Instrument"), "citation": _("Citation"), "modality": _("Modality"),
            "duty_bearer_label": _("Who"), "via": _("Via"), "action": _("What"), "deadlines": _("Deadlines"),
            "applies_from": _("Applies from"), "conditions": _("Conditions"), "thresholds": _("Thresholds"),
            "question": _("Depends on"), "text": _("Text of the provision"), "language": _("Language"),
            "link": _("Link")}


def _entry_link(entry: Entry) -> str:
    return absolute_url(url_for("documents.read", doc_id=entry.document_id, _anchor=entry.provision_id))


def _profile_from_query() -> tuple[CompanyProfile | None, list[str]]:
    """The profile from the query string, read as the applicability form reads it (figures as people type them)."""
    data, errors, _understood = profile_from_form(request.args, profile_lang())
    messages = [e.message for e in errors] + _unreadable_choices()
    try:
        profile = CompanyProfile.model_validate(data)
    except ValidationError as exc:
        return None, messages + [e.message for e in form_errors(exc, data)]
    return (None, messages) if messages else (profile, [])


def _unreadable_choices() -> list[str]:
    """The form reads an unknown check-box or yes/no value as 'not given'; in a URL it is a typo the reader
    must see (the form itself cannot send one)."""
    allowed = {**{name: ("on",) for name in BOOL_FIELDS}, **{name: ("", "yes", "no") for name in TRISTATE_FIELDS}}
    return [_("%(field)s: expected one of %(values)s", field=name, values=", ".join(repr(v) for v in values))
            for name, values in allowed.items() if request.args.get(name, values[0]) not in values]


def _register(profile: CompanyProfile) -> Register:
    return build_register(profile, analysis_corpus(), lang=profile_lang())


@bp.get("/register")
def page():
    profile, errors = _profile_from_query()
    register = _register(profile) if profile else None
    query = request.query_string.decode("latin-1")
    return render_template("register.html", register=register, errors=errors, query=query), 400 if errors else 200


@bp.get("/register.csv", defaults={"fmt": "csv"})
@bp.get("/register.xlsx", defaults={"fmt": "xlsx"})
def download(fmt: str):
    profile, errors = _profile_from_query()
    if profile is None:
        return bad_profile(errors)
    return _file(_register(profile), fmt)


@bp.route("/api/register", methods=["GET", "POST"])
def api():
    fmt = choice(request.args, "format", ("json", "csv", "xlsx"), "json")
    profile, errors = profile_from_json() if request.method == "POST" else _profile_from_query()
    if profile is None:
        return bad_profile(errors)
    register = _register(profile)
    if fmt != "json":
        return _file(register, fmt)
    return jsonify(register.model_dump(mode="json") | {"duty_count": register.duty_count,
                                                       "depends_count": register.depends_count})


def _file(register: Register, fmt: str) -> Response:
    table = rows(register, _entry_link)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    name = f"regkb-register-{stamp}.{fmt}"
    body, mimetype = (_xlsx(table), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") \
        if fmt == "xlsx" else (_csv(table), "text/csv")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv(table: list[dict[str, Any]]) -> str:
    headings = _columns()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([headings[c] for c in EXPORT_COLUMNS])
    for row in table:
        writer.writerow([csv_cell(row.get(c)) for c in EXPORT_COLUMNS])
    return buf.getvalue()


def _xlsx(table: list[dict[str, Any]]) -> bytes:
    """Two sheets, the company's duties and those that depend on a fact; every cell a string or empty, so no
    text of a provision ("= 5 %") can run as a formula."""
    wb = Workbook()
    duties = wb.active
    assert duties is not None
    duties.title = _("Duties")[:31]
    depends = wb.create_sheet(_("Depends on facts")[:31])
    headings = _columns()
    for sheet, group in ((duties, "duty"), (depends, "depends")):
        columns = [c for c in EXPORT_COLUMNS if group == "depends" or c != "question"]
        _write_sheet(sheet, [headings[c] for c in columns],
                     [[row.get(c) for c in columns] for row in table if row["group"] == group])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_sheet(sheet: Any, headings: list[str], values: list[list[Any]], width: Callable[[str], int] = len) -> None:
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in values:
        sheet.append(["" if v is None else str(v) for v in line])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for column, heading in zip(sheet.columns, headings):
        longest = max([width(heading), *(min(width(str(c.value or "")), 60) for c in column)])
        sheet.column_dimensions[column[0].column_letter].width = max(10, longest + 2)
