"""Corrigenda: one provision per correction item, cited by what it corrects.

An OJ corrigendum is a list of items "On page 32, in Article 6(1): for: '…' read: '…'"
("Bladzijde 33, artikel 1, punt 5: in plaats van: … lezen: …", "Page 36, à l'article 11 …:
au lieu de: … lire: …"), sometimes numbered "1.", "2.". Each item becomes a `text` provision
whose heading (and so citation) names the corrected provision ("Correction to Article 6(1)")
and whose number is that provision's id in the corrected act ("art_6.par_1"), so the two
can be linked. Text that has no such items is kept whole, cited "Corrigendum (whole text)".
"""
from __future__ import annotations

import re
from typing import Any

from .tree import ORDINALS, Node, clean, id_token

WORDS = {
    "en": {"page": r"On\s+page|Page", "for": r"\bfor\s*:", "cite": "Correction to {loc}",
           "whole": "Corrigendum (whole text)", "strip": r"^(?:in|to)\s+"},
    "fr": {"page": r"À\s+la\s+page|A\s+la\s+page|Page", "for": r"\bau\s+lieu\s+de\s*:", "cite": "Rectificatif : {loc}",
           "whole": "Rectificatif (texte intégral)", "strip": r"^(?:dans|en)\s+"},
    "nl": {"page": r"Bladzijde|Blz\.", "for": r"\bin\s+plaats\s+van\s*:", "cite": "Rectificatie van {loc}",
           "whole": "Rectificatie (volledige tekst)", "strip": r"^(?:in|op)\s+"},
}
# French locations already say "à l'article …": the citation then reads "Rectificatif à l'article …".
FR_PREPOSITION = re.compile(r"^(?:à|au|aux)\s", re.IGNORECASE)
TITLE = re.compile(r"^\s*(corrigendum|rectificatif|rectificatie)\b", re.IGNORECASE)
# Publication furniture after the last item (OJ L series pages).
END = re.compile(r"\s(?:ELI\s*:\s*http|ISSN\s+\d{4})")

# Where a location names the corrected provision, per language (matched case-insensitively except numerals).
LOCATION: dict[str, dict[str, Any]] = {  # pattern, or None where the language has no such word
    "en": {"article": r"(?i:article)\s+(\d+[a-z]?)((?:\s?\(\w{1,4}\))*)", "paragraph": None,
           "point": r"\b(?i:point)\s+\((\w{1,4})\)((?:\(\w{1,4}\))*)", "subparagraph": r"(\w+)\s+(?i:subparagraph)",
           "recital": r"(?i:recital)\s+\(?(\d+)\)?", "annex": r"(?i:annex)\s+([IVXLC]+)\b",
           "part": r"(?i:part)\s+([A-Z0-9]{1,4})\b"},
    "fr": {"article": r"(?i:article)\s+(\d+(?:\s+(?:bis|ter|quater|quinquies))?)\b",
           "paragraph": r"\b(?i:paragraphe)\s+(\d+)",
           "point": r"\b(?i:point)\s+(\w{1,4})\)", "subparagraph": r"(\w+(?:-\w+)?)\s+(?i:alinéa)",
           "recital": r"(?i:considérant)\s+(\d+)", "annex": r"(?i:annexe)\s+([IVXLC]+)\b",
           "part": r"(?i:partie)\s+([A-Z0-9]{1,4})\b"},
    "nl": {"article": r"(?i:artikel)\s+(\d+(?:\s+(?:bis|ter|quater|quinquies))?)\b", "paragraph": r"\b(?i:lid)\s+(\d+)",
           "point": r"\b(?i:punt)\s+(\w{1,4})\)?", "subparagraph": r"(\w+)\s+(?i:alinea)",
           "recital": r"(?i:overweging)\s+(\d+)", "annex": r"(?i:bijlage)\s+([IVXLC]+)\b",
           "part": r"(?i:deel)\s+([A-Z0-9]{1,4})\b"},
}


# A sub-point after a French/Dutch point: "punt b), ii)", "point b) ii)", "punt b, onder ii".
SUBPOINT = re.compile(r"\s*,?\s*(?:onder\s+)?([ivx]{1,5})\b\)?")


