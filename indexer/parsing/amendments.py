"""Amending articles as lawyers read them: instructions, and the quoted provisions of the act they amend.

WHY: an amending act ("Directive 2013/34/EU is amended as follows: (7) Article 29a is replaced by the following:
'Article 29a ... 1. Parent undertakings ... shall ...'") states the amended act's duties in quotes. Parsed as its
own paragraphs they are cited "Article 1, eighteenth subparagraph", which nobody writes; lawyers cite "Article
29a(1) of Directive 2013/34/EU, as replaced by Article 1(7) of Directive (EU) 2022/2464".

`restructure` works on the parsed tree of any format: it reads an amending article back as lines in reading
order, then rebuilds it as instruction points (with `Amendment` records: act, target, operation, location) holding
the quoted text as provisions of the amended act. `tree.flatten` gives those their ids ('art_1.pt_7.amd_art_29a.
par_1') and places in the amended act; `cite_quoted` writes their citations. The wording is data:
config/amendments.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from regkb.records import Amendment, Provision
from regkb.settings import load_config

from .tree import ID_PREFIX, LATIN_SUFFIX, ORDINALS, Node, cite, id_token, norm_number, ordinal

# How deep a unit sits in an act: a mention of a unit keeps only the enclosing units of the place before it.
LEVEL = {"annex": 0, "part": 1, "chapter": 1, "section": 2, "article": 3, "paragraph": 4, "subparagraph": 5,
         "point": 6, "subpoint": 7, "text": 5}
_LATIN = "|".join(LATIN_SUFFIX)
_NUM = rf"\d+[a-z]{{0,2}}(?:\s(?i:{_LATIN}))*"
_ROMAN = re.compile(r"^(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv)$")
_ACT_NUMBER = (r"(?:\((?:EU|UE|EG|CE|EC)\)\s*)?(?:No\.?\s*|nr\.\s*|n°\s*)?"
               r"(?:\d{2,4}/\d{1,4}(?:/(?:EU|UE|EC|CE|EG|EEC|CEE|EEG|Euratom))?)")


@dataclass
class Line:
    """One line of an amending article in reading order; `marker` is the number the parser took off its start."""

    text: str
    marker: str | None = None
    kind: str | None = None  # 'paragraph' or 'point': what the parser took the number for
    depth: int = 0           # how many points the parser nested it in (formats that keep the nesting)


@dataclass
class _Instruction:
    """An instruction point while rebuilding: where it points in the amended act, and what it quotes."""

    node: Node
    depth: int
    path: list[str]                      # its numbers in the amending article: ['7'], ['4', 'b', 'i']
    loc: list[tuple[str, str | None]]    # its place in the amended act: [('article', '19'), ('paragraph', '1')]
    operation: str
    quote: list[Line] = field(default_factory=list)


# ---------------------------------------------------------------- configuration

@lru_cache(maxsize=4)
def wording(lang: str) -> dict[str, Any]:
    """config/amendments.yaml for one language (English where the language has no section)."""
    cfg = load_config("amendments")
    return cfg.get(lang) or cfg["en"]


@lru_cache(maxsize=1)
def _quotes() -> tuple[str, str]:
    q = load_config("amendments")["quotes"]
    return q["open"], q["close"]


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=4)
def _act_re(lang: str) -> re.Pattern[str]:
    kinds = [w for words in wording(lang)["acts"].values() for w in words]
    return re.compile(rf"\b(?P<kind>{_alternatives(kinds)})\s+(?P<number>{_ACT_NUMBER})", re.I)


@lru_cache(maxsize=4)
def _operation_re(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    ops = wording(lang)["operations"]
    order = ["amended", "replaced", "inserted", "added", "deleted"]  # 'is amended as follows' before 'is added'
    return [(op, re.compile(rf"(?<!\w)(?:{_alternatives(ops[op])})(?!\w)", re.I)) for op in order if op in ops]


@lru_cache(maxsize=4)
def _mention_re(lang: str) -> re.Pattern[str]:
    kinds = wording(lang)["kinds"]
    kind_words = {k: _alternatives(v) for k, v in kinds.items()}
    units = "|".join(f"(?P<{k}>{w})" for k, w in kind_words.items() if k != "subparagraph")
    ordinals = _alternatives([w for w in ORDINALS.get(lang, ORDINALS["en"])[:30]] + ["premiers"])
    return re.compile(
        rf"(?<!\w)(?:(?P<ord>{ordinals})(?:\s*(?:,|and|et|en)\s+(?:(?:the|les|de)\s+)?(?:{ordinals}))*\s+"
        rf"(?P<subparagraph>{kind_words['subparagraph']})"
        rf"|(?:{units})\s+(?P<num>{_NUM}|(?-i:[IVXLC]+|[A-Z]{{1,2}}(?:\.\d+)?)\b|\(\w{{1,4}}(?:\s(?:{_LATIN}))?\)"
        rf"|[a-z]{{1,4}}(?:\s(?:{_LATIN}))?\))(?P<more>(?:\s?\(\w+\))*))", re.I)


# ---------------------------------------------------------------- reading the tree back as lines

def _lines(node: Node, depth: int = 0) -> list[Line]:
    """The node's text and its children's in reading order, each child's first line with its number."""
    out: list[Line] = []
    marker = norm_number(node.number) if node.kind in ("paragraph", "point", "subpoint") else None
    kind = "paragraph" if node.kind == "paragraph" else "point"
    depth += 1 if node.kind in ("point", "subpoint") else 0
    if node.kind in _HEADER_WORD and node.number:  # a quoted article the parser already recognised
        out.append(Line(f"{_HEADER_WORD[node.kind]} {node.number}"))
        if node.heading:
            out.append(Line(node.heading))
    for i, text in enumerate(t for t in node.text.split("\n") if t.strip()):
        out.append(Line(text, marker if i == 0 else None, kind if i == 0 and marker else None, depth))
    if marker and not node.text.strip():
        out.append(Line("", marker, kind, depth))
    for child in node.children:
        out.extend(_lines(child, depth))
    return out


