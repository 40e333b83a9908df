"""The document reader: table of contents, provisions with their obligations marked, language switch."""
from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from indexer.analysis.citedby import Amendment, CitedBy, summary
from indexer.analysis.terms import TermMatcher
from indexer.analysis.versions import UNIT_KINDS, VersionChains
from indexer.search.records import version_fields
from regkb.records import Document, Obligation, Provision, TextReference
from search_app import naming, present
from search_app.state import state

bp = Blueprint("documents", __name__, url_prefix="/documents")

TOC_KINDS = {"title", "preamble", "enacting_terms", "part", "chapter", "section", "subsection", "article", "annex",
             "appendix", "final"}


@dataclass
class ProvisionView:
    provision: Provision
    html: Markup
    obligations: list[Obligation] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)
    cited: tuple[int, int] | None = None   # (provisions, acts) citing it, for "cited by 7 provisions in 3 acts"
    amended: list[Amendment] = field(default_factory=list)


@dataclass(frozen=True)
class GoneUnit:
    """An article, annex, paragraph or point that an earlier version had and a later act deleted, shown where
    it was (as EUR-Lex's consolidations show "▼M2 —————"), with a link to its last text."""
    id: str
    kind: str
    level: int
    citation: str
    heading: str | None
    number: str | None
    detail: str                # "deleted by Directive (EU) 2026/470 with effect from 18 March 2026"
    last_document_id: str
    before: str | None         # the provision of this document it comes before (None: after the last one)


@bp.record_once
def _naming(setup) -> None:
    naming.init_app(setup.app)


@bp.get("")
def index():
    """Every act by name and title, each version with its date and state, each language version a link."""
    corpus = state().corpus
    return render_template("documents.html", acts=naming.acts(corpus.snapshot.all(), corpus.versions()))


@bp.get("/<doc_id>")
def read(doc_id: str):
    corpus = state().corpus
    doc = corpus.document(doc_id)
    if doc is None:
        abort(404)
    highlight = request.args.get("highlight", "")
    obligations = corpus.obligations_of(doc.id)
    toc = [p for p in doc.provisions if p.kind in TOC_KINDS]
    as_of = _as_of(request.args.get("as_of"))
    chains = corpus.versions()
    info = chains.version(doc.id)
    note = present.version_note(version_fields(doc, info), as_of) if info else None
    in_force = chains.current(doc.id, as_of)
    deleted = {d.unit_id: present.version_note({"deleted_on": d.deleted_on.isoformat(), "deleted_by": d.by_label},
                                               as_of)
               for d in chains.deletions.get(doc.id, [])}
    deleted_now = {k: v for k, v in deleted.items() if v is not None and v.state == "deleted"}
    gone = _gone_units(corpus, doc, chains)
    body = _provisions_html(corpus, doc, highlight, deleted_now, as_of, gone)
    return render_template("document.html", doc=doc, provisions_html=body, toc=_with_gone(toc, gone),
                           highlight=highlight,
                           versions=corpus.language_versions(doc), obligation_count=len(obligations),
                           modality_labels=present.MODALITY_LABELS, version=note,
                           in_force=corpus.document(in_force) if in_force and in_force != doc.id else None,
                           deleted=deleted_now,
                           other_versions=present.other_versions(doc.id, None), as_of=as_of,
                           known_ids={s.id for s in corpus.summaries()}, related=_related(doc, chains))


@bp.get("/<doc_id>/<provision_id>/cited-by")
def cited_by(doc_id: str, provision_id: str):
    """The provisions of the corpus that cite this one (or a part of it), by act, and the acts that amended it."""
    corpus = state().corpus
    doc = corpus.document(doc_id)
    prov = doc.provision(provision_id) if doc else None
    if doc is None or prov is None:
        abort(404)
    index = corpus.cited_by()
    citations = index.cited_by(doc.act_id, prov.id, doc.language, doc.id)
    by_act: dict[str, list] = defaultdict(list)
    for c in citations:
        by_act[c.act_id].append(c)
    names = {a: naming.act_name(d) for a, cs in by_act.items() if (d := corpus.document(cs[0].document_id))}
    amended = _named(index.amended_by(doc.act_id, prov.id, doc.language))
    return render_template("cited_by.html", doc=doc, prov=prov, by_act=by_act, act_names=names,
                           counts=summary(citations), amended=amended)


