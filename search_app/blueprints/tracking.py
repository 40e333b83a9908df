"""Tracking pages: timelines (chart + table), what's new (page + Atom feed), version comparison.

WHY here: the analyses live in indexer.analysis; this module only turns query
parameters into calls and results into pages/JSON. The chart is server-rendered
SVG (no script, no CDN: the app's CSP allows neither); the page's CSS is served
by this blueprint from its template folder so no shared static file changes.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Optional

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from indexer.analysis.changes import whats_new
from indexer.analysis.compare import compare
from indexer.analysis.corpus import Corpus
from indexer.analysis.feed import atom_feed
from indexer.analysis.scope_rules import load_scope_rules
from indexer.analysis.timeline import chart_layout, find_instrument, timelines
from search_app.state import state

bp = Blueprint("tracking", __name__)

# The interface's names of timeline event kinds, comparison statuses and changed-figure kinds, in the app's
# catalogue (the English event names are indexer.analysis.timeline.KIND_LABELS: tests/app/test_app_i18n.py
# keeps both in step).
EVENT_LABELS = {
    "proposal": _l("Proposal"), "adopted": _l("Adoption"), "published": _l("Publication"),
    "entry_into_force": _l("Entry into force"), "transposition_deadline": _l("Transposition deadline"),
    "application": _l("Application"), "amendment": _l("Amendment"), "consolidation": _l("Consolidated version"),
}
CHANGE_LABELS = {"added": _l("added"), "removed": _l("removed"), "changed": _l("changed")}
FIGURE_LABELS = {"date": _l("date"), "amount": _l("amount"), "employees": _l("employees")}


@bp.app_context_processor
def _tracking_helpers():
    return {"kind_labels": EVENT_LABELS, "change_labels": CHANGE_LABELS, "figure_labels": FIGURE_LABELS}


# ---- shared --------------------------------------------------------------------------------

def analysis_corpus() -> Corpus:
    """The corpus snapshot this request reads (the app's one store: complete, reloaded when the data dir changes)."""
    return state().corpus.snapshot


def _date_arg(name: str, default: Optional[date]) -> Optional[date]:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"'{value}' is not a date: write {name}=YYYY-MM-DD, e.g. {name}=2026-01-01.")


def _default_since() -> date:
    return date.today() - timedelta(days=365)


@bp.get("/tracking.css")
def css():
    return Response(render_template("tracking/tracking.css"), mimetype="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


# ---- timeline ------------------------------------------------------------------------------

@bp.get("/timeline")
@bp.get("/timeline/<act>")
def timeline(act: Optional[str] = None):
    act = act or request.args.get("act") or None
    if act and find_instrument(act) is None:
        abort(404, description=f"No instrument '{act}'.")
    lines = timelines(analysis_corpus(), act=act)
    return render_template("tracking/timeline.html", lines=lines, act=act, chart=chart_layout(lines),
                           instruments=load_scope_rules().instruments, today=date.today())


@bp.get("/api/timeline")
def api_timeline():
    act = request.args.get("act") or None
    if act and find_instrument(act) is None:
        abort(404, description=f"No instrument '{act}'.")
    return jsonify([t.model_dump(mode="json") for t in timelines(analysis_corpus(), act=act)])


# ---- what's new ----------------------------------------------------------------------------

@bp.get("/whatsnew")
def whatsnew():
    since = _date_arg("since", _default_since())
    until = _date_arg("until", None)
    news = whats_new(analysis_corpus(), since, until)
    return render_template("tracking/whatsnew.html", news=news,
                           feed_url=url_for("tracking.feed", since=since.isoformat()))


@bp.get("/api/whatsnew")
def api_whatsnew():
    since = _date_arg("since", _default_since())
    return jsonify(whats_new(analysis_corpus(), since, _date_arg("until", None)).model_dump(mode="json"))


@bp.get("/feed.atom")
def feed():
    since = _date_arg("since", _default_since())
    news = whats_new(analysis_corpus(), since, _date_arg("until", None))
    body = atom_feed(news, self_url=request.url, site_url=url_for("tracking.whatsnew", since=since.isoformat(), _external=True))
    return Response(body, mimetype="application/atom+xml")


# ---- comparison ----------------------------------------------------------------------------

@bp.get("/compare")
def compare_page():
    corpus = analysis_corpus()
    old_id, new_id = request.args.get("old", ""), request.args.get("new", "")
    result = None
    if old_id or new_id:
        result = _compare(corpus, old_id, new_id)
    return render_template("tracking/compare.html", result=result, old_id=old_id, new_id=new_id,
                           choices=_choices(corpus))


@bp.get("/api/compare")
def api_compare():
    corpus = analysis_corpus()
    return jsonify(_compare(corpus, request.args.get("old", ""), request.args.get("new", "")).model_dump(mode="json"))


def _compare(corpus: Corpus, old_id: str, new_id: str):
    missing = [d or "(empty)" for d in (old_id, new_id) if corpus.get(d) is None]
    if missing:
        abort(404, description=f"Unknown document id(s): {', '.join(missing)}. Pick two versions of one act from the lists.")
    old, new = corpus.get(old_id), corpus.get(new_id)
    return compare(old, new, corpus.obligations(old.id), corpus.obligations(new.id))


def _choices(corpus: Corpus) -> list[tuple[str, list[tuple[str, str]]]]:
    """Documents grouped by act, each labelled with its version date, for the two selects."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for doc in sorted(corpus.all(), key=lambda d: (d.act_id, d.dates.version_date or d.dates.published or date.min, d.id)):
        when = doc.dates.version_date or doc.dates.published or doc.dates.adopted
        label = f"{doc.id} ({'consolidated ' if doc.consolidated else ''}{when.isoformat() if when else 'undated'})"
        groups.setdefault(doc.short_title or doc.act_id, []).append((doc.id, label))
    return sorted(groups.items())
