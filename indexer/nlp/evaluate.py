"""Evaluate obligation extraction against the gold set, side by side with a naive cue baseline.

Gold labels (tests/gold/*.jsonl) hold references, never text: document id,
provision id (and end provision id for a sentence spread over an introduction
and its points) and character offsets as `regkb crawl` parses the mirror, plus
hashes of the normalised sentence. Resolution against any corpus data dir:
exact (same document, provisions and offsets, hash checked), else by
fingerprint (the normalised sentence's prefix hash, then full hash) in the same
document and then in any document of that language; this survives a parser
change that splits points into their own provisions or drops paragraph numbers.
Predictions are the extractor's findings on the provisions that the gold span
covers, matched by overlap.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.nlp.lexicon import lexicon
from indexer.nlp.pipeline import Finding, analysis_units, analyze_texts, locate
from regkb.dates import find_dates
from regkb.records import Document
from regkb.taxonomy import role_ancestors

PREFIX = 40
_LABELS = re.compile(r"\((?:[a-z]{1,4}|\d{1,3}|[ivx]{1,6})\)|(?:(?<=\s)|^)\d{1,3}[a-z]?\.(?=\s)|[*][0-9]+")


def normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case alphanumerics only, without point labels and paragraph numbers; with a map back to offsets."""
    cleaned = _LABELS.sub(lambda m: " " * len(m.group(0)), text)
    chars, offsets = [], []
    for i, ch in enumerate(cleaned):
        if ch.isalnum():
            chars.append(ch.lower())
            offsets.append(i)
    return "".join(chars), offsets


def fingerprint(text: str) -> dict:
    norm, _ = normalise(text)
    return {"sha1": hashlib.sha1(norm.encode()).hexdigest(), "prefix": hashlib.sha1(norm[:PREFIX].encode()).hexdigest(),
            "suffix": hashlib.sha1(norm[-PREFIX:].encode()).hexdigest(), "length": len(norm)}


@dataclass
class FlatDoc:
    """A document's provision texts as one normalised string, with the way back to (provision, offset)."""

    doc: Document
    norm: str
    starts: list[int]          # norm offset where each provision begins
    offsets: list[list[int]]   # per provision: norm char -> provision char offset
    prefixes: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, doc: Document) -> FlatDoc:
        parts, starts, offsets, pos = [], [], [], 0
        for p in doc.provisions:
            n, off = normalise(p.text)
            parts.append(n)
            starts.append(pos)
            offsets.append(off)
            pos += len(n)
        flat = cls(doc, "".join(parts), starts, offsets)
        return flat

    def find(self, fp: dict) -> tuple[int, int] | None:
        if not self.prefixes:
            index: dict[str, list[int]] = defaultdict(list)
            for i in range(len(self.norm)):
                index[hashlib.sha1(self.norm[i:i + PREFIX].encode()).hexdigest()].append(i)
            self.prefixes = index
        for i in self.prefixes.get(fp["prefix"], []):
            if hashlib.sha1(self.norm[i:i + fp["length"]].encode()).hexdigest() == fp["sha1"]:
                return i, i + fp["length"]
        for i in self.prefixes.get(fp.get("suffix", ""), []):  # a heading glued to the front in one reading only
            return self.sentence_around(i + PREFIX - 1, fp["length"])
        return None

    def sentence_around(self, pos: int, max_length: int) -> tuple[int, int] | None:
        """The span of the sentence (per segment_text) that ends at normalised offset `pos`, if it is not longer than
        the gold."""
        from indexer.nlp.segment import segment_text
        i = max(bisect.bisect_right(self.starts, pos) - 1, 0)
        text = self.doc.provisions[i].text
        for s, e in segment_text(text, self.doc.language):
            a, b = self.to_norm(i, s, e)
            if a <= pos < b and b - a <= max_length:
                return a, b
        return None

    def to_norm(self, prov_index: int, start: int, end: int) -> tuple[int, int]:
        off = self.offsets[prov_index]
        a, b = bisect.bisect_left(off, start), bisect.bisect_left(off, end)
        return self.starts[prov_index] + a, self.starts[prov_index] + b

    def provisions_in(self, start: int, end: int) -> list[int]:
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        last = max(bisect.bisect_right(self.starts, max(end - 1, start)) - 1, 0)
        return list(range(first, last + 1))