def _related(doc: Document, chains) -> list[tuple]:
    """(link, name) of the texts this one links to: another act by its name, another version of this act by its
    version ('Corrigendum of 13 September 2024'); a text outside the corpus by the label the source gave it."""
    out = []
    for link in doc.links:
        if link.relation == "language_version":
            continue
        other = state().corpus.document(link.document_id)
        if other is None:
            name = link.label or link.document_id
        elif other.act_id == doc.act_id:
            name = naming.version_of(other, chains).label
        else:
            name = naming.act_name(other)
        out.append((link, name))
    return out


def _as_of(raw: str | None):
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400, description="'as_of' must be a date written YYYY-MM-DD.")



READER_CACHE_SIZE = 32  # rendered documents kept per corpus state (a long act's body is about 400 KB)


def _gone_units(corpus, doc: Document, chains: VersionChains) -> list[GoneUnit]:
    """The articles, annexes, paragraphs and points earlier versions of `doc` had and it no longer has, each
    placed after the part that came before it in its last version (or first in its parent). Placed once per
    corpus state and interface language (it scans both versions' provisions), not on every page view."""
    placed = corpus.snapshot.derived("gone units", lambda _: {})
    key = (doc.id, str(get_locale()))
    if key not in placed:
        placed[key] = _place_gone_units(corpus, doc, chains)
    return placed[key]


def _place_gone_units(corpus, doc: Document, chains: VersionChains) -> list[GoneUnit]:
    have = [p.id for p in doc.provisions]
    present_ids = set(have)
    out = []
    for d in chains.removed_before(doc.id):
        last = corpus.document(d.last_document_id)
        if d.unit_id in present_ids or last is None:
            continue
        gone = next((p for p in last.provisions if p.id == d.unit_id), None)
        note = present.version_note({"deleted_on": d.deleted_on.isoformat(), "deleted_by": d.by_label},
                                    d.deleted_on)
        if gone is None or note is None or (gone.parent_id and gone.parent_id not in present_ids
                                            and gone.kind not in UNIT_KINDS):
            continue  # a part of a part that is gone too: the gone parent says it
        siblings = [p.id for p in last.provisions if p.parent_id == gone.parent_id]
        previous = next((i for i in reversed(siblings[:siblings.index(gone.id)]) if i in present_ids), None)
        before = (_after_subtree(have, previous) if previous else
                  _after_subtree(have, None) if gone.parent_id not in present_ids else _after(have, gone.parent_id))
        out.append(GoneUnit(gone.id, gone.kind, gone.level, gone.citation or gone.id, gone.heading,
                            gone.number, note.detail, last.id, before))
    return out


def _after(ids: list[str], pid: str | None) -> str | None:
    """The provision right after `pid` (its first part, if it has any)."""
    at = ids.index(pid) if pid in ids else -1
    return ids[at + 1] if at + 1 < len(ids) else None


def _after_subtree(ids: list[str], unit: str | None) -> str | None:
    """The first provision after `unit` and all its parts (the first provision when `unit` is None)."""
    if unit is None:
        return ids[0] if ids else None
    start = ids.index(unit)
    return next((i for i in ids[start + 1:] if not i.startswith(unit + ".")), None)


def _deleted_roots(doc: Document, deleted: dict) -> dict[str, str]:
    """Provision id → the deleted provision it is or is part of (the one whose banner says so)."""
    out = {}
    for p in doc.provisions:
        parts = p.id.split(".")
        root = next((".".join(parts[:n]) for n in range(1, len(parts) + 1) if ".".join(parts[:n]) in deleted), None)
        if root:
            out[p.id] = root
    return out


def _with_gone(toc: list[Provision], gone: list[GoneUnit]) -> list[Provision | GoneUnit]:
    """The table of contents with the deleted units in their places."""
    out: list[Provision | GoneUnit] = []
    ids = {p.id for p in toc}
    gone = [g for g in gone if g.kind in TOC_KINDS]
    for p in toc:
        out += [g for g in gone if g.before == p.id]
        out.append(p)
    return out + [g for g in gone if g.before not in ids]


