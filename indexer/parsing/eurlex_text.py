"""EU acts as one plain-text string (markup stripped), e.g. the Dutch OJ texts of a EUR-Lex crawl.

Without markup the structure is recovered from the numbering itself: recitals "(1) ... (2) ...",
chapters "HOOFDSTUK I", sections "AFDELING 1", article headings "Artikel N <Heading>", paragraphs
"N.   " (three no-break spaces in OJ texts), points "1) " (definitions), "a) ", "i) " and, after
the signature, annexes "BIJLAGE I". Numbering must run in sequence and lie outside quotation
marks, which rejects cross-references ("artikel 4 is ...") and quoted amendments ("“3.   De ...”").
Corrigenda are split into their correction items instead (corrigendum.py).
"""
from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache

from .corrigendum import corrections, is_corrigendum
from .document import Parsed
from .errors import ParseError
from .metadata import adoption_date, celex_from_title, parse_date
from .tree import Node, clean

WORDS = {
    "nl": {"article": "Artikel", "chapter": "HOOFDSTUK", "section": "AFDELING", "annex": "BIJLAGE",
           "whereas": r"Overwegende hetgeen volgt\s*:", "enact": r"(?:HEBBEN|HEEFT)\s+[^:]{0,80}VASTGESTELD\s*:",
           "done": r"Gedaan te ", "binding": r"Deze verordening is verbindend in al haar onderdelen"},
    "en": {"article": "Article", "chapter": "CHAPTER", "section": "SECTION", "annex": "ANNEX",
           "whereas": r"Whereas\s*:", "enact": r"HA(?:VE|S)\s+ADOPTED\s+[^:]{0,60}:", "done": r"Done at ",
           "binding": r"This Regulation shall be binding in its entirety"},
    "fr": {"article": "Article", "chapter": "CHAPITRE", "section": "SECTION", "annex": "ANNEXE",
           "whereas": r"considérant ce qui suit\s*:", "enact": r"ONT\s+ADOPTÉ\s+[^:]{0,60}:|A\s+ADOPTÉ\s+[^:]{0,60}:",
           "done": r"Fait à ", "binding": r"Le présent règlement est obligatoire dans tous ses éléments"},
}

ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv", "xvi",
         "xvii", "xviii", "xix", "xx"]
UPPER_ROMAN = [r.upper() for r in ROMAN]
# Point numbering, outermost first: definitions "1)", points "a)", sub-points "i)".
# scheme -> (labels, fewest marks that make a list, scheme of the points inside)
SCHEMES = {"digit": ([str(i) for i in range(1, 100)], 2, "letter"),
           "letter": (list("abcdefghijklmnopqrstuvwxyz"), 1, "roman"),
           "roman": (ROMAN, 1, None)}
_CONJ = r"(?:of|en|or|and|ou|et)\s+"
# What stands before a label: ':' or ';' (also "; of b)", and '.”;" b)' after a quoted amendment),
# ", of b)", wide spacing; definitions may follow a full stop ("verleend. 24)"), sub-points a bare
# comma ("lid 1, 2 of 3, i) het ...").
LEAD = {"digit": rf"(?:[:;.][”\"]*\s+(?:{_CONJ})?|,\s+{_CONJ}|\s{{2,}})",
        "letter": rf"(?:[:;][”\"]*\s+(?:{_CONJ})?|,\s+{_CONJ}|\s{{2,}})",
        "roman": rf"(?:[:;,][”\"]*\s+(?:{_CONJ})?|\s{{2,}})"}
# A sentence ending after a list of points opens the next subparagraph, unless the full stop is an abbreviation's.
SENTENCE_END = re.compile(r"(?<=\S)\s?\.\s+(?=[A-ZÀ-Ý])")
ABBREVIATIONS = {"nr", "blz", "art", "bijv", "zie", "vgl", "resp", "no", "p", "pp", "cf", "e.g", "i.e", "o.a"}
GLUE = {"van", "de", "het", "een", "en", "voor", "op", "in", "met", "tot", "inzake", "betreffende", "of", "the", "a",
        "an", "and", "to", "for", "on", "with", "du", "la", "le", "les", "des", "et", "à", "au", "aux", "pour",
        "sur", "(eu)", "(eu)nr.", "nr.", "no", "(ue)", "verordening", "richtlijn", "regulation", "directive",
        "règlement"}
