"""Which instruments apply to a company, why, from when, what it must do first, and what the amendments change.

WHY: lawyers need the exact provision and date; policy staff need to see the
adopted text and the amendment side by side; a compliance officer needs the
answer in their own language with the question that would settle what is open.
All come from the same rules (config/scope_rules.yaml) evaluated once per
version of each act: the current version decides `applicable`/`not_applicable`,
the others fill `changes`. Every text of the answer is in `lang` (the rules'
`{en, nl}` texts and the interface catalogue, indexer/analysis/wording.py);
field names and statuses stay machine-readable for JSON.
"""
from __future__ import annotations

import datetime
from datetime import date
from typing import Annotated, Any, Literal

from babel.dates import format_date
from pydantic import BaseModel, ConfigDict, Field

from indexer.analysis.corpus import Corpus, anchor, resolve_provision
from indexer.analysis.scope_rules import (
    Condition,
    Instrument,
    Phase,
    Presumption,
    Rule,
    ScopeRules,
    describe_condition,
    format_amount,
    load_scope_rules,
    test_condition,
)
from indexer.analysis.wording import Lang, field_name, field_question, gettext_for, status_name, value_name
from regkb.settings import load_config

Status = Literal["applicable", "not_applicable", "undetermined"]
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

    name: Text | None = None
    nace: Text | None = Field(None, description="NACE Rev. 2 code of the main activity, e.g. '13.20'")
    employees: Headcount | None = Field(
        None, description="Average number of employees (FTE) in the last financial year"
    )
    turnover_worldwide_eur: Amount | None = Field(None, description="Net worldwide turnover, last financial year")
    turnover_eu_eur: Amount | None = Field(None, description="Net turnover generated in the Union")
    balance_sheet_total_eur: Amount | None = None
    established_in_eu: bool | None = Field(None, description="Formed under the law of a Member State")
    country: Text | None = None
    ultimate_parent_of_group: bool = False
    group_employees: Headcount | None = None
    group_turnover_worldwide_eur: Amount | None = None
    group_turnover_eu_eur: Amount | None = None
    royalties_eu_eur: Amount | None = Field(None, description="Franchising/licensing royalties earned in the Union")
    listed: bool = Field(False, description="Securities admitted to trading on an EU regulated market")
    financial_undertaking: Text | None = Field(
        None,
        description="credit_institution, credit_institution_portfolio_management, insurance_undertaking, "
        "investment_firm_portfolio_management, aifm, ucits_management_company, iorp, ...",
    )
    sells_to_dutch_end_users: bool = False
    places_products_on_eu_market: bool | None = None
    commodities: list[Literal["cattle", "cocoa", "coffee", "oil_palm", "rubber", "soya", "wood"]] = []
    eudr_role: Literal["operator", "downstream_operator", "trader"] | None = None
    minerals: list[Literal["tin", "tantalum", "tungsten", "gold"]] = []
    imports_minerals_into_eu: bool | None = None
    minerals_import_above_annex_iii: bool | None = None
    places_batteries_on_market: bool = False
    eu_subsidiary_or_branch_turnover_eur: Amount | None = None


class Link(BaseModel):
    document_id: str | None
    provision_id: str | None
    official_url: str
    in_corpus: bool


class AppliesFrom(BaseModel):
    date: datetime.date | None  # module-qualified: the field name shadows the type in the class body
    basis: str = "date"
    until: datetime.date | None = None
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
    missing: list[str] = Field([], description="Profile fields the rule needs and the profile leaves out")
    fails_only_on_thresholds: bool = Field(False, description="The company is of this kind but too small")
    link: Link
    applies_from: AppliesFrom | None = None


class VersionResult(BaseModel):
    version_id: str
    label: str
    pending: bool = False
    status: Status
    status_label: str = ""
    applies_from: AppliesFrom | None = None
    grounds: list[Ground]


class ThresholdChange(BaseModel):
    rule_id: str
    citation: str
    label: str
    values: dict[str, str]


