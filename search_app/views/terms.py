"""Defined terms across acts: the term list with its search box, and one page per term showing every act's
definition side by side (versions with the same wording together), with the term in the other languages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for

from indexer.analysis.terms import DefinedTerm, TermIndex, slugify
from indexer.analysis.versions import act_label
from search_app import naming
from search_app.params import BadParameter
from search_app.state import state

bp = Blueprint("terms", __name__, url_prefix="/terms")
RELATED_MAX = 12  # other terms shown beside a term's own definitions ("economic operator" on "operator")
MAX_QUERY = 200   # characters of a term search (openapi.yaml says so)


def term_query() -> str:
    """The term search's `q`; a longer one is a 400 that says the limit (never silently cut)."""
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY:
        raise BadParameter(f"'q' is {len(q)} characters long; a term search takes at most {MAX_QUERY}. Shorten it.")
    return q


@dataclass
class Wording:
    """One wording of a definition and the texts (versions, language versions) that have it."""

    text: str
    citation: str
    language: str
    documents: list[tuple[str, str, str]] = field(default_factory=list)  # (document id, version label, anchor)
    days: list[date] = field(default_factory=list)  # the versions' days, to list them oldest first


@dataclass
class Column:
    """One act's definition of one term: a column of the side-by-side view."""

    act_id: str
    act: str
    term: str
    slug: str
    wordings: list[Wording] = field(default_factory=list)


@bp.record_once
def _naming(setup) -> None:
    naming.init_app(setup.app)


@bp.get("")
def index():
    q = term_query()
    found = _index().search(q, limit=500) if q else _index().summaries()
    return render_template("terms.html", q=q, terms=found)


@bp.get("/<slug>")
def term(slug: str):
    if slug != slugify(slug):
        abort(404)
    own, related = definitions_of(slug)
    if not own and not related:
        abort(404, description="No act of the corpus defines this term. Search the list of defined terms.")
    label = own[0].term if own else slug.replace("-", " ")
    return render_template("term.html", slug=slug, label=label, columns=_columns(own), related=_columns(related),
                           aligned=_index().aligned(slug), language=own[0].language if own else None)


def _index() -> TermIndex:
    return state().corpus.terms()


def definitions_of(slug: str) -> tuple[list[DefinedTerm], list[DefinedTerm]]:
    """The definitions of exactly this term, and those of the longer terms that contain it as whole words
    ("economic operator", "downstream operator" for "operator")."""
    index = _index()
    own = index.definitions(slug)
    words = re.compile(rf"(?:^|-){re.escape(slug)}(?:-|$)")
    slugs = [s.slug for s in index.summaries() if s.slug != slug and words.search(s.slug)][:RELATED_MAX]
    related = [t for s in slugs for t in index.definitions(s) if t.slug == s]
    return own, related


def _columns(terms: list[DefinedTerm]) -> list[Column]:
    """One column per act and term; within it, one entry per wording listing the texts that have it, oldest
    first. A wording an amending act writes into another act ("‘operator’ … excluding downstream operators",
    quoted in Regulation (EU) 2025/2650) goes to the amended act's column, named by the amending act."""
    corpus = state().corpus
    chains = corpus.versions()
    columns: dict[tuple[str, str], Column] = {}
    for t in terms:
        doc = corpus.document(t.document_id)
        if doc is None:
            continue
        amended = corpus.document(t.amends_document_id) if t.amends_document_id else None
        home = amended or doc
        col = columns.get((home.act_id, t.slug))
        if col is None:
            col = columns[(home.act_id, t.slug)] = Column(home.act_id, naming.act_name(home), t.term, t.slug)
        wording = next((w for w in col.wordings if w.text == t.text and w.language == t.language), None)
        if wording is None:
            wording = Wording(t.text, t.citation, t.language)
            col.wordings.append(wording)
        version = naming.version_of(doc, chains)
        label = f"{act_label(doc)}, {version.label}" if amended else version.label
        wording.documents.append((doc.id, label, t.provision_id))
        wording.days.append(version.day or date.min)
    for col in columns.values():
        for w in col.wordings:
            order = sorted(range(len(w.documents)), key=lambda i: (w.days[i], w.documents[i][0]))
            w.documents, w.days = [w.documents[i] for i in order], [w.days[i] for i in order]
        col.wordings.sort(key=lambda w: (w.days[0], w.language))
    return sorted(columns.values(), key=lambda c: (c.act.lower(), c.term.lower()))


# -- the API's view of the same records (search_app/views/api.py serves them) --------------------------------
def summaries_json(q: str) -> list[dict[str, Any]]:
    return [{"slug": s.slug, "term": s.term, "language": s.language, "acts": s.acts, "definitions": s.definitions,
             "url": url_for("terms.term", slug=s.slug), "api_url": url_for("api.term", slug=s.slug)}
            for s in (_index().search(q, limit=500) if q else _index().summaries())]


def term_json(slug: str) -> dict[str, Any] | None:
    own, related = definitions_of(slug)
    if not own and not related:
        return None
    corpus = state().corpus

    def one(t: DefinedTerm) -> dict[str, Any]:
        doc = corpus.document(t.document_id)
        return t.model_dump(mode="json") | {
            "act": naming.act_name(doc) if doc else t.act_id,
            "url": url_for("documents.read", doc_id=t.document_id, _anchor=t.provision_id)}

    return {"slug": slug, "term": own[0].term if own else None, "definitions": [one(t) for t in own],
            "related": [one(t) for t in related],
            "aligned": [{"language": lang, "term": term, "slug": s, "url": url_for("terms.term", slug=s) if s else None}
                        for lang, term, s in _index().aligned(slug)]}
