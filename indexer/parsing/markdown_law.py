"""Markdown conversions of wetten.overheid.nl (BWB) records and of EU acts ("### Artikel 1", "1. ...", "a. ...").

Treaty records hold the authentic English text followed by the Dutch
translation, each under its own "####" title: they become one document per
language (ids bwb-<BWB>-en and bwb-<BWB>-nl) so each is searchable and cited
in its own language.
"""
from __future__ import annotations

import re
from typing import Optional

from .document import Parsed
from .errors import ParseError
from .metadata import celex_from_title
from .tree import Node, clean

ARTICLE = re.compile(r"^#{1,6}\s*(Artikel|Article|Art\.)\s+([0-9]+[a-z]*|[IVXLC]+|premier)\b\s*(.*)$", re.I)
HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*#*\s*$")
PARAGRAPH = re.compile(r"^(\d+[a-z]?)\.\s+(.*)$")
POINT = re.compile(r"^\(?([a-z]|[ivx]{1,4}|\d+°)[.)]\s*(\S.*)$")


def parse_markdown_law(text: str, url: str, language: str) -> list[Parsed]:
    text = re.sub(r"<meta[^>]*>", "", text)
    if not text.strip():
        raise ParseError("markdown page is empty; re-fetch it")
    bwb = _bwb(url)
    parts = _language_parts(text) if bwb and bwb.startswith("BWBV") else [(None, text)]
    out = []
    for lang, part in parts:
        parsed = _parse(part, lang or _guess_language(part) or language)
        parsed.bwb = bwb
        parsed.jurisdiction = "NL" if bwb and bwb.startswith("BWBR") else ("international" if bwb else None)
        if not bwb:
            parsed.celex = celex_from_title(parsed.title)
        out.append(parsed)
    return out


def _bwb(url: str) -> Optional[str]:
    m = re.search(r"(BWB[RV]\d{7})", url)
    return m.group(1) if m else None


def _language_parts(text: str) -> list[tuple[Optional[str], str]]:
    """Split a bilingual treaty record at its second-level titles, keeping those whose articles restart at 1."""
    lines = text.split("\n")
    cuts = [i for i, line in enumerate(lines) if re.match(r"^(####|##)[^#\s]", line)]
    chunks = []
    for n, start in enumerate(cuts):
        end = cuts[n + 1] if n + 1 < len(cuts) else len(lines)
        chunk = "\n".join(lines[start:end])
        if ARTICLE.search(chunk.replace("\n", "\n")) or re.search(r"^###\s*(Artikel|Article)", chunk, re.M):
            chunks.append(chunk)
    if len(chunks) < 2:
        return [(None, text)]
    return [(_guess_language(c), c) for c in chunks]


def _guess_language(text: str) -> Optional[str]:
    en = len(re.findall(r"^###\s*Article\b", text, re.M | re.I))
    nl = len(re.findall(r"^###\s*Artikel\b", text, re.M | re.I))
    if en or nl:
        return "en" if en >= nl else "nl"
    return None


def _parse(text: str, language: str) -> Parsed:
    roots: list[Node] = []
    title = ""
    current: Optional[Node] = None
    paragraph: Optional[Node] = None
    preamble: list[str] = []
    for raw_line in text.split("\n"):
        line = clean(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", raw_line)).replace("*", "")
        if not line:
            continue
        m = ARTICLE.match(line)
        if m:
            number = "1" if m.group(2).lower() == "premier" else m.group(2)
            current = Node("article", number=number, heading=clean(m.group(3)) or None)
            roots.append(current)
            paragraph = None
            continue
        h = HEADING.match(line)
        if h:
            heading = h.group(2).strip()
            if re.match(r"^(official journal|publicatieblad|journal officiel|[A-Z]{2}$)", heading, re.I):
                continue
            if not title and len(h.group(1)) <= 4:
                title = heading.lstrip("#").strip()
                continue
            if current is not None and current.kind == "article" and not current.text and not current.children \
                    and not current.heading:
                current.heading = heading
                continue
            current = Node("section", heading=heading)
            roots.append(current)
            paragraph = None
            continue
        if current is None:
            preamble.append(line)
            continue
        p = PARAGRAPH.match(line)
        if p and current.kind == "article":
            paragraph = Node("paragraph", number=p.group(1), text=p.group(2))
            current.add(paragraph)
            continue
        pt = POINT.match(line)
        if pt:
            (paragraph or current).add(Node("point", number=pt.group(1), text=pt.group(2)))
            continue
        (paragraph or current).add(line)
    if preamble:
        roots.insert(0, Node("text", heading="Preamble", text="\n".join(preamble)))
    if not roots:
        raise ParseError("markdown page has no articles, headings or text")
    warnings = [] if any(r.kind == "article" for r in roots) else ["no articles found; kept the headings as sections"]
    return Parsed(title=title or (preamble[0][:200] if preamble else ""), language=language, roots=roots,
                  warnings=warnings)
