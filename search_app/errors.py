"""Error responses: JSON under /api, a friendly page elsewhere; never a traceback.

A bad query or parameter is the user's to fix (400, with what to change);
a missing index is the operator's (503, with the command to run).
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from indexer.search.base import QuerySyntaxError
from search_app.params import BadParameter
from search_app.state import SearchUnavailable

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_response(status: int, title: str, message: str):
    if wants_json():
        return jsonify({"error": {"status": status, "title": title, "message": message}}), status
    return render_template("error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(QuerySyntaxError)
    def _query_syntax(exc):
        return error_response(400, _("Your query cannot be understood"), str(exc))

    @app.errorhandler(BadParameter)
    def _bad_param(exc):
        return error_response(400, _("Invalid parameter"), str(exc))

    @app.errorhandler(SearchUnavailable)
    def _unavailable(exc):
        return error_response(503, _("Search is not available"), str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 404:
            message = _("There is nothing at this address. Check the link, or search for the document instead.")
        else:
            message = exc.description or ""
        return error_response(exc.code or 500, exc.name, message)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unexpected error on %s", request.path)
        return error_response(500, _("Internal error"),
                              _("Something went wrong on our side. The error has been logged; please try again."))
