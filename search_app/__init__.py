"""The Flask front-end and JSON API.

`create_app()` wires the blueprints of search_app/views (search, documents, sectors, api, tracking, applicability), the
interface language, the security headers and the error pages. Everything a
view needs from the outside world (the corpus folder, the search backend)
lives in one `AppState` on `app.extensions["regkb"]`.
"""
from __future__ import annotations

import dataclasses
import decimal
import os
import uuid
from datetime import date
from typing import Any, cast

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.http import http_date
from werkzeug.sansio.response import Response as SansIOResponse

from regkb.settings import DataDir
from search_app.state import AppState


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON, encoded by orjson (API answers of 20 hits spend more time in json.dumps than in the
    search); what orjson does not know (lazy translated strings, Markup's HTML, sets) goes through Flask's
    own rules, and dates are written as Flask writes them. Not used when the app is asked to sort keys or
    indent (app.json.sort_keys / compact / debug), nor for what orjson refuses (integers beyond 64 bits)."""

    _OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs or self.sort_keys or self.compact is False:
            return super().dumps(obj, **kwargs)
        return self._encode(obj).decode()

    def response(self, *args: Any, **kwargs: Any) -> SansIOResponse:
        """jsonify(): Flask's compact answer ending in a new line, encoded straight to UTF-8 bytes (Flask's own
        response() passes `separators`, which would send every answer through json.dumps)."""
        if self.sort_keys or self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        return cast("type[Response]", self._app.response_class)(self._encode(obj) + b"\n", mimetype=self.mimetype)

    def _encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, default=self._fallback, option=self._OPTIONS)
        except orjson.JSONEncodeError:
            return super().dumps(obj, separators=(",", ":"), default=self._fallback).encode()

    @staticmethod
    def _fallback(value: Any) -> Any:
        if hasattr(value, "__html__"):
            return str(value.__html__())
        if isinstance(value, (set, frozenset)):
            return list(value)
        if isinstance(value, (date, decimal.Decimal, uuid.UUID)):
            return http_date(value) if isinstance(value, date) else str(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        return str(value)  # lazy strings and the like


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` may set DATA_DIR, SEARCH_BACKEND (a name or a SearchBackend), ADMIN_TOKEN."""
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.config.update(
        DATA_DIR=os.environ.get("REGKB_DATA_DIR", "corpus"),
        SEARCH_BACKEND=None,
        ADMIN_TOKEN=os.environ.get("REGKB_ADMIN_TOKEN") or None,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(config or {})
    app.json.sort_keys = False
    app.extensions["regkb"] = AppState(DataDir.at(app.config["DATA_DIR"]), app.config["SEARCH_BACKEND"])

    from search_app import errors, i18n, present, security
    from search_app.views import alerts, api, applicability, documents, register, search, sectors, terms, tracking

    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    present.init_app(app)
    for bp in (search.bp, documents.bp, sectors.bp, api.bp, tracking.bp, applicability.bp, register.bp,
               alerts.bp, terms.bp):
        app.register_blueprint(bp)
    return app
