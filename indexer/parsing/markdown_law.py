"""Markdown conversions of wetten.overheid.nl (BWB) records and of EU acts ("### Artikel 1", "1. ...", "a. ...").

Treaty records hold the authentic English text followed by the Dutch
translation, each under its own "####" title: they become one document per
language (ids bwb-<BWB>-en and bwb-<BWB>-nl) so each is searchable and cited
in its own language.
"""
from __future__ import annotations

import re

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
    if not bwb and ESRS_ANNEX.search(text):
        parsed = _parse_esrs(text, language)
        parsed.celex = celex_from_title(parsed.title)
        return [parsed]
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


def _bwb(url: str) -> str | None:
    m = re.search(r"(BWB[RV]\d{7})", url)
    return m.group(1) if m else None


def _language_parts(text: str) -> list[tuple[str | None, str]]:
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


def _guess_language(text: str) -> str | None:
    en = len(re.findall(r"^###\s*Article\b", text, re.M | re.I))
    nl = len(re.findall(r"^###\s*Artikel\b", text, re.M | re.I))
    if en or nl:
        return "en" if en >= nl else "nl"
    return None


def _parse(text: str, language: str) -> Parsed:
    roots: list[Node] = []
    title = ""
    current: Node | None = None
    paragraph: Node | None = None
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


# ---------------------------------------------------------------- ESRS (Delegated Regulation (EU) 2023/2772)
#
# Annex I holds the twelve standards (ESRS 1 ... G1), each with numbered paragraphs, disclosure requirements
# and, in its Appendix A, application requirements (AR 1 ...). The Markdown is a conversion of the OJ PDF:
# headings are unreliable (paragraphs, points and page furniture appear as "#" lines, tables of contents
# repeat every heading), so a standard's paragraphs are the longest run of "N." lines numbered 1, 2, 3 ...
# (small gaps allowed) and its ARs the longest run of "AR N" lines; everything else is text or a heading.

ESRS_ANNEX = re.compile(r"^#{1,6}\s*European sustainability reporting standards\s*\(ESRS\)\s*$", re.I | re.M)
ESRS_STANDARDS = [("1", "General requirements"), ("2", "General disclosures"), ("E1", "Climate change"),
                  ("E2", "Pollution"), ("E3", "Water and marine resources"), ("E4", "Biodiversity and ecosystems"),
                  ("E5", "Resource use and circular economy"), ("S1", "Own workforce"),
                  ("S2", "Workers in the value chain"), ("S3", "Affected communities"),
                  ("S4", "Consumers and end-users"), ("G1", "Business conduct")]
_ESRS_ROW = re.compile(r"^\|\s*ESRS\s+([12]|[ESG]\d)\s*\|\s*([^|]+?)\s*\|\s*$", re.M)
_ESRS_NOISE = re.compile(
    r"^(?:(?:\d+/\d+\s+)?ELI:.*|-{3,}|EN|OJ L, \d.*|L series|Official Journal of the European Union.*"
    r"|\d+/\d+|\|[\s\-:|]+\|?)$"
)
_ESRS_PAR = re.compile(r"^(\d{1,3})\.(?:\s+(.*))?$")
_ESRS_AR = re.compile(r"^AR\s*(\d{1,3})\s*\.?(?:\s+(.*))?$")
_ESRS_POINT = re.compile(r"^(?:-\s*)*\(?([a-z]|[ivx]{1,5})[.)]\s+(\S.*)$")
_ESRS_DR_LINE = re.compile(r"^(?:Minimum\s+)?Disclosure\s+Requirements?\b", re.I)
_ESRS_DR_CODE = re.compile(r"\b((?:[ESG]\d|GOV|SBM|IRO|BP|MDR)-(?:\d+|[PAMT]))\b")
_ESRS_APPENDIX = re.compile(r"^Appendix\s+([A-Z](?:\.\d+)?)\b", re.I)
_ESRS_TITLES = {"objective", "interactions with other esrs", "interaction with other esrs", "disclosure requirements",
                "esrs 2 general disclosures", "governance", "strategy", "impact, risk and opportunity management",
                "metrics and targets", "application requirements", "table of contents"}


