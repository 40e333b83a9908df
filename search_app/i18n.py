"""Interface language: `?lang=` (remembered in a cookie) overrides the browser's Accept-Language."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, get_locale

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def languages() -> list[str]:
    from search_app.state import state

    return list(state().settings["languages"])


def select_locale() -> str:
    """?lang= first, then the cookie, then the best Accept-Language match, then the default."""
    supported = languages()
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in supported:
            return candidate
    return request.accept_languages.best_match(supported) or supported[0]


def _remember_choice(response):
    chosen = request.args.get("lang")
    if chosen in languages() and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    response.headers.add("Vary", "Accept-Language, Cookie")
    return response


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.after_request(_remember_choice)

    @app.context_processor
    def _lang():
        return {"current_lang": str(get_locale()), "languages": languages()}
