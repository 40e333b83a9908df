"""Precision of sector tags: does the record concern the sector it is tagged with? (`regkb eval-sectors`)

WHY pairs: a sector tag is a claim about one (record, NACE code) pair; precision is the share of sampled pairs a
reader judges true. tests/gold/sectors.jsonl holds pairs drawn at random from two extractor outputs (the old
keyword tagging and the scope-based one), shuffled together and labelled blind; each line says which sample(s)
drew it, so the figures of both runs stay reproducible after the old output is gone. The current corpus is then
checked against the same labels: which labelled pairs it still produces, and how many of those are wrong.
"""
from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.nlp.evaluate import fingerprint
from regkb.records import Obligation
from regkb.taxonomy import NO_SECTOR, sector_ancestors

Pair = tuple[str, str, str, str]  # document_id, provision_id, sha1 of the record's sentence, NACE code


def record_pairs(obligations: Iterable[Obligation]) -> set[Pair]:
    """Every (record, sector) pair an extractor output claims (NO_SECTOR claims none)."""
    return {(o.document_id, o.provision_id, fingerprint(o.text)["sha1"], code)
            for o in obligations for code in o.sectors if code != NO_SECTOR}


def draw(pairs: Iterable[Pair], n: int, seed: int) -> list[Pair]:
    """A seeded uniform sample (sorted first, so the same output gives the same sample)."""
    pool = sorted(pairs)
    return random.Random(seed).sample(pool, min(n, len(pool)))


def load_labels(path: Path) -> dict[Pair, dict]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[(row["document_id"], row["provision_id"], row["sha1"], row["sector"])] = row
    return out


@dataclass
class Precision:
    name: str
    pairs: int
    true: int

    @property
    def value(self) -> float:
        return self.true / self.pairs if self.pairs else 0.0

    def interval(self) -> tuple[float, float]:
        """Wilson 95 % interval: a sample of ~100 pairs leaves some ±0.05-0.10 uncertainty."""
        n, p, z = self.pairs, self.value, 1.96
        if not n:
            return 0.0, 0.0
        centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


@dataclass
class SampleFigures:
    precision: Precision
    errors: dict[str, int]  # why the false pairs are false: "other_sector" or "machinery" (see tests/gold/README.md)


def sample_precision(labels: dict[Pair, dict]) -> list[SampleFigures]:
    """Precision of each stored sample ("old", "new", ...), from the labels alone."""
    names = sorted({s for row in labels.values() for s in row["samples"]})
    out = []
    for name in names:
        rows = [r for r in labels.values() if name in r["samples"]]
        errors = {kind: sum(r.get("error") == kind for r in rows) for kind in ("other_sector", "machinery")}
        out.append(SampleFigures(Precision(name, len(rows), sum(r["concerns"] for r in rows)), errors))
    return out


def still_claimed(labels: dict[Pair, dict], produced: set[Pair]) -> dict[str, Precision]:
    """Each sample re-scored on the current output: the precision of its pairs that the output still claims (a
    rule change that drops a sample's false pairs, such as legislative machinery, raises it; one that drops true
    pairs lowers the count without raising it)."""
    names = sorted({s for row in labels.values() for s in row["samples"]})
    out = {}
    for name in names:
        rows = [r for pair, r in labels.items() if name in r["samples"] and pair in produced]
        out[name] = Precision(name, len(rows), sum(r["concerns"] for r in rows))
    return out


def corpus_check(labels: dict[Pair, dict], produced: set[Pair]) -> dict[str, int]:
    """The labelled pairs the current output still claims, how many of them are wrong, and how many pairs
    labelled true it no longer covers (the record is there but carries neither that code, nor a code under it, nor
    a code it stands under; records whose text changed are simply not found)."""
    claimed = [row for pair, row in labels.items() if pair in produced]
    own: dict[tuple[str, str, str], set[str]] = {}
    for p in produced:
        own.setdefault(p[:3], set()).add(p[3])

    def covered(record: tuple[str, str, str], code: str) -> bool:
        """The record carries the code, one under it ('A01.27' for 'A01') or one above it ('C27' for 'C27.20')."""
        return any(code in sector_ancestors(c) or c in sector_ancestors(code) for c in own[record])

    lost = [row for pair, row in labels.items()
            if row["concerns"] and pair[:3] in own and not covered(pair[:3], pair[3])]
    return {"labelled pairs claimed": len(claimed), "of them wrong": sum(not r["concerns"] for r in claimed),
            "true pairs no longer claimed": len(lost)}


def eval_sectors_command(args) -> int:
    """`regkb eval-sectors`: the stored samples' precision, then the current corpus against the same labels."""
    from rich.console import Console
    from rich.table import Table

    from regkb.corpus import Corpus

    try:
        labels = load_labels(args.gold)
    except (OSError, ValueError, KeyError) as exc:
        print(f"regkb eval-sectors: cannot read the labelled pairs {args.gold}: {exc!r}; give the path of "
              "tests/gold/sectors.jsonl (one JSON object per line with document_id, provision_id, sha1, sector, "
              "concerns, samples)")
        return 2
    corpus = Corpus.at(args.data_dir)
    produced = record_pairs(corpus.all_obligations())
    now = still_claimed(labels, produced)
    table = Table(title=f"sector precision on {args.gold} (pairs labelled blind; 'claimed now': those the corpus "
                        f"{args.data_dir} still claims)")
    table.add_column("sample", no_wrap=True)
    for col in ("pairs", "precision", "95 % interval", "wrong sector", "machinery", "claimed now", "their precision"):
        table.add_column(col)
    for fig in sample_precision(labels):
        lo, hi = fig.precision.interval()
        cur = now[fig.precision.name]
        table.add_row(fig.precision.name, str(fig.precision.pairs), f"{fig.precision.value:.3f}", f"{lo:.2f}-{hi:.2f}",
                      str(fig.errors["other_sector"]), str(fig.errors["machinery"]), str(cur.pairs),
                      f"{cur.value:.3f}")
    console = Console()
    console.print(table)
    check = corpus_check(labels, produced)
    console.print(f"current corpus ({args.data_dir}): {len(produced)} (record, sector) pairs; "
                  + "; ".join(f"{k}: {v}" for k, v in check.items()))
    return 0