@dataclass
class Prediction:
    modality: str | None
    addressee: str | None = None
    duty_bearer: str | None = None
    deadlines: frozenset = frozenset()
    thresholds: frozenset = frozenset()
    action: str | None = None


ACTION_TOKENS = 30  # records clip the action at 30 words (normative._clip): compare that much
ACTION_MATCH = 0.8  # token F1 from which an action counts as right


def action_tokens(text: str | None) -> list[str]:
    """Lower-case words without point labels ("(a)") or punctuation: the wording, not its layout."""
    return re.findall(r"[^\W_]+(?:[-'’/][^\W_]+)*", _LABELS.sub(" ", (text or "").lower()))[:ACTION_TOKENS]


def action_f1(gold: str, predicted: str | None) -> float:
    """Token F1 (bag of words) between the labelled and the extracted action. The points an introductory sentence
    announces (": (a) ...") lie outside the labelled sentence: they count only if the label has them."""
    if predicted and ":" not in gold:
        predicted = predicted.split(":")[0]
    g, p = action_tokens(gold), action_tokens(predicted)
    common = sum(min(g.count(t), p.count(t)) for t in set(g))
    return 2 * common / (len(g) + len(p)) if common else 0.0


def deadline_key(d: dict) -> str:
    return d["date"] if d.get("date") else (d.get("relative") or "").split(" ")[0]


def threshold_key(t: dict) -> tuple:
    return (t["metric"], float(t["value"]), t["comparison"])


# --- the naive baseline --------------------------------------------------------------------------------------------
_BASE = {"en": [("obligation", r"\b(?:shall|must)\b"), ("permission", r"\bmay\b")],
         "nl": [("obligation", r"\b(?:moet|moeten|dient|dienen)\b"), ("permission", r"\b(?:kan|kunnen|mag|mogen)\b")],
         "fr": [("obligation", r"\b(?:doit|doivent)\b"), ("permission", r"\b(?:peut|peuvent)\b")]}


def baseline(text: str, lang: str) -> Prediction:
    """Only modal cue words: shall/must/may, moet/dient/kan; first addressee word; every date in the sentence."""
    hits = [(m.start(), modality) for modality, rx in _BASE[lang] for m in re.finditer(rx, text, re.I)]
    if not hits:
        return Prediction(None)
    lex = lexicon(lang)
    first = lex.addressee_re.search(text)
    dates = frozenset(d.isoformat() for _, d in find_dates(text))
    who = lex.addressees[re.sub(r"\s+", " ", first.group(0).lower())] if first else None
    return Prediction(min(hits)[1], who, who, dates)


