"""The document reader: table of contents, provisions with their obligations marked, language switch."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from typing import Optional

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup, escape

from regkb.records import Document, Obligation, Provision
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
    views = [_provision_view(doc, p, by_provision.get(p.id, []), highlight) for p in doc.provisions]
    toc = [p for p in doc.provisions if p.kind in TOC_KINDS]
    return render_template("document.html", doc=doc, views=views, toc=toc, highlight=highlight,
                           versions=corpus.language_versions(doc), obligation_count=len(obligations),
                           modality_labels=present.MODALITY_LABELS)


def _provision_view(doc: Document, prov: Provision, obligations: list[Obligation], highlight: str) -> ProvisionView:
    """The provision text with obligations as <mark> and references inside them as links."""
    spans = []
    references: list[tuple[str, str]] = []
    for ob in obligations:
        css = f"ob ob-{ob.modality}" + (" target" if ob.id == highlight else "")
        spans.append((ob.start, ob.end, f"ob-{ob.id}", css))
        for ref in ob.references:
            href = reference_url(doc, ref.target_document_id, ref.target_provision_id, ref.act)
            if href and (ref.text, href) not in references:
                references.append((ref.text, href))
    html = present.marked_text(prov.text, spans)
    return ProvisionView(prov, _link_references(html, references), obligations, references)


def reference_url(doc: Document, target_doc: Optional[str], target_prov: Optional[str], act: Optional[str]) -> Optional[str]:
    """Where a cross-reference points: a provision of this or another document, or a search for the act."""
    if target_doc or target_prov:
        return url_for("documents.read", doc_id=target_doc or doc.id, _anchor=target_prov)
    if act:
        return url_for("search.home", q=act, kind="document")
    return None


def _link_references(html: Markup, references: list[tuple[str, str]]) -> Markup:
    """Turn the first occurrence of each reference's wording (already escaped) into a link."""
    out = str(html)
    for text, href in sorted(references, key=lambda r: -len(r[0])):
        needle = str(escape(text))
        pos = out.find(needle)
        if not needle or pos < 0 or _inside_tag(out, pos):
            continue
        out = out[:pos] + f'<a class="ref" href="{escape(href)}">{needle}</a>' + out[pos + len(needle):]
    return Markup(out)


def _inside_tag(html: str, pos: int) -> bool:
    """True when `pos` falls inside a tag or an existing link (so we never nest or break markup)."""
    return html.rfind("<", 0, pos) > html.rfind(">", 0, pos) or html.rfind("<a ", 0, pos) > html.rfind("</a>", 0, pos)
