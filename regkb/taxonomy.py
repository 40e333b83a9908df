"""The taxonomies records are tagged with (NACE sectors, topics, roles of parties), read from `config/`.

They sit in the base layer because extraction tags records with them, search filters and counts on them,
and the pages label them: none of those should import another for it.
"""
from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from regkb.settings import load_config

# The sector value of a record that names no sector: a rule of general scope (the CSDDD, an ILO convention)
# concerns every sector, so a sector filter also selects it and every sector's count includes it.
ALL_SECTORS = "*"
# The sector value of a record that concerns no sector: the legislator's own procedure inside a sector instrument
# (the Commission's reviews and reports, the ESAs' mandates; config/nace.yaml `machinery`). No sector filter
# selects it and no sector counts it.
NO_SECTOR = "-"

Labels = dict[str, dict[str, str]]  # code → {language: label}


def _optional(name: str) -> Any:
    try:
        return load_config(name)
    except FileNotFoundError:
        return None


@lru_cache(maxsize=1)
def nace_codes() -> tuple[str, ...]:
    """Every code of config/nace.yaml ("A", "A01", "A01.2" …), in file order."""
    return tuple((_optional("nace") or {}).get("codes", {}))


@lru_cache(maxsize=1)
def _section_of_division() -> dict[str, str]:
    """'13' → 'C': NACE sections by division number (config/search.yaml nace_sections)."""
    out = {}
    for letter, (lo, hi) in ((_optional("search") or {}).get("nace_sections") or {}).items():
        out.update({f"{n:02d}": letter for n in range(int(lo), int(hi) + 1)})
    return out


def nace_code(typed: str) -> str:
    """What a user types → the code ("13" → "C13", "c13" → "C13"); unknown codes upper-cased."""
    upper = typed.strip().upper()
    if upper in nace_codes():
        return upper
    return next((c for c in nace_codes() if c[1:] == typed.strip()), upper)


def sector_ancestors(code: str) -> list[str]:
    """'C13.20' → ['C', 'C13', 'C13.2', 'C13.20'], so 'sector:13' finds every class under division 13.
    Codes written without their section letter ('27.2', '01') get it from the division."""
    code = code.strip().upper().rstrip(".")
    if code[:2].isdigit():
        code = _section_of_division().get(code[:2], "") + code
    out = [code[:1]] if code[:1].isalpha() else []
    if len(code) >= 3:
        out.append(code[:3])
    if "." in code:
        head, tail = code.split(".", 1)
        out += [f"{head}.{tail[:i]}" for i in range(1, len(tail) + 1)]
    return list(dict.fromkeys(out or [code]))


@lru_cache(maxsize=1)
def nace_labels() -> Labels:
    """NACE code → {language: label} (config/nace.yaml)."""
    codes = (_optional("nace") or {}).get("codes", {})
    return {str(code): _languages(row) for code, row in codes.items() if isinstance(row, dict)}


@lru_cache(maxsize=1)
def topic_labels() -> Labels:
    """Topic key → {language: label} (config/topics.yaml)."""
    return {str(key): _languages(row) for key, row in (_optional("topics") or {}).items() if isinstance(row, dict)}


@lru_cache(maxsize=1)
def _roles() -> dict[str, dict[str, Any]]:
    data = _optional("addressees") or {}
    return {str(key): entry for key, entry in data.items() if isinstance(entry, dict)}


@lru_cache(maxsize=1)
def role_labels() -> Labels:
    """Role key → {language: label} (config/addressees.yaml `label`; else its first surface form, capitalised)."""
    out: Labels = {}
    for key, entry in _roles().items():
        forms = {lang: f[0][:1].upper() + f[0][1:] for lang, f in entry.items() if isinstance(f, list) and f}
        out[key] = forms | {lang: str(text) for lang, text in (entry.get("label") or {}).items()}
    return out


@cache
def role_forms(lang: str) -> dict[str, str]:
    """Surface form (lower case) → role key, for one language."""
    return {str(form).lower(): key for key, entry in _roles().items() for form in entry.get(lang) or []}


def role_via(key: str, lang: str) -> str | None:
    """"via the Member States": how a page says a duty passes through a delegating role (config `via`)."""
    via = (_roles().get(key) or {}).get("via") or {}
    return via.get(lang) or via.get("en")


@lru_cache(maxsize=1)
def delegating_roles() -> frozenset[str]:
    """Roles whose "shall ensure that X ..." binds X in the end: legislators (config/addressees.yaml `delegates`)."""
    return frozenset(key for key, entry in _roles().items() if entry.get("delegates"))


def role_ancestors(key: str | None) -> list[str]:
    """'manufacturers' → ['economic_operators', 'manufacturers']: every broader role (config `parent`) and the role,
    broadest first as sector_ancestors, so selecting a broad role in the Who facet finds the specific ones. Unknown
    keys stand for themselves."""
    out: list[str] = []
    while key and key not in out:
        out.append(key)
        key = (_roles().get(key) or {}).get("parent")
    return out[::-1]


def _languages(row: dict[str, Any]) -> dict[str, str]:
    return {lang: str(text) for lang, text in row.items() if lang != "keywords" and isinstance(text, str)}


def label_for(labels: Labels, code: str, lang: str) -> str | None:
    """The label in `lang`, else English, else any; None for an unknown code."""
    entry = labels.get(code) or {}
    return entry.get(lang) or entry.get("en") or next(iter(entry.values()), None)


addressee_labels = role_labels  # addressees and duty-bearers share one taxonomy
