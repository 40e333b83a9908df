"""A company's compliance register: the obligation records it must meet, from its applicability answer.

WHY from the records and not from a curated list: the applicability answer says *which* instruments apply and
from when (config/scope_rules.yaml); the extracted obligation records say *what* each one requires, with the
provision, action, deadline, conditions and thresholds a lawyer cites. The register joins the two: for each
instrument that applies (or may apply), the duties of its current version whose duty-bearer is a role the
profile makes the company (config/register.yaml). Duties that hang on a fact the profile lacks (is the company an
EUDR operator or a trader? a battery manufacturer or a distributor?) are listed apart, with the question that
would settle them, instead of being dropped or claimed.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from indexer.analysis.applicability import Answer, CompanyProfile, Item, derive_facts, evaluate
from indexer.analysis.scope_rules import Condition, Localized, ScopeRules, load_scope_rules, test_condition
from indexer.analysis.wording import Lang
from regkb.corpus import Corpus
from regkb.records import Obligation
from regkb.settings import load_config
from regkb.taxonomy import label_for, role_ancestors, role_labels

DUTY_MODALITIES = ("obligation", "prohibition")


class RoleRule(BaseModel):
    """config/register.yaml `roles`: the company is `role` when every `when` condition holds."""

    role: str
    when: list[Condition] = []
    undecided: bool = Field(False, description="The profile cannot say which of the role's kinds the company is")
    question: Localized | None = None


class Entry(BaseModel):
    """One duty of the register (a row of the spreadsheet)."""

    instrument: str
    short_title: str
    citation: str
    modality: str
    duty_bearer: str | None
    duty_bearer_label: str
    via: str | None = Field(None, description="The formal addressee where it differs ('the Member States')")
    action: str | None
    text: str
    deadlines: list[str] = []
    applies_from: str | None = None
    conditions: list[str] = []
    thresholds: list[str] = []
    document_id: str
    provision_id: str
    obligation_id: str
    language: str
    question: str | None = Field(None, description="For a duty that depends on a fact: the question that settles it")


class Section(BaseModel):
    instrument: str
    short_title: str
    title: str
    status: Literal["applicable", "undetermined"]
    status_label: str
    applies_from: str | None = None
    official_url: str
    duties: list[Entry] = []
    depends: list[Entry] = Field([], description="Duties that apply only if a fact the profile lacks holds")


class Register(BaseModel):
    profile: CompanyProfile
    lang: Lang
    reference_date: date
    roles: list[str] = Field(description="The duty-bearer roles the profile makes the company")
    sections: list[Section]

    @property
    def duty_count(self) -> int:
        return sum(len(s.duties) for s in self.sections)

    @property
    def depends_count(self) -> int:
        return sum(len(s.depends) for s in self.sections)


def role_rules() -> list[RoleRule]:
    return [RoleRule.model_validate(r) for r in load_config("register")["roles"]]


def build_register(profile: CompanyProfile, corpus: Corpus, rules: ScopeRules | None = None, lang: Lang = "en",
                   reference_date: date | None = None, answer: Answer | None = None) -> Register:
    """The register of `profile`: per applicable or undetermined instrument, its duties for the company."""
    rules = rules or load_scope_rules()
    answer = answer or evaluate(profile, corpus, rules, reference_date, lang)
    facts = derive_facts(profile, rules)
    standing = _standing(facts, lang)
    sections = [_section(item, corpus, standing, lang) for item in answer.applicable + answer.undetermined]
    return Register(profile=profile, lang=lang, reference_date=answer.reference_date,
                    roles=[r for r, (yes, _) in standing.items() if yes is True],
                    sections=[s for s in sections if s.duties or s.depends])


def _standing(facts: dict[str, Any], lang: Lang) -> dict[str, tuple[bool | None, str | None]]:
    """role → (True: the company's; None: depends on a fact, with the question; False: not the company's)."""
    out: dict[str, tuple[bool | None, str | None]] = {}
    for rule in role_rules():
        results = [test_condition(c, facts, "") for c in rule.when]
        holds: bool | None = False if False in results else (None if None in results else True)
        if holds is True and rule.undecided:
            holds = None
        out[rule.role] = (holds, rule.question.in_(lang) if rule.question else None)
    return out


def _role_of(bearer: str | None, standing: dict[str, tuple[bool | None, str | None]]) -> tuple[bool | None, str | None]:
    """The most specific configured role the duty-bearer is (itself or an ancestor in config/addressees.yaml)."""
    for role in reversed(role_ancestors(bearer)) if bearer else ():
        if role in standing:
            return standing[role]
    return False, None


def _section(item: Item, corpus: Corpus, standing: dict[str, tuple[bool | None, str | None]], lang: Lang) -> Section:
    applies = item.applies_from.text if item.applies_from else None
    section = Section(instrument=item.instrument, short_title=item.short_title, title=item.title,
                      status=item.status if item.status == "undetermined" else "applicable",
                      status_label=item.status_label, applies_from=applies, official_url=item.official_url)
    undetermined_question = " ".join(q.text for q in item.questions) or item.reason
    for ob in _records(item, corpus, lang):
        mine, question = _role_of(ob.duty_bearer, standing)
        if mine is False:
            continue
        entry = _entry(item, ob, applies, lang)
        if mine is True and item.status != "undetermined":
            section.duties.append(entry)
        else:
            entry.question = question if mine is None else undetermined_question
            section.depends.append(entry)
    return section


def _records(item: Item, corpus: Corpus, lang: Lang) -> list[Obligation]:
    """The duties of the texts that hold the instrument's current duties: those its key obligations cite
    (config/scope_rules.yaml; for the CSRD its own text, not the Omnibus act that amends it), else its current
    version. Each in the answer's language where the corpus has that text's records, else in the language it has
    (many EU acts are English only here)."""
    linked = [o["link"]["document_id"] for o in item.obligations if o["link"].get("in_corpus")]
    out: list[Obligation] = []
    for doc_id in dict.fromkeys(linked or [item.link.document_id]):
        if not doc_id:
            continue
        base = doc_id.rsplit("-", 1)[0]
        for candidate in (f"{base}-{lang}", doc_id, f"{base}-en"):
            records = [o for o in corpus.obligations(candidate) if o.modality in DUTY_MODALITIES]
            if records:
                out += records
                break
    return out


def _entry(item: Item, ob: Obligation, applies: str | None, lang: Lang) -> Entry:
    labels = role_labels()
    via = None
    if ob.addressee and ob.addressee != ob.duty_bearer:
        via = label_for(labels, ob.addressee, lang) or ob.addressee
    return Entry(
        instrument=item.instrument, short_title=item.short_title, citation=f"{ob.citation} {item.short_title}",
        modality=ob.modality, duty_bearer=ob.duty_bearer,
        duty_bearer_label=(label_for(labels, ob.duty_bearer, lang) or ob.duty_bearer) if ob.duty_bearer else "",
        via=via, action=ob.action, text=ob.text,
        deadlines=[d.text for d in ob.deadlines], applies_from=applies, conditions=ob.conditions,
        thresholds=[t.text for t in ob.thresholds], document_id=ob.document_id, provision_id=ob.provision_id,
        obligation_id=ob.id, language=ob.language)


EXPORT_COLUMNS = ("short_title", "citation", "modality", "duty_bearer_label", "via", "action", "deadlines",
                  "applies_from", "conditions", "thresholds", "question", "text", "language", "link")


def rows(register: Register, link: Any) -> list[dict[str, Any]]:
    """Flat rows for CSV/XLSX (`link(entry)` gives each entry's absolute reader URL), duties before dependent ones."""
    out = []
    for section in register.sections:
        for group, entries in (("duty", section.duties), ("depends", section.depends)):
            for e in entries:
                row = e.model_dump() | {"link": link(e), "group": group}
                out.append({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out
