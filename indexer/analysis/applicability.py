"""Which instruments apply to a company, why, from when, and what the amendments change.

WHY: lawyers need the exact provision and date; policy staff need to see the
adopted text and the amendment side by side. Both come from the same rules
(config/scope_rules.yaml) evaluated once per version of each act: the current
version decides `applicable`/`not_applicable`, the others fill `changes`.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from regkb.settings import load_config
from indexer.analysis.corpus import Corpus, anchor, resolve_provision
from indexer.analysis.scope_rules import (
    Instrument, Phase, Rule, ScopeRules, describe_condition, format_amount, load_scope_rules, test_condition,
)

EUDR_COMMODITIES = ("cattle", "cocoa", "coffee", "oil_palm", "rubber", "soya", "wood")
MINERALS = ("tin", "tantalum", "tungsten", "gold")
PROFILE_LIMITS: dict[str, int] = load_config("profile")["limits"]
# Bounded figures (config/profile.yaml): no figure can overflow a comparison, none is Infinity or NaN.
Headcount = Annotated[int, Field(ge=0, le=PROFILE_LIMITS["headcount"])]
Amount = Annotated[float, Field(ge=0, le=PROFILE_LIMITS["amount_eur"])]
Text = Annotated[str, Field(max_length=PROFILE_LIMITS["text_chars"])]


class CompanyProfile(BaseModel):
    """What the user tells about the company. Unknown facts stay None and make a rule 'undetermined'.

    Strict and closed (the same in the CLI, the form and the API, and as openapi.yaml describes it): a
    misspelt field or "12" for a number is an error the user sees, not a fact silently taken as unknown."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    name: Optional[Text] = None
    nace: Optional[Text] = Field(None, description="NACE Rev. 2 code of the main activity, e.g. '13.20'")
    employees: Optional[Headcount] = Field(None, description="Average number of employees (FTE) in the last financial year")
    turnover_worldwide_eur: Optional[Amount] = Field(None, description="Net worldwide turnover, last financial year")
    turnover_eu_eur: Optional[Amount] = Field(None, description="Net turnover generated in the Union")
    balance_sheet_total_eur: Optional[Amount] = None
    established_in_eu: Optional[bool] = Field(None, description="Formed under the law of a Member State")
    country: Optional[Text] = None
    ultimate_parent_of_group: bool = False
    group_employees: Optional[Headcount] = None
    group_turnover_worldwide_eur: Optional[Amount] = None
    group_turnover_eu_eur: Optional[Amount] = None
    royalties_eu_eur: Optional[Amount] = Field(None, description="Franchising/licensing royalties earned in the Union")
    listed: bool = Field(False, description="Securities admitted to trading on an EU regulated market")
    financial_undertaking: Optional[Text] = Field(None, description="credit_institution, credit_institution_portfolio_management, insurance_undertaking, investment_firm_portfolio_management, aifm, ucits_management_company, iorp, ...")
    sells_to_dutch_end_users: bool = False
    places_products_on_eu_market: Optional[bool] = None
    commodities: list[Literal["cattle", "cocoa", "coffee", "oil_palm", "rubber", "soya", "wood"]] = []
    eudr_role: Optional[Literal["operator", "downstream_operator", "trader"]] = None
    minerals: list[Literal["tin", "tantalum", "tungsten", "gold"]] = []
    imports_minerals_into_eu: Optional[bool] = None
    minerals_import_above_annex_iii: Optional[bool] = None
    places_batteries_on_market: bool = False
    eu_subsidiary_or_branch_turnover_eur: Optional[Amount] = None


class Link(BaseModel):
    document_id: Optional[str]
    provision_id: Optional[str]
    official_url: str
    in_corpus: bool


class AppliesFrom(BaseModel):
    date: Optional[date]
    basis: str = "date"
    until: Optional[date] = None
    citation: str
    text: str


class Ground(BaseModel):
    """One rule evaluated in one version."""

    rule_id: str
    role: str
    citation: str
    outcome: Literal["met", "not_met", "undetermined"]
    met: list[str] = []
    not_met: list[str] = []
    missing: list[str] = []
    fails_only_on_thresholds: bool = Field(False, description="The company is of this kind but too small")
    link: Link
    applies_from: Optional[AppliesFrom] = None


