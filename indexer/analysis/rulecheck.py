"""`regkb applicability --check-rules`: do the thresholds in scope_rules.yaml match the law?

WHY: a hand-typed threshold (5 000 employees, EUR 1 500 000 000) is the most
dangerous kind of error in an applicability answer. Every numeric condition
is compared with the thresholds the extractor finds in the provision the rule
cites, in the version of the text the rule belongs to: from the extracted
obligations when `regkb extract` has run, otherwise by running the extractor
on the provision text.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from indexer.analysis.corpus import Corpus, resolve_provision, subtree_text
from indexer.analysis.scope_rules import Condition, Instrument, ScopeRules, format_amount, load_scope_rules

Status = Literal["ok", "disagrees", "not_checkable"]


class CheckRow(BaseModel):
    instrument: str
    version: str
    rule: str
    citation: str
    document_id: str | None
    provision_id: str | None
    metric: str
    comparison: str
    rule_value: float
    found: list[str]
    source: str
    status: Status
    message: str


def check_rules(corpus: Corpus, rules: ScopeRules | None = None) -> list[CheckRow]:
    rules = rules or load_scope_rules()
    rows: list[CheckRow] = []
    for inst in rules.instruments:
        for version in inst.versions:
            for rule in inst.rules_in(version.id):
                doc_id = rule.document or version.document
                for cond in _numeric(rule.conditions, version.id):
                    src = cond.source_for(version.id)
                    rows.append(_check(inst, version.id, rule.id, rule.citation, (src and src.document) or doc_id,
                                       src.provision if src else rule.provision, cond, corpus))
            phased = inst.applies_from.get(version.id)
            if phased:
                for phase in phased.phases:
                    for cond in _numeric(phase.when, version.id):
                        rows.append(_check(inst, version.id, f"applies_from:{phase.date}", phase.citation,
                                           version.document, phased.provision, cond, corpus))
    return rows


def _numeric(conditions: list[Condition], version: str) -> list[Condition]:
    out = []
    for c in conditions:
        out.extend(_numeric(c.any, version))
        if c.metric and c.applies_in(version) and isinstance(c.value_for(version), (int, float)):
            out.append(c)
    return out


def _check(inst: Instrument, version: str, rule_id: str, citation: str, doc_id: str | None, provision: str | None,
           cond: Condition, corpus: Corpus) -> CheckRow:
    value = float(cond.value_for(version))
    base = dict(instrument=inst.id, version=version, rule=rule_id, citation=citation, document_id=doc_id,
                metric=cond.metric, comparison=cond.op, rule_value=value)
    doc = corpus.get(doc_id)
    if not inst.text_in_corpus or doc is None or not provision:
        why = "text not in the corpus" if not inst.text_in_corpus else f"document {doc_id} not in the data folder"
        return CheckRow(**base, provision_id=provision, found=[], source="-", status="not_checkable", message=why)
    prov = resolve_provision(doc, provision)
    if prov is None:
        return CheckRow(**base, provision_id=provision, found=[], source="-", status="not_checkable",
                        message=f"provision {provision} not found in {doc_id}")
    found, source = extracted_thresholds(corpus, doc, prov.id)
    if source == "unavailable":
        return CheckRow(**base, provision_id=prov.id, found=[], source=source, status="not_checkable",
                        message="no extracted obligations and the extractor cannot be loaded")
    shown = sorted({f"{t['metric']} {t.get('comparison', '?')} {format_amount(t['value'])}" for t in found})
    match = [t for t in found if _same_metric(t["metric"], cond.metric) and abs(float(t["value"]) - value) < 0.5]
    if not match:
        return CheckRow(**base, provision_id=prov.id, found=shown, source=source, status="disagrees",
                        message=f"{cond.metric} {format_amount(value)} not found in {prov.citation}")
    if not any(t.get("comparison") in (cond.op, None, "equal", _COMPLEMENT.get(cond.op or "")) for t in match):
        return CheckRow(**base, provision_id=prov.id, found=shown, source=source, status="disagrees",
                        message=f"value found but as {match[0].get('comparison')}, rule says {cond.op}")
    return CheckRow(**base, provision_id=prov.id, found=shown, source=source, status="ok", message="")


# An exemption bounds the complement: "does not apply below EUR 40 million" is the rule "at least 40 million".
_COMPLEMENT = {"at_least": "less_than", "less_than": "at_least", "more_than": "at_most", "at_most": "more_than"}


def _same_metric(found: str, wanted: str | None) -> bool:
    """The extractor may call a turnover figure a plain EUR 'amount' when the words around it vary."""
    return found == wanted or {found, wanted} <= {"turnover", "amount"}


def extracted_thresholds(corpus: Corpus, doc, provision_id: str) -> tuple[list[dict[str, Any]], str]:
    """Thresholds of the provision's subtree: those on the extracted obligations (obligations/*.jsonl) plus those
    the extractor's threshold finder reads in the provision text (scope provisions such as 'this Directive shall
    apply ... from 26 July 2028 as regards companies ... more than 3 000 employees' are not always obligations)."""
    prefix = provision_id + "."
    obligations = [
        o for o in corpus.obligations(doc.id) if o.provision_id == provision_id or o.provision_id.startswith(prefix)
    ]
    found = [t.model_dump() for o in obligations for t in o.thresholds]
    sources = ["obligations"] if found else []
    from indexer.nlp import fields  # the extractor's threshold finder (no spaCy model needed)
    found += [f.value for f in fields.find_thresholds(subtree_text(doc, provision_id))]
    return found, "+".join(sources + ["extractor"])
