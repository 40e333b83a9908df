"""The English strings an applicability answer can contain, to prove a Dutch answer holds none of them.

They are read from where they are written, not typed again here: the `en` text of every `{en, nl}` pair of
config/scope_rules.yaml, and the msgids that pybabel extracts from the answer's code and page (the same
extraction as scripts/translations). Strings that are the same in Dutch ("CSDDD", "Omnibus I") do not count.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from regkb.settings import load_config

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "search_app" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
SOURCES = [
    ("python", "indexer/analysis/applicability.py"),
    ("python", "indexer/analysis/scope_rules.py"),
    ("python", "indexer/analysis/wording.py"),
    ("python", "search_app/views/applicability.py"),
    ("jinja2", "search_app/templates/applicability/form.html"),
    ("jinja2", "search_app/templates/applicability/answer.html"),
]
# English words no Dutch sentence of the answer contains ("of", "is", "in" are Dutch words too)
ENGLISH_WORDS = {"the", "and", "with", "which", "from", "you", "your", "applies", "apply", "does", "not", "company",
                 "employees", "turnover", "article", "articles", "amended", "point", "presumed", "needs", "facts",
                 "unknown", "large", "yes", "none", "must", "should", "answer", "question", "obligations", "because"}
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")


def _localized(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if set(node) == {"en", "nl"}:
            yield node["en"], node["nl"]
            return
        for value in node.values():
            yield from _localized(value)
    elif isinstance(node, list):
        for value in node:
            yield from _localized(value)


@lru_cache(maxsize=1)
def english_strings() -> frozenset[str]:
    """Every English text (or literal fragment of a msgid with placeholders) that differs in Dutch."""
    out = {en for en, nl in _localized(load_config("scope_rules")) if en != nl}
    with CATALOGUE.open("rb") as fh:
        same_in_dutch = {m.id for m in read_po(fh) if m.id and m.string == m.id}
    for method, path in SOURCES:
        if not (REPO / path).exists():
            continue
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _line, msgid, _comments, _context in extract_from_file(method, str(REPO / path), options=options):
            msgid = msgid[0] if isinstance(msgid, tuple) else msgid
            if msgid in same_in_dutch:
                continue
            out.update(f.strip(" .,:;()-–") for f in _PLACEHOLDER.split(msgid))
    return frozenset(s for s in out if len(s) >= 6 and re.search(r"[A-Za-z]{3}", s))


def english_in(text: str) -> list[str]:
    """The English strings and words found in `text` (a Dutch text): empty when it is all Dutch."""
    found = [s for s in english_strings() if s in text]
    found += sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS})
    return found


def answer_texts(answer) -> list[str]:
    """Every text of an Answer a reader sees (not the quoted legal texts or document titles, which are in the
    language of the official text and say so)."""
    texts = [answer.summary, *(p.text for p in answer.summary_parts), answer.derived["size_class_text"]]
    texts += [v[k] for v in answer.voluntary_frameworks for k in ("name", "why")]
    for item in answer.applicable + answer.undetermined + answer.not_applicable:
        texts += [item.short_title, item.title, item.status_label, item.reason, item.citation, *item.notes]
        texts += [q.text for q in item.questions] + [p.text for p in item.presumed]
        if item.applies_from:
            texts += [item.applies_from.text, item.applies_from.citation]
        for g in item.grounds:
            texts += [g.role, g.citation, *g.met, *g.not_met]
        for c in item.changes:
            texts += [c.label] + ([c.applies_from.text] if c.applies_from else [])
        texts += [item.changes_summary or ""]
        for t in item.threshold_changes:
            texts += [t.label, t.citation, *t.values]
        texts += [o[k] for o in item.obligations for k in ("citation", "summary")]
    return [t for t in texts if t]