class VersionResult(BaseModel):
    version_id: str
    label: str
    pending: bool = False
    status: Literal["applicable", "not_applicable", "undetermined"]
    applies_from: Optional[AppliesFrom] = None
    grounds: list[Ground]


class ThresholdChange(BaseModel):
    rule_id: str
    citation: str
    label: str
    values: dict[str, str]


class Item(BaseModel):
    instrument: str
    short_title: str
    title: str
    jurisdiction: str
    official_identifier: str
    official_url: str
    status: Literal["applicable", "not_applicable", "undetermined"]
    reason: str
    citation: str
    link: Link
    applies_from: Optional[AppliesFrom] = None
    grounds: list[Ground] = Field([], description="Every ground met in the current version (an act can apply on several)")
    changes: list[VersionResult] = []
    changes_summary: Optional[str] = None
    threshold_changes: list[ThresholdChange] = []
    obligations: list[dict[str, Any]] = []
    notes: list[str] = []


class Answer(BaseModel):
    profile: CompanyProfile
    derived: dict[str, Any]
    reference_date: date
    applicable: list[Item]
    not_applicable: list[Item]
    undetermined: list[Item]
    below_all_thresholds: bool
    summary: str
    voluntary_frameworks: list[dict[str, str]]
    sector_documents: list[dict[str, Any]] = Field([], description="Texts in the corpus that declare the profile's NACE sector")


# ---- facts ---------------------------------------------------------------------------------

def size_class(profile: CompanyProfile, rules: ScopeRules) -> Optional[str]:
    """micro/small/medium/large per Article 3 of Directive 2013/34/EU: a class is reached when
    at least two of its three limits are not exceeded (unknown figures count as not known)."""
    figures = (profile.balance_sheet_total_eur, profile.turnover_worldwide_eur, profile.employees)
    if sum(f is not None for f in figures) < 2:
        return None
    for cls in rules.definitions.size_classes.classes:
        limits = (cls.balance_sheet_total_eur, cls.turnover_eur, cls.employees)
        within = sum(f is not None and f <= lim for f, lim in zip(figures, limits))
        exceeded = sum(f is not None and f > lim for f, lim in zip(figures, limits))
        if within >= 2:
            return cls.name
        if exceeded < 2:  # one known figure within, one exceeded, the third unknown
            return None
    return "large"


def derive_facts(profile: CompanyProfile, rules: ScopeRules) -> dict[str, Any]:
    """The profile plus the facts the rules test that follow from it (documented in the YAML)."""
    facts = profile.model_dump()
    parent = profile.ultimate_parent_of_group
    facts["group_or_own_employees"] = _max(profile.employees, profile.group_employees if parent else None)
    facts["group_or_own_turnover_worldwide_eur"] = _max(profile.turnover_worldwide_eur, profile.group_turnover_worldwide_eur if parent else None)
    facts["group_or_own_turnover_eu_eur"] = _max(profile.turnover_eu_eur, profile.group_turnover_eu_eur if parent else None)
    facts["size_class"] = size_class(profile, rules)
    facts["is_sme"] = None if facts["size_class"] is None else facts["size_class"] != "large"
    # public-interest entity: listed, or a credit institution / insurer (with or without portfolio management)
    facts["is_pie"] = profile.listed or (profile.financial_undertaking or "").startswith(
        tuple(rules.definitions.public_interest_financial))
    if profile.places_products_on_eu_market is None and (profile.commodities or profile.places_batteries_on_market):
        facts["places_products_on_eu_market"] = True
    return facts


def _max(*values: Optional[float]) -> Optional[float]:
    known = [v for v in values if v is not None]
    return max(known) if known else None


# ---- evaluation ----------------------------------------------------------------------------

