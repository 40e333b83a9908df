"""Which NACE sectors a record concerns: those its instrument declares and those its provision's scope names.

WHY not keywords: a sentence that mentions "clothing" (ILO C029 on rations given as wages) or "synthetic
textiles" (an ESRS example) does not concern the textile sector; an instrument does when it says so (the EUDR's
commodities, the Batteries Regulation), and so does a provision that delimits the sectors it applies to (ILO
C138 Article 5(3)'s branches). Both are data: config/sources.yaml `sectors` and config/nace.yaml
`provision_scope`. A record that gets no code is of general scope and concerns every sector.
"""
from __future__ import annotations

import re
from functools import cache

from regkb.records import Document
from regkb.settings import load_config
from regkb.taxonomy import NO_SECTOR, sector_ancestors

Rules = dict[str, tuple[tuple[frozenset[str], tuple[str, ...]], ...]]  # act_id -> ((provision ids, codes), ...)


class ScopeConfigError(ValueError):
    """config/nace.yaml `provision_scope` is malformed (the message names the act and what to fix)."""


def nace_code(code: str) -> str:
    """A declared code in the form of config/nace.yaml ('22.1' → 'C22.1', '01' → 'A01'), as the search facets use it."""
    return sector_ancestors(code)[-1]


@cache
def provision_rules() -> Rules:
    """config/nace.yaml `provision_scope`, checked: every rule names provisions and known-form codes."""
    raw = load_config("nace").get("provision_scope") or {}
    out: dict[str, tuple[tuple[frozenset[str], tuple[str, ...]], ...]] = {}
    for act_id, rules in raw.items():
        parsed = []
        for i, rule in enumerate(rules or []):
            provisions, codes = (rule or {}).get("provisions"), (rule or {}).get("sectors")
            if not provisions or not codes:
                raise ScopeConfigError(f"config/nace.yaml provision_scope {act_id} rule {i + 1}: give both "
                                       f"`provisions` (provision ids) and `sectors` (NACE codes)")
            parsed.append((frozenset(map(str, provisions)), tuple(nace_code(str(c)) for c in codes)))
        out[str(act_id)] = tuple(parsed)
    return out


def record_sectors(doc: Document) -> dict[str, frozenset[str]]:
    """Provision id → the sectors its records concern: the document's declared codes, plus the codes of every
    provision_scope rule that names the provision or one of its ancestors (a chapter covers its articles)."""
    declared = frozenset(nace_code(c) for c in doc.sectors)
    rules = provision_rules().get(doc.act_id, ())
    if not rules:
        return {p.id: declared for p in doc.provisions}
    parent = {p.id: p.parent_id for p in doc.provisions}
    out: dict[str, frozenset[str]] = {}
    for p in doc.provisions:
        chain: set[str] = set()
        pid: str | None = p.id
        while pid and pid not in chain:
            chain.add(pid)
            pid = parent.get(pid)
        out[p.id] = declared.union(*(codes for ids, codes in rules if ids & chain))
    return out


@cache
def _machinery() -> tuple[frozenset[str], frozenset[str], dict[str, re.Pattern[str]]]:
    raw = load_config("nace").get("machinery") or {}
    actions = {lang: re.compile(rf"(?:{'|'.join(pats)})\b", re.I) for lang, pats in (raw.get("actions") or {}).items()}
    return frozenset(raw.get("bodies") or ()), frozenset(raw.get("procedural") or ()), actions


def concerns_no_sector(lang: str, duty_bearer: str | None, action: str | None) -> bool:
    """The legislator's own procedure (config/nace.yaml `machinery`): an EU body that runs the legislation, or the
    Commission reviewing, reporting, consulting ... (its action says so), whatever the instrument's sectors."""
    bodies, procedural, actions = _machinery()
    if duty_bearer in bodies:
        return True
    pattern = actions.get(lang)
    return duty_bearer in procedural and pattern is not None and bool(pattern.match(action or ""))


def scope_of(codes: frozenset[str] | set[str], lang: str, duty_bearer: str | None, action: str | None) -> list[str]:
    """A record's sectors: its provision's scope, or NO_SECTOR for legislative machinery."""
    return [NO_SECTOR] if concerns_no_sector(lang, duty_bearer, action) else sorted(codes)
