"""The words of the applicability check in the reader's language: what each profile fact is called and asked.

WHY one place: the form's labels, its error messages, the reasons of the answer and its questions all name
the same facts of the company profile; each is named once here, never by its field name (`eudr_role`), which
stays for JSON only. The strings are English msgids of the interface catalogue (search_app/translations, kept
by scripts/translations); `gettext_for(lang)` reads that catalogue directly, so `regkb applicability`, the API
and the pages give the same Dutch.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from gettext import NullTranslations
from typing import Any, Literal

from babel.support import Translations

from regkb.settings import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "search_app" / "translations"
Lang = Literal["en", "nl"]  # the interface languages (config/app.yaml `languages`) the rules have texts in


def N_(message: str) -> str:
    """Marks a msgid for extraction (pybabel's default keywords); translated where it is shown."""
    return message


@cache
def _translations(lang: str) -> NullTranslations:
    return Translations.load(str(CATALOGUE), [lang]) if lang != "en" else NullTranslations()


def gettext_for(lang: str) -> Callable[[str], str]:
    """The catalogue's gettext for `lang` (English msgids come back unchanged)."""
    return _translations(lang).gettext


@dataclass(frozen=True)
class FieldText:
    """A profile fact in words: the form's label, its name in running text, and the question that asks for it."""

    label: str
    name: str
    question: str


FIELDS: dict[str, FieldText] = {
    "name": FieldText(N_("Company name"), N_("the company name"), N_("What is the company called?")),
    "nace": FieldText(
        N_("Sector (NACE code)"),
        N_("the sector (NACE code)"),
        N_("What is the NACE code of the company's main activity (e.g. 10.82 for cocoa and chocolate)?"),
    ),
    "country": FieldText(N_("Country"), N_("the country"), N_("In which country is the company established?")),
    "employees": FieldText(
        N_("Employees (average, FTE)"),
        N_("the number of employees"),
        N_("How many employees (full-time equivalents, on average) did the company have in its last financial year?"),
    ),
    "turnover_worldwide_eur": FieldText(
        N_("Net worldwide turnover (EUR)"),
        N_("the net worldwide turnover"),
        N_("What was the company's net turnover worldwide in its last financial year?"),
    ),
    "turnover_eu_eur": FieldText(
        N_("Net turnover in the EU (EUR)"),
        N_("the net turnover in the EU"),
        N_("What net turnover did the company generate in the EU in its last financial year?"),
    ),
    "balance_sheet_total_eur": FieldText(
        N_("Balance sheet total (EUR)"),
        N_("the balance sheet total"),
        N_("What was the company's balance sheet total at the end of its last financial year?"),
    ),
    "established_in_eu": FieldText(
        N_("Formed under the law of an EU Member State"),
        N_("whether the company is formed under the law of an EU Member State"),
        N_("Is the company formed under the law of an EU Member State (e.g. a Dutch B.V. or N.V.)?"),
    ),
    "ultimate_parent_of_group": FieldText(
        N_("Ultimate parent company of a group"),
        N_("whether the company is the ultimate parent of a group"),
        N_("Is the company the ultimate parent company of a group?"),
    ),
    "group_employees": FieldText(
        N_("Group employees"),
        N_("the number of employees of the group"),
        N_("How many employees does the whole group have (if the company is its ultimate parent)?"),
    ),
    "group_turnover_worldwide_eur": FieldText(
        N_("Group net worldwide turnover (EUR)"),
        N_("the group's net worldwide turnover"),
        N_("What was the group's net turnover worldwide in the last financial year?"),
    ),
    "group_turnover_eu_eur": FieldText(
        N_("Group net turnover in the EU (EUR)"),
        N_("the group's net turnover in the EU"),
        N_("What net turnover did the group generate in the EU in the last financial year?"),
    ),
    "royalties_eu_eur": FieldText(
        N_("Franchising or licensing royalties in the EU (EUR)"),
        N_("the franchising or licensing royalties earned in the EU"),
        N_("How much did the company earn in the EU in franchising or licensing royalties?"),
    ),
    "listed": FieldText(
        N_("Listed on an EU regulated market"),
        N_("whether the company is listed on an EU regulated market"),
        N_("Are the company's securities admitted to trading on an EU regulated market?"),
    ),
    "financial_undertaking": FieldText(
        N_("Financial undertaking"),
        N_("the kind of financial undertaking"),
        N_("Is the company a bank, insurer, investment firm, fund manager or pension fund, and which?"),
    ),
    "sells_to_dutch_end_users": FieldText(
        N_("Sells goods or services to Dutch end users"),
        N_("whether the company sells to end users in the Netherlands"),
        N_("Does the company sell or supply goods or services to end users in the Netherlands?"),
    ),
    "places_products_on_eu_market": FieldText(
        N_("Places products on the EU market"),
        N_("whether the company places products on the EU market"),
        N_("Does the company place or make available products on the EU market, or export them from it?"),
    ),
    "commodities": FieldText(
        N_("EUDR commodities the company places on or exports from the EU market"),
        N_("the EUDR commodities"),
        N_(
            "Which of these commodities (or products made from them) does the company place on the EU market or export?"
        ),
    ),
    "eudr_role": FieldText(
        N_("Role under the EUDR"),
        N_("the company's role under the EUDR"),
        N_(
            "Is the company the first to place these products on the EU market or to export them (operator), "
            "does it make products from goods already covered by a due diligence statement (downstream operator), "
            "or does it only buy and sell them on within the EU (trader)?"
        ),
    ),
    "minerals": FieldText(
        N_("Minerals or metals the company imports"),
        N_("the minerals or metals imported"),
        N_("Does the company import tin, tantalum, tungsten or gold (ores, concentrates or metals)?"),
    ),
    "imports_minerals_into_eu": FieldText(
        N_("Imports them into the EU"),
        N_("whether the company imports them into the EU itself"),
        N_("Does the company itself declare these minerals or metals for release for free circulation in the EU?"),
    ),
    "minerals_import_above_annex_iii": FieldText(
        N_("Import volumes at or above Annex III thresholds"),
        N_("whether the import volumes reach the Annex III thresholds"),
        N_(
            "Are the yearly import volumes at or above the thresholds of Annex III of the Conflict Minerals Regulation?"
        ),
    ),
    "places_batteries_on_market": FieldText(
        N_("Places batteries on the market"),
        N_("whether the company places batteries on the market"),
        N_("Does the company place batteries (or products with batteries) on the EU market or put them into service?"),
    ),
    "eu_subsidiary_or_branch_turnover_eur": FieldText(
        N_("Net turnover of the EU subsidiary or branch (EUR)"),
        N_("the net turnover of the EU subsidiary or branch"),
        N_("What net turnover did the company's EU subsidiary or branch generate?"),
    ),
    # derived facts (indexer.analysis.applicability.derive_facts): asked through the figures they come from
    "size_class": FieldText(
        N_("Size class"),
        N_("the size class"),
        N_(
            "Give at least two of: employees, net turnover, balance sheet total "
            "(Article 3 of Directive 2013/34/EU decides on two of the three)."
        ),
    ),
    "is_sme": FieldText(
        N_("Small or medium-sized"),
        N_("whether the company is an SME"),
        N_(
            "Give at least two of: employees, net turnover, balance sheet total "
            "(Article 3 of Directive 2013/34/EU decides on two of the three)."
        ),
    ),
    "is_pie": FieldText(
        N_("Public-interest entity"),
        N_("whether the company is a public-interest entity"),
        N_("Is the company listed, a credit institution or an insurance undertaking?"),
    ),
    "group_or_own_employees": FieldText(
        N_("Employees (own or of the group)"),
        N_("the number of employees"),
        N_("How many employees (full-time equivalents, on average) did the company have in its last financial year?"),
    ),
    "group_or_own_turnover_worldwide_eur": FieldText(
        N_("Net worldwide turnover (own or of the group)"),
        N_("the net worldwide turnover"),
        N_("What was the company's net turnover worldwide in its last financial year?"),
    ),
    "group_or_own_turnover_eu_eur": FieldText(
        N_("Net turnover in the EU (own or of the group)"),
        N_("the net turnover in the EU"),
        N_("What net turnover did the company generate in the EU in its last financial year?"),
    ),
}

# Values of the profile's closed sets, as the reader calls them.
VALUES: dict[str, dict[Any, str]] = {
    "commodities": {"cattle": N_("cattle"), "cocoa": N_("cocoa"), "coffee": N_("coffee"), "oil_palm": N_("oil palm"),
                    "rubber": N_("rubber"), "soya": N_("soya"), "wood": N_("wood")},
    "minerals": {"tin": N_("tin"), "tantalum": N_("tantalum"), "tungsten": N_("tungsten"), "gold": N_("gold")},
    "eudr_role": {"operator": N_("operator"), "downstream_operator": N_("downstream operator"), "trader": N_("trader")},
    "financial_undertaking": {
        "credit_institution": N_("credit institution"),
        "credit_institution_portfolio_management": N_("credit institution providing portfolio management"),
        "investment_firm_portfolio_management": N_("investment firm providing portfolio management"),
        "insurance_undertaking": N_("insurance undertaking"), "aifm": N_("alternative investment fund manager"),
        "ucits_management_company": N_("UCITS management company"), "iorp": N_("pension fund (IORP)"),
        "pension_product_manufacturer": N_("pension product manufacturer"), "pepp_provider": N_("PEPP provider")},
    "size_class": {"micro": N_("micro"), "small": N_("small"), "medium": N_("medium-sized"), "large": N_("large")},
}

STATUS: dict[str, str] = {"applicable": N_("applies"), "not_applicable": N_("does not apply"),
                          "undetermined": N_("needs more facts")}


def field_text(field: str | None) -> FieldText:
    """The words for a profile fact; a fact without words is a programming error the tests catch, never shown raw."""
    if field not in FIELDS:
        raise KeyError(f"no words for the profile fact {field!r}: add it to indexer/analysis/wording.py FIELDS")
    return FIELDS[field]


def field_label(field: str, lang: str) -> str:
    return gettext_for(lang)(field_text(field).label)


def field_name(field: str | None, lang: str) -> str:
    return gettext_for(lang)(field_text(field).name)


def field_question(field: str, lang: str) -> str:
    return gettext_for(lang)(field_text(field).question)


def value_name(field: str | None, value: Any, lang: str) -> str:
    """'oil_palm' → 'oil palm' / 'oliepalm'; a value outside the closed sets is shown as given."""
    words = VALUES.get(field or "", {})
    return gettext_for(lang)(words[value]) if value in words else str(value)


def status_name(status: str, lang: str) -> str:
    return gettext_for(lang)(STATUS[status])