def evaluate(profile: CompanyProfile, corpus: Optional[Corpus] = None, rules: Optional[ScopeRules] = None,
             reference_date: Optional[date] = None) -> Answer:
    """The full answer for one company profile."""
    rules = rules or load_scope_rules()
    corpus = corpus or Corpus()
    facts = derive_facts(profile, rules)
    items = [_evaluate_instrument(inst, facts, corpus) for inst in rules.instruments]
    by_status = {s: [i for i in items if i.status == s] for s in ("applicable", "not_applicable", "undetermined")}
    threshold_ids = {inst.id for inst in rules.instruments if inst.threshold_based}
    below = not any(i.instrument in threshold_ids for i in by_status["applicable"] + by_status["undetermined"])
    return Answer(
        profile=profile, derived={k: facts[k] for k in ("size_class", "is_sme", "is_pie", "group_or_own_employees",
                                                         "group_or_own_turnover_worldwide_eur", "group_or_own_turnover_eu_eur")},
        reference_date=reference_date or date.today(), below_all_thresholds=below,
        summary=_summary(by_status, below, rules),
        voluntary_frameworks=[v.model_dump() for v in rules.voluntary_frameworks],
        sector_documents=sector_documents(profile.nace, corpus), **by_status)


def sector_documents(nace: Optional[str], corpus: Corpus) -> list[dict[str, Any]]:
    """One text per act whose declared NACE codes cover the company's code ('10' covers '10.82'),
    e.g. a sector covenant or the EUDR for food manufacturers; the newest English version when there is one."""
    code = (nace or "").strip().lstrip("ABCDEFGHIJKLMNOPQRSTU").strip()
    if not code:
        return []
    chosen: dict[str, Any] = {}
    for doc in corpus.all():
        hits = [s for s in doc.sectors if code == s or code.startswith(s + ".")]
        if not hits:
            continue
        best = chosen.get(doc.act_id)
        rank = (doc.language == "en", doc.dates.version_date or doc.dates.published or date.min)
        if best is None or rank > best[0]:
            chosen[doc.act_id] = (rank, {"document_id": doc.id, "title": doc.title, "short_title": doc.short_title,
                                         "instrument_type": doc.instrument_type, "sectors": hits})
    return [v for _, v in sorted(chosen.values(), key=lambda x: x[1]["document_id"])]


def _evaluate_instrument(inst: Instrument, facts: dict[str, Any], corpus: Corpus) -> Item:
    results = {v.id: _evaluate_version(inst, v.id, facts, corpus) for v in inst.versions}
    current = results[inst.current_version]
    lead = _lead_ground(current)
    item = Item(
        instrument=inst.id, short_title=inst.short_title, title=inst.title, jurisdiction=inst.jurisdiction,
        official_identifier=inst.official_id(), official_url=inst.official_url, status=current.status,
        reason=_reason(inst, current, lead), citation=_cite(lead.citation, inst), link=lead.link,
        applies_from=lead.applies_from, grounds=[g for g in current.grounds if g.outcome == "met"],
        changes=list(results.values()) if len(results) > 1 else [],
        changes_summary=_changes_summary(inst, results), threshold_changes=_threshold_changes(inst),
        notes=inst.notes)
    if current.status != "not_applicable":
        item.obligations = _obligations(inst, current, corpus)
    return item


def _evaluate_version(inst: Instrument, version_id: str, facts: dict[str, Any], corpus: Corpus) -> VersionResult:
    version = inst.version(version_id)
    grounds = [_evaluate_rule(inst, rule, version_id, facts, corpus) for rule in inst.rules_in(version_id)]
    outcomes = {g.outcome for g in grounds}
    status = "applicable" if "met" in outcomes else ("undetermined" if "undetermined" in outcomes else "not_applicable")
    met = [g for g in grounds if g.outcome == "met" and g.applies_from]
    dated = sorted((g.applies_from for g in met), key=lambda a: (a.date is None, a.date or date.max))
    return VersionResult(version_id=version_id, label=version.label, pending=version.pending, status=status,
                         applies_from=dated[0] if dated else None, grounds=grounds)