def is_corrigendum(title: str) -> bool:
    return bool(TITLE.match(title or ""))


def corrections(text: str, language: str) -> tuple[list[Node], list[str]]:
    """The correction items of a corrigendum's text, or the whole text when it has none."""
    lang = language if language in WORDS else "en"
    w = WORDS[lang]
    text = text.replace("\u00a0", " ")
    end = END.search(text)
    body = text[: end.start()] if end else text
    starts = list(re.finditer(rf"(?:^|(?<=[\s.;]))(?:\d{{1,3}}\.\s+)?(?P<page>(?:{w['page']})\s+\d+\s*,)", body))
    if not starts:
        return [Node("text", heading=w["whole"], text=clean(body))], [
            "corrigendum items ('page …: for … read …') not recognised; kept the text whole"]
    nodes: list[Node] = []
    used: set[str] = set()
    for i, m in enumerate(starts):
        stop = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        nodes.append(_item(body[m.start("page"): stop], lang, used))
    return nodes, []


def _item(segment: str, lang: str, used: set[str]) -> Node:
    """One correction: heading from its location, number = the corrected provision's id."""
    w = WORDS[lang]
    segment = clean(segment)
    found = re.search(w["for"], segment)
    location = segment[: found.start()] if found else segment.split(":", 1)[0][:200]
    location = re.sub(rf"^(?:{w['page']})\s+\d+\s*,\s*", "", location).strip(" :,")
    location = re.sub(w["strip"], "", location, flags=re.IGNORECASE)
    target = target_id(location, lang)
    number = target if target and target not in used else None
    if number:
        used.add(number)
    if lang == "fr" and FR_PREPOSITION.match(location):
        heading = f"Rectificatif {location}"
    else:
        heading = w["cite"].format(loc=location)
    return Node("text", number=number, heading=heading, text=segment)


def target_id(location: str, lang: str) -> str | None:
    """'Article 3(1), point (a)' -> 'art_3.par_1.pt_a'; 'overweging 37' -> 'rct_37';
    'bijlage I, deel B' -> 'anx_I.prt_B'; None when the location is no provision (a footnote)."""
    p = LOCATION[lang]
    m = re.search(p["recital"], location)
    if m:
        return f"rct_{m.group(1)}"
    m = re.search(p["article"], location)
    if m:
        return _article_id(location, m, p, lang)
    m = re.search(p["annex"], location)
    if m:
        part = re.search(p["part"], location[m.end():])
        return f"anx_{m.group(1)}" + (f".prt_{part.group(1)}" if part else "")
    return None


def _article_id(location: str, m: re.Match, p: dict, lang: str) -> str:
    """art_N, then .par_N (EN "(1)", FR "paragraphe 1", NL "lid 1"), .sub_N, .pt_x(.pt_i)."""
    parts = [f"art_{id_token(m.group(1))}"]
    brackets = re.findall(r"\((\w{1,4})\)", m.group(2)) if lang == "en" else []
    rest = location[: m.start()] + " " + location[m.end():]  # "point b) de l'article 5" names the point first
    par = re.search(p["paragraph"], rest) if p["paragraph"] else None
    if brackets and brackets[0].isdigit():
        parts.append(f"par_{brackets.pop(0)}")
    elif par:
        parts.append(f"par_{par.group(1)}")
    parts += _subparagraph(rest, p, lang)
    point = re.search(p["point"], rest)
    if point:
        brackets += [point.group(1)] + re.findall(r"\((\w{1,4})\)", point.group(2) if lang == "en" else "")
        subpoint = re.match(SUBPOINT, rest[point.end():]) if lang != "en" else None
        brackets += [subpoint.group(1)] if subpoint else []
    return ".".join(parts + [f"pt_{id_token(b)}" for b in brackets])


def _subparagraph(rest: str, p: dict, lang: str) -> list[str]:
    """'second subparagraph' -> ['sub_2']; the first subparagraph is the paragraph's own text."""
    m = re.search(p["subparagraph"], rest)
    word = m.group(1).lower() if m else ""
    ordinals = ORDINALS[lang]
    return [f"sub_{ordinals.index(word) + 1}"] if word in ordinals[1:] else []
