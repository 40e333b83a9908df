"""Interface language: `?lang=` (remembered in a cookie) overrides the browser's Accept-Language."""
from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations

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


def catalogue():
    """The request's translations, looked up once per request: Flask-Babel looks them up again for every string
    (locale, domain and cache through Flask's context proxies), and a search page shows a hundred strings."""
    try:
        found = g.get("regkb_translations")
    except RuntimeError:  # no app context: Flask-Babel's answer (no translation)
        return get_translations()
    if found is None:
        found = g.regkb_translations = get_translations()
    return found


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    # Flask-Babel's own template callables, on the request's catalogue
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.after_request(_remember_choice)

    @app.context_processor
    def _lang():
        return {"current_lang": str(get_locale()), "languages": languages()}
