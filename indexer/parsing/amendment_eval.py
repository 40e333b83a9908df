"""Accuracy of the amending-act parser on tests/gold/amendments.jsonl (labelled by hand from the texts).

Each gold line names a document, the amending location ('Article 1(7)') and, for quoted text, how the provision
starts; the parsed provision there must name the amended act (CELEX), the place in it and the operation.

    python -m indexer.parsing.amendment_eval --data-dir corpus
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from regkb.records import Document, Provision

GOLD = Path(__file__).resolve().parents[2] / "tests" / "gold" / "amendments.jsonl"
FIELDS = ("found", "act", "target", "operation")


def load_gold(path: Path = GOLD) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def find(doc: Document, item: dict) -> Provision | None:
    """The provision the gold line is about: the instruction at `by`, or the quoted provision starting so."""
    for p in doc.provisions:
        a = p.amendment
        if a is None or a.by != item["by"] or a.quoted != item["quoted"]:
            continue
        if not item["quoted"] or p.text.startswith(item.get("starts", "")):
            return p
    return None


def evaluate(gold: list[dict], docs: dict[str, Document]) -> dict[str, dict[str, float]]:
    """Per language and overall: the share of gold lines whose provision is found and whose fields match."""
    hits: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    totals: dict[str, int] = defaultdict(int)
    for item in gold:
        doc = docs.get(item["document"])
        lang = item["document"].rsplit("-", 1)[-1]
        p = find(doc, item) if doc else None
        got = {"found": p is not None}
        if p is not None and p.amendment is not None:
            got |= {"act": p.amendment.act_celex == item["act"], "target": p.amendment.target == item["target"],
                    "operation": p.amendment.operation == item["operation"]}
        for group in (lang, "all"):
            totals[group] += 1
            for f in FIELDS:
                hits[group][f] += int(bool(got.get(f)))
    return {g: {"n": float(totals[g]), **{f: hits[g][f] / totals[g] for f in FIELDS}} for g in totals}


def misses(gold: list[dict], docs: dict[str, Document]) -> list[str]:
    """What went wrong, one line per gold item (for the report)."""
    out = []
    for item in gold:
        doc = docs.get(item["document"])
        p = find(doc, item) if doc else None
        a = p.amendment if p else None
        if a is None:
            out.append(f"{item['document']} {item['by']}: not found")
        elif (a.act_celex, a.target, a.operation) != (item["act"], item["target"], item["operation"]):
            out.append(f"{item['document']} {item['by']}: got {a.act_celex} {a.target!r} {a.operation}, "
                       f"expected {item['act']} {item['target']!r} {item['operation']}")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("corpus"))
    ap.add_argument("--gold", type=Path, default=GOLD)
    args = ap.parse_args(argv)
    gold = load_gold(args.gold)
    docs = {}
    for doc_id in {g["document"] for g in gold}:
        path = args.data_dir / "documents" / f"{doc_id}.json"
        if path.exists():
            docs[doc_id] = Document.model_validate_json(path.read_text(encoding="utf-8"))
        else:
            print(f"{path} is missing: build the corpus first (regkb run --no-serve)")
    for group, scores in sorted(evaluate(gold, docs).items()):
        print(f"{group:4} n={int(scores['n']):3} " + " ".join(f"{f}={scores[f]:.3f}" for f in FIELDS))
    for line in misses(gold, docs):
        print("  miss:", line)


if __name__ == "__main__":
    main()