class Question(BaseModel):
    """What the user could answer to settle or refine an item; `field` is the profile field it fills."""

    field: str
    text: str


class Presumed(BaseModel):
    """A fact the answer presumed because the profile left it out (config/scope_rules.yaml `presumptions`)."""

    field: str
    value: Any
    text: str


class Item(BaseModel):
    instrument: str
    short_title: str
    title: str
    jurisdiction: str
    official_identifier: str
    official_url: str
    status: Status
    status_label: str = Field(description="The status in words, in the answer's language")
    reason: str
    citation: str
    link: Link
    applies_from: AppliesFrom | None = None
    grounds: list[Ground] = Field(
        [], description="Every ground met in the current version (an act can apply on several)"
    )
    presumed: list[Presumed] = []
    questions: list[Question] = Field(
        [], description="What would settle (undetermined) or refine (presumed) the answer"
    )
    changes: list[VersionResult] = []
    changes_summary: str | None = None
    threshold_changes: list[ThresholdChange] = []
    obligations: list[dict[str, Any]] = Field(
        [], description="Key obligations of the company, in the order to start on them"
    )
    notes: list[str] = []


class SummaryPart(BaseModel):
    """One sentence of the summary and the instruments it names (the same as the lists, by construction)."""

    kind: Literal["applicable", "undetermined", "not_applicable", "thresholds"]
    instruments: list[str]
    text: str


class Answer(BaseModel):
    profile: CompanyProfile
    lang: Lang = "en"
    derived: dict[str, Any]
    reference_date: date
    applicable: list[Item]
    not_applicable: list[Item]
    undetermined: list[Item]
    below_all_thresholds: bool
    summary: str
    summary_parts: list[SummaryPart] = []
    voluntary_frameworks: list[dict[str, str]]
    sector_documents: list[dict[str, Any]] = Field(
        [], description="Texts in the corpus that declare the profile's NACE sector"
    )


# ---- facts ---------------------------------------------------------------------------------

SIZE_FIGURES = ("balance_sheet_total_eur", "turnover_worldwide_eur", "employees")


def _class_of(figures: tuple[float, ...], rules: ScopeRules) -> str:
    """Article 3 of Directive 2013/34/EU on three known figures: the first class of which at most one limit is
    exceeded."""
    for cls in rules.definitions.size_classes.classes:
        limits = (cls.balance_sheet_total_eur, cls.turnover_eur, cls.employees)
        if sum(f <= lim for f, lim in zip(figures, limits)) >= 2:
            return cls.name
    return "large"


def size_range(profile: CompanyProfile, rules: ScopeRules) -> tuple[str, str]:
    """The smallest and the largest class the figures given allow (an unknown figure taken as nil, then as
    unlimited). Equal bounds mean the figures given decide the class, whatever the others are."""
    known = tuple(getattr(profile, f) for f in SIZE_FIGURES)
    low = _class_of(tuple(0.0 if f is None else f for f in known), rules)
    high = _class_of(tuple(float("inf") if f is None else f for f in known), rules)
    return low, high


def size_class(profile: CompanyProfile, rules: ScopeRules) -> str | None:
    """micro/small/medium/large per Article 3 of Directive 2013/34/EU (a class is reached when at least two of
    its three limits are not exceeded), when the figures given decide it; None when the unknown ones could."""
    if all(getattr(profile, f) is None for f in SIZE_FIGURES):
        return None
    low, high = size_range(profile, rules)
    return low if low == high else None


def size_estimate(profile: CompanyProfile, rules: ScopeRules) -> tuple[str | None, str | None]:
    """The class to show and on what it rests: ('large', 'decided'), or the headcount's (else the turnover's)
    own band when the figures given do not decide it: ('large', 'employees'). Rules use only a decided class."""
    decided = size_class(profile, rules)
    if decided:
        return decided, "decided"
    classes = rules.definitions.size_classes.classes
    for field, limit in (("employees", "employees"), ("turnover_worldwide_eur", "turnover_eur"),
                         ("balance_sheet_total_eur", "balance_sheet_total_eur")):
        value = getattr(profile, field)
        if value is not None:
            return next((c.name for c in classes if value <= getattr(c, limit)), "large"), field
    return None, None


