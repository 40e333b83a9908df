"""Read untrusted request input: search parameters, JSON bodies, the characters of any text.

Every search is a plain GET URL (shareable); anything invalid becomes a
BadParameter (400) whose message says which parameter is wrong and what is
allowed. The same checks run for the pages, the API and exports, so no input
can reach the code behind them as something it cannot handle (a 500).
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import date
from typing import Any, get_args
from urllib.parse import urlencode

from flask import g, request
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import UnsupportedMediaType

from indexer.search.base import SearchRequest
from indexer.search.facets import FACETS
from regkb.records import Jurisdiction, Modality

KINDS = ("obligation", "provision", "document")
SORTS = ("relevance", "date", "deadline")
FORMATS = ("html", "json", "csv")
# Facets whose values are a closed set: another value is a typo, not an empty result.
FACET_CHOICES: dict[str, tuple[str, ...]] = {"modality": get_args(Modality), "jurisdiction": get_args(Jurisdiction)}
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 200
# Characters no text we accept may hold: C0/C1 controls but tab, line feed and carriage return; lone
# surrogates; the noncharacters U+FFFE and U+FFFF. XML cannot carry them, and no user types them.
# The same class is the `pattern` of every string in search_app/openapi.yaml.
INVALID_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_INT = re.compile(r"-?[0-9]{1,15}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadParameter(ValueError):
    """A parameter or body the user must correct; the message says how."""


def facet_names(settings: dict[str, Any]) -> list[str]:
    """Every facet some kind of record offers (config/app.yaml `facets_by_kind`): the filters a search accepts."""
    offered = {n for per_kind in settings["facets_by_kind"].values() for n in per_kind}
    return [n for n in FACETS if n in offered]


def facets_of(kind: str, settings: dict[str, Any]) -> list[str]:
    """The facets a kind of record offers, in the one order pages and answers show them: config/search.yaml
    `facets` (app.yaml says which apply to a kind, not in which order)."""
    offered = set(settings["facets_by_kind"][kind])
    return [n for n in FACETS if n in offered]


def parse_search(args: MultiDict, settings: dict[str, Any], *, size: int | None = None) -> SearchRequest:
    """Build the SearchRequest the query string describes (BadParameter when it cannot)."""
    raw_query = args.get("q", "")
    if len(raw_query) > settings["max_query_chars"]:
        raise BadParameter(
            f"The query is {len(raw_query)} characters long; the maximum is {settings['max_query_chars']}. Shorten it."
        )
    query = raw_query.strip()
    kind = choice(args, "kind", KINDS, "obligation")
    filters = {}
    for name in facet_names(settings):
        raw = args.getlist(name)
        if len(raw) > MAX_FILTER_VALUES or any(len(v) > MAX_VALUE_CHARS for v in raw):
            raise BadParameter(
                f"Too many or too long values for '{name}' "
                f"(at most {MAX_FILTER_VALUES} values of {MAX_VALUE_CHARS} characters)."
            )
        allowed = FACET_CHOICES.get(name)
        wrong = [v for v in raw if allowed and v not in allowed]
        if wrong:
            raise BadParameter(f"'{name}' must be one of {', '.join(allowed or ())} (got '{wrong[0][:40]}').")
        values = [v.strip() for v in raw if v.strip()]
        if values:
            filters[name] = list(dict.fromkeys(values))
    try:
        return SearchRequest(
            query=query,
            kind=kind,
            filters=filters,
            date_from=_date(args, "date_from"),
            date_to=_date(args, "date_to"),
            sort=choice(args, "sort", SORTS, "relevance"),
            page=_int(args, "page", 1, 1, settings["max_page"]),
            size=size if size is not None else _int(args, "size", settings["page_size"], 0, settings["max_page_size"]),
            facets=facets_of(kind, settings),
            as_of=_date(args, "as_of"),
            all_versions=_flag(args, "versions", "all", "current"),
            expand=_flag(args, "expand", "on", "off", default=True),
        )
    except ValidationError as exc:  # should not happen after the checks above; still a 400
        raise BadParameter(f"Invalid search parameters: {exc.errors()[0]['msg']}") from exc


def output_format(args: MultiDict) -> str:
    return choice(args, "format", FORMATS, "html")


def search_url_args(request: SearchRequest, **changes: Any) -> str:
    """The query string of a search, with some parameters changed (for links: pages, sorting, chips)."""
    params: dict[str, Any] = {"q": request.query, "kind": request.kind, "sort": request.sort, "page": request.page}
    for name, values in request.filters.items():
        params[name] = list(values)
    if request.date_from:
        params["date_from"] = request.date_from.isoformat()
    if request.date_to:
        params["date_to"] = request.date_to.isoformat()
    if request.as_of:
        params["as_of"] = request.as_of.isoformat()
    params["versions"] = "all" if request.all_versions else "current"
    params["expand"] = "on" if request.expand else "off"
    params.update(changes)
    defaults = {"kind": "obligation", "sort": "relevance", "page": 1, "q": "", "versions": "current", "expand": "on"}
    clean = {k: v for k, v in params.items() if v not in (None, [], "") and defaults.get(k) != v}
    return urlencode(clean, doseq=True)


def choice(args: MultiDict, name: str, allowed: tuple[str, ...], default: str) -> str:
    """One value of a closed set; absent means the default, an empty or other value is a 400 listing the set."""
    value = args.get(name, default)
    if value not in allowed:
        raise BadParameter(f"'{name}' must be one of {', '.join(allowed)} (got '{value[:40]}').")
    return value



def _flag(args: MultiDict, name: str, yes: str, no: str, default: bool = False) -> bool:
    """A two-valued switch (`versions=all|current`, `expand=on|off`)."""
    return choice(args, name, (yes, no), yes if default else no) == yes


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    """A whole number in [low, high], written in ASCII digits (no '1_000', no '+1', no 400-digit numbers)."""
    raw = args.get(name)
    if raw is None:
        return default
    if not _INT.fullmatch(raw):
        raise BadParameter(f"'{name}' must be a whole number between {low} and {high} (got '{raw[:40]}').")
    value = int(raw)
    if not low <= value <= high:
        raise BadParameter(f"'{name}' must be between {low} and {high} (got {value}).")
    return value


def _date(args: MultiDict, name: str) -> date | None:
    """A YYYY-MM-DD date; empty means not set (an empty date field of a form sends `name=`)."""
    raw = args.get(name)
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"'{name}' must be a date written YYYY-MM-DD (got '{raw[:40]}').") from None


# -- any request: characters, JSON bodies ------------------------------------
def check_text(text: str, where: str) -> None:
    """BadParameter when `text` holds a character no input may hold (see INVALID_CHARS)."""
    bad = INVALID_CHARS.search(text)
    if bad:
        raise BadParameter(f"{where} contains the character U+{ord(bad.group()):04X}, which is not allowed "
                           "(control characters, U+FFFE, U+FFFF and lone surrogates never are); remove it.")


def check_request() -> None:
    """Before every request: the path, the query string and a form hold only allowed characters; a JSON
    body parses within the limits (json_body). A request that found no route keeps its 404/405."""
    if request.routing_exception is not None:
        return
    check_text(request.path, "The address")
    for name, value in request.args.items(multi=True):
        check_text(name + value, f"The query parameter '{name[:40]}'")
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            check_text(name + value, f"The form field '{name[:40]}'")
    elif request.is_json and request.content_length != 0 and request.method in ("POST", "PUT", "PATCH"):
        json_body(required=False)


def json_body(required: bool = True) -> Any:
    """The request's JSON body, parsed once per request with the limits of config/app.yaml:
    415 unless it is JSON, 400 when it is not valid JSON, nested deeper than `json_max_depth`,
    holds a number that is not finite or a string with a character check_text refuses."""
    if "regkb_json" in g:
        return g.regkb_json
    if not request.is_json:
        if not required:
            return None
        raise UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'.")
    from search_app.state import state

    g.regkb_json = parse_json(request.get_data(cache=True), state().settings["json_max_depth"])
    return g.regkb_json


def parse_json(data: bytes | str, max_depth: int) -> Any:
    """Strict JSON: depth checked before parsing (no RecursionError), finite numbers only, allowed characters only."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise BadParameter(f"The body is not UTF-8 (byte {exc.start}); send JSON in UTF-8.") from None
    depth = _nesting(text, max_depth)
    if depth > max_depth:
        raise BadParameter(f"The JSON body is nested more than {max_depth} levels deep; flatten it.")
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except BadParameter:
        raise
    except ValueError as exc:  # json.JSONDecodeError, and ints of more than 4300 digits
        raise BadParameter(f"The body is not valid JSON ({exc}).") from None
    for where, string in _strings(value, "The JSON body"):
        check_text(string, where)
    return value


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{}]')


def _nesting(text: str, stop_above: int) -> int:
    """The deepest nesting of arrays and objects (brackets inside strings do not count); stops early."""
    depth = deepest = 0
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token == '"':  # an unterminated string: the parser will say so
            break
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    break
        elif token in "]}":
            depth -= 1
    return deepest


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadParameter(f"The number {text[:40]} is too large; numbers must be finite (at most about 1.8e308).")
    return value


def _no_constant(name: str) -> Any:
    raise BadParameter(f"{name} is not a JSON number; send a finite number, or leave the field out.")


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string (keys too) in a parsed JSON value, with where it is."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield where, key
            yield from _strings(item, f"The field '{key[:40]}'")
