"""Document-level metadata shared by all parsers: act registry, ids, dates.

Act facts (short titles, act ids, instrument types, amendment relations) live
in `config/acts.yaml`; this module only reads them and finds in the text what
the text itself states (adoption date in the title, entry into force and
application dates in the final articles).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from regkb.dates import DATE_RE, MONTH, MONTH_NUMBER, MONTHS, parse_date  # noqa: F401  (re-exported)
from regkb.records import ApplicationDate, Dates, Provision
from regkb.settings import load_config

# ---------------------------------------------------------------- acts.yaml


@lru_cache(maxsize=1)
def acts() -> dict[str, dict]:
    """CELEX/BWB key -> act facts from config/acts.yaml."""
    return {str(k): v for k, v in (load_config("acts").get("acts") or {}).items()}


def act_info(key: str | None) -> dict:
    if not key:
        return {}
    return acts().get(base_celex(key) or key, {}) or acts().get(key, {})


def act_key_by_title(title: str) -> str | None:
    """acts.yaml key of the act whose configured title is `title` (Dutch laws are known by name)."""
    wanted = title.strip().lower()
    return next((k for k, v in acts().items() if (v.get("title") or "").lower() == wanted), None)


def base_celex(celex: str | None) -> str | None:
    """'02024L1760-20260318' -> '32024L1760'; '32024L1760R(02)' -> '32024L1760'."""
    if not celex:
        return None
    m = re.match(r"^[03](\d{4})([A-Z]{1,2})(\d{4})", celex)
    if not m:
        return celex
    return f"3{m.group(1)}{m.group(2)}{m.group(3)}"


def default_act_id(celex: str) -> str:
    """'32024L1760' -> 'eu-2024-1760-L' (used when acts.yaml does not know the act)."""
    m = re.match(r"^\d(\d{4})([A-Z]{1,2})(\d{4})", celex)
    if not m:
        return "eu-" + re.sub(r"[^0-9a-z]+", "-", celex.lower()).strip("-")
    return f"eu-{m.group(1)}-{int(m.group(3))}-{m.group(2)}"


def celex_slug(celex: str) -> str:
    """CELEX as used inside document ids: parentheses dropped ('32024L1760R(02)' -> '32024L1760R02')."""
    return re.sub(r"[^0-9A-Za-z\-]", "", celex)


def celex_from_url(url: str) -> str | None:
    m = re.search(r"CELEX(?::|%3A|_)([0-9][0-9A-Z]{9,}(?:R?(?:\(|%28)\d+(?:\)|%29))?(?:-\d{8})?)", url, re.I)
    if not m:
        return None
    return m.group(1).replace("%28", "(").replace("%29", ")").upper()


TITLE_TYPES = [
    # (regex on the start of the title, instrument_type, CELEX type letter)
    (r"(commission )?delegated regulation|règlement délégué|gedelegeerde verordening", "delegated_regulation", "R"),
    (
        r"(commission )?implementing regulation|règlement d.exécution|uitvoeringsverordening",
        "implementing_regulation",
        "R",
    ),
    (r"corrigendum|rectificatif|rectificatie", "corrigendum", None),
    (r"(council )?directive|richtlijn", "directive", "L"),
    (r"(council )?regulation|règlement|verordening", "regulation", "R"),
    (r"proposal|proposition|voorstel", "proposal", None),
]


def instrument_from_title(title: str) -> tuple[str | None, str | None]:
    t = title.strip().lower()
    for pattern, kind, letter in TITLE_TYPES:
        if re.match(pattern, t):
            return kind, letter
    return None, None


def celex_from_title(title: str) -> str | None:
    """'DIRECTIVE (EU) 2024/1760 ...' -> '32024L1760' (only for plain acts, not corrigenda)."""
    kind, letter = instrument_from_title(title)
    m = re.search(r"\b((?:19|20)\d{2})/(\d{1,4})\b", title)
    if not letter or not m:
        m2 = re.search(r"\b(?:no|nr\.?|n°)\s*(\d{1,4})/((?:19|20)\d{2})\b", title, re.I)
        if not letter or not m2:
            return None
        return f"3{m2.group(2)}{letter}{int(m2.group(1)):04d}"
    return f"3{m.group(1)}{letter}{int(m.group(2)):04d}"


def number_from_title(title: str) -> str | None:
    m = re.search(r"\b((?:19|20)\d{2})/(\d{1,4})\b", title)
    return f"{m.group(1)}/{m.group(2)}" if m else None


# ---------------------------------------------------------------- dates

# Month names and date parsing live in regkb.dates (one place for parsing, extraction, evaluation and comparison);
# MONTH_NUMBER, MONTHS, DATE_RE and parse_date stay importable from here for the parsers.

def adoption_date(title: str) -> date | None:
    """'... of 13 June 2024 on ...' / 'du 13 juin 2024' / 'van 13 juni 2024'."""
    m = re.search(rf"\b(?:of|du|van)\s+(\d{{1,2}}(?:er)?\s+(?:{MONTH})\s+(?:19|20)\d{{2}})", title, re.I)
    return parse_date(m.group(1)) if m else None


DAY_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fifth": 5, "tenth": 10, "twentieth": 20, "thirtieth": 30,
    "premier": 1, "deuxième": 2, "troisième": 3, "cinquième": 5, "dixième": 10, "vingtième": 20,
    "eerste": 1, "tweede": 2, "derde": 3, "vijfde": 5, "tiende": 10, "twintigste": 20, "dertigste": 30,
}
FORCE_RE = re.compile(
    r"(?:shall enter into force|entre en vigueur|treedt in werking)\s+(?:on\s+|le\s+|op\s+)?(?:the\s+|de\s+)?"
    r"(?P<ord>\w+)?\s*(?:day|jour|dag)\b", re.I)
FORCE_DATE_RE = re.compile(
    r"(?:shall enter into force|entre en vigueur|treedt in werking)\s+(?:on|le|op)\s+"
    r"(?P<date>\d{1,2}(?:er)?\s+\w+\s+\d{4})",
    re.I,
)
APPLY_RE = re.compile(
    r"(?:shall apply|shall be applicable|shall also apply|applies|s.appliqu\w*|est applicable|sont applicables|"
    r"(?:is|zijn) van toepassing|(?:is|zijn) toepasselijk)"
    r"[^.;:]{0,160}?\b(?:from|as from|à partir du|à compter du|vanaf|met ingang van)\s+"
    r"(?P<date>\d{1,2}(?:er)?\s+(?:%s)\s+(?:19|20)\d{2})" % MONTH, re.I)
LEAD_FROM_RE = re.compile(
    r"^(?:from|as from|à partir du|à compter du|vanaf|met ingang van)\s+"
    r"(?P<date>\d{1,2}(?:er)?\s+(?:%s)\s+(?:19|20)\d{2})" % MONTH,
    re.I,
)
TRANSPOSE_RE = re.compile(
    r"(?:adopt and publish|bring into force|mettent en vigueur|adoptent et publient|doen de nodige|"
    r"vaststellen en bekendmaken)"
    r"[^.]{0,200}?\b(?:by|au plus tard le|uiterlijk op|uiterlijk)\s+(?P<date>\d{1,2}(?:er)?\s+(?:%s)\s+(?:19|20)\d{2})"
    % MONTH,
    re.I,
)


def shorten(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_dates(provisions: Iterable[Provision], published: date | None) -> Dates:
    """Entry into force, transposition deadline and application dates as the articles state them."""
    provisions = list(provisions)
    by_id = {p.id: p for p in provisions}
    dates = Dates(published=published)
    dates.transposition_deadline = _transposition(provisions)
    for p in provisions:
        if not p.text or p.kind in ("recital", "citation"):
            continue
        if dates.entry_into_force is None:
            m = FORCE_DATE_RE.search(p.text)
            if m:
                dates.entry_into_force = parse_date(m.group("date"))
            else:
                m = FORCE_RE.search(p.text)
                if m and published and m.group("ord"):
                    word = m.group("ord").lower()
                    if word in DAY_ORDINALS:
                        dates.entry_into_force = published + timedelta(days=DAY_ORDINALS[word])
                    elif word in ("following", "suivant", "volgend", "volgende"):
                        dates.entry_into_force = published + timedelta(days=1)
        for m in APPLY_RE.finditer(p.text):
            d = parse_date(m.group("date"))
            if d:
                dates.application.append(ApplicationDate(
                    date=d, text=shorten(p.text[max(0, m.start() - 80): m.end() + 160]), provision_id=p.id,
                    scope=_scope(p.text[m.end():])))
        m = LEAD_FROM_RE.match(p.text)
        parent = by_id.get(p.parent_id or "")
        if m and parent is not None and re.search(r"appl|toepass", parent.text, re.I):
            d = parse_date(m.group("date"))
            if d:
                dates.application.append(ApplicationDate(
                    date=d, text=shorten(p.text), provision_id=p.id, scope=_scope(p.text[m.end():])))
    return dates


def _transposition(provisions: list[Provision]) -> date | None:
    """The deadline in the article headed 'Transposition' (amending acts quote other deadlines elsewhere)."""
    heads = {p.id for p in provisions if p.kind == "article" and p.heading
             and re.search(r"transpos|omzetting", p.heading, re.I)}
    ordered = [p for p in provisions if p.id.split(".")[0] in heads] + \
              [p for p in provisions if p.id.split(".")[0] not in heads and not heads]
    for p in ordered:
        m = TRANSPOSE_RE.search(p.text)
        if m:
            return parse_date(m.group("date"))
    return None


def _scope(rest: str) -> str | None:
    m = re.match(r"\s*,?\s*(?:as regards|to|for|en ce qui concerne|pour|aux?|voor|ten aanzien van|op)\s+([^;]{3,200})",
                 rest, re.I)
    return shorten(m.group(1), 200) if m else None