def derive_facts(profile: CompanyProfile, rules: ScopeRules) -> dict[str, Any]:
    """The profile plus the facts the rules test that follow from it (documented in the YAML)."""
    facts = profile.model_dump()
    parent = profile.ultimate_parent_of_group
    facts["group_or_own_employees"] = _max(profile.employees, profile.group_employees if parent else None)
    facts["group_or_own_turnover_worldwide_eur"] = _max(
        profile.turnover_worldwide_eur, profile.group_turnover_worldwide_eur if parent else None
    )
    facts["group_or_own_turnover_eu_eur"] = _max(
        profile.turnover_eu_eur, profile.group_turnover_eu_eur if parent else None
    )
    facts["size_class"] = size_class(profile, rules)
    facts["is_sme"] = None if facts["size_class"] is None else facts["size_class"] != "large"
    # public-interest entity: listed, or a credit institution / insurer (with or without portfolio management)
    facts["is_pie"] = profile.listed or (profile.financial_undertaking or "").startswith(
        tuple(rules.definitions.public_interest_financial))
    if profile.places_products_on_eu_market is None and (profile.commodities or profile.places_batteries_on_market):
        facts["places_products_on_eu_market"] = True
    return facts


def _max(*values: float | None) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _presume(inst: Instrument, facts: dict[str, Any]) -> tuple[dict[str, Any], list[Presumption]]:
    """The instrument's presumptions for the facts the profile leaves out and whose grounds hold."""
    made = [p for p in inst.presumptions if facts.get(p.field) is None
            and all(test_condition(c, facts, inst.current_version) is True for c in p.when)]
    return ({**facts, **{p.field: p.value for p in made}} if made else facts), made


# ---- evaluation ----------------------------------------------------------------------------

def evaluate(profile: CompanyProfile, corpus: Corpus | None = None, rules: ScopeRules | None = None,
             reference_date: date | None = None, lang: Lang = "en") -> Answer:
    """The full answer for one company profile, every text in `lang`."""
    rules = rules or load_scope_rules()
    corpus = corpus or Corpus()
    facts = derive_facts(profile, rules)
    items = [_evaluate_instrument(inst, facts, corpus, rules, lang) for inst in rules.instruments]
    by_status = {s: [i for i in items if i.status == s] for s in ("applicable", "not_applicable", "undetermined")}
    threshold_ids = {inst.id for inst in rules.instruments if inst.threshold_based}
    below = not any(i.instrument in threshold_ids for i in by_status["applicable"] + by_status["undetermined"])
    parts = _summary(by_status, below, threshold_ids, rules, lang)
    estimate, basis = size_estimate(profile, rules)
    derived = {k: facts[k] for k in ("size_class", "is_sme", "is_pie", "group_or_own_employees",
                                     "group_or_own_turnover_worldwide_eur", "group_or_own_turnover_eu_eur")}
    derived.update(
        size_class_estimate=estimate, size_class_basis=basis, size_class_text=_size_text(estimate, basis, rules, lang)
    )
    return Answer(
        profile=profile, lang=lang, derived=derived,
        reference_date=reference_date or date.today(), below_all_thresholds=below,
        summary=" ".join(p.text for p in parts), summary_parts=parts,
        voluntary_frameworks=[{"id": v.id, "name": v.name.in_(lang), "url": v.url, "why": v.why.in_(lang)}
                              for v in rules.voluntary_frameworks],
        sector_documents=sector_documents(profile.nace, corpus, lang), **by_status)


