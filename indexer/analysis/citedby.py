"""Who cites a provision and which acts amended or deleted it: inverted indexes over the whole corpus.

WHY keyed by act and provision id, not by document: an act exists in several versions and languages whose
provision ids are the same, and a citation of "Article 3(1)" in the French text of one act cites the English
Article 3 of the cited act just as much. `CitedBy.build` runs once per corpus state (the web app keeps it
with the snapshot), over the references `regkb extract` persisted and the amending acts' instructions
("Article 22 is deleted;", "in Article 10, paragraph 6 is replaced …", wording in config/cross_act.yaml),
completed by the deletions the version chains found.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache

from indexer.analysis.versions import VersionChains, act_label
from regkb.records import Document
from regkb.settings import load_config


@dataclass(frozen=True)
class Citation:
    """A provision of the corpus whose text refers to the cited provision (or to a part of it)."""

    act_id: str
    document_id: str
    provision_id: str
    citation: str
    language: str
    text: str            # the wording of the reference ("Article 3(1), point (a)")
    target_provision_id: str


@dataclass(frozen=True)
class Amendment:
    """An amending act's instruction about one article or annex of another act."""

    kind: str                    # "deleted", "replaced", "inserted" or "amended"
    act_id: str                  # the amending act
    act_label: str               # "Directive (EU) 2026/470"
    document_id: str | None      # the amending act's text (None when only the version chain knows the act)
    provision_id: str | None     # the instruction ("art_4.pt_16")
    citation: str | None         # "Article 4, point (16)"
    language: str | None
    date: date | None            # the day it took effect (a deletion: the first version without the unit)


@dataclass
class CitedBy:
    """(act id, provision id) → the provisions citing it (or one of its parts), and (act id, unit) → amendments."""

    citations: dict[tuple[str, str], list[Citation]]
    amendments: dict[tuple[str, str], list[Amendment]]

    @classmethod
    def build(cls, corpus, chains: VersionChains) -> CitedBy:
        # newest versions first: where several versions cite alike, the list links the newest
        docs = sorted(corpus.all(), key=lambda d: (-(chains.info[d.id].valid_from.toordinal()
                                                     if d.id in chains.info else 0), d.id))
        return cls(_citations(corpus, docs), _amendments(corpus, chains))

    def cited_by(self, act_id: str, provision_id: str, language: str | None = None,
                 document_id: str | None = None) -> list[Citation]:
        """One citation per citing provision (act + provision id): the one in `document_id` (the text being read)
        where it cites, else in the given language where that version cites too, else the newest version's. The
        cited provision's own article is left out (a definition citing its own paragraph)."""
        best: dict[tuple[str, str], Citation] = {}
        for c in self.citations.get((act_id, provision_id), ()):
            key = (c.act_id, c.provision_id)
            held = best.get(key)
            if held is None or c.document_id == document_id or \
                    (held.document_id != document_id and held.language != language and c.language == language):
                best[key] = c
        return sorted(best.values(), key=lambda c: (c.act_id != act_id, c.act_id, _natural(c.provision_id)))

    def amended_by(self, act_id: str, provision_id: str, language: str | None = None) -> list[Amendment]:
        """The amendments of the article or annex that holds the provision, oldest first, one per instruction
        (the instruction in the given language where that version of the amending act exists)."""
        best: dict[tuple[str, str | None], Amendment] = {}
        for a in self.amendments.get((act_id, provision_id.split(".")[0]), ()):
            key = (a.act_id, a.provision_id)
            held = best.get(key)
            if held is None or (held.language != language and a.language == language):
                best[key] = a
        return sorted(best.values(), key=lambda a: (a.date or date.max, a.act_id, _natural(a.provision_id or "")))


def summary(citations: list[Citation]) -> tuple[int, int]:
    """(provisions, acts): "cited by 7 provisions in 3 acts"."""
    return len({(c.act_id, c.provision_id) for c in citations}), len({c.act_id for c in citations})


def _natural(pid: str) -> list:
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", pid)]


def _citations(corpus, docs: list[Document]) -> dict[tuple[str, str], list[Citation]]:
    """Every standing reference with a target provision, under the target and each of its ancestors."""
    out: dict[tuple[str, str], list[Citation]] = defaultdict(list)
    for doc in docs:
        provisions = {p.id: p for p in doc.provisions}
        for ref in corpus.references(doc.id):
            target = corpus.get(ref.target_document_id)
            prov = provisions.get(ref.provision_id)
            if not ref.target_provision_id or target is None or prov is None or \
                    prov.text[ref.start:ref.end] != ref.text:
                continue
            unit = ref.target_provision_id.split(".")[0]
            if target.act_id == doc.act_id and ref.provision_id.split(".")[0] == unit:
                continue  # a provision citing its own article ("paragraph 2 of this Article")
            c = Citation(doc.act_id, doc.id, prov.id, prov.citation, doc.language, ref.text, ref.target_provision_id)
            parts = ref.target_provision_id.split(".")
            for i in range(1, len(parts) + 1):
                out[(target.act_id, ".".join(parts[:i]))].append(c)
    return dict(out)


@dataclass(frozen=True)
class _Wording:
    act: re.Pattern[str]
    unit: re.Pattern[str]
    deleted: re.Pattern[str]
    replaced: re.Pattern[str]


