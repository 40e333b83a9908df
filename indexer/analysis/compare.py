"""Version comparison of one act: provisions and obligations added, removed and changed.

WHY: policy staff ask "what did the Omnibus change in the CSDDD?". Parsers split
an original OJ text finer than a consolidated one, so provisions are compared
per top-level unit (article, annex) with the text of its whole subtree; the
word-level diff and the figures (thresholds, dates) that changed show the detail.
Consolidation markers (▼M2, ►C1 ◄) are editorial and ignored.
"""
from __future__ import annotations

import difflib
import re
from typing import Literal, Optional

from pydantic import BaseModel

from regkb.dates import DATE_RE
from regkb.records import Document, Obligation

from indexer.analysis.corpus import subtree_text

UNIT_KINDS = ("article", "annex", "appendix")
_MARKERS = re.compile(r"[▼►◄]\s*[A-Z]?\d*|\(\s+\d+\s+\)|\s+")  # consolidation markers, footnote calls "( 1 )"
_FIGURE_PATTERNS = {
    "date": DATE_RE,  # any language regkb.dates knows ("26 July 2026", "1 januari 2030", "1er janvier 2030")
    "amount": re.compile(r"\bEUR \d{1,3}(?:[ \u00a0]\d{3})+(?![\d])|\bEUR \d+(?:[.,]\d+)? (?:million|billion)\b"),
    "employees": re.compile(r"\b\d{1,3}(?:[ \u00a0]\d{3})*(?= employees)"),
}


class FigureChange(BaseModel):
    kind: Literal["date", "amount", "employees"]
    removed: list[str]
    added: list[str]


class Segment(BaseModel):
    """A run of words of a word-level diff: in both texts, only in the old one, or only in the new one."""
    op: Literal["equal", "delete", "insert"]
    text: str


class ProvisionChange(BaseModel):
    unit_id: str
    citation: str
    heading: Optional[str] = None
    status: Literal["added", "removed", "changed"]
    similarity: Optional[float] = None
    old_text: str = ""
    new_text: str = ""
    diff: list[Segment] = []
    figures: list[FigureChange] = []


class ObligationChange(BaseModel):
    status: Literal["added", "removed", "changed"]
    citation: str
    old_text: Optional[str] = None
    new_text: Optional[str] = None
    diff: list[Segment] = []
    thresholds_removed: list[str] = []
    thresholds_added: list[str] = []
    deadlines_removed: list[str] = []
    deadlines_added: list[str] = []


class Comparison(BaseModel):
    old_id: str
    new_id: str
    old_title: str
    new_title: str
    units_compared: int
    unchanged: int
    provisions: list[ProvisionChange]
    obligations: list[ObligationChange]
    obligations_available: bool
    notes: list[str] = []

    def counts(self) -> dict[str, int]:
        out = {f"provisions_{s}": sum(p.status == s for p in self.provisions) for s in ("added", "removed", "changed")}
        out.update({f"obligations_{s}": sum(o.status == s for o in self.obligations) for s in ("added", "removed", "changed")})
        return out


def normalise(text: str) -> str:
    return _MARKERS.sub(" ", text.replace("\xa0", " ")).strip()


def units(doc: Document) -> dict[str, tuple[str, Optional[str], str]]:
    """Top-level units: id -> (citation, heading, text of the whole subtree)."""
    return {p.id: (p.citation, p.heading, normalise(subtree_text(doc, p.id)))
            for p in doc.provisions if p.kind in UNIT_KINDS}


def figures(text: str) -> dict[str, list[str]]:
    """Dates, EUR amounts and employee numbers as written in the text."""
    return {kind: [re.sub(r"\s", " ", m.group(0)) for m in pat.finditer(text)] for kind, pat in _FIGURE_PATTERNS.items()}


def figure_changes(old: str, new: str) -> list[FigureChange]:
    before, after = figures(old), figures(new)
    out = []
    for kind in _FIGURE_PATTERNS:
        removed = [f for f in dict.fromkeys(before[kind]) if f not in after[kind]]
        added = [f for f in dict.fromkeys(after[kind]) if f not in before[kind]]
        if removed or added:
            out.append(FigureChange(kind=kind, removed=removed, added=added))
    return out