def _size_text(cls: str | None, basis: str | None, rules: ScopeRules, lang: Lang) -> str:
    """The size class in words, saying on what it rests."""
    _ = gettext_for(lang)
    citation = rules.definitions.size_classes.citation.in_(lang)
    if cls is None:
        return _("Unknown: give at least two of employees, net turnover and balance sheet total (%(citation)s).") % {
            "citation": citation
        }
    name = value_name("size_class", cls, lang)
    if basis == "decided":
        return _("%(cls)s (%(citation)s)") % {"cls": name, "citation": citation}
    return _(
        "%(cls)s, going by %(figure)s alone; two of the three figures (employees, net turnover, balance sheet total) "
        "decide the class (%(citation)s): give one more to be sure."
    ) % {"cls": name, "figure": field_name(basis, lang), "citation": citation}


def sector_documents(nace: str | None, corpus: Corpus, lang: Lang = "en") -> list[dict[str, Any]]:
    """One text per act whose declared NACE codes cover the company's code ('10' covers '10.82'),
    e.g. a sector covenant or the EUDR for food manufacturers; the newest version in the reader's language,
    else in English, when there is one."""
    code = (nace or "").strip().lstrip("ABCDEFGHIJKLMNOPQRSTU").strip()
    if not code:
        return []
    chosen: dict[str, Any] = {}
    for doc in corpus.all():
        hits = [s for s in doc.sectors if code == s or code.startswith(s + ".")]
        if not hits:
            continue
        best = chosen.get(doc.act_id)
        rank = (doc.language == lang, doc.language == "en", doc.dates.version_date or doc.dates.published or date.min)
        if best is None or rank > best[0]:
            chosen[doc.act_id] = (
                rank,
                {
                    "document_id": doc.id,
                    "title": doc.title,
                    "short_title": doc.short_title,
                    "language": doc.language,
                    "instrument_type": doc.instrument_type,
                    "sectors": hits,
                },
            )
    return [v for _, v in sorted(chosen.values(), key=lambda x: x[1]["document_id"])]


def _evaluate_instrument(
    inst: Instrument, facts: dict[str, Any], corpus: Corpus, rules: ScopeRules, lang: Lang
) -> Item:
    facts, presumed = _presume(inst, facts)
    presumed_fields = {p.field: p for p in presumed}
    results = {v.id: _evaluate_version(inst, v.id, facts, corpus, presumed_fields, lang) for v in inst.versions}
    current = results[inst.current_version]
    lead = _lead_ground(current)
    item = Item(
        instrument=inst.id,
        short_title=inst.short_title_in(lang),
        title=inst.title_in(lang),
        jurisdiction=inst.jurisdiction,
        official_identifier=inst.official_id(),
        official_url=inst.official_url,
        status=current.status,
        status_label=status_name(current.status, lang),
        reason=_reason(inst, current, lead, lang),
        citation=_cite(lead.citation, inst, lang),
        link=lead.link,
        applies_from=lead.applies_from,
        grounds=[g for g in current.grounds if g.outcome == "met"],
        changes=list(results.values()) if len(results) > 1 else [],
        changes_summary=_changes_summary(inst, results, lang),
        threshold_changes=_threshold_changes(inst, lang),
        notes=[n.in_(lang) for n in inst.notes],
    )
    uses_presumption = current.status == "applicable" and any(
        c.field in presumed_fields for g in item.grounds for c in _rule(inst, g.rule_id).conditions)
    if uses_presumption:
        item.presumed = [Presumed(field=p.field, value=p.value, text=_presumed_text(p, lang)) for p in presumed]
        item.questions = [Question(field=p.field, text=p.question.in_(lang)) for p in presumed]
    elif current.status == "undetermined":
        missing = dict.fromkeys(f for g in current.grounds if g.outcome == "undetermined" for f in g.missing)
        item.questions = [Question(field=f, text=field_question(f, lang)) for f in missing]
    if current.status != "not_applicable":
        item.obligations = _obligations(inst, current, corpus, rules, lang)
    return item


def _presumed_text(p: Presumption, lang: Lang) -> str:
    _ = gettext_for(lang)
    return _("Presumed: %(fact)s is %(value)s, because %(because)s.") % {
        "fact": field_name(p.field, lang), "value": value_name(p.field, p.value, lang), "because": p.because.in_(lang)}


