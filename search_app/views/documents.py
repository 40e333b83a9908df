"""The document reader: table of contents, provisions with their obligations marked, language switch."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import groupby
from threading import Lock
from typing import Optional

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from regkb.records import Document, Obligation, Provision
from indexer.search.records import version_fields
from search_app import present
from search_app.state import state

bp = Blueprint("documents", __name__, url_prefix="/documents")

TOC_KINDS = {"title", "preamble", "enacting_terms", "part", "chapter", "section", "subsection", "article", "annex", "appendix", "final"}


@dataclass
class ProvisionView:
    provision: Provision
    html: Markup
    obligations: list[Obligation] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)


@bp.get("")
def index():
    summaries = sorted(state().corpus.summaries(), key=lambda s: (s.jurisdiction, s.act_id, s.language))
    acts = [(act_id, list(group)) for act_id, group in groupby(summaries, key=lambda s: s.act_id)]
    return render_template("documents.html", acts=acts)


@bp.get("/<doc_id>")
def read(doc_id: str):
    corpus = state().corpus
    doc = corpus.document(doc_id)
    if doc is None:
        abort(404)
    highlight = request.args.get("highlight", "")
    obligations = corpus.obligations_of(doc.id)
    by_provision: dict[str, list[Obligation]] = defaultdict(list)
    for ob in obligations:
        by_provision[ob.provision_id].append(ob)
    refs = text_references(doc)
    views = [_provision_view(doc, p, by_provision.get(p.id, []), refs.get(p.id, []), highlight) for p in doc.provisions]
    toc = [p for p in doc.provisions if p.kind in TOC_KINDS]
    as_of = _as_of(request.args.get("as_of"))
    chains = corpus.versions()
    info = chains.version(doc.id)
    note = present.version_note(version_fields(doc, info), as_of) if info else None
    in_force = chains.current(doc.id, as_of)
    deleted = {d.unit_id: present.version_note({"deleted_on": d.deleted_on.isoformat(), "deleted_by": d.by_label}, as_of)
               for d in chains.deletions.get(doc.id, [])}
    return render_template("document.html", doc=doc, views=views, toc=toc, highlight=highlight,
                           versions=corpus.language_versions(doc), obligation_count=len(obligations),
                           modality_labels=present.MODALITY_LABELS, version=note,
                           in_force=corpus.document(in_force) if in_force and in_force != doc.id else None,
                           deleted={k: v for k, v in deleted.items() if v is not None and v.state == "deleted"},
                           other_versions=present.other_versions(doc.id, None), as_of=as_of,
                           known_ids={s.id for s in corpus.summaries()})


def _as_of(raw: Optional[str]):
    from datetime import date
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400, description="'as_of' must be a date written YYYY-MM-DD.")



def _provision_view(doc: Document, prov: Provision, obligations: list[Obligation], refs: list[tuple], highlight: str) -> ProvisionView:
    """The provision text with obligations as <mark> and every cross-reference the extractor finds as a link."""
    spans = [(ob.start, ob.end, f"ob-{ob.id}", f"ob ob-{ob.modality}" + (" target" if ob.id == highlight else ""))
             for ob in obligations]
    links, references = [], []
    for start, end, text, target_doc, target_prov in refs:
        href = url_for("documents.read", doc_id=target_doc, _anchor=target_prov)
        links.append((start, end, href))
        if (text, href) not in references:
            references.append((text, href))
    return ProvisionView(prov, present.marked_text(prov.text, spans, links), obligations, references)


@dataclass
class _Resolved:
    docs: list[Document]
    by_provision: dict[str, list[tuple[int, int, str, str, Optional[str]]]]


_resolved: dict[str, _Resolved] = {}
_resolved_lock = Lock()


def text_references(doc: Document) -> dict[str, list[tuple[int, int, str, str, Optional[str]]]]:
    """provision id -> (start, end, wording, target document, target provision) of each reference in its text
    that resolves to a document of the corpus.

    WHY the extractor's code: the reader links exactly what `regkb extract` recognises and resolves, with the
    same resolver over the same corpus. Cached per document until it or any corpus document is re-read (the
    CSDDD has ~590 provisions; finding and resolving them on every request would cost more than rendering)."""
    corpus = state().corpus
    docs = [d for d in (corpus.document(s.id) for s in corpus.summaries()) if d is not None]
    docs = docs if any(d is doc for d in docs) else docs + [doc]
    hit = _resolved.get(doc.id)
    if hit is not None and _same(hit.docs, docs):
        return hit.by_provision
    from indexer.nlp.fields import find_references

    resolver = _resolver(docs)
    by_provision: dict[str, list] = {}
    for prov in doc.provisions:
        for ref in find_references(prov.text, doc.language) if prov.text else ():
            r = resolver.resolve(asdict(ref), doc, prov.id)
            if r.target_document_id:
                by_provision.setdefault(prov.id, []).append((ref.start, ref.end, ref.text, r.target_document_id,
                                                             r.target_provision_id))
    with _resolved_lock:
        _resolved[doc.id] = _Resolved(docs, by_provision)
    return by_provision


_resolvers: list[tuple[list[Document], object]] = []


def _resolver(docs: list[Document]):
    """One ReferenceResolver per state of the corpus (building it reads every provision id)."""
    from indexer.nlp.pipeline import ReferenceResolver

    for known, resolver in _resolvers:
        if _same(known, docs):
            return resolver
    resolver = ReferenceResolver.from_documents(docs)
    with _resolved_lock:
        _resolvers[:] = [(docs, resolver)]
    return resolver


def _same(a: list[Document], b: list[Document]) -> bool:
    """The same loaded documents (the corpus re-reads a changed file into a new object)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))
