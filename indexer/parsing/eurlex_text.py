"""EU acts as one plain-text string (markup stripped), e.g. the Dutch OJ texts of a EUR-Lex crawl.

Without markup the structure is recovered from the numbering itself:
recitals "(1) ... (2) ...", article headings "Artikel N <Heading>",
paragraphs "N.   " (three no-break spaces in OJ texts) and points "a) ".
Numbering must run in sequence, which rejects cross-references
("artikel 4 is ...") and quoted amendments ("“3.   De ...”").
"""
from __future__ import annotations

import json
import re
from typing import Optional

from .document import Parsed
from .errors import ParseError
from .metadata import adoption_date, celex_from_title, parse_date
from .tree import Node, clean

WORDS = {
    "nl": {"article": "Artikel", "whereas": r"Overwegende hetgeen volgt\s*:", "enact": r"(?:HEBBEN|HEEFT)\s+[^:]{0,80}VASTGESTELD\s*:",
           "done": r"Gedaan te ", "annex": "BIJLAGE"},
    "en": {"article": "Article", "whereas": r"Whereas\s*:", "enact": r"HA(?:VE|S)\s+ADOPTED\s+[^:]{0,60}:",
           "done": r"Done at ", "annex": "ANNEX"},
    "fr": {"article": "Article", "whereas": r"considérant ce qui suit\s*:", "enact": r"ONT\s+ADOPTÉ\s+[^:]{0,60}:|A\s+ADOPTÉ\s+[^:]{0,60}:",
           "done": r"Fait à ", "annex": "ANNEXE"},
}