def _merge_markers(lines: list[Line]) -> list[Line]:
    """A line that is only a number ('(5)', '‘(a)') belongs to the text after it, as some extractions split them."""
    out: list[Line] = []
    pending: Line | None = None
    for line in lines:
        bare = re.fullmatch(r"([‘“«„]?)\(?(\w{1,5}(?:\s(?:%s))?)[).]?" % _LATIN, line.text.strip())
        if bare and line.marker is None and len(line.text.strip()) <= 8:
            pending = Line(f"{bare.group(1)}({bare.group(2)})", None)
            continue
        if pending is not None:
            line = Line(f"{pending.text} {line.text}".strip(), line.marker, line.kind, line.depth)
            pending = None
        out.append(line)
    if pending is not None:
        out.append(pending)
    return out


# ---------------------------------------------------------------- instructions

def act_mention(text: str, lang: str) -> tuple[str, str | None] | None:
    """'Directive 2013/34/EU is amended as follows' -> ('Directive 2013/34/EU', '32013L0034')."""
    m = _act_re(lang).search(_outside_quotes(text))
    if not m:
        return None
    name = re.sub(r"\s+", " ", m.group(0)).strip()
    kind = next((k for k, words in wording(lang)["acts"].items()
                 if any(m.group("kind").lower() == w.lower() for w in words)), "regulation")
    return name, _celex(m.group("number"), kind)


def _celex(number: str, kind: str) -> str | None:
    m = re.search(r"(\d{2,4})/(\d{1,4})", number)
    if not m:
        return None
    a, b = m.group(1), m.group(2)
    year, num = (a, b) if len(a) == 4 else (b, a) if len(b) == 4 else (a, b)
    if len(year) != 4:
        return None
    return f"3{year}{'L' if kind == 'directive' else 'R'}{int(num):04d}"


def _outside_quotes(text: str) -> str:
    """The instruction's own words: what stands before its quoted text."""
    opens, _ = _quotes()
    cut = re.search(rf":\s*[{re.escape(opens)}]", text)
    return text[:cut.start() + 1] if cut else text


def operation(text: str, lang: str) -> str | None:
    """'Article 19a is replaced by the following:' -> 'replaced' (None: not an instruction)."""
    own = _outside_quotes(text)
    found = [(m.start(), op) for op, rx in _operation_re(lang) for m in [rx.search(own)] if m]
    return min(found)[1] if found else None