# --- scoring -------------------------------------------------------------------------------------------------------
@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    modality_ok: int = 0
    addressee_ok: int = 0
    duty_bearer_n: int = 0   # gold lines labelled with a duty_bearer (older files have none: skipped)
    duty_bearer_ok: int = 0
    role_n: int = 0          # gold addressees that are a specific role (one with a parent: manufacturers, ...)
    role_ok: int = 0
    deadline_n: int = 0
    deadline_ok: int = 0
    threshold_n: int = 0
    threshold_ok: int = 0
    action_n: int = 0
    action_ok: int = 0
    action_f1_sum: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, gold: dict, pred: Prediction) -> None:
        g, p = gold["modality"], pred.modality
        if g and p:
            self.tp += 1
            self.modality_ok += g == p
            self.addressee_ok += gold.get("addressee") == pred.addressee
            self._parties(gold, pred)
            gd, gt = (
                frozenset(gold.get("deadlines", [])),
                frozenset(threshold_key(t) for t in gold.get("thresholds", [])),
            )
            # a file labelled for other fields (the roles gold) has no deadlines/thresholds key: not counted
            if (gd or pred.deadlines) and "deadlines" in gold:
                self.deadline_n += 1
                self.deadline_ok += gd == pred.deadlines
                if gd != pred.deadlines:
                    self.errors.append(f"{gold['id']}: deadlines gold {sorted(gd)} predicted {sorted(pred.deadlines)}")
            if (gt or pred.thresholds) and "thresholds" in gold:
                self.threshold_n += 1
                self.threshold_ok += gt == pred.thresholds
                if gt != pred.thresholds:
                    self.errors.append(
                        f"{gold['id']}: thresholds gold {sorted(gt)} predicted {sorted(pred.thresholds)}"
                    )
            if gold.get("action"):
                f1 = action_f1(gold["action"], pred.action)
                self.action_n += 1
                self.action_f1_sum += f1
                self.action_ok += f1 >= ACTION_MATCH
                if f1 < ACTION_MATCH:
                    self.errors.append(f"{gold['id']}: action (token F1 {f1:.2f}) gold {gold['action']!r} "
                                       f"predicted {pred.action!r}")
            if g != p or gold.get("addressee") != pred.addressee:
                self.errors.append(f"{gold['id']}: gold {g}/{gold.get('addressee')} predicted {p}/{pred.addressee}")
        elif g and not p:
            self.fn += 1
            self.errors.append(f"{gold['id']}: missed {g}")
        elif p and not g:
            self.fp += 1
            self.errors.append(f"{gold['id']}: false {p}")
        else:
            self.tn += 1

    def _parties(self, gold: dict, pred: Prediction) -> None:
        if "duty_bearer" in gold:
            self.duty_bearer_n += 1
            self.duty_bearer_ok += gold["duty_bearer"] == pred.duty_bearer
            if gold["duty_bearer"] != pred.duty_bearer:
                self.errors.append(f"{gold['id']}: duty_bearer gold {gold['duty_bearer']} predicted {pred.duty_bearer}")
        if len(role_ancestors(gold.get("addressee"))) > 1:
            self.role_n += 1
            self.role_ok += gold["addressee"] == pred.addressee

    def merged(self, other: Scores) -> Scores:
        """Both sets of counts as one (the pooled figures of several gold files of a language)."""
        out = Scores()
        for name, value in vars(self).items():
            setattr(out, name, value + getattr(other, name))
        return out

    def summary(self) -> dict:
        prec = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        rec = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return {
            "n": self.tp + self.fp + self.fn + self.tn,
            "precision": prec,
            "recall": rec,
            "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            "modality_accuracy": self.modality_ok / self.tp if self.tp else 0.0,
            "addressee_accuracy": self.addressee_ok / self.tp if self.tp else 0.0,
            "duty_bearer_accuracy": self.duty_bearer_ok / self.duty_bearer_n if self.duty_bearer_n else 1.0,
            "duty_bearer_n": self.duty_bearer_n,
            "role_accuracy": self.role_ok / self.role_n if self.role_n else 1.0,
            "role_n": self.role_n,
            "deadline_exact": self.deadline_ok / self.deadline_n if self.deadline_n else 1.0,
            "deadline_n": self.deadline_n,
            "threshold_exact": self.threshold_ok / self.threshold_n if self.threshold_n else 1.0,
            "threshold_n": self.threshold_n,
            "action_match": self.action_ok / self.action_n if self.action_n else 1.0,
            "action_f1": self.action_f1_sum / self.action_n if self.action_n else 1.0,
            "action_n": self.action_n,
        }


@dataclass
class EvalResult:
    lang: str
    extractor: Scores
    baseline: Scores
    unresolved: list[str]


GOLD_KEYS = ("id", "document_id", "provision_id", "start", "end", "sha1", "modality")


class GoldFormatError(ValueError):
    """A gold file that is not an obligation gold set (another format, or a malformed line): said with its line."""


