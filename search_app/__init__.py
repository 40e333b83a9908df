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
from typing import Any

import orjson
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from regkb.settings import DataDir
from search_app.state import AppState


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON, encoded by orjson (API answers of 20 hits spend more time in json.dumps than in the
    search); what orjson does not know (lazy translated strings, Markup's HTML, sets) goes through Flask's
    own rules. Not used when the app is asked to sort keys or indent (app.json.sort_keys / compact)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs or self.sort_keys or self.compact is False:
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self._fallback, option=orjson.OPT_NON_STR_KEYS).decode()

    @staticmethod
    def _fallback(value: Any) -> Any:
        if hasattr(value, "__html__"):
            return str(value.__html__())
        if isinstance(value, (set, frozenset)):
            return list(value)
        if isinstance(value, (decimal.Decimal, uuid.UUID)):
            return str(value)
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
