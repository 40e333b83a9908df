"""The search page: query box, facet sidebar, result cards, sorting and paging — all in the GET URL."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from indexer.analysis.timeline import find_instrument
from indexer.search.base import BackendUnavailable, QuerySyntaxError, SearchRequest, SearchResponse
from indexer.search.engine import is_definition_question
from indexer.search.facets import label_of
from regkb.settings import load_config
from search_app import naming, present
from search_app.params import output_format, parse_search, search_url_args
from search_app.state import SearchUnavailable, state

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool


def run_search(req: SearchRequest) -> SearchResponse:
    """The one place the web app asks the backend (pages, API and export all come here).

    A query the user must fix stays a QuerySyntaxError (400); any other engine
    failure (index missing, Elasticsearch down) becomes SearchUnavailable (503).
    """
    backend = state().backend()
    if not req.languages:  # the interface language's version of a provision first, when it matches
        req = req.model_copy(update={"languages": [str(get_locale())]})
    try:
        return backend.search(req)
    except QuerySyntaxError:
        raise
    except BackendUnavailable as exc:  # the engine says what to do (rebuild the index, start Elasticsearch)
        log.warning("search backend unavailable: %s", exc)
        raise SearchUnavailable(str(exc)) from exc
    except Exception as exc:
        log.exception("search failed for %r", req.query)
        raise SearchUnavailable(f"The search engine failed ({type(exc).__name__}: {exc}). "
                                f"If the index is missing or stale, rebuild it with `regkb index`.") from exc


@bp.get("/")
def home():
    args = request.args
    fmt = output_format(args)
    if fmt != "html":
        return redirect(url_for("api.search") + "?" + request.query_string.decode("latin-1"))
    if not [k for k in args if k != "lang"]:
        return landing()
    if "kind" not in args and is_definition_question(args.get("q", "")):
        # "what does … mean": the answer is a definition, which is a provision, not an obligation
        return redirect(url_for("search.home") + "?" + urlencode([*args.items(multi=True), ("kind", "provision")]))
    req = parse_search(args, state().settings)
    resp = run_search(req)
    if resp.redirect and req.page == 1 and not req.filters:
        target = resp.redirect
        return redirect(url_for("documents.read", doc_id=target["document_id"],
                                as_of=req.as_of.isoformat() if req.as_of else None, _anchor=target.get("provision_id")))
    return render_template("search.html", req=req, resp=resp, cards=[present.card(h, resp.as_of) for h in resp.hits],
                           facets=_facets(req, resp), chips=_chips(req), pages=_pages(req, resp),
                           url=lambda **kw: "?" + search_url_args(req, **kw),
                           export_limit=state().settings["export_max_rows"])


@bp.get("/search")
def search_alias():
    """`/search?q=…`, the address people guess (and other sites' search boxes send): the search page."""
    query = request.query_string.decode("latin-1")
    return redirect(url_for("search.home") + ("?" + query if query else ""), code=301)


@dataclass(frozen=True)
class CompareExample:
    act: str
    old: str
    new: str
    old_label: str
    new_label: str


def landing():
    """The page without a query: what RegKB is for and where its three tasks start, with examples that find
    something (config/home.yaml). It asks the search engine nothing, so it opens even before an index exists."""
    home = load_config("home")
    corpus = state().corpus
    summaries = corpus.summaries()
    counts = {"acts": len({s.act_id for s in summaries}), "texts": len(summaries)}
    timeline = find_instrument(home["timeline_act"]) if home.get("timeline_act") else None
    return render_template("home.html", req=None, examples=home["examples"], counts=counts, timeline=timeline,
                           compare_example=_compare_example(home.get("compare_act")))


def _compare_example(act_id: str | None) -> CompareExample | None:
    """The act's first version and the one in force today, in the interface language when the corpus has both."""
    chains = state().corpus.versions()
    versions = chains.chains.get(act_id or "", [])
    if len(versions) < 2:
        return None
    lang = str(get_locale())
    for wanted in dict.fromkeys((lang, "en")):
        texts = [next((d for d in ids if chains.languages.get(d) == wanted), None) for ids in versions]
        old = next((d for d in texts if d), None)
        new = chains.current(old) if old else None
        first, now = (state().corpus.document(d) if d else None for d in (old, new))
        if first is not None and now is not None and first.id != now.id:
            return CompareExample(naming.act_name(now), first.id, now.id, naming.version_of(first, chains).label,
                                  naming.version_of(now, chains).label)
    return None


def _facets(req: SearchRequest, resp: SearchResponse) -> list[tuple[str, str, list[FacetChoice]]]:
    """Facets in the order of config/search.yaml `facets` (the request's), selected values kept even when their
    count is 0."""
    out = []
    for name in req.facets:
        counted = {fv.value: fv.count for fv in resp.facets.get(name, [])}
        for value in req.filters.get(name, []):
            counted.setdefault(value, 0)
        if not counted:
            continue
        choices = [FacetChoice(v, present.facet_value_label(name, v), n, v in req.filters.get(name, []))
                   for v, n in counted.items()]
        out.append((name, label_of(name) or name, choices))
    return out


def _chips(req: SearchRequest) -> list[tuple[str, str]]:
    """(label, URL without this filter) for every active filter."""
    chips = []
    for name, values in req.filters.items():
        for value in values:
            rest = [v for v in values if v != value]
            label = f"{label_of(name) or name}: {present.facet_value_label(name, value)}"
            chips.append((label, "?" + search_url_args(req, page=1, **{name: rest})))
    for name, label in (("date_from", _("From")), ("date_to", _("To"))):
        value = getattr(req, name)
        if value:
            without = req.model_copy(update={name: None})
            chips.append((f"{label}: {format_date(value, 'd MMMM y')}", "?" + search_url_args(without, page=1)))
    return chips


def _pages(req: SearchRequest, resp: SearchResponse) -> dict:
    last = max(1, -(-resp.total // req.size)) if req.size else 1
    last = min(last, state().settings["max_page"])
    return {"current": req.page, "last": last,
            "first_shown": (req.page - 1) * req.size + 1 if resp.hits else 0,
            "last_shown": (req.page - 1) * req.size + len(resp.hits)}
