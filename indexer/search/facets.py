"""The facets both engines count and filter on: one small class per kind (as Datasette's facets.py does).

A facet is a keyword field of the flat index record. Counting is a terms aggregation over that field;
filtering is "any of the selected values" (OR within a facet, AND across facets). Counts for a facet
ignore that facet's own selection, so a user can widen a multi-select.

Each class knows how to read what a user types (`normalize`), which stored values a selected value
stands for (`filter_values`), how to present its counts (`spread`) and how to label itself and its
values (lazy gettext, so the interface language decides). Which facets exist, in which order and with how
many values, is config/search.yaml `facets`; adding one is a class here plus a line there.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import ClassVar

from flask_babel import lazy_gettext as _l

from indexer.search.settings import search_config
from regkb import taxonomy
from regkb.taxonomy import ALL_SECTORS, NO_SECTOR

Counts = list[tuple[str, int]]


class Facet:
    """A facet over one keyword field; the base class shows values as stored."""

    name: ClassVar[str]   # as used in SearchRequest.filters / .facets and in the query syntax
    field: ClassVar[str]  # keyword field of the index record
    label: ClassVar[object] = ""  # a lazy string: str() translates it
    value_labels: ClassVar[dict[str, object]] = {}
    keeps_empty: ClassVar[bool] = False  # list values whose count is 0 (spread adds them so they can be chosen)

    def __init__(self, size: int = 50):
        self.size = size  # how many values to count

    def normalize(self, typed: str) -> str:
        """What a user types → the stored value."""
        return typed.strip()

    def filter_values(self, value: str) -> tuple[str, ...]:
        """The stored values one selected value stands for."""
        return (value,)

    def spread(self, counts: Counts) -> Counts:
        """The counts as the facet shows them (the engines' counts by default)."""
        return counts

    def order(self, counts: Counts) -> Counts:
        """The values in the order a page lists them: count descending, then value (the same from both
        engines); values at 0 only for a facet that keeps them."""
        return sorted(((v, c) for v, c in counts if c > 0 or self.keeps_empty), key=lambda vc: (-vc[1], vc[0]))

    def value_label(self, value: str, lang: str) -> str:
        """How a page names a value, in the interface language `lang`."""
        label = self.value_labels.get(value)
        return str(label) if label is not None else value.replace("_", " ")


class LowerCaseFacet(Facet):
    """Values stored lower case ("lang:NL" → "nl")."""

    def normalize(self, typed: str) -> str:
        return typed.strip().lower()


_REGISTRY: dict[str, type[Facet]] = {}


def register(cls: type[Facet]) -> type[Facet]:
    _REGISTRY[cls.name] = cls
    return cls


@register
class SectorFacet(Facet):
    """NACE sectors: a code selects its sub-codes (records carry their ancestors) and the rules of general
    scope, which concern every sector. A sector's count is of the records that name it (by their instrument or
    scope provision); those of general scope are counted once, under ALL_SECTORS, so the counts show where rules
    differ by sector instead of the same general total under every sector."""

    name, field, label = "sector", "sectors", _l("Sector")
    keeps_empty = True  # every section and division stays choosable, with 0 when only general rules concern it

    def normalize(self, typed: str) -> str:
        return taxonomy.nace_code(typed)

    def filter_values(self, value: str) -> tuple[str, ...]:
        return (value,) if value == ALL_SECTORS else (value, ALL_SECTORS)

    def spread(self, counts: Counts) -> Counts:
        """The engines' counts (records naming each code), plus every section and division of config/nace.yaml
        that none names, at 0, when rules of general scope are among the results: choosing such a sector then
        finds those rules. Records of no sector (NO_SECTOR, legislative machinery) are no choice."""
        counts = [(v, n) for v, n in counts if v != NO_SECTOR]
        if not dict(counts).get(ALL_SECTORS):
            return counts
        out = dict(counts)
        for code in taxonomy.nace_codes():
            if len(code) <= 3:  # sections and divisions
                out.setdefault(code, 0)
        return list(out.items())

    def order(self, counts: Counts) -> Counts:
        """Among the sectors at 0, the sections (A … U) before their ~90 divisions: the first lines of the list,
        shown before "Show more", are the broad choices, not "A01, A02, A03 …"."""
        return sorted(super().order(counts), key=lambda vc: (-vc[1], bool(vc[1] == 0 and len(vc[0]) > 1), vc[0]))

    def value_label(self, value: str, lang: str) -> str:
        if value == ALL_SECTORS:
            return str(_l("All sectors (rules of general scope)"))
        # some sources declare bare NACE numbers ("10", "27.2"): label them as the search engine reads them ("C10")
        labels = taxonomy.nace_labels()
        label = taxonomy.label_for(labels, value, lang) or taxonomy.label_for(labels, self.normalize(value), lang)
        return f"{value} – {label}" if label else value


@register
class ModalityFacet(LowerCaseFacet):
    name, field, label = "modality", "modality", _l("Modality")
    value_labels = {"obligation": _l("Obligation"), "prohibition": _l("Prohibition"), "permission": _l("Permission"),
                    "exemption": _l("Exemption")}


class TaxonomyFacet(Facet):
    """Values labelled by a taxonomy of config/ (regkb.taxonomy): `labels` gives code → {language: label}."""

    labels: ClassVar[Callable[[], taxonomy.Labels]]

    def value_label(self, value: str, lang: str) -> str:
        return taxonomy.label_for(type(self).labels(), value, lang) or value.replace("_", " ")


@register
class AddresseeFacet(TaxonomyFacet):
    """Who must act (the duty-bearer, config/addressees.yaml roles): a role selects its narrower roles, as records
    carry their role's ancestors ("economic_operators" finds manufacturers); so a broad role's count includes them."""

    name, field, label = "addressee", "duty_bearers", _l("Who")
    labels = taxonomy.role_labels

    def normalize(self, typed: str) -> str:
        """'Manufacturers', 'economic operators', 'fabrikanten' → the role key."""
        typed = typed.strip()
        key = typed.lower().replace(" ", "_")
        if key in taxonomy.role_labels():
            return key
        return next((taxonomy.role_forms(lang)[typed.lower()] for lang in ("en", "nl", "fr")
                     if typed.lower() in taxonomy.role_forms(lang)), typed)


@register
class InstrumentFacet(Facet):
    """Acts by short title; any of an act's names selects it ("deforestation regulation" → EUDR)."""

    name, field, label = "instrument", "instrument", _l("Instrument")

    def normalize(self, typed: str) -> str:
        from indexer.search.citations import canonical_instrument
        typed = typed.strip()
        return canonical_instrument(typed) or typed

    def value_label(self, value: str, lang: str) -> str:
        from indexer.search.records import act_name_in
        return act_name_in(_act_ids_by_instrument().get(value), lang) or value


@register
class JurisdictionFacet(Facet):
    name, field, label = "jurisdiction", "jurisdiction", _l("Jurisdiction")
    value_labels = {"EU": _l("EU"), "NL": _l("Netherlands"), "international": _l("international")}

    def normalize(self, typed: str) -> str:
        typed = typed.strip()
        return {"eu": "EU", "nl": "NL", "international": "international"}.get(typed.lower(), typed)


@register
class DocumentTypeFacet(LowerCaseFacet):
    name, field, label = "document_type", "document_type", _l("Document type")
    value_labels = {
        "directive": _l("directive"),
        "regulation": _l("regulation"),
        "delegated_regulation": _l("delegated regulation"),
        "implementing_regulation": _l("implementing regulation"),
        "proposal": _l("proposal"),
        "corrigendum": _l("corrigendum"),
        "national_act": _l("national act"),
        "decree": _l("decree"),
        "treaty": _l("treaty"),
        "bill": _l("bill"),
        "policy_note": _l("policy note"),
        "covenant": _l("covenant"),
        "advice": _l("advice"),
        "guidance": _l("guidance"),
        "news": _l("news"),
        "other": _l("other"),
    }


@register
class TopicFacet(TaxonomyFacet):
    name, field, label = "topic", "topics", _l("Topic")
    labels = taxonomy.topic_labels


@register
class LanguageFacet(LowerCaseFacet):
    name, field, label = "language", "language", _l("Language")
    value_labels = {"en": "English", "nl": "Nederlands", "fr": "Français", "de": "Deutsch"}  # each in its own language


@register
class StatusFacet(LowerCaseFacet):
    name, field, label = "status", "status", _l("Status")
    value_labels = {
        "proposal": _l("proposal"), "adopted": _l("adopted"), "in_force": _l("in force"), "repealed": _l("repealed"),
        "voluntary": _l("voluntary"), "published": _l("published"), "deleted": _l("deleted"),
    }


@register
class ApplicationYearFacet(Facet):
    name, field, label = "application_year", "application_years", _l("Application year")


def _configured() -> dict[str, Facet]:
    """The facets of config/search.yaml `facets` (name → size), in that order."""
    wanted = search_config().get("facets") or {name: 50 for name in _REGISTRY}
    unknown = [n for n in wanted if n not in _REGISTRY]
    if unknown:
        raise ValueError(f"config/search.yaml facets names {unknown}, which no class in indexer/search/facets.py "
                         f"implements; known: {', '.join(_REGISTRY)}")
    return {name: _REGISTRY[name](int(size or 50)) for name, size in wanted.items()}


FACETS: dict[str, Facet] = _configured()

# Keyword fields that filter but are not shown as facets.
FILTER_FIELDS = {"provision_kind": "provision_kind", "document_id": "document_id", "provision_path": "provision_path",
                 "kind": "kind", "id": "id", "dated": "dated", "defines": "defines"}

KEYWORD_FIELDS = tuple(
    sorted(
        {f.field for f in FACETS.values()}
        | set(FILTER_FIELDS.values())
        | {"act_id", "provision_id", "cite_key", "group"}
    )
)


def facet(name: str) -> Facet:
    try:
        return FACETS[name]
    except KeyError:
        raise ValueError(f"unknown facet {name!r}; known facets: {', '.join(FACETS)}") from None


def field_for(name: str) -> str:
    """The index field behind a facet or filter name."""
    if name in FACETS:
        return FACETS[name].field
    if name in FILTER_FIELDS:
        return FILTER_FIELDS[name]
    raise ValueError(f"unknown filter {name!r}; known: {', '.join([*FACETS, *FILTER_FIELDS])}")


def normalize_value(name: str, value: str) -> str:
    """What a user types for a facet or filter → the stored value ("sector:13" → "C13", "lang:NL" → "nl")."""
    if name in FACETS:
        return FACETS[name].normalize(value)
    return value.strip().lower() if name == "provision_kind" else value.strip()


def filter_values(name: str, value: str) -> tuple[str, ...]:
    """The stored values one selected value of a facet or filter stands for."""
    return FACETS[name].filter_values(value) if name in FACETS else (value,)


@lru_cache(maxsize=1)
def _act_ids_by_instrument() -> dict[str, str]:
    """short_title → act_id (config/acts.yaml)."""
    from indexer.search.records import act_names
    return {short: act_id for act_id, (short, _) in act_names().items()}


def label_of(name: str) -> str | None:
    """A facet's label in the current interface language (None for a name that is not a facet)."""
    return str(FACETS[name].label) if name in FACETS else None
