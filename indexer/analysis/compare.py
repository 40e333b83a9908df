"""Version comparison of one act: provisions and obligations added, removed and changed.

WHY: policy staff ask "what did the Omnibus change in the CSDDD?". Parsers split
an original OJ text finer than a consolidated one, so what is counted as changed is
the top-level unit (article, annex) with the text of its whole subtree. Inside a
changed unit the diff is structured: each paragraph, subparagraph and point is
paired with its counterpart (by id, then by wording when a part was renumbered),
so a change in Article 2(1)(a) is shown at Article 2(1)(a), and the figures that
changed in it (thresholds, dates) are paired old -> new by where they stand in the
text. Consolidation markers (▼M2, ►C1 ◄) are editorial and ignored.
"""
from __future__ import annotations

import difflib
import re
from typing import Literal

from pydantic import BaseModel

from indexer.analysis.corpus import subtree, subtree_text
from indexer.analysis.versions import UNIT_KINDS
from regkb.dates import DATE_RE
from regkb.records import Document, Obligation

_MARKERS = re.compile(r"[▼►◄]\s*[A-Z]?\d*|\(\s+\d+\s+\)|\s+")  # consolidation markers, footnote calls "( 1 )"
_FIGURE_PATTERNS = {
    "date": DATE_RE,  # any language regkb.dates knows ("26 July 2026", "1 januari 2030", "1er janvier 2030")
    "amount": re.compile(r"\bEUR \d{1,3}(?:[ \u00a0]\d{3})+(?![\d])|\bEUR \d+(?:[.,]\d+)? (?:million|billion)\b"),
    "employees": re.compile(r"\b\d{1,3}(?:[ \u00a0]\d{3})*(?= employees)"),
}


class FigurePair(BaseModel):
    """One figure as it was and as it is (None: the figure is new, or gone)."""
    old: str | None = None
    new: str | None = None


class FigureChange(BaseModel):
    kind: Literal["date", "amount", "employees"]
    removed: list[str]
    added: list[str]
    pairs: list[FigurePair] = []


class Segment(BaseModel):
    """A run of words of a word-level diff: in both texts, only in the old one, or only in the new one."""
    op: Literal["equal", "delete", "insert"]
    text: str


class PartChange(BaseModel):
    """One paragraph, subparagraph or point of a changed unit, paired with its counterpart in the other version."""
    provision_id: str
    citation: str
    status: Literal["unchanged", "added", "removed", "changed"]
    old_text: str = ""
    new_text: str = ""
    diff: list[Segment] = []
    figures: list[FigureChange] = []


class ProvisionChange(BaseModel):
    unit_id: str
    citation: str
    heading: str | None = None
    status: Literal["added", "removed", "changed"]
    similarity: float | None = None
    old_text: str = ""
    new_text: str = ""
    diff: list[Segment] = []
    figures: list[FigureChange] = []
    parts: list[PartChange] = []


class ObligationChange(BaseModel):
    status: Literal["added", "removed", "changed"]
    citation: str
    old_text: str | None = None
    new_text: str | None = None
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
    empty_side: bool = False  # one of the two texts has no article or annex (the pages say so in their language)
    notes: list[str] = []

    def counts(self) -> dict[str, int]:
        kinds = ("added", "removed", "changed")
        out = {f"provisions_{s}": sum(p.status == s for p in self.provisions) for s in kinds}
        out.update({f"obligations_{s}": sum(o.status == s for o in self.obligations) for s in kinds})
        return out


def normalise(text: str) -> str:
    return _MARKERS.sub(" ", text.replace("\xa0", " ")).strip()


def units(doc: Document) -> dict[str, tuple[str, str | None, str]]:
    """Top-level units: id -> (citation, heading, text of the whole subtree)."""
    return {p.id: (p.citation, p.heading, normalise(subtree_text(doc, p.id)))
            for p in doc.provisions if p.kind in UNIT_KINDS}


def figures(text: str) -> dict[str, list[str]]:
    """Dates, EUR amounts and employee numbers as written in the text."""
    return {kind: [f for f, _ in found] for kind, found in _figures_at(text).items()}


def _figures_at(text: str) -> dict[str, list[tuple[str, int]]]:
    """Each figure with the index of the word it starts at (the word diff's unit of position)."""
    return {kind: [(re.sub(r"\s", " ", m.group(0)), len(text[:m.start()].split())) for m in pat.finditer(text)]
            for kind, pat in _FIGURE_PATTERNS.items()}


def figure_changes(old: str, new: str) -> list[FigureChange]:
    """Per kind, the figures only the old text has and those only the new one has, paired old -> new."""
    before, after = _figures_at(old), _figures_at(new)
    opcodes = difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).get_opcodes()
    out = []
    for kind in _FIGURE_PATTERNS:
        new_values, old_values = {f for f, _ in after[kind]}, {f for f, _ in before[kind]}
        gone = [(f, i) for f, i in before[kind] if f not in new_values]
        came = [(f, j) for f, j in after[kind] if f not in old_values]
        if gone or came:
            out.append(FigureChange(kind=kind, removed=list(dict.fromkeys(f for f, _ in gone)),
                                    added=list(dict.fromkeys(f for f, _ in came)), pairs=_pair(gone, came, opcodes)))
    return out