def _evaluate_version(inst: Instrument, version_id: str, facts: dict[str, Any], corpus: Corpus,
                      presumed: dict[str, Presumption], lang: Lang) -> VersionResult:
    version = inst.version(version_id)
    grounds = [
        _evaluate_rule(inst, rule, version_id, facts, corpus, presumed, lang) for rule in inst.rules_in(version_id)
    ]
    outcomes = {g.outcome for g in grounds}
    status = "applicable" if "met" in outcomes else ("undetermined" if "undetermined" in outcomes else "not_applicable")
    met = [g for g in grounds if g.outcome == "met" and g.applies_from]
    dated = sorted((g.applies_from for g in met if g.applies_from is not None),
                   key=lambda a: (a.date is None, a.date or date.max))
    return VersionResult(
        version_id=version_id,
        label=version.label.in_(lang),
        pending=version.pending,
        status=status,
        status_label=status_name(status, lang),
        applies_from=dated[0] if dated else None,
        grounds=grounds,
    )


def _evaluate_rule(inst: Instrument, rule: Rule, version_id: str, facts: dict[str, Any], corpus: Corpus,
                   presumed: dict[str, Presumption], lang: Lang) -> Ground:
    _ = gettext_for(lang)
    met, not_met, missing, kind_failed = [], [], [], False
    for cond in rule.conditions:
        tested = test_condition(cond, facts, version_id)
        text = describe_condition(cond, version_id, lang)
        if tested is True:
            if cond.field in presumed:
                met.append(_("%(test)s (presumed)") % {"test": text})
            else:
                met.append(_with_actual(text, cond.field, facts, cond.unit, lang))
        elif tested is False:
            not_met.append(_with_actual(text, cond.field, facts, cond.unit, lang))
            kind_failed = kind_failed or cond.metric is None
        else:
            missing.extend(_missing_fields(cond, facts, version_id))
    outcome = "not_met" if not_met else ("undetermined" if missing else "met")
    ground = Ground(
        rule_id=rule.id,
        role=rule.role.in_(lang),
        citation=rule.citation.in_(lang),
        outcome=outcome,
        met=met,
        not_met=not_met,
        missing=list(dict.fromkeys(missing)),
        fails_only_on_thresholds=bool(not_met) and not kind_failed,
        link=_link(inst, version_id, rule.document, rule.provision, corpus, lang),
    )
    if outcome == "met":
        ground.applies_from = _applies_from(inst, rule, version_id, facts, lang)
    return ground


def _missing_fields(cond: Condition, facts: dict[str, Any], version: str) -> list[str]:
    """The profile fields whose absence leaves the condition open (those of its open sub-conditions)."""
    if cond.any:
        return [
            f for c in cond.any if test_condition(c, facts, version) is None for f in _missing_fields(c, facts, version)
        ]
    return [cond.field] if cond.field else []


def _with_actual(text: str, field: str | None, facts: dict[str, Any], unit: str | None, lang: Lang) -> str:
    _ = gettext_for(lang)
    actual = facts.get(field) if field else None
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        shown = format_amount(actual, unit)
    elif isinstance(actual, list) and actual:
        shown = ", ".join(value_name(field, a, lang) for a in actual)
    elif isinstance(actual, str):
        shown = value_name(field, actual, lang)
    else:
        return text
    return _("%(test)s (you gave %(value)s)") % {"test": text, "value": shown}


def _day(d: date, lang: Lang) -> str:
    return format_date(d, "d MMMM y", locale=lang)


def _applies_from(
    inst: Instrument, rule: Rule, version_id: str, facts: dict[str, Any], lang: Lang
) -> AppliesFrom | None:
    if version_id in rule.applies_from:
        return _as_applies_from(rule.applies_from[version_id], lang)
    phased = inst.applies_from.get(version_id)
    if phased is None:
        return None
    for phase in phased.phases:
        if all(test_condition(c, facts, version_id) is True for c in phase.when):
            return _as_applies_from(phase, lang, prefix=phased.citation.in_(lang))
    return None


