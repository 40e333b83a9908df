"""Error responses: JSON under /api, a friendly page elsewhere; never a traceback.

A bad query or parameter is the user's to fix (400, with what to change);
a missing index is the operator's (503, with the command to run). The
headers an HTTP error carries (Allow on a 405, WWW-Authenticate on a 401)
stay on the answer.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.exceptions import HTTPException, SecurityError

from indexer.search.base import QuerySyntaxError
from search_app.params import BadParameter
from search_app.state import SearchUnavailable

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_response(status: int, title: str, message: str, headers: Sequence[tuple[str, str]] = ()):
    if wants_json():
        return jsonify({"error": {"status": status, "title": title, "message": message}}), status, list(headers)
    return render_template("error.html", status=status, title=title, message=message), status, list(headers)


def _untrusted_host(exc: SecurityError):
    """No URL can be built for an untrusted Host (the page template links home), so a bare page or JSON."""
    message = (f"This server does not answer for the host '{request.environ.get('HTTP_HOST', '')[:100]}'. Add it to "
               "trusted_hosts in config/app.yaml, or set public_base_url (REGKB_PUBLIC_BASE_URL).")
    if wants_json():
        return jsonify({"error": {"status": 400, "title": "Untrusted host", "message": message}}), 400
    return f"<!doctype html><title>Untrusted host</title><h1>Untrusted host (400)</h1><p>{escape(message)}</p>", 400


def _http_title(exc: HTTPException) -> str:
    """The status in the reader's language for the errors a reader meets; werkzeug's English name otherwise."""
    titles = {400: _("Bad request"), 404: _("Page not found"), 405: _("Method not allowed"),
              413: _("Request too large"), 429: _("Too many requests")}
    return titles.get(exc.code or 0, exc.name)


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
        if isinstance(exc, SecurityError):
            return _untrusted_host(exc)
        if exc.code == 404:
            message = _("There is nothing at this address. Check the link, or search for the document instead.")
        elif exc.code == 405 and (methods := getattr(exc, "valid_methods", None)):
            message = f"{request.method} is not allowed here; use {', '.join(sorted(methods))}."
        elif exc.code == 413:
            message = f"The request body is larger than {app.config['MAX_CONTENT_LENGTH']:,} bytes; send less."
        else:
            message = exc.description or ""
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return error_response(exc.code or 500, _http_title(exc), message, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unexpected error on %s", request.path)
        return error_response(500, _("Internal error"),
                              _("Something went wrong on our side. The error has been logged; please try again."))
