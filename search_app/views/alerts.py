"""Alerts without accounts: the Atom feeds of the site, of any search and of any provision.

`/feed.atom` without a query or filter is the site's What's new; with them (the search page's parameters) it
follows that search; `/documents/<id>/<provision>/feed.atom` follows one article or annex across the versions
of its act, `/documents/<id>/feed.atom` the whole act.

WHY here: indexer.analysis.changes decides what changed (`follow_search`, `followed_changes`, the same code
`regkb whatsnew --query` runs); this module only reads the URL, runs the search as the search page does, and
turns the entries into a feed whose links are absolute URLs of this site.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from indexer.analysis.changes import (
    FEED_TAG,
    Entry,
    Followed,
    WhatsNew,
    across_versions,
    follow_search,
    followed_changes,
    whats_new,
)
from indexer.analysis.feed import atom_feed
from indexer.analysis.versions import VersionChains
from search_app.params import BadParameter, facet_names, parse_search, search_url_args
from search_app.state import state
from search_app.views.search import run_search
from search_app.views.tracking import analysis_corpus, date_arg, since_arg

bp = Blueprint("alerts", __name__)

# The search parameters that make /feed.atom follow a search (page, size and sort do not change what it matches).
SEARCH_PARAMS = ("q", "kind", "as_of", "date_from", "date_to", "versions", "expand")
ATOM = "application/atom+xml"


def follows_search(args: MultiDict) -> bool:
    """True when the feed URL names a query or a filter: it is then the twin of that search page."""
    names = (*SEARCH_PARAMS, *facet_names(state().settings))
    return any(v.strip() for name in names for v in args.getlist(name))


@bp.get("/feed.atom")
def feed():
    since, until = since_arg(), _until()
    if follows_search(request.args):
        return _search_feed(since, until)
    news = whats_new(analysis_corpus(), since, until)
    site = url_for("tracking.whatsnew", since=since.isoformat(), _external=True)
    return _atom(news, site)


def _until() -> date | None:
    until = date_arg("until", None)
    since = date_arg("since", None)
    if until and since and until < since:
        raise BadParameter(f"'until' ({until}) is before 'since' ({since}): give an until on or after since.")
    return until


def _search_feed(since: date, until: date | None) -> Response:
    """What the search matches (changes.across_versions), then what changed in it."""
    settings = state().settings
    req = across_versions(parse_search(request.args, settings), "versions" in request.args)
    corpus = analysis_corpus()
    followed = follow_search(run_search, req, corpus, settings["export_max_rows"])
    news = followed_changes(corpus, followed, since, until, lang=str(get_locale()))
    shown = req.model_copy(update={"page": 1})
    page = url_for("search.home", _external=True) + "?" + search_url_args(shown)
    title = (_("RegKB: changes to the search “%(q)s”", q=req.query) if req.query
             else _("RegKB: changes to a filtered search"))
    subtitle = _("Texts, provisions and obligations this search finds, changed from %(since)s to %(until)s",
                 since=news.since.isoformat(), until=news.until.isoformat())
    if news.truncated:
        subtitle += ". " + _("The search finds more than %(n)s records: only the changes to the first %(n)s are "
                             "followed; narrow the search to follow all of it.", n=settings["export_max_rows"])
    return _atom(news, page, title=title, subtitle=subtitle,
                 feed_id=f"{FEED_TAG}:search?{search_url_args(shown, page=None)}")


@bp.get("/documents/<doc_id>/feed.atom")
@bp.get("/documents/<doc_id>/<provision_id>/feed.atom")
def provision_feed(doc_id: str, provision_id: str | None = None):
    """One article or annex (or the whole act) across the versions of its act: changes, deletion, by which act."""
    corpus = analysis_corpus()
    doc = corpus.get(doc_id)
    if doc is None:
        abort(404, description=f"No document '{doc_id[:80]}'. Document ids are those of the reader's addresses "
                               "(/documents/<id>).")
    unit = provision_id.split(".")[0] if provision_id else None
    chains = state().corpus.versions()
    if provision_id and not _in_act(corpus, chains, doc_id, provision_id):
        abort(404, description=f"'{doc_id}' and the other versions of its act have no provision "
                               f"'{provision_id[:80]}'. Provision ids are the reader's anchors, e.g. art_22.")
    followed = Followed(units={doc.act_id: {unit} if unit else None}, languages={doc.act_id: Counter([doc.language])})
    explicit_since = date_arg("since", None)
    first = min((chains.info[d.id].valid_from for d in _act_documents(corpus, chains, doc_id)), default=date.min)
    news = followed_changes(corpus, followed, explicit_since or first, _until(), lang=str(get_locale()),
                            documents=unit is None)
    name = doc.short_title or doc.title[:80]
    citation = next((p.citation for d in _act_documents(corpus, chains, doc_id)
                     if (p := d.provision(unit or "")) is not None), unit)
    title = (_("RegKB: %(act)s, %(citation)s", act=name, citation=citation) if unit
             else _("RegKB: changes to %(act)s", act=name))
    subtitle = (_("Changes from %(since)s to %(until)s", since=news.since.isoformat(), until=news.until.isoformat())
                if explicit_since else _("Every change since the first version in the corpus"))
    site = url_for("documents.read", doc_id=doc.id, _anchor=unit, _external=True)
    return _atom(news, site, title=title, subtitle=subtitle,
                 feed_id=f"{FEED_TAG}:provision/{doc.act_id}/{unit}" if unit else f"{FEED_TAG}:act/{doc.act_id}")


def _act_documents(corpus, chains: VersionChains, doc_id: str) -> list:
    """This document and the other versions of its act, in every language."""
    ids = [d for version in chains.chains.get(corpus.get(doc_id).act_id, []) for d in version] or [doc_id]
    return [d for i in dict.fromkeys([doc_id, *ids]) if (d := corpus.get(i)) is not None]


def _in_act(corpus, chains: VersionChains, doc_id: str, provision_id: str) -> bool:
    """The provision is in this text or in another version of its act (a deleted article keeps its feed)."""
    return any(d.provision(provision_id) is not None for d in _act_documents(corpus, chains, doc_id))


def _atom(news: WhatsNew, site: str, **kwargs) -> Response:
    """The feed, its entries linking into this site (comparison, reader) by absolute URLs."""
    linked = news.model_copy(update={"entries": [e.model_copy(update={"url": _link(e)}) for e in news.entries]})
    return Response(atom_feed(linked, self_url=request.url, site_url=site, **kwargs), mimetype=ATOM)


def _link(entry: Entry) -> str:
    """A change links to the comparison of the two versions, at the changed article; a new text to the reader."""
    if entry.kind in ("provision", "obligation") and entry.compare:
        old, new = entry.compare
        return url_for("tracking.compare_page", old=old, new=new, _anchor=f"change-{entry.provision_id}",
                       _external=True)
    if entry.kind == "document" and entry.compare and entry.url.startswith("/compare"):
        old, new = entry.compare
        return url_for("tracking.compare_page", old=old, new=new, _external=True)
    if entry.kind == "document" and entry.url.startswith("/documents/") and entry.document_id:
        return url_for("documents.read", doc_id=entry.document_id, _external=True)
    return entry.url
