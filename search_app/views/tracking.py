"""Tracking pages: timelines (chart + table), what's new, version comparison (the feeds: views/alerts.py).

WHY here: the analyses live in indexer.analysis; this module only turns query
parameters into calls and results into pages/JSON. The chart is server-rendered
SVG (no script, no CDN: the app's CSP allows neither); the page's CSS is served
by this blueprint from its template folder so no shared static file changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from indexer.analysis.changes import Entry, whats_new
from indexer.analysis.compare import compare
from indexer.analysis.corpus import Corpus
from indexer.analysis.scope_rules import load_scope_rules
from indexer.analysis.timeline import KIND_LABELS, Event, Timeline, chart_layout, find_instrument, timelines
from indexer.parsing.metadata import act_info
from regkb.records import Document
from search_app import naming, present
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
CHANGE_LABELS = {"added": _l("added"), "removed": _l("deleted"), "changed": _l("changed")}
FIGURE_LABELS = {"date": _l("date"), "amount": _l("amount"), "employees": _l("employees")}


CHANGE_LABELS_PART = {"unchanged": _l("unchanged"), **CHANGE_LABELS}
# The phone chart names its rows by the acts' short codes and is drawn this wide (SVG units) to stay legible.
NARROW_CHART_WIDTH = 520


@bp.app_context_processor
def _tracking_helpers():
    return {"kind_labels": EVENT_LABELS, "change_labels": CHANGE_LABELS_PART, "figure_labels": FIGURE_LABELS,
            "short_citation": present.short_citation}


# ---- shared --------------------------------------------------------------------------------

def analysis_corpus() -> Corpus:
    """The corpus snapshot this request reads (the app's one store: complete, reloaded when the data dir changes)."""
    return state().corpus.snapshot


def date_arg(name: str, default: date | None) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"'{value}' is not a date: write {name}=YYYY-MM-DD, e.g. {name}=2026-01-01.")


def since_arg() -> date:
    """?since=, a year ago by default."""
    return date_arg("since", None) or date.today() - timedelta(days=365)