OPEN_QUOTES, CLOSE_QUOTE = "“„", "”"
HEADING_MAX = 300  # characters an article heading may take


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
    head_end = _find(w["whereas"], text) or _find(w["enact"], text) or 0
    title = _title(text[:head_end] if head_end else text[:1500], lang)
    if is_corrigendum(title):
        roots, warnings = corrections(text, lang)
    else:
        roots, warnings = _act(text, w, head_end)
    parsed = Parsed(title=title, language=lang, roots=roots, warnings=warnings)
    parsed.adopted = adoption_date(title)
    m = re.search(r"\b(\d{1,2}\.\d{1,2}\.\d{4})\b", text[:300])
    parsed.published = parse_date(m.group(1)) if m else None
    if is_corrigendum(title):
        parsed.instrument_type = "corrigendum"
        parsed.act_celex = celex_from_title(re.sub(r"^\S+\s+(van|to|à)\s+(de\s+|la\s+|le\s+)?", "", title, flags=re.I))
    else:
        parsed.celex = celex_from_title(title)
    return parsed


def _act(text: str, w: dict, head_end: int) -> tuple[list[Node], list[str]]:
    """Recitals, the enacting terms (chapters, sections, articles) and the annexes after the signature."""
    roots: list[Node] = []
    enact = re.search(w["enact"], text)
    body_start = enact.end() if enact else 0
    if head_end and enact:
        roots += _recitals(text[head_end:enact.start()])
    done = re.search(w["done"], text[body_start:])
    body = text[body_start: body_start + done.start()] if done else text[body_start:]
    binding = re.search(w["binding"], body)  # the closing formula of a regulation is no part of its last article
    body = body[: binding.start()] if binding else body
    enacting = _enacting_terms(body, w)
    if not any(n.kind == "article" for n in _walk(enacting)):
        if roots:
            return roots, []
        node = Node("text", text=clean(body)[:50000])
        if not node.text:
            raise ParseError("act text has no recognisable articles, recitals or text")
        return [node], ["no articles recognised; kept the text as one block"]
    annexes = _annexes(text[body_start + done.end():], w["annex"]) if done else []
    return roots + enacting + annexes, []


def _find(pattern: str, text: str) -> int | None:
    m = re.search(pattern, text)
    return m.end() if m else None


def _walk(nodes: list[Node]):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def _title(head: str, lang: str) -> str:
    start = re.search(r"(RICHTLIJN|VERORDENING|UITVOERINGSVERORDENING|GEDELEGEERDE VERORDENING|Rectificatie|DIRECTIVE|"
                      r"REGULATION|COMMISSION|RÈGLEMENT|Corrigendum|Rectificatif)", head)
    title = head[start.start():] if start else head
    stop = re.search(r"\((?:Voor de EER relevante tekst|Text with EEA relevance|Texte présentant)|"
                     r"HET EUROPEES PARLEMENT EN DE RAAD VAN DE EUROPESE UNIE|DE EUROPESE COMMISSIE,|"
                     r"THE EUROPEAN PARLIAMENT AND THE COUNCIL OF THE EUROPEAN UNION|THE EUROPEAN COMMISSION,|"
                     r"LE PARLEMENT EUROPÉEN ET LE CONSEIL DE L.UNION|LA COMMISSION EUROPÉENNE,|\sGezien het|"
                     r"\s(?:\d{1,3}\.\s+)?(?:Bladzijde|On page|Page|À la page)\s+\d", title)
    title = title[: stop.start()] if stop else title[:400]
    return clean(title)


# ---------------------------------------------------------------- quotation marks