def _esrs_lines(text: str) -> list[tuple[bool, str]]:
    """(is_heading, text) per meaningful line: page furniture dropped, links and emphasis removed,
    table rows as 'cell | cell' (an AR in a table row as 'AR 30. text')."""
    out = []
    for raw in text.split("\n"):
        line = clean(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", raw)).replace("*", "").strip()
        heading = line.startswith("#")
        line = line.lstrip("#").strip()
        if not line or _ESRS_NOISE.match(line):
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            cells = [c for c in cells if c]
            if not cells:
                continue
            m = re.match(r"^AR\s*(\d{1,3})\.?$", cells[0])
            line = f"AR {m.group(1)}. {' | '.join(cells[1:])}" if m else " | ".join(cells)
        out.append((heading, line))
    return out


def _run(candidates: list[tuple[int, int]], max_gap: int = 15) -> dict[int, int]:
    """The longest run of increasing numbers 1, 2, 3 ... among (line, number) candidates in reading order,
    numbers the conversion lost allowed (up to `max_gap` in a row, each costing a little); ties go to the later
    line (tables of contents come first). line → number."""
    best: dict[int, tuple[float, int]] = {}       # number → (score, candidate) of the best run ending there
    back: dict[int, int | None] = {}
    for ci, (_, n) in enumerate(candidates):
        pred: int | None
        score, pred = (1.0 - 0.05 * (n - 1), None) if n <= max_gap else (None, None)
        for m in range(max(1, n - max_gap), n):
            if m in best:
                s = best[m][0] + 1.0 - 0.05 * (n - m - 1)
                if score is None or s > score:
                    score, pred = s, best[m][1]
        if score is None:
            continue
        back[ci] = pred
        if n not in best or score >= best[n][0]:
            best[n] = (score, ci)
    if not best:
        return {}
    at: int | None = max(best.values())[1]
    out = {}
    while at is not None:
        out[candidates[at][0]] = candidates[at][1]
        at = back.get(at)
    return out


def _append(node: Node, text: str) -> None:
    """Text continuing `node`: its own text until it has children, then a trailing text block."""
    sep = " " if text[:1].islower() else "\n"  # a sentence going on after a page break or a heading
    if not node.children:
        node.text = f"{node.text}{sep}{text}" if node.text else text
        return
    last = node.children[-1]
    if last.kind == "text" and not last.children:
        last.text = f"{last.text}{sep}{text}"
    else:
        node.children.append(Node("text", text=text))


def _is_standard_start(lines: list[tuple[bool, str]], i: int, code: str, name: str) -> bool:
    heading, text = lines[i]
    if not heading:
        return False
    m = re.match(r"^ESRS\s+(\w+)\b", text, re.I)
    if not ((m and m.group(1).upper() == code) or text.strip().lower() == name.lower()):
        return False
    return any(t.strip().lower() in ("objective", "table of contents") for _, t in lines[i + 1:i + 8])


def _parse_esrs(text: str, language: str) -> Parsed:
    start = ESRS_ANNEX.search(text)
    assert start is not None  # parse() chose this parser because ESRS_ANNEX matched
    head = "\n".join(line for line in text[:start.start()].split("\n") if not _ESRS_NOISE.match(line.strip()))
    parsed = _parse(head, language)
    body = text[start.start():]
    standards = [(c.upper(), n.strip()) for c, n in _ESRS_ROW.findall(body[:4000])] or ESRS_STANDARDS
    lines = _esrs_lines(body)
    annex = Node("annex", number="I", heading=lines[0][1])
    roots = [annex]
    chunks: list[tuple[Node, list[tuple[bool, str]]]] = []
    expected = 0
    current: tuple[Node, list[tuple[bool, str]]] | None = None
    for i, (heading, line) in enumerate(lines[1:], 1):
        if heading and re.match(r"^ANNEX\s+II\b", line, re.I):
            rest = lines[i + 1:]
            title = rest[0][1] if rest and not rest[0][0] and rest[0][1].isupper() else None
            annex2 = Node("annex", number="II", heading=title)
            roots.append(annex2)
            _glossary(annex2, rest[1:] if title else rest)
            break
        for j in range(expected, min(expected + 2, len(standards))):
            code, name = standards[j]
            if _is_standard_start(lines, i, code, name):
                std = Node("part", number=f"ESRS {code}", heading=name)
                annex.children.append(std)
                current = (std, [])
                chunks.append(current)
                expected = j + 1
                break
        else:
            if current is None:
                _append(annex, line)
            else:
                current[1].append((heading, line))
            continue
    for std, std_lines in chunks:
        _esrs_standard(std, std_lines)
    found = len(chunks)
    if found < len(standards):
        parsed.warnings.append(f"ESRS: found {found} of {len(standards)} standards "
                               f"({', '.join(c for c, _ in standards[:found])}); the rest stays in the last one")
    parsed.roots = parsed.roots + roots
    return parsed


def _glossary(annex: Node, lines: list[tuple[bool, str]]) -> None:
    current: Node = annex
    for heading, line in lines:
        if heading:
            current = Node("section", heading=line)
            annex.children.append(current)
        else:
            _append(current, line)


def _esrs_standard(std: Node, lines: list[tuple[bool, str]]) -> None:
    """Paragraphs, ARs, points, disclosure requirements and headings of one standard."""
    if lines and lines[0][0] and lines[0][1].strip().lower() == (std.heading or "").lower():
        lines = lines[1:]  # "ESRS E1" then "CLIMATE CHANGE"
    paragraphs = _run([(i, int(m.group(1))) for i, (_, t) in enumerate(lines) if (m := _ESRS_PAR.match(t))])
    ars = _run([(i, int(m.group(1))) for i, (_, t) in enumerate(lines) if (m := _ESRS_AR.match(t))])
    first = min(paragraphs, default=len(lines))
    container: Node = std
    appendix: Node | None = None
    para: Node | None = None
    point: Node | None = None
    used: set[str] = set()

    def open_section(node: Node) -> None:
        nonlocal container, para, point
        (appendix or std).children.append(node)
        container, para, point = node, None, None

    for i, (heading, line) in enumerate(lines):
        if i < first:  # table of contents and the opening words: the standard's own text
            _append(std, line)
            continue
        if i in paragraphs or i in ars:
            m = _ESRS_PAR.match(line) if i in paragraphs else _ESRS_AR.match(line)
            assert m is not None  # paragraphs and ars hold the lines these patterns matched
            number = m.group(1) if i in paragraphs else f"AR {m.group(1)}"
            para = Node("paragraph", number=number, text=(m.group(2) or "").strip())
            container.children.append(para)
            point = None
            continue
        pt = _ESRS_POINT.match(line)
        if pt and para is not None and not any(c.kind == "point" and c.number == pt.group(1) for c in para.children):
            token = pt.group(1)
            roman = re.fullmatch(r"[ivx]+", token) is not None
            letter_next = point is not None and point.number and len(point.number) == 1 \
                and chr(ord(point.number) + 1) == token
            if roman and point is not None and not letter_next and point.number not in ("i", "v", "x"):
                point.children.append(Node("point", number=token, text=pt.group(2)))
            else:
                point = Node("point", number=token, text=pt.group(2))
                para.children.append(point)
            continue
        appx = _ESRS_APPENDIX.match(line)
        if appx and (heading or len(line) < 120):
            letter = appx.group(1).upper()
            node = Node("section", number=f"Appendix {letter}" if f"Appendix {letter}" not in used else None,
                        heading=line)
            used.add(f"Appendix {letter}")
            if node.number is None:
                node.kind = "heading"
            std.children.append(node)
            appendix = node if letter == "A" else (appendix if letter.startswith("A.") else None)
            if letter.startswith("A.") and appendix is not None:
                std.children.remove(node)
                appendix.children.append(node)
            container, para, point = node, None, None
            continue
        if line.strip().lower() == "application requirements" and appendix is not None and not appendix.children:
            appendix.heading = f"{appendix.heading}: Application Requirements" if ":" not in (appendix.heading or "") \
                else appendix.heading
            continue
        if _ESRS_DR_LINE.match(line) and len(line) < 300:
            code = _ESRS_DR_CODE.search(line[:90])
            number = None
            if code and not re.search(r"related\s+to\s+ESRS\s+2", line, re.I) and appendix is None \
                    and code.group(1).upper() not in used:
                number = code.group(1).upper()
                used.add(number)
            open_section(Node("section" if number else "heading", number=number, heading=line))
            continue
        if heading or line.strip().lower() in _ESRS_TITLES:
            # numbered chapters and sections of ESRS 1 and 2 ("3 Double materiality", "3.1 Stakeholders ...");
            # other headings carry no number (kind heading: their ids never clash with numbered ones)
            numbered = re.match(r"^(\d+(?:\.\d+)*)\.?\s+([^\d\s].*)$", line)
            number = numbered.group(1) if numbered and numbered.group(1) not in used else None
            if number:
                used.add(number)
            open_section(Node(("subsection" if "." in number else "section") if number else "heading",
                              number=number, heading=line))
            continue
        if point is not None and line[:1].islower():
            _append(point, line)
        elif para is not None:
            point = None
            _append(para, line)
        else:
            _append(container, line)