def parse_text_json(raw_text: str, language: str) -> Parsed:
    try:
        data = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"text JSON is malformed ({exc}); re-fetch it") from exc
    content = data.get("content") if isinstance(data, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise ParseError("text JSON has no 'content' string; expected {url, content, source}")
    return parse_act_text(content, language)


def parse_act_text(content: str, language: str) -> Parsed:
    lang = language if language in WORDS else "en"
    w = WORDS[lang]
    text = content.replace("\u00a0", " ")
    warnings: list[str] = []
    head_end = _find(w["whereas"], text) or _find(w["enact"], text) or 0
    title = _title(text[:head_end] if head_end else text[:1500], lang)
    roots: list[Node] = []
    enact = re.search(w["enact"], text)
    body_start = enact.end() if enact else 0
    if head_end and enact:
        roots += _recitals(text[head_end:enact.start()])
    done = re.search(w["done"], text[body_start:])
    body = text[body_start: body_start + done.start()] if done else text[body_start:]
    articles = _articles(body, w["article"])
    if not articles:
        if not roots:
            node = Node("text", text=clean(body)[:50000])
            if not node.text:
                raise ParseError("act text has no recognisable articles, recitals or text")
            warnings.append("no articles recognised; kept the text as one block")
            roots.append(node)
    roots += articles
    parsed = Parsed(title=title, language=lang, roots=roots, warnings=warnings)
    parsed.adopted = adoption_date(title)
    m = re.search(r"\b(\d{1,2}\.\d{1,2}\.\d{4})\b", text[:300])
    parsed.published = parse_date(m.group(1)) if m else None
    if re.search(r"^(rectificatie|corrigendum|rectificatif)", title, re.I):
        parsed.instrument_type = "corrigendum"
        parsed.act_celex = celex_from_title(re.sub(r"^\S+\s+(van|to|à)\s+(de\s+|la\s+|le\s+)?", "", title, flags=re.I))
    else:
        parsed.celex = celex_from_title(title)
    return parsed


def _find(pattern: str, text: str) -> Optional[int]:
    m = re.search(pattern, text)
    return m.end() if m else None


def _title(head: str, lang: str) -> str:
    start = re.search(r"(RICHTLIJN|VERORDENING|UITVOERINGSVERORDENING|GEDELEGEERDE VERORDENING|Rectificatie|DIRECTIVE|"
                      r"REGULATION|COMMISSION|RÈGLEMENT|Corrigendum|Rectificatif)", head)
    title = head[start.start():] if start else head
    stop = re.search(r"\((?:Voor de EER relevante tekst|Text with EEA relevance|Texte présentant)|"
                     r"HET EUROPEES PARLEMENT EN DE RAAD VAN DE EUROPESE UNIE|DE EUROPESE COMMISSIE,|"
                     r"THE EUROPEAN PARLIAMENT AND THE COUNCIL OF THE EUROPEAN UNION|THE EUROPEAN COMMISSION,|"
                     r"LE PARLEMENT EUROPÉEN ET LE CONSEIL DE L.UNION|LA COMMISSION EUROPÉENNE,|\sGezien het", title)
    title = title[: stop.start()] if stop else title[:400]
    return clean(title)


def _recitals(text: str) -> list[Node]:
    out: list[Node] = []
    n = 1
    pos = 0
    marks: list[tuple[int, int]] = []
    while True:
        m = re.compile(rf"(?:^|\s)\({n}\)\s").search(text, pos)
        if not m:
            break
        marks.append((n, m.start()))
        pos = m.end()
        n += 1
    for i, (num, start) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else len(text)
        body = re.sub(rf"^\s*\({num}\)\s*", "", text[start:end])
        out.append(Node("recital", number=str(num), text=_strip_notes(body)))
    return out


def _strip_notes(text: str) -> str:
    return clean(re.sub(r"\(\s*\*?\d+\s*\)", "", text))


def _outside_quotes(text: str, pos: int) -> bool:
    before = text[:pos]
    return before.count("“") <= before.count("”") and before.count("„") <= before.count("”")


def _articles(body: str, word: str) -> list[Node]:
    """Article headings in sequence: 'Artikel N' followed by a capitalised heading, outside quotes."""
    starts: list[tuple[str, int, int]] = []
    n = 1
    pos = 0
    while True:
        pat = re.compile(rf"\b{word}\s+{n}\s+(?=[A-ZÀ-Ý])")
        found = None
        for m in pat.finditer(body, pos):
            if _outside_quotes(body, m.start()):
                found = m
                break
        if not found:
            break
        starts.append((str(n), found.start(), found.end()))
        pos = found.end()
        n += 1
    nodes = []
    for i, (num, _start, head_end) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(body)
        nodes.append(_article(num, body[head_end:end]))
    return nodes


def _article(number: str, text: str) -> Node:
    # the heading runs up to the first sentence-like start: a paragraph number or a capitalised clause
    first_par = re.search(r"(?:^|\s)1\.\s{2,}", text)
    heading, rest = _split_heading(text, first_par.start() if first_par else None)
    node = Node("article", number=number, heading=heading)
    pars = _numbered(rest, r"(?:^|\s)({n})\.\s{{2,}}")
    if pars:
        if pars[0][1] > 0:
            node.add(_strip_notes(rest[: pars[0][1]]))
        for i, (num, _start, body_start) in enumerate(pars):
            end = pars[i + 1][1] if i + 1 < len(pars) else len(rest)
            par = Node("paragraph", number=num)
            _points(par, rest[body_start:end])
            node.add(par)
    else:
        _points(node, rest)
    return node


GLUE = {"van", "de", "het", "een", "en", "voor", "op", "in", "met", "tot", "inzake", "betreffende", "of", "the", "a",
        "an", "and", "to", "for", "on", "with", "du", "la", "le", "les", "des", "et", "à", "au", "aux", "pour",
        "sur", "(eu)", "(eu)nr.", "nr.", "no", "(ue)", "verordening", "richtlijn", "regulation", "directive",
        "règlement"}


def _split_heading(text: str, par_start: Optional[int]) -> tuple[Optional[str], str]:
    if par_start is not None and par_start < 200:
        return clean(text[:par_start]) or None, text[par_start:]
    # the body starts at the first capitalised word not glued to the heading by a preposition/article
    for m in re.finditer(r"\s(?=[A-ZÀ-Ý„“])", text[:200]):
        before = text[: m.start()].split()
        if len(before) >= 1 and before[-1].lower() not in GLUE:
            return clean(text[: m.start()]), text[m.end():]
    return None, text


def _numbered(text: str, pattern: str) -> list[tuple[str, int, int]]:
    out = []
    n = 1
    pos = 0
    while True:
        found = None
        for m in re.compile(pattern.format(n=n)).finditer(text, pos):
            if _outside_quotes(text, m.start()):
                found = m
                break
        if not found:
            break
        out.append((str(n), found.start(), found.end()))
        pos = found.end()
        n += 1
    return out


ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


def _points(node: Node, text: str, labels: Optional[list[str]] = None) -> None:
    """Sequential points 'a) … b) …' (or roman 'i) … ii) …' inside a point) found outside quotes."""
    labels = labels or list("abcdefghijklmnopqrstuvwxyz")
    marks = []
    pos = 0
    for label in labels:
        found = None
        for m in re.compile(rf"(?:[:;]\s+|\s{{2,}})({label})\)\s").finditer(text, pos):
            if _outside_quotes(text, m.start()):
                found = m
                break
        if not found:
            break
        marks.append((label, found.start(), found.end()))
        pos = found.end()
    if not marks:
        node.add(_strip_notes(text))
        return
    node.add(_strip_notes(text[: marks[0][1] + 1]))
    for i, (label, _start, body_start) in enumerate(marks):
        end = marks[i + 1][1] + 1 if i + 1 < len(marks) else len(text)
        point = Node("point", number=label)
        if labels[0] == "a":
            _points(point, text[body_start:end], ROMAN)
        else:
            point.add(_strip_notes(text[body_start:end]))
        node.add(point)