def mentions(text: str, lang: str) -> list[tuple[str, str | None]]:
    """The units an instruction names, in order: 'in Article 19(1), the fourth subparagraph' ->
    [('article', '19'), ('paragraph', '1'), ('subparagraph', '4')]."""
    own = _act_re(lang).sub(" ", _outside_quotes(text))
    ords = ORDINALS.get(lang, ORDINALS["en"])
    out: list[tuple[str, str | None]] = []
    if re.search(rf"(?<!\w)(?:{_alternatives(wording(lang).get('the_annex') or [])})(?!\w)", own, re.I):
        out.append(("annex", None))  # 'point E.2 of Part I of the Annex'
    for m in _mention_re(lang).finditer(own):
        before = own[max(0, m.start() - 12):m.start()].lower()
        if re.search(r"\b(after|before|après|avant|na|vóór|voor)\s+(the|le|la|de|het)?\s*$", before):
            continue  # 'after the first subparagraph, ... are inserted': a position, not the target
        if m.group("subparagraph"):
            word = m.group("ord").lower()
            out.append(("subparagraph", str(ords.index(word) + 1) if word in ords else "1"))
            continue
        kind = next(k for k in LEVEL if m.groupdict().get(k))
        num = norm_number(m.group("num")) if m.group("num") else None
        if num and num.lower().endswith("er") and num[:-2].isdigit():
            num = num[:-2]  # 'l'article 1er'
        if kind == "point" and out and out[-1][0] in ("point", "subpoint"):
            kind = "subpoint"
        out.append((kind, num))
        for extra in re.findall(r"\((\w+)\)", m.group("more") or ""):
            sub = "paragraph" if kind == "article" else "subpoint" if kind in ("point", "subpoint") else "point"
            out.append((sub, extra))
            kind = sub
    return sorted(out, key=lambda u: LEVEL[u[0]])  # 'point (1) of Article 4(1)': a place is a hierarchy


def _list_tail(text: str, lang: str) -> tuple[str, list[str], str, str] | None:
    """(kind, first items, conjunction, last) when the instruction names a list of its last unit: 'paragraphs 4
    and 5' -> ('paragraph', ['4'], 'and', '5'); 'the third, fourth and sixth subparagraphs' -> ('subparagraph',
    ['3', '4'], 'and', '6')."""
    own = _act_re(lang).sub(" ", _outside_quotes(text))
    kinds = wording(lang)["kinds"]
    ords = ORDINALS.get(lang, ORDINALS["en"])
    conj = _alternatives(wording(lang)["lists"]["conjunctions"])
    ordw = _alternatives(ords[:30])
    found = None
    for m in re.finditer(rf"(?<!\w)(?P<a>(?:{ordw})(?:\s*,\s*(?:{ordw}))*)\s+(?P<c>{conj})\s+(?:(?:the|les|de)\s+)?"
                         rf"(?P<b>{ordw})\s+(?:{_alternatives(kinds['subparagraph'])})", own, re.I):
        items = [str(ords.index(w.strip().lower()) + 1) for w in m.group("a").split(",")]
        found = ("subparagraph", items, m.group("c").lower(), str(ords.index(m.group("b").lower()) + 1))
    for kind in ("paragraph", "point"):
        plural = re.escape(kinds[kind][0])
        for m in re.finditer(rf"(?<!\w){plural}\s+(?P<a>\(?\w{{1,4}}\)?(?:\s*,\s*\(?\w{{1,4}}\)?)*)\s+"
                             rf"(?P<c>{conj})\s+\(?(?P<b>\w{{1,4}})\)?", own, re.I):
            items = [w.strip(" ()") for w in m.group("a").split(",")]
            found = (kind, items, m.group("c").lower(), m.group("b"))
    return found


def _with_list(target: str, tail: tuple[str, list[str], str, str] | None, lang: str) -> str:
    """'Article 49(2)' -> 'Article 49(2) and (3)', 'Article 37(1), first subparagraph' -> '…, first and second
    subparagraphs' (config/amendments.yaml `lists`)."""
    if tail is None:
        return target
    kind, items, conj, last = tail
    if kind == "subparagraph":
        items, last = [ordinal(i, lang) for i in items], ordinal(last, lang)
    one, many, item = wording(lang)["lists"][kind]
    single = one.format(a=item.format(i=items[0]))
    if not target.endswith(single):
        return target
    head = ", ".join(item.format(i=i) for i in items)
    return target[:-len(single)] + many.format(a=head, conj=conj, b=item.format(i=last))