@lru_cache(maxsize=64)
def _quoted(text: str) -> tuple[tuple[int, int], ...]:
    """Spans between matching quotation marks. An opening mark never closed (“PEPP" closed by a
    straight quote) is dropped instead of putting the rest of the act inside quotes."""
    stack: list[int] = []
    spans: list[tuple[int, int]] = []
    for m in re.finditer(f"[{OPEN_QUOTES}{CLOSE_QUOTE}]", text):
        if m.group() in OPEN_QUOTES:
            stack.append(m.start())
        elif stack:
            spans.append((stack.pop(), m.start()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _outside_quotes(text: str, pos: int) -> bool:
    spans = _quoted(text)
    i = bisect.bisect_right(spans, (pos, len(text) + 1)) - 1
    return i < 0 or not spans[i][0] < pos < spans[i][1]


def _sequence(text: str, pattern, labels: list[str], pos: int = 0) -> list[tuple[str, int, int]]:
    """(label, start, end) of `pattern(label)` for labels in order, each the first outside quotes."""
    out = []
    for label in labels:
        found = next((m for m in re.compile(pattern(label)).finditer(text, pos) if _outside_quotes(text, m.start())),
                     None)
        if not found:
            break
        out.append((label, found.start(), found.end()))
        pos = found.end()
    return out


# ---------------------------------------------------------------- recitals, enacting terms, annexes

def _recitals(text: str) -> list[Node]:
    marks = _sequence(text, lambda n: rf"(?:^|(?<=\s))\({n}\)\s", _upto(500))
    out = []
    for i, (num, start, _end) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else len(text)
        body = re.sub(rf"^\s*\({num}\)\s*", "", text[start:end])
        out.append(Node("recital", number=num, text=_strip_notes(body)))
    return out


def _numbered(text: str, pattern: str) -> list[tuple[str, int, int]]:
    """Numbers 1, 2, … of `pattern` ('{n}' is the number) in sequence outside quotes (derived_json uses it too)."""
    return _sequence(text, lambda n: pattern.format(n=n), _upto(999))


def _upto(n: int) -> list[str]:
    return [str(i) for i in range(1, n + 1)]


def _strip_notes(text: str) -> str:
    return clean(re.sub(r"\(\s*\*?\d+\s*\)", "", text))


def _enacting_terms(body: str, w: dict) -> list[Node]:
    """Chapters, their sections and the articles, nested as the headings say (ids stay top-level)."""
    marks = [(s, e, "article", n) for n, s, e in
             _sequence(body, lambda n: rf"\b{w['article']}\s+{n}\s+(?=[A-ZÀ-Ý„“])", _upto(999))]
    chapters = _sequence(body, lambda r: rf"\b(?i:{w['chapter']})\s+{r}\s+(?=[A-ZÀ-Ý])", UPPER_ROMAN)
    for i, (num, start, end) in enumerate(chapters):
        marks.append((start, end, "chapter", num))
        stop = chapters[i + 1][1] if i + 1 < len(chapters) else len(body)
        marks += [(s, e, "section", n) for n, s, e in _sections(body[:stop], w["section"], end)]
    if not chapters:
        marks += [(s, e, "section", n) for n, s, e in _sections(body, w["section"], 0)]
    marks.sort()
    roots: list[Node] = []
    chapter: Node | None = None
    section: Node | None = None
    for i, (_start, head_end, kind, num) in enumerate(marks):
        segment = body[head_end: marks[i + 1][0] if i + 1 < len(marks) else len(body)]
        if kind == "article":
            _attach(roots, section or chapter, _article(num, segment))
        elif kind == "chapter":
            chapter, section = Node("chapter", number=num, heading=clean(segment) or None), None
            roots.append(chapter)
        else:
            section = Node("section", number=num, heading=clean(segment) or None)
            _attach(roots, chapter, section)
    return roots


def _attach(roots: list[Node], parent: Node | None, node: Node) -> None:
    if parent is None:
        roots.append(node)
    else:
        parent.add(node)


def _sections(text: str, word: str, pos: int) -> list[tuple[str, int, int]]:
    return _sequence(text, lambda n: rf"\b(?i:{word})\s+{n}\s+(?=[A-ZÀ-Ý])", _upto(50), pos)


def _annexes(text: str, word: str) -> list[Node]:
    """'BIJLAGE I …', 'BIJLAGE II …' (or a sole 'BIJLAGE') after the signature and the act's footnotes."""
    marks: list[tuple[str | None, int, int]] = [
        *_sequence(text, lambda r: rf"\b{word}\s+{r}\s+(?=[A-ZÀ-Ý])", UPPER_ROMAN)]
    if not marks:
        sole = re.search(rf"\b{word}\s+(?=[A-ZÀ-Ý])", text)
        marks = [(None, sole.start(), sole.end())] if sole else []
    out = []
    for i, (num, _start, head_end) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else len(text)
        out.append(_annex(num, _cut_footnotes(text[head_end:end])))
    return out


def _annex(number: str | None, text: str) -> Node:
    heading, body_start = _heading(text, None)
    if heading is None and len(text) < 400:  # only the title survived (templates lost in extraction)
        heading, body_start = clean(text), len(text)
    node = Node("annex", number=number, heading=heading)
    _fill(node, text[body_start:])
    return node


def _cut_footnotes(text: str) -> str:
    """An annex's footnotes follow it: cut where its first note number appears a second time."""
    first = re.search(r"\(\s*(\d+)\s*\)", text)
    if not first:
        return text
    again = re.search(rf"\(\s*{first.group(1)}\s*\)\s+(?=[A-ZÀ-Ý])", text[first.end():])
    return text[: first.end() + again.start()] if again else text


# ---------------------------------------------------------------- articles, paragraphs, points

def _article(number: str, text: str) -> Node:
    """Heading, then paragraphs 'N.   ' (outside quotes: a quoted "Artikel 19 bis … 1.   " is no paragraph)."""
    pars = _sequence(text, lambda n: rf"(?:^|\s)({n})\.\s{{2,}}", _upto(99))
    if pars and pars[0][1] > HEADING_MAX:  # paragraph 1 follows the heading: later ones are quoted text
        pars = []
    heading, body_start = _heading(text, pars[0][1] if pars else None)
    node = Node("article", number=number, heading=heading)
    if not pars:
        _fill(node, text[body_start:])
        return node
    node.add(_strip_notes(text[body_start: pars[0][1]]))
    for i, (num, _start, par_start) in enumerate(pars):
        end = pars[i + 1][1] if i + 1 < len(pars) else len(text)
        par = Node("paragraph", number=num)
        _fill(par, text[par_start:end])
        node.add(par)
    return node


def _heading(text: str, par_start: int | None) -> tuple[str | None, int]:
    """The heading runs up to the first paragraph number or the first capitalised clause outside quotes."""
    if par_start is not None:
        return clean(text[:par_start]) or None, par_start
    # the body starts at the first capitalised word not glued to the heading by a preposition/article
    for m in re.finditer(r"\s(?=[A-ZÀ-Ý])", text[:HEADING_MAX]):
        before = text[: m.start()].split()
        if before and before[-1].lower() not in GLUE and _outside_quotes(text, m.start()):
            return clean(text[: m.start()]), m.end()
    return None, 0


def _fill(node: Node, text: str, after_list: bool = False) -> None:
    """A holder's text (article, paragraph, annex): lead text, its points, then what follows them.

    After a list, the sentence that introduces a new list ("…: a) …") opens a subparagraph of its own.
    """
    scheme, marks = next(((s, m) for s in ("digit", "letter") if (m := _marks(text, s))), (None, []))
    if scheme is None:
        node.add(_strip_notes(text))
        return
    lead = text[: marks[0][1]]
    if after_list:
        before, lead = _split_last_sentence(lead)
        node.add(_strip_notes(before))
    node.add(_strip_notes(lead))
    for i, (label, _start, body_start) in enumerate(marks):
        last = i + 1 == len(marks)
        body, tail = _split_tail(text[body_start:]) if last else (text[body_start: marks[i + 1][1]], "")
        node.add(_point(label, body, scheme))
        if tail:
            _fill(node, tail, after_list=True)


def _point(label: str, text: str, scheme: str) -> Node:
    point = Node("point", number=label)
    inner = SCHEMES[scheme][2]
    marks = _marks(text, inner) if inner else []
    if not marks or not inner:  # (no marks without an inner scheme)
        point.add(_strip_notes(text))
        return point
    point.add(_strip_notes(text[: marks[0][1]]))
    for i, (sub, _start, body_start) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else len(text)
        point.add(_point(sub, text[body_start:end], inner))
    return point


def _marks(text: str, scheme: str) -> list[tuple[str, int, int]]:
    """(label, label start, text start) of the points 'a) … b) …' of one list, in sequence, outside quotes."""
    labels, fewest, _inner = SCHEMES[scheme]
    out = []
    pos = 0
    for label in labels:
        pattern = re.compile(rf"{LEAD[scheme]}({label})\)\s")
        found = next((m for m in pattern.finditer(text, pos) if _outside_quotes(text, m.start(1))
                      and not (scheme == "letter" and label == "i" and ":" in m.group(0))), None)  # "…: i)" is roman
        if not found:
            break
        out.append((label, found.start(1), found.end()))
        pos = found.end()
    return out if len(out) >= fewest else []


def _sentence_ends(text: str) -> list[int]:
    """Where sentences end (after the full stop), skipping abbreviations, initials and quoted text."""
    out = []
    for m in SENTENCE_END.finditer(text):
        words = text[: m.start()].split()
        word = words[-1].lower() if words else ""
        if word not in ABBREVIATIONS and not re.fullmatch(r"[a-z]", word) and _outside_quotes(text, m.start()):
            out.append(m.end())
    return out


def _split_tail(text: str) -> tuple[str, str]:
    """The last point ends at its first full sentence; what follows belongs to the holder."""
    ends = _sentence_ends(text)
    return (text[: ends[0]], text[ends[0]:]) if ends else (text, "")


def _split_last_sentence(text: str) -> tuple[str, str]:
    ends = _sentence_ends(text)
    return (text[: ends[-1]], text[ends[-1]:]) if ends else ("", text)
