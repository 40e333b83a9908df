"""Timelines of instruments: proposal, adoption, publication, entry into force, deadlines, amendments.

WHY: the dates live in two places - the curated milestones next to the scope
rules (config/scope_rules.yaml, each with its legal source) and the dates the
parsers read from the documents themselves. Both are merged, the corpus
winning nothing silently: an event seen in both keeps the config label and
gains the document link.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel

from indexer.analysis.corpus import Corpus
from indexer.analysis.scope_rules import Instrument, ScopeRules, load_scope_rules

EventKind = Literal["proposal", "adopted", "published", "entry_into_force", "transposition_deadline", "application",
                    "amendment", "consolidation"]
KIND_LABELS = {
    "proposal": "Proposal", "adopted": "Adoption", "published": "Publication", "entry_into_force": "Entry into force",
    "transposition_deadline": "Transposition deadline", "application": "Application", "amendment": "Amendment",
    "consolidation": "Consolidated version",
}
# Marker colours (SVG presentation attributes; no inline style, the app's CSP forbids it).
KIND_COLOURS = {
    "proposal": "#8c8c8c", "adopted": "#1f4e8c", "published": "#2f7ed8", "entry_into_force": "#0b7a3e",
    "transposition_deadline": "#c45c00", "application": "#b8001f", "amendment": "#7b3fa0", "consolidation": "#5a8f9c",
}


class Event(BaseModel):
    date: date
    kind: EventKind
    label: str
    label_nl: str | None = None  # a curated milestone's Dutch label (config/scope_rules.yaml)
    instrument: str
    short_title: str
    document_id: str | None = None
    url: str | None = None
    source: str = "config"


class Timeline(BaseModel):
    instrument: str
    short_title: str
    title: str
    official_url: str
    events: list[Event]


def instrument_timeline(inst: Instrument, corpus: Corpus) -> Timeline:
    events: dict[tuple[date, str], Event] = {
        (m.date, m.kind): Event(date=m.date, kind=m.kind, label=str(m.label), label_nl=m.label.nl, instrument=inst.id,
                                short_title=inst.short_title, url=_celex_url(m.celex) or inst.official_url)
        for m in inst.milestones}
    for ev in _corpus_events(inst, corpus):
        key = (ev.date, ev.kind)
        if key in events:
            events[key].document_id = events[key].document_id or ev.document_id
        else:
            events[key] = ev
    ordered = sorted(events.values(), key=lambda e: (e.date, list(KIND_LABELS).index(e.kind)))
    return Timeline(instrument=inst.id, short_title=inst.short_title, title=inst.title, official_url=inst.official_url,
                    events=ordered)


def timelines(corpus: Corpus, act: str | None = None, rules: ScopeRules | None = None) -> list[Timeline]:
    """One timeline per instrument (or only `act`: an instrument id, short title or CELEX number)."""
    rules = rules or load_scope_rules()
    chosen = [i for i in rules.instruments if act is None or _matches(i, act)]
    return [instrument_timeline(i, corpus) for i in chosen]


def find_instrument(act: str, rules: ScopeRules | None = None) -> Instrument | None:
    rules = rules or load_scope_rules()
    return next((i for i in rules.instruments if _matches(i, act)), None)


def _matches(inst: Instrument, act: str) -> bool:
    key = act.strip().lower()
    return key in {
        inst.id,
        inst.short_title.lower(),
        (inst.identifiers.celex or "").lower(),
        (inst.identifiers.number or "").lower(),
    }


def _corpus_events(inst: Instrument, corpus: Corpus) -> list[Event]:
    """Dates the parsers found in the documents of this act.

    Adoption, publication and entry into force come from the original act;
    transposition and application dates only from the latest version (dates of
    earlier consolidations were superseded by the amendments); every
    consolidation and corrigendum is an event of its own.
    """
    if not inst.identifiers.celex:
        return []
    docs = corpus.by_celex(inst.identifiers.celex)
    versions = [d for d in docs if d.instrument_type != "corrigendum"]
    latest = max(versions, key=lambda d: d.dates.version_date or date.min, default=None)
    out: list[Event] = []
    for doc in docs:
        d = doc.dates
        pairs: list[tuple[str, date | None]] = []
        if doc.instrument_type == "corrigendum":
            pairs.append(("amendment", d.published))
        elif not doc.consolidated:
            pairs += [("adopted", d.adopted), ("published", d.published), ("entry_into_force", d.entry_into_force)]
        else:
            pairs.append(("consolidation", d.version_date))
        if doc is latest:
            pairs.append(("transposition_deadline", d.transposition_deadline))
        for kind, when in pairs:
            if when:
                label = (
                    f"{KIND_LABELS[kind]}: {doc.title[:90]}"
                    if kind != "consolidation"
                    else f"Consolidated text of {when.isoformat()}"
                )
                out.append(_doc_event(inst, doc, kind, when, label))
        if doc is latest:
            out += [_doc_event(inst, doc, "application", a.date, f"Application: {a.text[:140]}") for a in d.application]
    return out


def _doc_event(inst: Instrument, doc, kind: str, when: date, label: str) -> Event:
    return Event(
        date=when,
        kind=kind,
        label=label,
        instrument=inst.id,
        short_title=inst.short_title,
        document_id=doc.id,
        url=doc.official_url or doc.source_url,
        source=doc.id,
    )


def _celex_url(celex: str | None) -> str | None:
    return f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{celex}" if celex else None


# ---- chart ---------------------------------------------------------------------------------
# The chart's geometry is computed here as data; search_app/templates/tracking/_chart.html draws it (the page
# includes it, `regkb timeline --svg` renders the same file).

CHART_TEMPLATE = Path(__file__).resolve().parents[2] / "search_app" / "templates" / "tracking" / "_chart.html"


class ChartMarker(BaseModel):
    kind: EventKind
    date: date
    label: str
    x: float
    colour: str


class ChartRow(BaseModel):
    instrument: str
    short_title: str
    y: float
    markers: list[ChartMarker]


class ChartYear(BaseModel):
    year: int
    x: float


class Chart(BaseModel):
    """One row per instrument, one marker per event, a tick per year and a line for today (SVG user units)."""
    width: int
    height: int
    left: int
    right: int
    top: int
    today: date
    today_x: float
    years: list[ChartYear]
    rows: list[ChartRow]


def chart_layout(lines: list[Timeline], today: date | None = None, width: int = 960) -> Chart:
    """Where everything goes: whole years from the first event to the last (or today), rows 34 units apart."""
    today = today or date.today()
    dated = [e.date for t in lines for e in t.events] + [today]
    start, end = date(min(dated).year, 1, 1), date(max(dated).year + 1, 1, 1)
    longest = max((len(t.short_title) for t in lines), default=10)
    left, right, row_h, top = max(120, 24 + round(7.4 * longest)), 40, 34, 30
    span = (end - start).days or 1

    def x(d: date) -> float:
        return round(left + (width - left - right) * (d - start).days / span, 1)

    rows = [ChartRow(instrument=tl.instrument, short_title=tl.short_title, y=top + row * row_h + row_h / 2,
                     markers=[ChartMarker(kind=ev.kind, date=ev.date, label=ev.label, x=x(ev.date),
                                          colour=KIND_COLOURS[ev.kind]) for ev in tl.events])
            for row, tl in enumerate(lines)]
    return Chart(width=width, height=top + row_h * max(len(lines), 1) + 40, left=left, right=right, top=top,
                 today=today, today_x=x(today), rows=rows,
                 years=[ChartYear(year=y, x=x(date(y, 1, 1))) for y in range(start.year, end.year + 1)])


def svg_chart(lines: list[Timeline], today: date | None = None, width: int = 960) -> str:
    """The chart as a standalone SVG document in English (for `regkb timeline --svg`), drawn by the page's template."""
    env = Environment(loader=FileSystemLoader(CHART_TEMPLATE.parent), autoescape=True, extensions=["jinja2.ext.i18n"],
                      undefined=StrictUndefined)
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # (added by jinja2.ext.i18n)
    template = env.get_template(CHART_TEMPLATE.name)
    return template.render(chart=chart_layout(lines, today, width), kind_labels=KIND_LABELS).strip()