def _evaluate_rule(inst: Instrument, rule: Rule, version_id: str, facts: dict[str, Any], corpus: Corpus) -> Ground:
    met, not_met, missing, kind_failed = [], [], [], False
    for cond in rule.conditions:
        outcome = test_condition(cond, facts, version_id)
        text = describe_condition(cond, version_id)
        if outcome is True:
            met.append(_with_actual(text, cond.field, facts, cond.unit))
        elif outcome is False:
            not_met.append(_with_actual(text, cond.field, facts, cond.unit))
            kind_failed = kind_failed or cond.metric is None
        else:
            missing.append(cond.field or text)
    outcome = "not_met" if not_met else ("undetermined" if missing else "met")
    ground = Ground(rule_id=rule.id, role=rule.role, citation=rule.citation, outcome=outcome, met=met,
                    not_met=not_met, missing=missing, fails_only_on_thresholds=bool(not_met) and not kind_failed,
                    link=_link(inst, version_id, rule.document, rule.provision, corpus))
    if outcome == "met":
        ground.applies_from = _applies_from(inst, rule, version_id, facts)
    return ground


def _with_actual(text: str, field: Optional[str], facts: dict[str, Any], unit: Optional[str]) -> str:
    actual = facts.get(field) if field else None
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return f"{text} (profile: {format_amount(actual, unit)})"
    if isinstance(actual, list) and actual:
        return f"{text} (profile: {', '.join(str(a).replace('_', ' ') for a in actual)})"
    if isinstance(actual, str):
        return f"{text} (profile: {actual.replace('_', ' ')})"
    return text


def _applies_from(inst: Instrument, rule: Rule, version_id: str, facts: dict[str, Any]) -> Optional[AppliesFrom]:
    if version_id in rule.applies_from:
        return _as_applies_from(rule.applies_from[version_id], inst)
    phased = inst.applies_from.get(version_id)
    if phased is None:
        return None
    for phase in phased.phases:
        if all(test_condition(c, facts, version_id) is True for c in phase.when):
            return _as_applies_from(phase, inst, prefix=phased.citation)
    return None


def _as_applies_from(phase: Phase, inst: Instrument, prefix: str = "") -> AppliesFrom:
    citation = phase.citation if not prefix else f"{phase.citation} ({prefix})"
    if phase.date is None:
        text = phase.note or "date not set"
    elif phase.basis == "financial_year":
        text = f"financial years starting on or after {phase.date:%-d %B %Y}"
        if phase.until:
            text = f"financial years starting between {phase.date:%-d %B %Y} and {phase.until:%-d %B %Y}"
    else:
        text = f"from {phase.date:%-d %B %Y}"
    if phase.note and phase.date is not None:
        text += f"; {phase.note}"
    return AppliesFrom(date=phase.date, basis=phase.basis, until=phase.until, citation=citation, text=text)


def _link(inst: Instrument, version_id: str, document: Optional[str], provision: Optional[str], corpus: Corpus) -> Link:
    doc_id = document or inst.version(version_id).document
    doc = corpus.get(doc_id)
    if doc is not None and provision:
        found = resolve_provision(doc, provision)
        pid = found.id if found else None
        url = (doc.official_url or doc.source_url) + (f"#{anchor(pid)}" if pid and inst.jurisdiction == "EU" else "")
        return Link(document_id=doc.id, provision_id=pid, official_url=url, in_corpus=True)
    url = _official_url(inst, doc_id) + (f"#{anchor(provision)}" if provision and inst.jurisdiction == "EU" else "")
    return Link(document_id=doc_id, provision_id=provision, official_url=url, in_corpus=False)


def _official_url(inst: Instrument, doc_id: Optional[str]) -> str:
    """EUR-Lex page of that very version ('celex-02024L1760-20260318-en' -> CELEX:02024L1760-20260318)."""
    if doc_id and doc_id.startswith("celex-"):
        celex, lang = doc_id[len("celex-"):].rsplit("-", 1)
        return f"https://eur-lex.europa.eu/legal-content/{lang.upper()}/TXT/?uri=CELEX:{celex}"
    return inst.official_url


def _lead_ground(result: VersionResult) -> Ground:
    """The ground that explains the outcome: a met rule, else an undetermined one, else the closest miss."""
    for outcome in ("met", "undetermined"):
        found = [g for g in result.grounds if g.outcome == outcome]
        if found:
            return found[0]
    near = [g for g in result.grounds if g.fails_only_on_thresholds]
    return (near or result.grounds)[0]


