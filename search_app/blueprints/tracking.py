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
from flask_babel import get_locale
from markupsafe import Markup

from indexer.analysis.changes import whats_new
from indexer.analysis.compare import compare
from indexer.analysis.corpus import Corpus
from indexer.analysis.feed import atom_feed
from indexer.analysis.scope_rules import load_scope_rules
from indexer.analysis.timeline import KIND_LABELS, find_instrument, legend, svg_chart, timelines
from search_app.state import state

bp = Blueprint("tracking", __name__)

# Dutch for the strings of the tracking and applicability pages (the shared catalogue belongs to the app's
# own pages; these pages carry their own so they can change without touching it).
NL = {
    "Timeline": "Tijdlijn", "Timelines": "Tijdlijnen", "All instruments": "Alle instrumenten",
    "What's new": "Wat is er nieuw", "Since": "Sinds", "Show": "Toon", "Atom feed": "Atom-feed",
    "Coming up": "Binnenkort", "Nothing new in this period.": "Niets nieuws in deze periode.",
    "Compare versions": "Versies vergelijken", "Older version": "Oudere versie", "Newer version": "Nieuwere versie",
    "Compare": "Vergelijk", "Date": "Datum", "Event": "Gebeurtenis", "Details": "Details", "Source": "Bron",
    "Provisions": "Bepalingen", "Obligations": "Verplichtingen", "added": "toegevoegd", "removed": "geschrapt",
    "changed": "gewijzigd", "unchanged": "ongewijzigd", "Changed figures": "Gewijzigde getallen en data",
    "Show text changes": "Toon tekstwijzigingen", "similarity": "gelijkenis", "Legend": "Legenda",
    "Official text": "Officiële tekst", "Compare with previous version": "Vergelijk met vorige versie",
    "Applicability check": "Toepasselijkheidscheck", "Check": "Controleer", "Applicable": "Van toepassing",
    "Not applicable": "Niet van toepassing", "Needs more facts": "Meer gegevens nodig", "Applies from": "Van toepassing vanaf",
    "Reason": "Reden", "Citation": "Vindplaats", "Across versions": "Per versie", "Key obligations": "Belangrijkste verplichtingen",
    "Voluntary frameworks that apply anyway": "Vrijwillige kaders die hoe dan ook gelden", "Company profile": "Bedrijfsprofiel",
    "Employees (average, FTE)": "Werknemers (gemiddeld, fte)", "Net worldwide turnover (EUR)": "Wereldwijde netto-omzet (EUR)",
    "Net turnover in the EU (EUR)": "Netto-omzet in de EU (EUR)", "Balance sheet total (EUR)": "Balanstotaal (EUR)",
    "Formed under the law of an EU Member State": "Opgericht naar het recht van een EU-lidstaat",
    "Ultimate parent company of a group": "Uiteindelijke moedermaatschappij van een groep",
    "Group employees": "Werknemers van de groep", "Group net worldwide turnover (EUR)": "Wereldwijde netto-omzet van de groep (EUR)",
    "Listed on an EU regulated market": "Genoteerd aan een gereglementeerde markt in de EU",
    "Sells goods or services to Dutch end users": "Verkoopt goederen of diensten aan Nederlandse eindgebruikers",
    "Places products on the EU market": "Brengt producten in de handel in de EU",
    "EUDR commodities": "EUDR-grondstoffen", "Role under the EUDR": "Rol onder de EUDR",
    "Minerals (3TG)": "Mineralen (3TG)", "Imports them into the EU": "Voert ze in de EU in",
    "Import volumes at or above Annex III thresholds": "Invoervolumes op of boven de drempels van bijlage III",
    "Places batteries on the market": "Brengt batterijen in de handel", "Financial undertaking": "Financiële onderneming",
    "none": "geen", "unknown": "onbekend", "yes": "ja", "no": "nee", "Size class": "Grootteklasse",
    "Proposal": "Voorstel", "Adoption": "Vaststelling", "Publication": "Bekendmaking", "Entry into force": "Inwerkingtreding",
    "Transposition deadline": "Omzettingstermijn", "Application": "Toepassing", "Amendment": "Wijziging",
    "Consolidated version": "Geconsolideerde versie",
    "Threshold changes": "Gewijzigde drempels", "Texts that name your sector": "Teksten over uw sector",
    "Net turnover of the EU subsidiary or branch (EUR)": "Netto-omzet van de EU-dochter of het EU-filiaal (EUR)",
    "Franchising or licensing royalties in the EU (EUR)": "Franchise- of licentievergoedingen in de EU (EUR)",
    "Group net turnover in the EU (EUR)": "Netto-omzet van de groep in de EU (EUR)", "Grounds": "Gronden", "Notes": "Opmerkingen",
    "The same answer as JSON: POST /api/applicability": "Hetzelfde antwoord als JSON: POST /api/applicability",
}


def tr(text: str) -> str:
    return NL.get(text, text) if str(get_locale()) == "nl" else text


@bp.app_context_processor
def _tracking_helpers():
    return {"tr": tr, "kind_labels": KIND_LABELS}


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
    return render_template("tracking/timeline.html", lines=lines, act=act, chart=Markup(svg_chart(lines)),
                           legend=legend(), instruments=load_scope_rules().instruments, today=date.today())


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