@cache
def _wording(lang: str) -> _Wording | None:
    cfg = load_config("cross_act")["amendments"].get(lang)
    if not cfg:
        return None
    return _Wording(*(re.compile(cfg[k]) for k in ("act", "unit", "deleted", "replaced")))


def _takes_effect(doc: Document) -> date | None:
    return doc.dates.entry_into_force or doc.dates.published or doc.dates.adopted


def _amendments(corpus, chains: VersionChains) -> dict[tuple[str, str], list[Amendment]]:
    out: dict[tuple[str, str], list[Amendment]] = defaultdict(list)
    for doc in corpus.all():
        for (act_id, unit), amendment in _parsed_instructions(doc, corpus):  # first: the parser knows best
            out[(act_id, unit)].append(amendment)
        targets = _amended_acts(doc, corpus)
        if targets:
            for (act_id, unit), amendment in _instructions(doc, targets):
                out[(act_id, unit)].append(amendment)
    _add_deletions(out, corpus, chains)
    return dict(out)


def _amended_acts(doc: Document, corpus) -> dict[str, str]:
    """The acts this one amends (acts.yaml `amends` links), by the number texts cite them with ('2024/1760')."""
    out: dict[str, str] = {}
    for link in doc.links:
        target = corpus.get(link.document_id) if link.relation == "amends" else None
        if target is not None:
            number = target.identifiers.number or _number_of(target.identifiers.celex or "")
            if number:
                out[number] = target.act_id
    return out


def _number_of(celex: str) -> str | None:
    m = re.match(r"^[03](\d{4})[LRD](\d{4})", celex)
    return f"{m.group(1)}/{int(m.group(2))}" if m else None


def _instructions(doc: Document, targets: dict[str, str]):
    """(target act, unit id) and the amendment, for each point of an "X is amended as follows:" article that
    names an article or annex of X."""
    wording = _wording(doc.language)
    if wording is None:
        return
    label, day = act_label(doc), _takes_effect(doc)
    current: tuple[str, int] | None = None  # (target act, level of the article that named it)
    for p in doc.provisions:
        if current and p.level <= current[1]:
            current = None
        if p.kind == "article" or (current is None and p.kind in ("paragraph", "point")):
            m = wording.act.match(p.text or "")
            if m and m.group("number") in targets:
                current = (targets[m.group("number")], p.level)
                continue
        if current is None or p.level != current[1] + 1 or not p.text:
            continue
        m = wording.unit.match(p.text)
        if not m:
            continue
        prefix = "anx" if m.group("kind").lower().startswith(("annex", "anne", "bijl")) else "art"
        kind = "deleted" if wording.deleted.search(p.text.split(":", 1)[0]) else \
            "replaced" if wording.replaced.match(p.text) else "amended"
        yield (current[0], f"{prefix}_{m.group('unit')}"), Amendment(
            kind, doc.act_id, label, doc.id, p.id, p.citation, doc.language, day)


def _parsed_instructions(doc: Document, corpus):
    """The instructions the parser resolved itself (`Provision.amendment` with a target in the corpus): they
    also reach acts whose "is amended as follows" article names them differently. One per instruction that is
    not part of another about the same article; "deleted", "replaced" and "inserted" only when the whole
    article or annex is (a deleted point of Article 13 amends Article 13)."""
    label, day = act_label(doc), _takes_effect(doc)
    by_id = {p.id: p for p in doc.provisions}
    for p in doc.provisions:
        amendment = p.amendment
        if amendment is None or amendment.quoted or not amendment.target_provision_id:
            continue
        target = corpus.get(amendment.target_document_id)
        if target is None:
            continue
        unit = amendment.target_provision_id.split(".")[0]
        parent = by_id.get(p.parent_id or "")
        if parent is not None and parent.amendment is not None and not parent.amendment.quoted and \
                (parent.amendment.target_provision_id or "").split(".")[0] == unit:
            continue
        whole = amendment.target_provision_id == unit
        kind = amendment.operation if whole and amendment.operation in ("deleted", "replaced", "inserted") \
            else "amended"
        yield (target.act_id, unit), Amendment(kind, doc.act_id, label, doc.id, p.id, p.citation, doc.language, day)


def _add_deletions(out: dict[tuple[str, str], list[Amendment]], corpus, chains: VersionChains) -> None:
    """The deletions the version chains saw: dated by the first version without the unit, and an instruction
    of the deleting act marked deleted (or added without one when no instruction was found)."""
    for deletions in chains.deletions.values():
        for d in deletions:
            last = corpus.get(d.last_document_id)
            by = corpus.get(d.by_document_id)
            if last is None:
                continue
            held = out.setdefault((last.act_id, d.unit_id), [])
            found = [a for a in held if by is not None and a.act_id == by.act_id]
            if found:
                held[:] = [a if a not in found else Amendment("deleted", a.act_id, a.act_label, a.document_id,
                                                              a.provision_id, a.citation, a.language, d.deleted_on)
                           for a in held]
            elif not any(a.kind == "deleted" and a.date == d.deleted_on for a in held):
                held.append(Amendment("deleted", by.act_id if by else "", d.by_label or "", by.id if by else None,
                                      None, None, by.language if by else None, d.deleted_on))
