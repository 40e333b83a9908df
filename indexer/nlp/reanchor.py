"""Re-anchor gold lines after a parser change: `python -m indexer.nlp.reanchor OLD_DATA_DIR NEW_DATA_DIR GOLD...`.

WHY: gold lines (tests/gold/*.jsonl) point at provision ids and offsets of one parse of the mirror, and
tests/nlp/test_gold.py checks they sit exactly there. When a parser change moves text, crawl the mirror into a
new data dir and run this with the old one (that the lines are anchored to): each line whose anchor no longer holds
gets its sentence from OLD and is found by its normalised text in NEW (same document id, else another version of
the same act and language), and document_id, provision_id(s), offsets and hashes are rewritten. Labels are never
touched; a line that cannot be found is left as it is and named, for a person to decide.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import sys
from pathlib import Path

from indexer.nlp.evaluate import PREFIX, FlatDoc, anchored_span, load_documents
from regkb.records import Document


class Anchors:
    """A corpus (documents by id) with its flattened, normalised texts built on demand."""

    def __init__(self, docs: dict[str, Document]):
        self.docs = docs
        self._flats: dict[str, FlatDoc] = {}

    def flat(self, doc: Document) -> FlatDoc:
        return self._flats.get(doc.id) or self._flats.setdefault(doc.id, FlatDoc.build(doc))

    def sentence(self, gold: dict) -> str | None:
        """The normalised text a line is anchored to here, or None when its anchor does not hold."""
        doc = self.docs.get(gold["document_id"])
        span = anchored_span(gold, doc, self.flat(doc)) if doc else None
        return self.flat(doc).norm[span[0]:span[1]] if doc and span else None

    def candidates(self, gold: dict) -> list[Document]:
        doc = self.docs.get(gold["document_id"])
        act = doc.act_id if doc else None
        same_act = [d for d in self.docs.values() if d is not doc and act and d.act_id == act
                    and d.language == gold.get("language", d.language)]
        return ([doc] if doc else []) + sorted(same_act, key=lambda d: d.id)

    def find(self, norm: str, gold: dict) -> tuple[Document, int, int] | None:
        """Where the normalised sentence is, preferring the provision of the line's own id (short instructions such
        as "paragraph 3 is replaced by the following:" recur)."""
        for doc in self.candidates(gold):
            flat = self.flat(doc)
            own = next((i for i, p in enumerate(doc.provisions) if p.id == gold["provision_id"]), None)
            k = flat.norm.find(norm, flat.starts[own]) if own is not None else -1
            if own is not None and k > flat.starts[own] + len(flat.offsets[own]):
                k = -1
            if k < 0:
                k = flat.norm.find(norm)
            if k >= 0:
                return doc, k, k + len(norm)
        return None

    def find_part(self, norm: str, gold: dict) -> tuple[Document, int, int] | None:
        """The longest front or back part (at least half) the new reading keeps: a heading, footnote or instruction
        glued to the sentence in the old one."""
        for cut in range(1, len(norm) // 2):
            for part in (norm[cut:], norm[:-cut]):
                hit = self.find(part, gold)
                if hit:
                    return hit
        return None

    def anchor(self, doc: Document, a: int, b: int) -> dict:
        """The anchor fields of normalised span [a, b) of `doc`."""
        flat = self.flat(doc)
        i, j = bisect.bisect_right(flat.starts, a) - 1, bisect.bisect_right(flat.starts, b - 1) - 1
        text = flat.norm[a:b]
        fields = {"document_id": doc.id, "provision_id": doc.provisions[i].id,
                  "start": flat.offsets[i][a - flat.starts[i]], "end": flat.offsets[j][b - 1 - flat.starts[j]] + 1,
                  "sha1": hashlib.sha1(text.encode()).hexdigest(),
                  "prefix": hashlib.sha1(text[:PREFIX].encode()).hexdigest(),
                  "suffix": hashlib.sha1(text[-PREFIX:].encode()).hexdigest(), "length": len(text)}
        if i != j:
            fields["end_provision_id"] = doc.provisions[j].id
        return fields


def reanchor(lines: list[dict], old: Anchors, new: Anchors) -> tuple[list[dict], list[str]]:
    """The lines with anchors that hold in `new`, and the ids of those that could not be moved."""
    out, lost = [], []
    for gold in lines:
        if "provision_id" not in gold or new.sentence(gold) is not None:
            out.append(gold)
            continue
        norm = old.sentence(gold)
        hit = (new.find(norm, gold) or new.find_part(norm, gold)) if norm else None
        if not hit:
            lost.append(gold["id"])
            out.append(gold)
            continue
        moved = {k: v for k, v in gold.items() if k != "end_provision_id"}
        moved.update(new.anchor(*hit))
        out.append(moved)
    return out, lost


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    old, new = (Anchors(load_documents((Path(d) / "documents").glob("*.json"))) for d in argv[:2])
    for path in map(Path, argv[2:]):
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        moved, lost = reanchor(lines, old, new)
        path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in moved), encoding="utf-8")
        changed = sum(a != b for a, b in zip(lines, moved))
        print(f"{path}: {changed} re-anchored" + (f", not found (left as they are): {', '.join(lost)}" if lost else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