def _provisions_html(corpus, doc: Document, highlight: str, deleted: dict, as_of,
                     gone: list[GoneUnit] | None = None) -> Markup:
    """The document's provisions as HTML. Rendering a long act costs most of a page view and its result
    depends only on the corpus state, the interface language, the day, the highlighted obligation and the
    deletions shown: so it is rendered once for those and reused until the corpus changes."""
    key = (doc.id, str(get_locale()), highlight, as_of or date.today(),
           tuple(sorted((k, v.detail) for k, v in deleted.items())))
    cache = corpus.snapshot.derived("reader html", lambda _: _Rendered(READER_CACHE_SIZE))
    html = cache.get(key)
    if html is None:
        by_provision: dict[str, list[Obligation]] = defaultdict(list)
        for ob in corpus.obligations_of(doc.id):
            by_provision[ob.provision_id].append(ob)
        refs = corpus.links_of(doc)
        cited_by, terms = corpus.cited_by(), TermMatcher(corpus.terms().in_document(doc))
        views = [
            _with_relations(_provision_view(doc, p, by_provision.get(p.id, []), refs.get(p.id, []), highlight, terms),
                            doc, cited_by)
            for p in doc.provisions
        ]
        twins = {ob.id: corpus.twins(ob.id) for ob in corpus.obligations_of(doc.id)}
        gone_before: dict[str | None, list[GoneUnit]] = defaultdict(list)
        for g in gone or []:
            gone_before[g.before].append(g)
        html = Markup(render_template("_provisions.html", views=views, highlight=highlight, deleted=deleted,
                                      deleted_root=_deleted_roots(doc, deleted), gone_before=gone_before,
                                      doc_id=doc.id, modality_labels=present.MODALITY_LABELS, twins=twins,
                                      language_names=present.LANGUAGE_NAMES))
        cache.put(key, html)
    return html


class _Rendered:
    """A small thread-safe LRU of rendered fragments."""

    def __init__(self, size: int):
        self.size, self._lock = size, threading.Lock()
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _with_relations(view: ProvisionView, doc: Document, cited_by: CitedBy) -> ProvisionView:
    """The provision's cited-by count and, for an article or annex, the acts that amended or deleted it. An
    article counts the citations of its parts; a part only those of itself (its article already sums them)."""
    p = view.provision
    unit = p.parent_id is None or p.kind in ("article", "annex", "appendix")
    citations = cited_by.cited_by(doc.act_id, p.id, doc.language, doc.id)
    if not unit:
        citations = [c for c in citations if c.target_provision_id == p.id]
    view.cited = summary(citations) if citations else None
    view.amended = _named(cited_by.amended_by(doc.act_id, p.id, doc.language)) if unit and "." not in p.id else []
    return view


def _named(amendments: list[Amendment]) -> list[Amendment]:
    """The amending acts cited in the interface language ('Richtlijn (EU) 2026/470')."""
    return [dataclasses.replace(a, act_label=present.act_citation(a.act_label) or a.act_label) for a in amendments]


def _provision_view(doc: Document, prov: Provision, obligations: list[Obligation], refs: list[TextReference],
                    highlight: str, terms: TermMatcher | None = None) -> ProvisionView:
    """The provision text with obligations as <mark>, every cross-reference `regkb extract` resolved as a link
    and the first use of each term the act defines as a link to its definition."""
    spans = [(ob.start, ob.end, f"ob-{ob.id}", f"ob ob-{ob.modality}" + (" target" if ob.id == highlight else ""))
             for ob in obligations]
    links: list[tuple[int, int, str, str]] = []
    references: list[tuple[str, str]] = []
    for ref in refs:
        href = url_for("documents.read", doc_id=ref.target_document_id, _anchor=ref.target_provision_id)
        links.append((ref.start, ref.end, href, "ref"))
        if (ref.text, href) not in references:
            references.append((ref.text, href))
    for start, end, term in terms.links(prov, [(a, b) for a, b, *_ in links]) if terms else ():
        links.append((start, end, url_for("documents.read", doc_id=term.document_id, _anchor=term.provision_id),
                      "term"))
    return ProvisionView(prov, present.marked_text(prov.text, spans, links), obligations, references)