def _as_applies_from(phase: Phase, lang: Lang, prefix: str = "") -> AppliesFrom:
    _ = gettext_for(lang)
    citation = phase.citation.in_(lang) if not prefix else f"{phase.citation.in_(lang)} ({prefix})"
    note = phase.note.in_(lang) if phase.note else None
    if phase.date is None:
        text = note or _("date not set")
    elif phase.basis == "financial_year":
        text = _("financial years starting on or after %(date)s") % {"date": _day(phase.date, lang)}
        if phase.until:
            text = _("financial years starting between %(start)s and %(end)s") % {
                "start": _day(phase.date, lang), "end": _day(phase.until, lang)}
    else:
        text = _("from %(date)s") % {"date": _day(phase.date, lang)}
    if note and phase.date is not None:
        text += f"; {note}"
    return AppliesFrom(date=phase.date, basis=phase.basis, until=phase.until, citation=citation, text=text)


def _link(inst: Instrument, version_id: str, document: str | None, provision: str | None, corpus: Corpus,
          lang: Lang = "en") -> Link:
    doc_id = document or inst.version(version_id).document
    doc = corpus.get(doc_id)
    if doc is not None and provision:
        found = resolve_provision(doc, provision)
        pid = found.id if found else None
        url = (doc.official_url or doc.source_url) + (f"#{anchor(pid)}" if pid and inst.jurisdiction == "EU" else "")
        return Link(document_id=doc.id, provision_id=pid, official_url=url, in_corpus=True)
    url = _official_url(inst, doc_id) + (f"#{anchor(provision)}" if provision and inst.jurisdiction == "EU" else "")
    return Link(document_id=doc_id, provision_id=provision, official_url=url, in_corpus=False)


def _official_url(inst: Instrument, doc_id: str | None) -> str:
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


ACT_WORDS = ("Directive", "Regulation", "Richtlijn", "Verordening")


def _cite(citation: str, inst: Instrument, lang: Lang = "en") -> str:
    """'Article 2(1), point (a) CSDDD'; citations that already name their act stay as they are."""
    names_act = any(w in citation for w in (*ACT_WORDS, inst.short_title, inst.short_title_in(lang)))
    return citation if names_act else f"{citation} {inst.short_title_in(lang)}"


def _reason(inst: Instrument, result: VersionResult, lead: Ground, lang: Lang) -> str:
    _ = gettext_for(lang)
    if result.status == "applicable":
        return _("Applies as %(role)s: %(facts)s.") % {"role": lead.role, "facts": "; ".join(lead.met)}
    if result.status == "undetermined":
        names = [field_name(f, lang) for f in lead.missing]
        return _(
            "Cannot tell yet whether it applies as %(role)s (%(citation)s): the answer depends on %(facts)s, "
            "which the profile does not give."
        ) % {"role": lead.role, "citation": _cite(lead.citation, inst, lang), "facts": _and(names, lang)}
    which = f" ({result.label})" if len(inst.versions) > 1 else ""
    return _("Does not apply%(version)s: %(citation)s sets conditions the company does not meet: %(tests)s.") % {
        "version": which, "citation": _cite(lead.citation, inst, lang), "tests": "; ".join(lead.not_met)}


def _and(parts: list[str], lang: Lang) -> str:
    """'a, b and c' / 'a, b en c'."""
    _ = gettext_for(lang)
    if len(parts) < 2:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def _changes_summary(inst: Instrument, results: dict[str, VersionResult], lang: Lang) -> str | None:
    _ = gettext_for(lang)
    if len(results) < 2:
        return None
    parts = []
    for res in results.values():
        when = f" ({res.applies_from.text})" if res.applies_from and res.status == "applicable" else ""
        pending = " " + _("(pending proposal)") if res.pending else ""
        parts.append(f"{res.label}{pending}: {status_name(res.status, lang)}{when}")
    return "; ".join(parts) + "."


