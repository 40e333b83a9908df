"""Provision look-ups for the analyses over a corpus snapshot (`regkb.corpus.Corpus`).

WHY: applicability, timelines, comparisons and the feed all look documents up
by id and provisions by id; parsers differ in how deep they split a text, so a
provision id that a rule cites ('art_2.par_1.pt_a') falls back to the nearest
ancestor the parser produced ('art_2.par_1', then 'art_2').
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from regkb.corpus import Corpus  # noqa: F401  (the one corpus store; the analyses take its snapshots)
from regkb.records import Document, Provision


def resolve_provision(doc: Document, provision_id: str) -> Provision | None:
    """The provision, or its nearest ancestor that the parser produced."""
    parts = provision_id.split(".")
    while parts:
        found = doc.provision(".".join(parts))
        if found is not None:
            return found
        parts.pop()
    return None


def subtree(doc: Document, provision_id: str) -> Iterator[Provision]:
    """The provision and every descendant, in reading order."""
    ids = {provision_id}
    for p in doc.provisions:
        if p.id == provision_id or (p.parent_id in ids):
            ids.add(p.id)
            yield p


def subtree_text(doc: Document, provision_id: str) -> str:
    return " ".join(p.text for p in subtree(doc, provision_id) if p.text).strip()


def anchor(provision_id: str | None) -> str:
    """EUR-Lex HTML anchors are per article ('#art_2')."""
    return provision_id.split(".")[0] if provision_id else ""


def dump_json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)