@bp.get("/tracking.css")
def css():
    return Response(render_template("tracking/tracking.css"), mimetype="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


# ---- timeline ------------------------------------------------------------------------------

@bp.get("/timeline")
@bp.get("/timeline/<act>")
def timeline(act: str | None = None):
    act = act or request.args.get("act") or None
    if act and find_instrument(act) is None:
        abort(404, description=f"No instrument '{act}'.")
    corpus = analysis_corpus()
    lines = timelines(corpus, act=act)
    rows = {tl.instrument: [_event_row(corpus, ev) for ev in tl.events] for tl in lines}
    short = naming.limit("news")
    told = [tl.model_copy(update={"events": [r.event.model_copy(update={"label": naming.cut(r.text, short)})
                                             for r in rows[tl.instrument]]}) for tl in lines]
    narrow = [tl.model_copy(update={"short_title": _code(tl)}) for tl in told]
    return render_template("tracking/timeline.html", lines=lines, act=act, chart=chart_layout(told), rows=rows,
                           narrow_chart=chart_layout(narrow, width=NARROW_CHART_WIDTH),
                           instruments=load_scope_rules().instruments, today=date.today())


@dataclass(frozen=True)
class EventRow:
    """A timeline event as the page shows it: what happened, in words, and the text it comes from."""

    event: Event
    text: str                    # whole text (the page cuts it, with the whole in a tooltip)
    text_lang: str | None     # language of `text` when it is not the interface's (curated labels are English)
    source: Document | None   # the corpus text the date was read from; None: the curated timetable
    source_label: str


def _code(tl: Timeline) -> str:
    """The act's short code for the narrow chart ('BATT' for the Batteries Regulation)."""
    inst = find_instrument(tl.instrument)
    celex = inst.identifiers.celex if inst else None
    return (act_info(celex).get("short_title") if celex else None) or tl.short_title


def _event_row(corpus: Corpus, ev: Event) -> EventRow:
    doc = corpus.get(ev.document_id) if ev.document_id else None
    source_label = ""
    if doc is not None:
        source_label = f"{naming.version_of(doc, state().corpus.versions()).label} ({doc.language.upper()})"
    text, lang = event_text(ev.kind, ev.label, doc if ev.source != "config" else None, ev.date)
    if ev.source == "config" and ev.label_nl and str(get_locale()) == "nl" and text == ev.label:
        text, lang = ev.label_nl, "nl"  # a curated milestone in the interface language
    return EventRow(ev, text, lang, doc, source_label)


def event_text(kind: str, label: str, doc: Document | None, day: date) -> tuple[str, str | None]:
    """(text, its language) of an event. A date the parser read from a text is told from that text (its readable
    title, or the application clause in full); a curated milestone keeps its label (English, as curated)."""
    if doc is None:
        return label, "en"
    if kind == "application":
        clause = next((a.text for a in doc.dates.application if a.date == day), None)
        if clause:
            return " ".join(clause.split()), doc.language
    if kind == "consolidation":
        return _("Consolidated text of %(d)s", d=format_date(day, "d MMMM y")), None
    return naming.readable_title(doc.title, doc.language), doc.language


@bp.get("/api/timeline")
def api_timeline():
    act = request.args.get("act") or None
    if act and find_instrument(act) is None:
        abort(404, description=f"No instrument '{act}'.")
    return jsonify([t.model_dump(mode="json") for t in timelines(analysis_corpus(), act=act)])


# ---- what's new ----------------------------------------------------------------------------

@bp.get("/whatsnew")
def whatsnew():
    since = since_arg()
    until = date_arg("until", None)
    corpus = analysis_corpus()
    news = whats_new(corpus, since, until)
    return render_template("tracking/whatsnew.html", news=news, items=[_news_item(corpus, e) for e in news.entries],
                           upcoming=[_news_item(corpus, e) for e in news.upcoming],
                           feed_url=url_for("alerts.feed", since=since.isoformat()))


@dataclass(frozen=True)
class NewsItem:
    """A what's-new entry in the interface language: the act's name, a readable title, what changed."""

    entry: Entry
    act: str
    title: str
    title_lang: str | None
    summary: str
    summary_lang: str | None = None


def _news_item(corpus: Corpus, e: Entry) -> NewsItem:
    doc = corpus.get(e.document_id) if e.document_id else None
    inst = find_instrument(e.instrument) if e.instrument and e.kind == "event" else None
    act = naming.act_name(doc) if doc is not None else (inst.short_title if inst else "")
    if e.kind == "event":
        generated = doc is not None and e.summary.startswith(f"{KIND_LABELS.get(e.category, '')}: ")
        text, lang = event_text(e.category, e.summary, doc if generated else None, e.date)
        return NewsItem(e, act, str(EVENT_LABELS.get(e.category, e.category)), None, text, lang)
    versions = state().corpus.versions()
    version = naming.version_of(doc, versions) if doc is not None else None
    langs = ", ".join(sorted({d.language.upper() for d in corpus.all() if doc and d.version_id == doc.version_id}))
    summary = f"{version.label} ({langs})" if version else ""
    prev = corpus.get(e.compare[0]) if e.compare else None
    n = _comparison_counts(*e.compare) if e.compare and prev is not None else {}
    if prev is not None and n:
        summary += ". " + _("Compared with the previous version (%(prev)s): %(changed)s, %(added)s, %(removed)s",
                            prev=naming.version_of(prev, versions).label,
                            changed=ngettext("%(num)s article changed", "%(num)s articles changed",
                                             n["provisions_changed"]),
                            added=ngettext("%(num)s added", "%(num)s added", n["provisions_added"]),
                            removed=ngettext("%(num)s removed", "%(num)s removed", n["provisions_removed"]))
    title = naming.readable_title(doc.title, doc.language) if doc is not None else e.title
    return NewsItem(e, act, title, doc.language if doc is not None else None, summary)


def _comparison_counts(old_id: str, new_id: str) -> dict[str, int]:
    """The comparison's counts, once per pair and corpus state."""
    def counts(c: Corpus) -> dict[str, int]:
        old, new = c.get(old_id), c.get(new_id)
        return compare(old, new).counts() if old is not None and new is not None else {}

    return analysis_corpus().derived(f"comparison counts {old_id} {new_id}", counts)


@bp.get("/api/whatsnew")
def api_whatsnew():
    since = since_arg()
    return jsonify(whats_new(analysis_corpus(), since, date_arg("until", None)).model_dump(mode="json"))


# ---- comparison ----------------------------------------------------------------------------

@bp.get("/compare")
def compare_page():
    corpus = analysis_corpus()
    old_id, new_id = request.args.get("old", ""), request.args.get("new", "")
    result, names, doc_lang = None, {}, None
    if old_id or new_id:
        old, new = _pair(corpus, old_id, new_id)
        result = compare(old, new, corpus.obligations(old.id), corpus.obligations(new.id))
        versions = state().corpus.versions()
        names = {d.id: f"{naming.act_name(d)}, {naming.choice_label(naming.version_of(d, versions), d)}"
                 for d in (old, new)}
        doc_lang = new.language
    return render_template("tracking/compare.html", result=result, old_id=old_id, new_id=new_id,
                           choices=_choices(corpus), names=names, doc_lang=doc_lang)


@bp.get("/api/compare")
def api_compare():
    corpus = analysis_corpus()
    old, new = _pair(corpus, request.args.get("old", ""), request.args.get("new", ""))
    return jsonify(compare(old, new, corpus.obligations(old.id), corpus.obligations(new.id)).model_dump(mode="json"))


def _pair(corpus: Corpus, old_id: str, new_id: str) -> tuple[Document, Document]:
    """The two documents to compare, or a 404 naming the ids that are not in the corpus."""
    old, new = corpus.get(old_id), corpus.get(new_id)
    if old is None or new is None:
        missing = [d or "(empty)" for d, doc in ((old_id, old), (new_id, new)) if doc is None]
        abort(404, description=f"Unknown document id(s): {', '.join(missing)}. "
                               "Pick two versions of one act from the lists.")
    return old, new


def _choices(corpus: Corpus) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(act name, [(document id, 'Consolidated text of 18 March 2026 (EN)', whole title)]) for the two selects:
    acts with more than one version, each act's versions oldest first."""
    out = []
    for act in naming.acts(corpus.all(), state().corpus.versions()):
        if len(act.versions) < 2:
            continue
        options = [(d.id, naming.choice_label(v, d), naming.readable_title(d.title, d.language))
                   for v in reversed(act.versions) for d in v.documents]
        out.append((act.name, options))
    return out