def _threshold_changes(inst: Instrument, lang: Lang) -> list[ThresholdChange]:
    """Per rule, the thresholds that differ between versions, side by side."""
    out = []
    for rule in inst.rules:
        for cond in rule.conditions:
            if isinstance(cond.value, dict) and len({str(v) for v in cond.value.values()}) > 1:
                label = cond.label.in_(lang) if cond.label else field_name(cond.field, lang)
                out.append(
                    ThresholdChange(
                        rule_id=rule.id,
                        citation=rule.citation.in_(lang),
                        label=label,
                        values={
                            inst.version(v).label.in_(lang): format_amount(x, cond.unit) for v, x in cond.value.items()
                        },
                    )
                )
    return out


def _obligations(
    inst: Instrument, result: VersionResult, corpus: Corpus, rules: ScopeRules, lang: Lang
) -> list[dict[str, Any]]:
    """The company's key obligations (config), first things first, each with the extracted obligations of its
    provision whose duty-bearer is a company (never the duties of auditors, Member States or the Commission; a
    company duty imposed through the Member States counts)."""
    wanted = {o for g in result.grounds if g.outcome == "met" for o in _rule(inst, g.rule_id).obligations}
    addressees, modalities = set(rules.definitions.company_addressees), set(rules.definitions.quoted_modalities)
    out = []
    for ob in sorted(inst.key_obligations, key=lambda o: o.priority):
        if (wanted and ob.id and ob.id not in wanted) or (ob.versions and result.version_id not in ob.versions):
            continue
        link = _link(inst, result.version_id, ob.document, ob.provision, corpus, lang)
        doc = corpus.get(link.document_id)
        if doc is not None and ob.provision and doc.provision(ob.provision.split(".")[0]) is None:
            continue  # deleted in this version (e.g. CSDDD Article 22 after Omnibus I)
        entry = {
            "priority": ob.priority,
            "citation": _cite(ob.citation.in_(lang), inst, lang),
            "summary": ob.summary.in_(lang),
            "link": link.model_dump(),
        }
        if ob.quote and link.in_corpus and link.document_id and ob.provision:
            extracted = [o for o in corpus.obligations(link.document_id)
                         if (o.provision_id == ob.provision or o.provision_id.startswith(ob.provision + "."))
                         and (o.duty_bearer or o.addressee) in addressees and o.modality in modalities]
            entry["extracted"] = [
                {"citation": o.citation, "text": o.text, "modality": o.modality, "language": o.language}
                for o in extracted[:3]
            ]
        out.append(entry)
    return out


def _rule(inst: Instrument, rule_id: str) -> Rule:
    return next(r for r in inst.rules if r.id == rule_id)


def _summary(by_status: dict[str, list[Item]], below: bool, threshold_ids: set[str], rules: ScopeRules,
             lang: Lang) -> list[SummaryPart]:
    """The summary, built from the same lists the answer shows, so it cannot contradict them."""
    _ = gettext_for(lang)
    sentences = {"applicable": _("Applies: %(names)s."), "undetermined": _("Needs more facts: %(names)s."),
                 "not_applicable": _("Does not apply: %(names)s.")}
    parts = [SummaryPart(kind=k, instruments=[i.instrument for i in by_status[k]],
                         text=sentences[k] % {"names": ", ".join(i.short_title for i in by_status[k])})
             for k in ("applicable", "undetermined", "not_applicable") if by_status[k]]
    if below:
        missed = [i for i in by_status["not_applicable"] if i.instrument in threshold_ids]
        names = _and([i.short_title for i in missed], lang)
        text = (
            _(
                "The company does not reach the thresholds of %(names)s; "
                "what applies above does so whatever the company's size."
            )
            if by_status["applicable"]
            else _(
                "The company does not reach the thresholds of %(names)s; "
                "the voluntary frameworks below still apply to it."
            )
        )
        parts.append(
            SummaryPart(kind="thresholds", instruments=[i.instrument for i in missed], text=text % {"names": names})
        )
    return parts
