"""The scope rules of config/scope_rules.yaml as typed models, and how a condition is tested.

WHY: the rules are legal data that lawyers review and that change with every
amendment; keeping them in YAML (validated here) means an amendment is a data
edit with a citation, not a code change.
"""
from __future__ import annotations

import datetime
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import core_schema

from regkb.settings import load_config

Op = Literal["more_than", "at_least", "less_than", "at_most", "equal", "is_true", "is_false", "contains_any", "in"]
Scalar = bool | int | float | str | None
Versioned = Scalar | list[Scalar] | dict[str, Scalar | list[Scalar]]


class Localized(str):
    """A text of the rules in English (the string itself, what other readers of the rules use) and in Dutch.

    Written `{en: "...", nl: "..."}` in the YAML; both are required, so no reason, role or note of an answer can
    fall back to English on a Dutch page. `text.in_("nl")` gives the reader's language."""

    nl: str

    def __new__(cls, en: str, nl: str) -> Localized:
        obj = super().__new__(cls, en)
        obj.nl = nl
        return obj

    def __reduce__(self):  # copies (model_copy(deep=True)) keep both languages
        return (Localized, (str(self), self.nl))

    def in_(self, lang: str) -> str:
        return self.nl if lang == "nl" else str(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        text = core_schema.str_schema(min_length=1)
        mapping = core_schema.typed_dict_schema(
            {"en": core_schema.typed_dict_field(text), "nl": core_schema.typed_dict_field(text)},
            extra_behavior="forbid",
        )
        from_mapping = core_schema.no_info_after_validator_function(lambda d: cls(d["en"], d["nl"]), mapping)
        return core_schema.union_schema(
            [core_schema.is_instance_schema(cls), from_mapping],
            serialization=core_schema.plain_serializer_function_ser_schema(lambda v: {"en": str(v), "nl": v.nl}))


class Strict(BaseModel):
    """Unknown keys are errors: in YAML flow mappings an unquoted comma silently starts a new key."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Source(Strict):
    """Where a threshold is written, when not in the rule's own provision (e.g. point (b) refers to point (a))."""

    document: str | None = None
    provision: str


class Condition(Strict):
    """One test on one profile field; `any`/`at_least_n` combine sub-conditions."""

    field: str | None = None
    op: Op | None = None
    value: Versioned = None
    metric: Literal["employees", "turnover", "amount", "percentage"] | None = None
    unit: str | None = None
    label: Localized | None = Field(
        None, description="The test in words, for reasons (the field's own name when left out)"
    )
    any: list[Condition] = []
    at_least_n: int | None = None
    missing: Literal["unknown", "false"] = Field("unknown", description="How to read a fact the profile leaves out")
    source: Source | dict[str, Source] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if not self.any and not (self.field and self.op):
            raise ValueError("a condition needs `field` and `op`, or `any:` sub-conditions")
        return self

    def value_for(self, version: str) -> Any:
        """The threshold that holds in `version` (a plain value holds in all versions)."""
        if isinstance(self.value, dict):
            return self.value.get(version)
        return self.value

    def source_for(self, version: str) -> Source | None:
        return self.source.get(version) if isinstance(self.source, dict) else self.source

    def applies_in(self, version: str) -> bool:
        return not isinstance(self.value, dict) or version in self.value


class Phase(Strict):
    date: datetime.date | None  # module-qualified: the field name shadows the type in the class body
    citation: Localized
    when: list[Condition] = []
    note: Localized | None = None
    basis: Literal["date", "financial_year"] = "date"
    until: datetime.date | None = None


class PhasedApplication(Strict):
    citation: Localized
    provision: str | None = None
    phases: list[Phase]


class AmendingAct(Strict):
    celex: str
    document: str | None = None
    official_url: str | None = None


class Version(Strict):
    id: str
    label: Localized
    document: str | None = None
    amended_by: AmendingAct | None = None
    from_: date | None = Field(None, alias="from")
    pending: bool = Field(False, description="A proposed amendment not yet adopted: shown in `changes`, never decisive")


class Milestone(Strict):
    date: date
    kind: Literal[
        "proposal", "adopted", "published", "entry_into_force", "transposition_deadline", "application", "amendment"
    ]
    label: Localized
    celex: str | None = None


class KeyObligation(Strict):
    """A duty of the company itself (never of its auditor, a Member State or the Commission)."""

    id: str | None = None
    priority: int = Field(ge=1, description="1 = what the company must do first; the answer lists them in this order")
    versions: list[str] | None = Field(None, description="Versions that contain it (default: all)")
    document: str | None = None
    provision: str | None = None
    citation: Localized
    summary: Localized
    quote: bool = Field(True, description="Quote the extracted obligations of the provision addressed to companies")


class Rule(Strict):
    id: str
    role: Localized
    provision: str | None = None
    document: str | None = Field(None, description="Source document when it is not the version's own text")
    citation: Localized
    versions: list[str] | None = Field(None, description="Versions this rule exists in (default: all)")
    conditions: list[Condition]
    applies_from: dict[str, Phase] = {}
    obligations: list[str] = []


class Presumption(Strict):
    """A fact the answer presumes while the profile leaves it out, and the question that refines it.

    E.g. the EUDR: a company that places cocoa on the EU market (what the profile's commodities mean) is an
    operator unless it says it is a trader or a downstream operator; the answer says 'applies as operator' and
    asks which role it has, instead of 'needs more facts'."""

    field: str
    value: Scalar
    when: list[Condition] = Field(description="The facts the presumption rests on (all must hold)")
    because: Localized
    question: Localized


class Names(Strict):
    short_title: str
    title: str


class Identifiers(Strict):
    celex: str | None = None
    eli: str | None = None
    bwb: str | None = None
    number: str | None = None
    kamerstuk: str | None = None


class Instrument(Strict):
    id: str
    short_title: str
    title: str
    instrument_type: str
    jurisdiction: str
    identifiers: Identifiers
    official_url: str
    text_in_corpus: bool
    threshold_based: bool
    current_version: str
    versions: list[Version]
    milestones: list[Milestone] = []
    applies_from: dict[str, PhasedApplication] = {}
    rules: list[Rule]
    presumptions: list[Presumption] = []
    notes: list[Localized] = []
    key_obligations: list[KeyObligation] = []
    translations: dict[Literal["nl"], Names] = Field(
        description="The instrument's names in the other interface languages"
    )

    @model_validator(mode="after")
    def _versions_known(self) -> Instrument:
        known = {v.id for v in self.versions}
        if self.current_version not in known:
            raise ValueError(f"{self.id}: current_version {self.current_version!r} is not among its versions")
        if self.version(self.current_version).pending:
            raise ValueError(f"{self.id}: the current version cannot be a pending proposal")
        for rule in self.rules:
            unknown = set(rule.versions or []) - known
            if unknown:
                raise ValueError(f"{self.id}/{rule.id}: unknown versions {sorted(unknown)}")
        priorities = [o.priority for o in self.key_obligations]
        if len(set(priorities)) != len(priorities):
            raise ValueError(f"{self.id}: two key obligations have the same priority {priorities}: give each its rank")
        return self

    def short_title_in(self, lang: str) -> str:
        return self.translations[lang].short_title if lang in self.translations else self.short_title

    def title_in(self, lang: str) -> str:
        return self.translations[lang].title if lang in self.translations else self.title

    def version(self, version_id: str) -> Version:
        return next(v for v in self.versions if v.id == version_id)

    def rules_in(self, version_id: str) -> list[Rule]:
        return [r for r in self.rules if r.versions is None or version_id in r.versions]

    def official_id(self) -> str:
        ids = self.identifiers
        if ids.celex:
            return f"CELEX {ids.celex}"
        if ids.bwb:
            return f"BWB {ids.bwb}"
        return ids.number or self.short_title


class SizeClass(Strict):
    name: str
    balance_sheet_total_eur: float
    turnover_eur: float
    employees: int


class SizeClasses(Strict):
    citation: Localized
    official_url: str
    classes: list[SizeClass]


class Definitions(Strict):
    size_classes: SizeClasses
    public_interest_financial: list[str]
    sfdr_financial_market_participants: list[str]
    company_addressees: list[str] = Field(
        description="Addressees (regkb.records.Obligation) whose duties are the company's own"
    )
    quoted_modalities: list[str] = Field(
        description="Modalities of the extracted obligations quoted under a key obligation"
    )


class VoluntaryFramework(Strict):
    id: str
    name: Localized
    url: str
    why: Localized


class ScopeRules(Strict):
    definitions: Definitions
    voluntary_frameworks: list[VoluntaryFramework]
    instruments: list[Instrument]

    def instrument(self, instrument_id: str) -> Instrument:
        return next(i for i in self.instruments if i.id == instrument_id)


@lru_cache(maxsize=1)
def load_scope_rules() -> ScopeRules:
    """config/scope_rules.yaml, validated (a malformed file fails loudly with the field at fault)."""
    return ScopeRules.model_validate(load_config("scope_rules"))


# ---- evaluating one condition -------------------------------------------------------------

Outcome = bool | None  # None: the profile does not say


def test_condition(cond: Condition, facts: dict[str, Any], version: str) -> Outcome:
    """True/False, or None when a fact the condition needs is missing."""
    if cond.any:
        results = [test_condition(c, facts, version) for c in cond.any]
        need = cond.at_least_n or 1
        if sum(r is True for r in results) >= need:
            return True
        if sum(r is not False for r in results) < need:
            return False
        return None
    assert cond.field is not None and cond.op is not None  # (Condition._shape: both set when `any` is not)
    actual = facts.get(cond.field)
    expected = cond.value_for(version)
    if actual is None and cond.missing == "false":
        return False
    if cond.op in ("is_true", "is_false"):
        return None if actual is None else (bool(actual) is (cond.op == "is_true"))
    if cond.op == "contains_any":
        return None if actual is None else bool(set(actual or []) & set(expected or []))
    if cond.op == "in":
        return None if actual is None else actual in (expected or [])
    if actual is None or expected is None:
        return None
    return {
        "more_than": actual > expected, "at_least": actual >= expected, "less_than": actual < expected,
        "at_most": actual <= expected, "equal": actual == expected,
    }[cond.op]


def describe_condition(cond: Condition, version: str, lang: str = "en") -> str:
    """'net worldwide turnover more than EUR 1 500 000 000' - the test in words, in the reader's language."""
    from indexer.analysis.wording import field_name, gettext_for, value_name

    _ = gettext_for(lang)
    if cond.any:
        inner = "; ".join(describe_condition(c, version, lang) for c in cond.any)
        return _("at least %(n)s of: %(tests)s") % {"n": cond.at_least_n or 1, "tests": inner}
    assert cond.field is not None and cond.op is not None  # (Condition._shape: both set when `any` is not)
    label = cond.label.in_(lang) if cond.label else field_name(cond.field, lang)
    value = cond.value_for(version)
    if cond.op in ("is_true", "is_false"):
        return label  # labels of boolean tests are written as the fact that must hold
    if cond.op in ("contains_any", "in"):
        return f"{label}: {' / '.join(value_name(cond.field, v, lang) for v in value or [])}"
    words = {"more_than": _("more than"), "at_least": _("at least"), "less_than": _("less than"),
             "at_most": _("at most"), "equal": _("equal to")}[cond.op]
    return f"{label} {words} {format_amount(value, cond.unit)}"


def format_amount(value: Any, unit: str | None = None) -> str:
    """EUR-Lex style numbers: 'EUR 1 500 000 000', '5 000' (the same in every language: no '.' or ',' to misread)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = (
            f"{value:,.0f}".replace(",", "\u00a0") if float(value).is_integer() else f"{value:,}".replace(",", "\u00a0")
        )
        return f"{unit} {text}" if unit else text
    return str(value)