def word_diff(old: str, new: str) -> list[Segment]:
    """Word-level diff as data: runs of equal, deleted and inserted words (the page marks them up, the API lists them)."""
    a, b = old.split(), new.split()
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Segment(op="equal", text=" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(Segment(op="delete", text=" ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(Segment(op="insert", text=" ".join(b[j1:j2])))
    return out


def compare(old: Document, new: Document, old_obligations: Optional[list[Obligation]] = None,
            new_obligations: Optional[list[Obligation]] = None) -> Comparison:
    before, after = units(old), units(new)
    changes: list[ProvisionChange] = []
    unchanged = 0
    for uid in sorted(set(before) | set(after), key=lambda u: _order(u, old, new)):
        if uid not in after:
            cit, head, text = before[uid]
            changes.append(ProvisionChange(unit_id=uid, citation=cit, heading=head, status="removed", old_text=text))
        elif uid not in before:
            cit, head, text = after[uid]
            changes.append(ProvisionChange(unit_id=uid, citation=cit, heading=head, status="added", new_text=text))
        elif before[uid][2] != after[uid][2]:
            ratio = difflib.SequenceMatcher(None, before[uid][2].split(), after[uid][2].split(), autojunk=False).ratio()
            changes.append(ProvisionChange(
                unit_id=uid, citation=after[uid][0], heading=after[uid][1] or before[uid][1], status="changed",
                similarity=round(ratio, 3), old_text=before[uid][2], new_text=after[uid][2],
                diff=word_diff(before[uid][2], after[uid][2]), figures=figure_changes(before[uid][2], after[uid][2])))
        else:
            unchanged += 1
    available = old_obligations is not None and new_obligations is not None and bool(old_obligations or new_obligations)
    notes = [] if available else ["No extracted obligations for one of the two documents (run `regkb extract`)."]
    if not before or not after:
        notes.append("One of the documents has no articles or annexes to compare.")
    return Comparison(old_id=old.id, new_id=new.id, old_title=old.title, new_title=new.title,
                      units_compared=len(set(before) | set(after)), unchanged=unchanged, provisions=changes,
                      obligations=compare_obligations(old_obligations or [], new_obligations or []) if available else [],
                      obligations_available=available, notes=notes)


def compare_obligations(old: list[Obligation], new: list[Obligation]) -> list[ObligationChange]:
    """Pair obligations of the same article by text similarity (>= 0.6 is 'changed', identical is unchanged)."""
    out: list[ObligationChange] = []
    by_unit_new: dict[str, list[Obligation]] = {}
    for ob in new:
        by_unit_new.setdefault(_unit_of(ob.provision_id), []).append(ob)
    for ob in old:
        candidates = by_unit_new.get(_unit_of(ob.provision_id), [])
        best, ratio = _best_match(ob, candidates)
        if best is None:
            out.append(ObligationChange(status="removed", citation=ob.citation, old_text=ob.text))
            continue
        candidates.remove(best)
        if ratio < 1.0:
            a, b = normalise(ob.text), normalise(best.text)
            if a != b:
                out.append(ObligationChange(status="changed", citation=best.citation, old_text=ob.text,
                                            new_text=best.text, diff=word_diff(a, b), **_field_changes(ob, best)))
    for rest in by_unit_new.values():
        out.extend(ObligationChange(status="added", citation=ob.citation, new_text=ob.text) for ob in rest)
    return out


def _field_changes(old: Obligation, new: Obligation) -> dict[str, list[str]]:
    """Thresholds and deadlines the extractor found, before and after (the structured view of 'what changed')."""
    def thresholds(ob: Obligation) -> list[str]:
        return [f"{t.metric} {t.comparison.replace('_', ' ')} {t.value:,.0f}" for t in ob.thresholds]

    def deadlines(ob: Obligation) -> list[str]:
        return [d.date.isoformat() if d.date else (d.relative or d.text) for d in ob.deadlines]

    out = {}
    for name, fn in (("thresholds", thresholds), ("deadlines", deadlines)):
        before, after = fn(old), fn(new)
        out[f"{name}_removed"] = [x for x in before if x not in after]
        out[f"{name}_added"] = [x for x in after if x not in before]
    return out


def _best_match(ob: Obligation, candidates: list[Obligation]) -> tuple[Optional[Obligation], float]:
    best, best_ratio = None, 0.0
    a = normalise(ob.text).split()
    for cand in candidates:
        ratio = difflib.SequenceMatcher(None, a, normalise(cand.text).split(), autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = cand, ratio
    return (best, best_ratio) if best_ratio >= 0.6 else (None, 0.0)


def _unit_of(provision_id: str) -> str:
    return provision_id.split(".")[0]


def _order(uid: str, old: Document, new: Document) -> tuple[int, int, str]:
    """Articles in numeric order, then annexes."""
    m = re.match(r"art_(\d+)([a-z]*)", uid)
    if m:
        return (0, int(m.group(1)), m.group(2))
    return (1, 0, uid)
