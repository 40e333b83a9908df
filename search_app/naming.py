"""How pages name a document wherever one is listed or chosen: the act, a readable title, the version and its date.

WHY one place: the documents index, the compare choices, the timeline and what's new all name documents; a
reader must never meet a raw id ('celex-02024L1760-20260318-en') or an official title that shouts in capitals
and is cut mid-word. Titles are written in title case (config/titles.yaml) and cut at a word with an ellipsis;
templates keep the whole title in a title attribute.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import groupby

from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from indexer.analysis.versions import effective_date
from indexer.search.facets import FACETS
from indexer.search.records import act_name_in, version_fields
from regkb.records import Document
from regkb.settings import load_config
from search_app import present

_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _rules() -> dict:
    return load_config("titles")


def limit(place: str) -> int:
    """The longest title a place shows before cutting (config/titles.yaml `limits`)."""
    return int(_rules()["limits"][place])


def readable_title(title: str | None, language: str = "en") -> str:
    """An official title written as a sentence: 'DIRECTIVE (EU) 2024/1760 OF THE EUROPEAN PARLIAMENT' →
    'Directive (EU) 2024/1760 of the European Parliament'. Titles that do not shout are left as they are."""
    text = " ".join((title or "").split())
    keep = set(_rules()["keep_upper"])
    shouting = [w for w in _WORD.findall(text) if w.isupper() and len(w) > 1 and w not in keep]
    if len(shouting) < 2:
        return text
    small = set(_rules()["lower"].get(language, _rules()["lower"]["en"]))
    first = True

    def case(m: re.Match) -> str:
        nonlocal first
        word, was_first, first = m.group(0), first, False
        low = word.lower()
        if not word.isupper() or word in keep or (len(word) < 2 and low not in small):
            return word
        return low if low in small and not was_first else low.capitalize()

    return _WORD.sub(case, text)


def cut(text: str | None, length: int) -> str:
    """The text up to `length` characters, cut after a whole word, with an ellipsis when something was left out."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    head = text[:length + 1].rsplit(" ", 1)[0] if " " in text[:length + 1] else text[:length]
    return head.rstrip(" ,;:-–(") + " …"


def act_name(doc: Document) -> str:
    """How people call the act (config/acts.yaml `name`, else its short title): 'CSDDD', 'Batteries Regulation'."""
    named = act_name_in(doc.act_id, str(get_locale()))
    return named or doc.short_title or cut(readable_title(doc.title, doc.language), 60)


@dataclass(frozen=True)
class Version:
    """One version of an act (its language versions together) as lists show it."""

    version_id: str
    label: str                 # "Consolidated text of 18 March 2026", "Corrigendum of 3 May 2025"
    state: str                 # current | superseded | future | deleted | "" (a text outside the version chain)
    detail: str                # "current", "superseded on 18 March 2026"
    day: date | None
    documents: list[Document] = field(default_factory=list)  # one per language, in language order


@dataclass(frozen=True)
class Act:
    """An act with its versions, newest first."""

    act_id: str
    name: str
    title: str                 # readable, in the interface language when the corpus has that language version
    kind: str                  # "Directive · EU"
    versions: list[Version]
    title_lang: str = "en"


def version_of(doc: Document, chains) -> Version:
    """The version wording of one text (the same wording the search results use, present.version_note)."""
    day = effective_date(doc)
    if doc.instrument_type == "corrigendum":
        label = _("Corrigendum of %(d)s", d=format_date(day, "d MMMM y")) if day else _("Corrigendum")
        return Version(doc.version_id, label, "", "", day)
    info = chains.version(doc.id)
    note = present.version_note(version_fields(doc, info)) if info else None
    if note and note.label:
        return Version(doc.version_id, note.label, note.state, note.detail, day)
    label = _("Published %(d)s", d=format_date(day, "d MMMM y")) if day else _("Undated")
    return Version(doc.version_id, label, "", "", day)


def acts(documents: list[Document], chains) -> list[Act]:
    """Every act of the corpus with its versions (newest first), by jurisdiction and name."""
    lang = str(get_locale())
    out = []
    for act_id, group in groupby(sorted(documents, key=lambda d: d.act_id), key=lambda d: d.act_id):
        docs = list(group)
        by_version: dict[str, list[Document]] = {}
        for doc in docs:
            by_version.setdefault(doc.version_id, []).append(doc)
        versions = []
        for texts in by_version.values():
            texts.sort(key=lambda d: d.language)
            v = version_of(next((d for d in texts if d.language == "en"), texts[0]), chains)
            versions.append(Version(v.version_id, v.label, v.state, v.detail, v.day, texts))
        versions.sort(key=lambda v: (v.day or date.min, v.state == "current"), reverse=True)
        texts = [d for v in versions for d in v.documents]  # newest version first
        main = next((d for d in texts if d.language == lang), texts[0])
        kind = " · ".join(FACETS[f].value_label(v, lang) for f, v in (("document_type", main.instrument_type),
                                                                       ("jurisdiction", main.jurisdiction)))
        title = readable_title(main.title, main.language)
        out.append(Act(act_id, act_name(main), title, kind, versions, main.language))
    return sorted(out, key=lambda a: (a.kind.split(" · ")[-1], a.name.lower()))


def choice_label(version: Version, doc: Document) -> str:
    """An option of the compare lists: 'Consolidated text of 18 March 2026 (EN)'."""
    return f"{version.label} ({doc.language.upper()})"


def init_app(app) -> None:
    app.add_template_filter(readable_title, "readable_title")
    app.add_template_filter(cut, "cut")
    app.add_template_global(limit, "title_limit")