def _pair(gone: list[tuple[str, int]], came: list[tuple[str, int]], opcodes) -> list[FigurePair]:
    """Each figure that went paired with the new figure standing nearest to where it stood (its word position
    carried into the new text through the diff); the rest stand alone. In text order, each pair once."""
    def carried(i: int) -> int:
        for _, i1, i2, j1, j2 in opcodes:
            if i1 <= i < i2 or (i1 == i2 == i):
                return min(j1 + (i - i1), max(j1, j2 - 1))
        return opcodes[-1][4] if opcodes else 0

    free = list(came)
    pairs: list[tuple[int, FigurePair]] = []
    for value, i in gone:
        target = carried(i)
        best = min(free, key=lambda fj: abs(fj[1] - target), default=None)
        if best is not None and abs(best[1] - target) <= _PAIR_REACH:
            free.remove(best)
            pairs.append((best[1], FigurePair(old=value, new=best[0])))
        else:
            pairs.append((target, FigurePair(old=value)))
    pairs += [(j, FigurePair(new=value)) for value, j in free]
    seen, out = set(), []
    for _, pair in sorted(pairs, key=lambda p: p[0]):
        if (pair.old, pair.new) not in seen:
            seen.add((pair.old, pair.new))
            out.append(pair)
    return out


_PAIR_REACH = 12  # words: farther apart, a figure that went and one that came are not the same figure changed


def word_diff(old: str, new: str) -> list[Segment]:
    """Word-level diff as data: runs of equal, deleted and inserted words (the page marks them up, the API lists
    them)."""
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


def compare(old: Document, new: Document, old_obligations: list[Obligation] | None = None,
            new_obligations: list[Obligation] | None = None) -> Comparison:
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
                diff=word_diff(before[uid][2], after[uid][2]), figures=figure_changes(before[uid][2], after[uid][2]),
                parts=part_changes(old, new, uid)))
        else:
            unchanged += 1
    available = old_obligations is not None and new_obligations is not None and bool(old_obligations or new_obligations)
    notes = [] if available else ["No extracted obligations for one of the two documents (run `regkb extract`)."]
    if not before or not after:
        notes.append("One of the documents has no articles or annexes to compare.")
    return Comparison(old_id=old.id, new_id=new.id, old_title=old.title, new_title=new.title,
                      units_compared=len(set(before) | set(after)), unchanged=unchanged, provisions=changes,
                      obligations=(compare_obligations(old_obligations or [], new_obligations or [])
                                   if available else []),
                      obligations_available=available, empty_side=not before or not after, notes=notes)


def _parts(doc: Document, unit_id: str) -> dict[str, tuple[str, str]]:
    """The unit's provisions that carry text, in reading order: id -> (citation, normalised own text)."""
    return {p.id: (p.citation, normalise(p.text)) for p in subtree(doc, unit_id) if p.text and normalise(p.text)}


def part_changes(old: Document, new: Document, unit_id: str) -> list[PartChange]:
    """The structured diff of one unit: every part of the newer text in reading order (unchanged ones too, so a
    page can fold them), with the parts only the older text has placed after the part they followed there.

    Parts pair by id; a part left alone on both sides (renumbered, or split differently by the parser) pairs with
    the unpaired part of the other version it is most like (at least 0.6 of its words)."""
    before, after = _parts(old, unit_id), _parts(new, unit_id)
    pairs = {pid: pid for pid in before if pid in after}
    lone_new = [pid for pid in after if pid not in pairs.values()]
    for pid in (p for p in before if p not in pairs):
        words = before[pid][1].split()
        scored = [(difflib.SequenceMatcher(None, words, after[n][1].split(), autojunk=False).ratio(), n)
                  for n in lone_new]
        ratio, match = max(scored, default=(0.0, None))
        if match is not None and ratio >= 0.6:
            pairs[pid] = match
            lone_new.remove(match)
    old_of = {n: o for o, n in pairs.items()}
    out: list[PartChange] = []
    for nid, (citation, text) in after.items():
        oid = old_of.get(nid)
        if oid is None:
            out.append(PartChange(provision_id=nid, citation=citation, status="added", new_text=text))
        elif before[oid][1] == text:
            out.append(PartChange(provision_id=nid, citation=citation, status="unchanged", old_text=text,
                                  new_text=text))
        else:
            out.append(PartChange(provision_id=nid, citation=citation, status="changed", old_text=before[oid][1],
                                  new_text=text, diff=word_diff(before[oid][1], text),
                                  figures=figure_changes(before[oid][1], text)))
    order = list(before)
    for oid in (o for o in before if o not in pairs):
        follows = next((old_of_new for old_of_new in reversed(order[:order.index(oid)]) if old_of_new in pairs), None)
        at = next((i + 1 for i, p in enumerate(out) if follows and p.provision_id == pairs[follows]), 0)
        while at < len(out) and out[at].status == "removed":
            at += 1
        out.insert(at, PartChange(provision_id=oid, citation=before[oid][0], status="removed", old_text=before[oid][1]))
    return out


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


def _best_match(ob: Obligation, candidates: list[Obligation]) -> tuple[Obligation | None, float]:
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
