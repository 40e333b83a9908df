"""Turn a query string into a SearchRequest, the same way for the pages, the API and exports.

Every search is a plain GET URL (shareable); anything invalid becomes a
BadParameter whose message says which parameter is wrong and what is allowed.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional
from urllib.parse import urlencode

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from indexer.search.base import SearchRequest

KINDS = ("obligation", "provision", "document")
SORTS = ("relevance", "date", "deadline")
FORMATS = ("html", "json", "csv")
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 200


class BadParameter(ValueError):
    """A query-string parameter the user must correct; the message says how."""


def facet_names(settings: dict[str, Any]) -> list[str]:
    names = list(settings["facets"])
    for per_kind in settings["facets_by_kind"].values():
        names += [n for n in per_kind if n not in names]
    return names


def parse_search(args: MultiDict, settings: dict[str, Any], *, size: Optional[int] = None) -> SearchRequest:
    """Build the SearchRequest the query string describes (BadParameter when it cannot)."""
    query = args.get("q", "").strip()
    if len(query) > settings["max_query_chars"]:
        raise BadParameter(f"The query is {len(query)} characters long; the maximum is {settings['max_query_chars']}. Shorten it.")
    kind = _choice(args, "kind", KINDS, "obligation")
    filters = {}
    for name in facet_names(settings):
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        if len(values) > MAX_FILTER_VALUES or any(len(v) > MAX_VALUE_CHARS for v in values):
            raise BadParameter(f"Too many or too long values for '{name}' (at most {MAX_FILTER_VALUES} values of {MAX_VALUE_CHARS} characters).")
        if values:
            filters[name] = list(dict.fromkeys(values))
    try:
        return SearchRequest(
            query=query,
            kind=kind,
            filters=filters,
            date_from=_date(args, "date_from"),
            date_to=_date(args, "date_to"),
            sort=_choice(args, "sort", SORTS, "relevance"),
            page=_int(args, "page", 1, 1, settings["max_page"]),
            size=size if size is not None else _int(args, "size", settings["page_size"], 0, settings["max_page_size"]),
            facets=list(settings["facets_by_kind"][kind]),
            as_of=_date(args, "as_of"),
            all_versions=_flag(args, "versions", "all", "current"),
            expand=_flag(args, "expand", "on", "off", default=True),
        )
    except ValidationError as exc:  # should not happen after the checks above; still a 400
        raise BadParameter(f"Invalid search parameters: {exc.errors()[0]['msg']}") from exc


def output_format(args: MultiDict) -> str:
    return _choice(args, "format", FORMATS, "html")


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


def _choice(args: MultiDict, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = args.get(name, default) or default
    if value not in allowed:
        raise BadParameter(f"'{name}' must be one of {', '.join(allowed)} (got '{value[:40]}').")
    return value


def _flag(args: MultiDict, name: str, yes: str, no: str, default: bool = False) -> bool:
    """A two-valued switch (`versions=all|current`, `expand=on|off`)."""
    value = args.get(name) or (yes if default else no)
    if value not in (yes, no):
        raise BadParameter(f"'{name}' must be {yes} or {no} (got '{value[:40]}').")
    return value == yes


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"'{name}' must be a whole number (got '{raw[:40]}').") from None
    if not low <= value <= high:
        raise BadParameter(f"'{name}' must be between {low} and {high} (got {value}).")
    return value


def _date(args: MultiDict, name: str) -> Optional[date]:
    raw = args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"'{name}' must be a date written YYYY-MM-DD (got '{raw[:40]}').") from None