def _merge(parent: list[tuple[str, str | None]], own: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """A child instruction's place: its parent's enclosing units, then what it names itself."""
    if not own:
        return list(parent)
    first = own[0][1] or ""
    if own[0][0] == "point" and parent and parent[-1][0] == "point" and _ROMAN.match(first) and not (
            len(first) == 1 and ord(first) == ord((parent[-1][1] or "a")[-1]) + 1):
        own = [("subpoint", first), *own[1:]]  # 'point (b) is amended: (1) point (i) ...': point (b)(i)
    keep = [u for u in parent if LEVEL[u[0]] < LEVEL[own[0][0]]]
    if own[0][0] == "point" and keep and keep[-1][0] == "point":
        own = [("subpoint", own[0][1]), *own[1:]]
    return keep + own


def cite_place(loc: list[tuple[str, str | None]], style: str) -> str:
    """[('article', '29a'), ('paragraph', '1')] -> 'Article 29a(1)' in the document's citation style."""
    citation, parent = "", None
    for kind, number in loc:
        node = Node(kind, number=number)
        citation = cite(node, parent, citation, style) or citation
        parent = node
    return citation


def place_id(loc: list[tuple[str, str | None]]) -> str | None:
    """[('article', '19a'), ('paragraph', '1'), ('subparagraph', '2')] -> 'art_19a.par_1.sub_2': the id the place
    has in the amended act's own text (tree.flatten's scheme), for the link to it when the corpus has that act."""
    out = ""
    for kind, number in loc:
        if number is None:
            continue
        token = id_token(number)
        if kind in ("article", "annex", "chapter", "part") and not (kind == "part" and out.startswith("anx_")):
            out = f"{ID_PREFIX[kind]}_{token}" if kind != "chapter" or not out else out
        elif kind == "subparagraph" and token == "1":
            continue
        elif out:
            out = f"{out}.{ID_PREFIX[kind]}_{token}"
    return out or None


def _depth(marker: str | None, prev_letter: str | None) -> int:
    """Amending points nest (1) > (a) > (i): the depth of a point from its number."""
    if not marker:
        return 0
    if marker[0].isdigit():
        return 1
    if _ROMAN.match(marker) and not (prev_letter and ord(marker[0]) == ord(prev_letter[-1]) + 1 and len(marker) == 1):
        return 3
    return 2


def by_location(article: str, path: list[str], lang: str) -> str:
    """Article 1, point 7 -> 'Article 1(7)' / 'l’article 1er, point 7)' / 'artikel 1, punt 7'."""
    tpl = wording(lang)["by"]
    number = tpl.get("first", article) if article == "1" else article
    out = tpl["article"].format(n=number)
    for i, n in enumerate(path):
        key = "point" if i == 0 else "subpoint" if i == 1 and "subpoint" in tpl else "deeper" if "deeper" in tpl \
            else "subpoint" if "subpoint" in tpl else "point"
        out += tpl[key].format(n=n)
    return out


# ---------------------------------------------------------------- quoted text

_OPENERS = {"‘": "’", "“": "”", "«": "»", "„": "“"}


def _quote_start(text: str) -> tuple[str, str] | None:
    """(opening quote, text from it) when the line opens quoted text (at its start or after the colon)."""
    m = re.match(r"^\s*([‘“«„])", text) or re.search(r":\s*([‘“«„])", text)
    if not m:
        return None
    return m.group(1), text[m.start(1):]


def _closes(text: str, opener: str, depth: int) -> tuple[bool, int]:
    """Whether quoted text ends on this line. Curly single quotes double as apostrophes, so ‘…’ ends where a line
    does; “…” and «…» nest, so they end when they balance."""
    closer = _OPENERS[opener]
    if opener in "‘„":  # ’ doubles as an apostrophe, „ closes with “ or ”: the quote ends where a line does
        return bool(re.search(rf"[{closer}”]\s*[.;,]?\s*[\"”]?\s*$", text)), 0
    depth += text.count(opener) - text.count(closer) if opener != closer else 0
    ends = re.search(rf"{re.escape(closer)}\s*(?P<stop>[.;,]?)\s*[\"”]?\s*\.?$", text)
    return ends is not None and (depth <= 0 or bool(ends.group("stop"))), depth


def _strip_quotes(text: str, first: bool, last: bool) -> str:
    if first:
        text = re.sub(r"^\s*[‘“«„]", "", text, count=1)
    if last:
        text = re.sub(r"[’”»“]\s*[.;,]?\s*[\"”]?\s*\.?\s*$", "", text)
    return text.strip()


_HEADING_MAX = 160  # characters: a longer line after an article's number is its text, not its heading
_HEADER_WORD = {"article": "Article", "chapter": "CHAPTER", "section": "SECTION", "annex": "ANNEX"}
_HEADERS = {"article": r"(?:Article|Artikel)", "chapter": r"(?:CHAPTER|CHAPITRE|HOOFDSTUK|Chapter|Chapitre|Hoofdstuk)",
            "section": r"(?:SECTION|AFDELING|Section|Afdeling)", "annex": r"(?:ANNEX|ANNEXE|BIJLAGE)"}
_HEADER_RE = re.compile(
    "|".join(rf"(?P<{k}>{w})\s+(?P<{k}_n>{_NUM}|[IVXLC]+\b)(?=\s*$|\s+[A-ZÀ-Ý“‘«(])" for k, w in _HEADERS.items()))
# inline markers of quoted text some extractions run together on one line
_SPLIT = re.compile(
    rf"(?:(?<=[.;:”’»])\s+|(?<=\)\s)\s*)(?=(?:{_NUM})\.\s+[A-ZÀ-Ý“‘«(])"
    rf"|(?<=[:;])\s+(?=\(?(?:[a-z]{{1,4}}(?:\s(?:{_LATIN}))?|\d{{1,3}})\)\s+(?:[^\W\d_]|[“‘«„]))"
    rf"|(?<=[.;”’»a-zA-Z)])\s+(?=(?:Artikel|Article|HOOFDSTUK|CHAPITRE|CHAPTER)\s+{_NUM}\s+[A-Z])"
    rf"|(?<=[a-zà-ÿ])\s+(?=1\.\s+[A-ZÀ-Ý])")
_MARK = re.compile(rf"^(?:\((?P<p>\*\d{{1,3}}|[a-z]{{1,4}}(?:\s(?:{_LATIN}))?|\d{{1,3}}[a-z]{{0,2}})\)"
                   rf"|(?P<q>(?:[a-z]{{1,4}}|\d{{1,3}}[a-z]{{0,2}})(?:\s(?:{_LATIN}))?)\)"
                   rf"|(?P<par>{_NUM})\.)\s*\|?\s*")


def _segments(lines: list[Line]) -> list[Line]:
    """Quoted lines split where a run-together extraction hides paragraph, point and article starts."""
    out: list[Line] = []
    for line in lines:
        parts = [q for p in _SPLIT.split(line.text) if p and p.strip() for q in _heading_split(p.strip())]
        for i, part in enumerate(parts):
            out.append(Line(part, line.marker if i == 0 else None, line.kind if i == 0 else None))
    return out


def _heading_split(text: str) -> list[str]:
    """'Artikel 14 bis Wettelijke auditors … doorlopen De lidstaten zien erop toe …' -> the header with its
    heading, then the article's text: a run-together heading ends where a capital starts the first sentence."""
    header = _HEADER_RE.match(text)
    rest = text[header.end():] if header else ""
    if not header or len(rest) <= _HEADING_MAX:
        return [text]
    m = re.search(r"(?<=[a-zà-ÿ)])\s+(?=[A-ZÀ-Ý][a-zà-ÿ’']*\s)", rest)
    if not m or m.start() > 2 * _HEADING_MAX:
        return [text]
    return [text[:header.end() + m.start()], rest[m.end():]]


def _classify(line: Line, letter: str | None) -> tuple[str, str | None, str]:
    """(kind, number, text) of one quoted line; `letter` is the open lettered point ((i) after (h) is a letter,
    after (a) a subpoint)."""
    text = line.text
    header = _HEADER_RE.match(text)
    if header and header.lastgroup:
        unit = header.lastgroup[:-2] if header.lastgroup.endswith("_n") else header.lastgroup
        return unit, header.group(f"{unit}_n"), text[header.end():].strip()
    number: str | None = line.marker
    kind: str | None = None
    m = _MARK.match(text)
    if number is None and m:
        number = m.group("p") or m.group("q") or m.group("par")
        kind = "paragraph" if m.group("par") else None
        text = text[m.end():]
    if number is None:
        return "text", None, text
    if number.startswith("*"):
        return "footnote", number, text
    if kind == "paragraph" or (line.kind == "paragraph" and not m):
        return "paragraph", number, text
    if number[0].isdigit():
        return "point", number, text
    if _ROMAN.match(number) and letter and not (len(number) == 1 and ord(number) == ord(letter[-1]) + 1):
        return "subpoint", number, text
    return "point", number, text


def quoted_nodes(lines: list[Line], sub_kind: str) -> list[Node]:
    """The quoted provisions as a tree: articles and their headings, paragraphs, points, subparagraphs."""
    roots: list[Node] = []
    stack: list[Node] = []
    letter: str | None = None
    expect_heading = False
    for line in _segments(_merge_markers(lines)):
        kind, number, text = _classify(line, letter)
        number = re.sub(rf"\s({_LATIN})$", lambda m: " " + m.group(1).lower(), number, flags=re.I) if number else None
        if kind not in ("point", "subpoint", "footnote"):
            letter = None
        if kind in ("article", "chapter", "section", "annex"):
            node = Node(kind, number=number)
            if text:
                node.heading = text
            _push(roots, stack, node)
            expect_heading = not text
            continue
        if kind == "text" and expect_heading and stack and len(text) < _HEADING_MAX and not re.search(r"[.;:]$", text):
            stack[-1].heading = text
            expect_heading = False
            continue
        expect_heading = False
        if kind == "text":
            holder = next((n for n in reversed(stack) if n.kind in ("article", "paragraph")), None)
            if holder is not None:
                while stack and stack[-1] is not holder:
                    stack.pop()
                holder.add(text)
            else:  # a quoted subparagraph: the points after it are its own
                node = Node(sub_kind, text=text)
                roots.append(node)
                stack[:] = [node]
            continue
        node = Node(kind, number=number, text=text)
        if kind == "point" and number and not (_ROMAN.match(number) and letter is None):
            letter = number
        _push(roots, stack, node)
    return roots


def _push(roots: list[Node], stack: list[Node], node: Node) -> None:
    """Put `node` under the nearest open unit that can hold it."""
    level = LEVEL.get(node.kind, 9)
    while stack and LEVEL.get(stack[-1].kind, 9) >= level:
        stack.pop()
    if stack:
        parent = stack[-1]
        if parent.kind in ("article", "paragraph") and node.kind in ("point", "subpoint"):
            node.kind = "point"
            parent.add(node)
        else:
            parent.children.append(node)
    else:
        roots.append(node)
    if node.kind != "footnote":
        stack.append(node)


def _root_place(loc: list[tuple[str, str | None]], node: Node) -> list[tuple[str, str | None]]:
    """Where a quoted provision sits in the amended act: the instruction's place, down to the quoted unit."""
    number = norm_number(node.number)
    if node.kind == "paragraph" and any(u[0] == "annex" for u in loc):
        node.kind = "point"  # annexes number points, not paragraphs
    kind = node.kind
    if kind not in LEVEL or number is None:
        return loc
    keep = [u for u in loc if LEVEL[u[0]] < LEVEL[kind]]
    if kind == "point" and loc and (loc[-1][0] == "subpoint" or (
            loc[-1][0] == "point" and _style(loc[-1][1]) != _style(number))):
        keep, kind = [u for u in loc if LEVEL[u[0]] < LEVEL["subpoint"]], "subpoint"  # (vii) under point E.2
    return [*keep, (kind, number)]


def _style(number: str | None) -> str:
    """How a point is numbered: 'digit' (5), 'roman' (iv), 'letter' (b), 'other' (E.2)."""
    n = number or ""
    return "digit" if n[:1].isdigit() else "roman" if _ROMAN.match(n) and n != "i" else \
        "letter" if re.fullmatch(r"[a-z]{1,2}(?: \w+)?", n) else "other"


# ---------------------------------------------------------------- the rebuild

def restructure(roots: list[Node], lang: str, style: str) -> list[str]:
    """Rebuild every amending article among `roots` in place; returns warnings for the document.

    WHY never raise: a text this reading does not foresee keeps the parser's plain tree, and the run goes on."""
    if lang not in load_config("amendments"):
        return []
    warnings = []
    for node in _articles(roots):
        before = (node.text, list(node.children))
        try:
            _rebuild(node, lang, style)
        except Exception as exc:  # noqa: BLE001 (any failure: keep the article as parsed)
            node.text, node.children = before
            warnings.append(f"Article {node.number}: amending instructions not read ({type(exc).__name__}: {exc}); "
                            "its quoted provisions are cited as the amending act's own")
    return warnings


def _articles(nodes: list[Node]) -> list[Node]:
    out = []
    for n in nodes:
        if n.kind == "article":
            out.append(n)
        elif n.kind in ("chapter", "section", "part", "title", "enacting_terms"):
            out.extend(_articles(n.children))
    return out


def _rebuild(article: Node, lang: str, style: str) -> None:
    intro_lines = [t for t in article.text.split("\n") if t.strip()]
    intro = intro_lines[0] if intro_lines else ""
    act = act_mention(intro, lang)
    op = operation(intro, lang)
    if act is None or op is None or not (_outside_quotes(intro).rstrip().endswith(":") or op == "deleted"):
        return
    lines = _merge_markers([Line(t) for t in intro_lines[1:]] + [ln for c in article.children for ln in _lines(c)])
    article.children = []
    article.text = intro
    reader = _Reader(_Instruction(article, 0, [], mentions(intro, lang), op), lang)
    for line in lines:
        reader.feed(line)
    for ins in reader.instructions:
        _finish(ins, article.number or "", act, lang, style)


class _Reader:
    """Reads an amending article line by line: numbered instruction points nest by their numbering, and every
    line between an opening quote and its close is the current instruction's quoted text."""

    def __init__(self, top: _Instruction, lang: str) -> None:
        self.lang = lang
        self.stack = [top]
        self.instructions = [top]
        self.opener: str | None = None   # the quote mark of the quoted text being read
        self.depth = 0                   # how deep “…” / «…» nest at this point
        self.prev_letter: str | None = None

    def feed(self, line: Line) -> None:
        if self.opener is not None and not _next_instruction(line, self.stack, self.lang):
            closed, self.depth = _closes(line.text, self.opener, self.depth)
            self._quote(Line(_strip_quotes(line.text, False, closed), line.marker, line.kind), closed)
            return
        self.opener = None  # no quote open, or one that never closed: the next numbered instruction ends it
        own_op = operation(line.text, self.lang) if line.marker and line.kind != "paragraph" else None
        rest = self._instruction(line, own_op) if own_op else line.text
        start = _quote_start(rest)
        keep = Line(rest, line.marker, line.kind) if not own_op else Line(rest)
        if start is None:
            if not own_op:
                self.stack[-1].quote.append(keep)
            return
        self.opener, text = start
        closed, self.depth = _closes(text, self.opener, 0)
        self._quote(Line(_strip_quotes(text, True, closed), keep.marker, keep.kind), closed)

    def _instruction(self, line: Line, own_op: str) -> str:
        """Open the instruction point this line starts; returns what follows its own words (quoted text)."""
        level = max(_depth(line.marker, self.prev_letter), line.depth)  # (1) > (a) > (i) > (1): nesting decides
        if level == 2:
            self.prev_letter = line.marker
        while len(self.stack) > 1 and self.stack[-1].depth >= level:
            self.stack.pop()
        parent = self.stack[-1]
        own = _outside_quotes(line.text)
        node = Node("point", number=line.marker, text=own.strip())
        ins = _Instruction(node, level, [*parent.path, line.marker or ""],
                           _merge(parent.loc, mentions(line.text, self.lang)), own_op)
        parent.node.children.append(node)
        self.stack.append(ins)
        self.instructions.append(ins)
        return line.text[len(own):]

    def _quote(self, line: Line, closed: bool) -> None:
        self.stack[-1].quote.append(line)
        if closed:
            self.opener = None


def _next_instruction(line: Line, stack: list[_Instruction], lang: str) -> bool:
    """A numbered line that opens the next instruction at an open level (a quote's end got lost)."""
    if not line.marker or not stack[-1].path or not operation(line.text, lang):
        return False
    marker = line.marker
    for number in stack[-1].path:
        if number.isdigit() and marker.isdigit() and int(marker) == int(number) + 1:
            return True
        if len(number) == len(marker) == 1 and number.isalpha() and ord(marker) == ord(number) + 1:
            return True
    return False


def _finish(ins: _Instruction, article: str, act: tuple[str, str | None], lang: str, style: str) -> None:
    """Give the instruction and its quoted provisions their Amendment records."""
    name, celex = act
    by = by_location(norm_number(article) or article, ins.path, lang)
    sub_kind = "subparagraph" if ins.loc and ins.loc[-1][0] == "subparagraph" or any(
        w in ins.node.text.lower() for w in wording(lang)["kinds"]["subparagraph"]) else "text"
    quoted = [q for q in ins.quote if q.text.strip()]
    nodes = quoted_nodes(quoted, sub_kind) if quoted else []
    loc = ins.loc
    for i, node in enumerate(nodes):
        place = _root_place(loc, node)
        if node.kind in ("subparagraph", "text") and loc and loc[-1][0] == "subparagraph" and i:
            sub = loc[-1][1] or "1"
            place = [*loc[:-1], ("subparagraph", str(int(sub) + i) if sub.isdigit() else sub)]
        target = cite_place(place, style) or cite(node, None, "", style)
        node.amendment = Amendment(act=name, act_celex=celex, target=target, operation=_quoted_op(ins.operation),
                                   by=by, quoted=True, target_provision_id=place_id(place))
    first = nodes[0].amendment if nodes else None
    target = _with_list(cite_place(loc, style), _list_tail(ins.node.text, lang), lang) or (
        first.target if first else "")
    ins.node.amendment = Amendment(act=name, act_celex=celex, target=target, operation=ins.operation, by=by,
                                   target_provision_id=place_id(loc) or (first.target_provision_id if first else None))
    ins.node.children.extend(nodes)


def _quoted_op(op: str) -> str:
    return "replaced" if op == "amended" else op


# ---------------------------------------------------------------- citations

def own_name(instrument: str | None, number: str | None, lang: str) -> str | None:
    """The amending act as cited: 'Directive (EU) 2022/2464', 'directive (UE) 2022/2464', 'Richtlijn (EU) …'."""
    names = wording(lang).get("act_names") or {}
    if not number or instrument not in names:
        return None
    union = {"fr": "UE"}.get(lang, "EU")
    year = int(number.split("/")[0]) if number.split("/")[0].isdigit() else 0
    return f"{names[instrument]} ({union}) {number}" if year >= 2015 else f"{names[instrument]} {number}/{union}"


def _named(name: str, celex: str | None, lang: str) -> str:
    """'directive 2013/34/UE' -> 'de la directive 2013/34/UE' (fr); other languages as named."""
    of = wording(lang).get("of")
    if not of:
        return name
    bare = re.sub(r"^(?:la|le|l’|l')\s*", "", name, flags=re.I)
    kind = "directive" if celex and celex[5:6] == "L" or bare.lower().startswith("directive") else "regulation"
    return f"{of[kind]} {bare[0].lower()}{bare[1:]}"


def citation(amendment: Amendment, own: str | None, lang: str, kind: str = "article") -> str:
    """'Article 29a(1) of Directive 2013/34/EU, as replaced by Article 1(7) of Directive (EU) 2022/2464'."""
    w = wording(lang)
    verb = w["verbs"][amendment.operation]
    if kind in (w.get("feminine") or []):
        verb += "e"  # fr: 'la section ... insérée'

    def sep(place: str) -> str:  # 'artikel 29 bis van', but 'artikel 29 bis, lid 1, van'
        return ", " if "," in place or place.endswith(")") else " "

    act = _named(amendment.act, amendment.act_celex, lang)
    own_text = _named(own, None, lang) if own else ""
    text = w["cite"].format(target=amendment.target, act=act, operation=verb, by=amendment.by, own=own_text,
                            s1=sep(amendment.target), s2=sep(amendment.by))
    return re.sub(r"[\s,]+$", "", text.replace(", ,", ","))


def cite_quoted(provisions: list[Provision], own: str | None, lang: str) -> None:
    """Write the lawyer's citation on every quoted provision (tree.flatten left its place in the amended act)."""
    for p in provisions:
        if p.amendment is not None and p.amendment.quoted:
            p.citation = citation(p.amendment, own, lang, p.kind)
