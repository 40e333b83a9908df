"""Links between documents: language versions, versions of one act, corrigenda, amending acts, proposals.

Links are recomputed from scratch on every call (idempotent), so the crawler
can run it over the whole corpus after each crawl and rewrite what changed;
only what a text itself states (a consolidation's "Amended by" list) is kept.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from regkb.records import Document, Link

from .metadata import act_info, acts, base_celex


def link_documents(docs: list[Document]) -> list[Document]:
    """Copies of `docs` with `links` filled in.

    Existing links are replaced, except the amending acts and corrigenda a consolidation's own header
    names (recorded by the parser, see `_stated`), which are kept and linked back to the act.
    """
    out = [d.model_copy(deep=True) for d in docs]
    for d in out:
        d.links = [link for link in d.links if _stated(d, link)]
    by_version: dict[str, list[Document]] = defaultdict(list)
    by_act: dict[str, list[Document]] = defaultdict(list)
    for d in out:
        by_version[d.version_id].append(d)
        by_act[d.act_id].append(d)
    for d in out:
        for other in by_version[d.version_id]:
            if other.id != d.id:
                d.links.append(Link(document_id=other.id, language=other.language, relation="language_version"))
        _versions(d, by_act[d.act_id])
    _amendments(out, by_act)
    _stated_amendments(out, by_act)
    _amended_provisions(out)
    for d in out:
        d.links = _dedupe(d.links)
    return out


def _order(d: Document) -> tuple[date, str]:
    when = d.dates.version_date or d.dates.published or d.dates.adopted or date.min
    return when, d.version_id


def _versions(d: Document, same_act: list[Document]) -> None:
    """Earlier/later versions in d's language (any language when none exists in it)."""
    if d.instrument_type == "corrigendum":
        for other in same_act:
            if other.instrument_type != "corrigendum" and not other.consolidated and _same_lang(d, other, same_act):
                d.links.append(Link(document_id=other.id, language=other.language, relation="corrects"))
                other.links.append(Link(document_id=d.id, language=d.language, relation="corrected_by"))
        return
    for other in same_act:
        if other.version_id == d.version_id or other.instrument_type == "corrigendum":
            continue
        if not _same_lang(d, other, same_act):
            continue
        relation = "earlier_version" if _order(other) < _order(d) else "later_version"
        label = str(other.dates.version_date or other.dates.published or "") or None
        d.links.append(Link(document_id=other.id, language=other.language, relation=relation, label=label))


def _same_lang(d: Document, other: Document, pool: list[Document]) -> bool:
    if other.language == d.language:
        return True
    return not any(o.language == d.language and o.version_id == other.version_id for o in pool)


def _amendments(docs: list[Document], by_act: dict[str, list[Document]]) -> None:
    act_of = {info.get("act_id"): key for key, info in acts().items()}
    for d in docs:
        key = act_of.get(d.act_id) or base_celex(d.identifiers.celex)
        info = act_info(key)
        targets = list(info.get("amends") or [])
        relation_pairs = [("amends", "amended_by", t) for t in targets]
        if info.get("proposal_of"):
            relation_pairs.append(("proposal_of", "adopted_as", info["proposal_of"]))
        for forward, backward, target in relation_pairs:
            target_act = (act_info(target) or {}).get("act_id")
            if not target_act:
                continue
            originals = [o for o in by_act.get(target_act, []) if not o.consolidated
                         and o.instrument_type != "corrigendum"] or by_act.get(target_act, [])
            for o in originals:
                if _same_lang(d, o, originals):
                    d.links.append(Link(document_id=o.id, language=o.language, relation=forward))
                    o.links.append(Link(document_id=d.id, language=d.language, relation=backward,
                                        label=d.short_title or d.identifiers.number))


# A consolidation's header names its amending acts and corrigenda with the marker the text uses ("M2 Directive
# (EU) 2026/470", "C1 Corrigendum, OJ L 90894, …"): the parser records them, re-linking keeps them.
STATED_LABEL = re.compile(r"^[A-Z]{1,2}\d{1,3} \S")  # M1 (amending act), C1 (corrigendum), A1 (accession act)


def _stated(d: Document, link: Link) -> bool:
    return (d.consolidated and link.relation in ("amended_by", "corrected_by")
            and bool(STATED_LABEL.match(link.label or "")))


def _stated_amendments(docs: list[Document], by_act: dict[str, list[Document]]) -> None:
    """The amending acts a consolidation names amend its act: link them with the act's OJ documents both ways."""
    by_id = {d.id: d for d in docs}
    for d in docs:
        if not d.consolidated:
            continue
        originals = [o for o in by_act.get(d.act_id, []) if not o.consolidated and o.instrument_type != "corrigendum"]
        for link in [lnk for lnk in d.links if lnk.relation == "amended_by" and _stated(d, lnk)]:
            amending = by_id.get(link.document_id)
            if amending is None or amending.act_id == d.act_id:
                continue
            for o in originals:
                if _same_lang(amending, o, originals):
                    amending.links.append(Link(document_id=o.id, language=o.language, relation="amends"))
                    o.links.append(Link(document_id=amending.id, language=amending.language, relation="amended_by",
                                        label=amending.short_title or amending.identifiers.number))


def _dedupe(links: list[Link]) -> list[Link]:
    seen: set[tuple[str, str]] = set()
    out = []
    for link in sorted(links, key=lambda lk: (lk.relation, lk.document_id)):
        if (link.document_id, link.relation) not in seen:
            seen.add((link.document_id, link.relation))
            out.append(link)
    return out


def _amended_provisions(docs: list[Document]) -> None:
    """Point each amending provision at the amended act's text in its language, when the corpus holds that act:
    the first consolidation that includes the amendment, else the latest one, else the act as adopted. The
    provision id is the amended place itself or, where that text numbers differently, its nearest enclosing unit."""
    by_celex: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        if d.identifiers.celex and d.instrument_type != "corrigendum":
            by_celex[base_celex(d.identifiers.celex) or ""].append(d)
    ids = {d.id: {p.id for p in d.provisions} for d in docs}
    for d in docs:
        when = d.dates.adopted or d.dates.published or date.min
        for p in d.provisions:
            a = p.amendment
            if a is None:
                continue
            a.target_document_id = None
            target = _amended_text(by_celex.get(a.act_celex or "", []), d.language, when)
            if target is None:
                continue
            a.target_document_id = target.id
            place = a.target_provision_id
            while place and place not in ids[target.id]:
                place = place.rsplit(".", 1)[0] if "." in place else None
            a.target_provision_id = place or a.target_provision_id


def _amended_text(texts: list[Document], language: str, after: date) -> Document | None:
    same = [t for t in texts if t.language == language]
    if not same:
        return None
    later = sorted((t for t in same if t.consolidated and (t.dates.version_date or date.min) >= after), key=_order)
    if later:
        return later[0]
    return max(same, key=lambda t: (t.consolidated, _order(t)))