def _cite(citation: str, inst: Instrument) -> str:
    """'Article 2(1), point (a) CSDDD'; citations that already name their act stay as they are."""
    names_act = any(w in citation for w in ("Directive", "Regulation", inst.short_title))
    return citation if names_act else f"{citation} {inst.short_title}"


def _reason(inst: Instrument, result: VersionResult, lead: Ground) -> str:
    if result.status == "applicable":
        return f"Applies as {lead.role}: " + "; ".join(lead.met) + "."
    if result.status == "undetermined":
        return (f"Cannot tell whether the ground '{lead.role}' ({_cite(lead.citation, inst)}) applies: "
                f"the profile does not give {', '.join(lead.missing)}.")
    which = f" ({inst.version(result.version_id).label})" if len(inst.versions) > 1 else ""
    return (f"Not in scope{which}: "
            f"{_cite(lead.citation, inst)} requires " + " and ".join(lead.not_met) + ", which the profile does not meet.")


def _changes_summary(inst: Instrument, results: dict[str, VersionResult]) -> Optional[str]:
    if len(results) < 2:
        return None
    parts = []
    for vid, res in results.items():
        when = f" ({res.applies_from.text})" if res.applies_from and res.status == "applicable" else ""
        pending = " (pending proposal)" if res.pending else ""
        parts.append(f"{inst.version(vid).label}{pending}: {res.status.replace('_', ' ')}{when}")
    return "; ".join(parts) + "."


def _threshold_changes(inst: Instrument) -> list[ThresholdChange]:
    """Per rule, the thresholds that differ between versions, side by side."""
    out = []
    for rule in inst.rules:
        for cond in rule.conditions:
            if isinstance(cond.value, dict) and len({str(v) for v in cond.value.values()}) > 1:
                out.append(ThresholdChange(rule_id=rule.id, citation=rule.citation, label=cond.label or cond.field,
                                           values={inst.version(v).label: format_amount(x, cond.unit) for v, x in cond.value.items()}))
    return out


def _obligations(inst: Instrument, result: VersionResult, corpus: Corpus) -> list[dict[str, Any]]:
    """The instrument's key obligations (config), with the extracted obligations of that provision when the corpus has them."""
    wanted = {o for g in result.grounds if g.outcome == "met" for o in _rule(inst, g.rule_id).obligations}
    out = []
    for ob in inst.key_obligations:
        if (wanted and ob.id and ob.id not in wanted) or (ob.versions and result.version_id not in ob.versions):
            continue
        link = _link(inst, result.version_id, ob.document, ob.provision, corpus)
        doc = corpus.get(link.document_id)
        if doc is not None and ob.provision and doc.provision(ob.provision.split(".")[0]) is None:
            continue  # deleted in this version (e.g. CSDDD Article 22 after Omnibus I)
        entry = {"citation": _cite(ob.citation, inst), "summary": ob.summary, "link": link.model_dump()}
        if link.in_corpus and link.document_id:
            extracted = [o for o in corpus.obligations(link.document_id)
                         if ob.provision and (o.provision_id == ob.provision or o.provision_id.startswith(ob.provision + "."))]
            entry["extracted"] = [{"citation": o.citation, "text": o.text, "modality": o.modality} for o in extracted[:3]]
        out.append(entry)
    return out


def _rule(inst: Instrument, rule_id: str) -> Rule:
    return next(r for r in inst.rules if r.id == rule_id)


def _summary(by_status: dict[str, list[Item]], below: bool, rules: ScopeRules) -> str:
    names = lambda items: ", ".join(i.short_title for i in items) or "none"  # noqa: E731
    text = f"Applicable: {names(by_status['applicable'])}. Not applicable: {names(by_status['not_applicable'])}."
    if by_status["undetermined"]:
        text += f" Needs more facts: {names(by_status['undetermined'])}."
    if below:
        text += (" The company is below the thresholds of every size-dependent instrument; the voluntary frameworks still apply: "
                 + "; ".join(v.name for v in rules.voluntary_frameworks) + ".")
    return text
