"""The Flask front-end and JSON API.

`create_app()` wires the blueprints (search, documents, sectors, api), the
interface language, the security headers and the error pages. Everything a
view needs from the outside world (the corpus folder, the search backend)
lives in one `AppState` on `app.extensions["regkb"]`.
"""
from __future__ import annotations

import os
from typing import Any, Optional

from flask import Flask

from regkb.settings import DataDir

from search_app.state import AppState


def create_app(config: Optional[dict[str, Any]] = None) -> Flask:
    """Build the app. `config` may set DATA_DIR, SEARCH_BACKEND (a name or a SearchBackend), ADMIN_TOKEN."""
    app = Flask(__name__)
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
    from search_app.views import api, documents, search, sectors
    from search_app.blueprints import applicability, tracking

    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    present.init_app(app)
    for bp in (search.bp, documents.bp, sectors.bp, api.bp):
        app.register_blueprint(bp)
    app.register_blueprint(tracking.bp)
    app.register_blueprint(applicability.bp)
    return app