def load_gold(path: Path) -> list[dict]:
    """The lines of an obligation gold file; GoldFormatError naming the first line that is not one (bad JSON, or a
    line of another gold format such as tests/gold/amendments.jsonl) instead of a KeyError deep in the scoring."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise GoldFormatError(f"{path}: line {n} is not JSON ({exc}); fix or delete that line") from exc
        missing = [k for k in GOLD_KEYS if not isinstance(row, dict) or k not in row]
        if missing:
            raise GoldFormatError(
                f"{path}: line {n} is not an obligation gold line (no {', '.join(missing)}); regkb eval reads the "
                f"obligation gold sets (tests/gold/README.md: en*.jsonl, nl*.jsonl, fr*.jsonl); amendment labels "
                f"are scored by `python -m indexer.parsing.amendment_eval`")
        out.append(row)
    return out


def _resolve(gold: dict, docs: dict[str, Document], flats: dict[str, FlatDoc]) -> tuple[str, int, int] | None:
    """(document id, norm start, norm end) of a gold sentence in this corpus."""
    doc = docs.get(gold["document_id"])
    candidates = [doc] if doc else []
    candidates += [d for d in docs.values() if d is not doc and d.language == gold.get("language", d.language)]
    for d in candidates:
        flat = flats.get(d.id) or flats.setdefault(d.id, FlatDoc.build(d))
        exact = anchored_span(gold, d, flat)
        if exact:
            return (d.id, *exact)
        hit = flat.find(gold)
        if hit:
            return d.id, *hit
    return None


def anchored_span(gold: dict, d: Document, flat: FlatDoc) -> tuple[int, int] | None:
    """The gold span at its anchor: `start` in `provision_id` to `end` in `end_provision_id` (a sentence the parser
    spreads over an introduction and its points) or in the same provision; None unless the hash matches."""
    ids = {p.id: i for i, p in enumerate(d.provisions)}
    first, last = ids.get(gold["provision_id"]), ids.get(gold.get("end_provision_id", gold["provision_id"]))
    if first is None or last is None or last < first:
        return None
    a = flat.to_norm(first, gold["start"], gold["start"])[0]
    b = flat.to_norm(last, gold["end"], gold["end"])[0]
    if hashlib.sha1(flat.norm[a:b].encode()).hexdigest() == gold["sha1"]:
        return a, b
    if first == last and fingerprint(d.provisions[first].text[gold["start"]:gold["end"]])["sha1"] == gold["sha1"]:
        return flat.to_norm(first, gold["start"], gold["end"])
    return None


def evaluate(gold: list[dict], docs: dict[str, Document], lang: str, prefilter: bool = True) -> EvalResult:
    flats: dict[str, FlatDoc] = {}
    resolved, unresolved = [], []
    for g in gold:
        g.setdefault("language", lang)
        r = _resolve(g, docs, flats)
        (resolved.append((g, r)) if r else unresolved.append(g["id"]))
    needed: dict[str, set[int]] = defaultdict(set)
    for _g, (doc_id, s, e) in resolved:
        needed[doc_id].update(flats[doc_id].provisions_in(s, e))
    findings: dict[str, list[tuple[int, int, Finding]]] = defaultdict(list)
    for doc_id, indexes in needed.items():
        d, flat = docs[doc_id], flats[doc_id]
        units = [u for u in analysis_units(d) if any(i in indexes for i, _ in u.pieces)]
        for unit, found in zip(units, analyze_texts([(u.text, u.ctx) for u in units], d.language, prefilter=prefilter)):
            for f in found:
                spans = locate(unit, f.start, f.end)
                if spans:
                    first, last = flat.to_norm(*spans[0]), flat.to_norm(*spans[-1])
                    findings[doc_id].append((first[0], last[1], f))
    ext, base = Scores(), Scores()
    for g, (doc_id, s, e) in resolved:
        best, best_overlap = None, 0
        for fs, fe, f in findings[doc_id]:
            overlap = min(e, fe) - max(s, fs)
            # an introductory sentence ("The Commission shall:") is read together with its points
            whole_intro = abs(fs - s) <= 2 and fe >= e
            if overlap > best_overlap and (overlap >= 0.5 * max(e - s, fe - fs) or whole_intro):
                best, best_overlap = f, overlap
        ext.add(g, Prediction(best.modality, best.addressee, best.duty_bearer,
                              frozenset(deadline_key(d) for d in best.deadlines),
                              frozenset(threshold_key(t) for t in best.thresholds), best.action)
                if best else Prediction(None))
        base.add(g, baseline(_gold_text(docs[doc_id], flats[doc_id], s, e), lang))
    return EvalResult(lang, ext, base, unresolved)


def _gold_text(doc: Document, flat: FlatDoc, s: int, e: int) -> str:
    """The original text under a normalised span (for the baseline, which sees only the sentence)."""
    parts = []
    for i in flat.provisions_in(s, e):
        off = flat.offsets[i]
        a = max(s - flat.starts[i], 0)
        b = min(e - flat.starts[i], len(off))
        if a < b:
            parts.append(doc.provisions[i].text[off[a]:off[b - 1] + 1])
    return " ".join(parts)


def load_documents(paths: Iterable[Path]) -> dict[str, Document]:
    docs = {}
    for path in paths:
        try:
            d = Document.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        docs[d.id] = d
    return docs
