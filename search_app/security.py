"""Security: response headers, untrusted input, the Host the app answers for, the admin token.

The Content-Security-Policy allows only this site's own scripts and styles
(no inline script, no CDN), forbids framing and plugins; together with Jinja
autoescaping this is the defence against injected markup in crawled text.
Absolute links (feed, exports) name the configured public base URL, or, when
none is set, only a trusted host: a forged Host header cannot put another
site into them. Every request's text passes search_app.params.check_request; every CSV cell
passes csv_cell.
"""
from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import Forbidden, Unauthorized

from regkb.settings import load_config
from search_app.params import check_request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
REALM = 'Bearer realm="regkb"'


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
    app.before_request(check_request)
    # Autoescape every template, whatever its file extension.
    app.jinja_env.autoescape = True
    settings = load_config("app")
    base = (
        app.config.get("PUBLIC_BASE_URL") or os.environ.get("REGKB_PUBLIC_BASE_URL") or settings.get("public_base_url")
    )
    if base:
        app.wsgi_app = PublicBaseURL.parse(base, app.wsgi_app)  # type: ignore[method-assign]  # (Flask's way to wrap)
    elif app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = list(settings.get("trusted_hosts") or ["localhost", "127.0.0.1"])


# -- the address links name --------------------------------------------------
@dataclass(frozen=True)
class PublicBaseURL:
    """WSGI middleware: every request is seen as addressed to the public base URL (scheme, host, path prefix),
    so request.url, url_for(_external=True) and the feed's links name it whatever Host header was sent."""

    scheme: str
    host: str
    root: str
    app: Callable[..., Iterable[bytes]]

    @classmethod
    def parse(cls, base: str, app: Callable[..., Iterable[bytes]]) -> PublicBaseURL:
        parts = urlsplit(base.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(f"public_base_url (config/app.yaml or REGKB_PUBLIC_BASE_URL) must be an http(s) URL like "
                             f"https://regkb.example.org/ without query or fragment; got {base!r}.")
        return cls(parts.scheme, parts.netloc, parts.path.rstrip("/"), app)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        if self.root:
            path = environ.get("PATH_INFO", "")
            if path == self.root or path.startswith(self.root + "/"):  # a proxy that did not strip the prefix
                environ["PATH_INFO"] = path[len(self.root):]
            environ["SCRIPT_NAME"] = self.root
        return self.app(environ, start_response)


def absolute_url(path: str) -> str:
    """`path` (from url_for, so with the path prefix) as an absolute URL: on the public base URL when one is
    configured, else on the request's host, which TRUSTED_HOSTS has already checked."""
    return request.host_url.rstrip("/") + path


def csv_cell(value: Any) -> Any:
    """A value as a cell of a CSV download: lists joined; a cell a spreadsheet would run as a formula is quoted
    with a leading apostrophe (every CSV export goes through here; the XLSX ones write strings only)."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        value = "'" + value
    return value


# -- the admin token ---------------------------------------------------------
def require_admin_token() -> None:
    """Only `Authorization: Bearer <REGKB_ADMIN_TOKEN>` passes: 403 when admin actions are disabled (no token
    set on the server), else 401 (with WWW-Authenticate) without that header, with another scheme or token."""
    token = current_app.config.get("ADMIN_TOKEN")
    if not token:
        raise Forbidden("Admin actions are disabled: set REGKB_ADMIN_TOKEN, or run `regkb index` on the server.")
    auth = request.authorization
    given: str | None = auth.token if auth is not None and auth.type == "bearer" else None
    if not given:
        raise AdminUnauthorized("Send the admin token as 'Authorization: Bearer <token>'.")
    if not hmac.compare_digest(given.encode(), str(token).encode()):
        raise AdminUnauthorized(
            "The admin token is wrong: send the value of REGKB_ADMIN_TOKEN as 'Authorization: Bearer <token>'."
        )


class AdminUnauthorized(Unauthorized):
    """A 401 that names the scheme and realm (RFC 6750), quoted as clients expect (werkzeug writes realm=regkb)."""

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("WWW-Authenticate", REALM)]
