"""EUR-Lex HTML: Official Journal XHTML (CONVEX 'oj-' classes) and consolidated texts.

Both markups carry the ELI subdivision ids (rct_N, cpt_X, art_N, anx_X) that
structure the act; they differ in how paragraphs and points are drawn (OJ:
`div id="008.002"` and two-cell tables; consolidated: `div.norm` with
`span.no-parag` and `div.grid-list`). One walker handles both.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

import lxml.html
from lxml import etree

from regkb.records import Link

from .document import Parsed
from .errors import ParseError
from .metadata import celex_from_title, celex_slug, parse_date
from .tree import Node, clean, id_token

Item = str | Node

POINT_LABEL = re.compile(
    r"^(\(?[a-z]{1,4}\)|\(?[ivxlc]+\)|\(?\d{1,3}[a-z]?\)|\d{1,3}[a-z]?\.|[a-z]\.|[—–\-•▪·])$", re.I
)
SKIP_CLASSES = {"modref", "arrow", "oj-note", "footnote", "hd-modifiers", "disclaimer", "reference",
                "separator", "oj-separator", "oj-doc-sep", "separator-annex", "separator-short", "hd-toc-1",
                "hd-toc-2", "hd-toc-3", "toc-1", "toc-2", "title-fam-member", "title-fam-member-star"}
TITLE_CLASSES = {"oj-ti-art", "title-article-norm", "oj-sti-art", "stitle-article-norm", "eli-title"}
DIVISION_TITLE = {"oj-ti-section-1", "title-division-1"}
DIVISION_SUBTITLE = {"oj-ti-section-2", "title-division-2"}
HEADING_CLASSES = {"oj-ti-grseq-1", "title-gr-seq-level-1", "title-gr-seq-level-2", "title-gr-seq-level-3",
                   "title-gr-seq-level-4", "title-annex-2", "oj-ti-tbl", "title-table"}
ANNEX_TITLE = {"oj-doc-ti", "title-annex-1"}
SUBDIVISION_ID = re.compile(r"^(rct|cpt|tis|prt|art|anx|sct|enc|pbl|fnp|cit)_")


def classes(el) -> set[str]:
    return set((el.get("class") or "").split())


MOD_MARK = re.compile(r"\s*(?:[►▼]\s*[A-Z]\d*|◄)\s*")
MOD_MARK_BEFORE_PUNCT = re.compile(r"\s*◄\s*(?=[,.;:)’”»])")


def text_of(el) -> str:
    """Visible text without footnote markers and modification arrows."""
    parts: list[str] = []

    def walk(e) -> None:
        if not isinstance(e.tag, str):
            if e.tail:
                parts.append(e.tail)
            return
        cls = classes(e)
        if "oj-note-tag" in cls or "modref" in cls or "arrow" in cls or e.tag in ("script", "style") or (
                e.tag == "a" and (e.get("href") or "").startswith("#") and re.fullmatch(
                    r"\s*\(?\s*\*?\d+\s*\)?\s*", "".join(e.itertext()))):
            pass  # footnote references and modification markers
        elif e.tag == "br":
            parts.append("\n")
        else:
            if e.text:
                parts.append(e.text)
            for child in e:
                walk(child)
        if e.tail:
            parts.append(e.tail)

    if el.text:
        parts.append(el.text)
    for child in el:
        walk(child)
    text = " ".join("".join(parts).split())  # collapse first: the patterns below then stay linear
    text = re.sub(r"\s*\(\s*\)", "", text)  # emptied footnote markers "(<span>2</span>)"
    text = MOD_MARK_BEFORE_PUNCT.sub("", text)
    text = MOD_MARK.sub(" ", text)  # consolidation markers ►M2 … ◄, ▼B
    text = re.sub(r"(?<=[‘“(]) +(?=\S)", "", text)
    return clean(text).replace("\n", " ").strip()


def parse_eurlex_html(text: str, language: str | None) -> Parsed:
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8", recover=True))
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"EUR-Lex page is not parseable HTML ({exc}); re-fetch it") from exc
    body = root.find("body")
    if body is None or not text_of(body).strip():
        raise ParseError("EUR-Lex page has no text (empty body); re-fetch it or check the URL")
    main = body  # annexes sit in their own eli-container after the act's: walk the whole body
    warnings: list[str] = []
    roots: list[Node] = []
    for item in walk_structure(main, warnings):
        roots.append(item) if isinstance(item, Node) else None
    if not any(n.kind == "article" for n in _iter(roots)):
        flat = _flat(main)
        if any(n.kind == "article" for n in _iter(flat)):
            roots = [n for n in roots if n.kind == "recital"] + flat
            warnings.append("no ELI subdivision ids; structure read from the heading classes")
    if not any(n.kind in ("article", "annex", "recital") for n in _iter(roots)):
        fallback = Node("text", text=text_of(main)[:20000])
        if not fallback.text:
            raise ParseError("EUR-Lex page has no articles, recitals or text")
        roots = [fallback]
        warnings.append("no articles or recitals found; kept the page text as one block")
    if not re.search(r"</html>\s*$", text[-200:], re.I):
        warnings.append("the page has no closing </html>: it looks truncated, later provisions may be missing")
    declared = _language(root)
    if declared and language and declared != language.lower():
        warnings.append(f"the URL says language {language!r} but the text is in {declared!r}; using {declared!r}")
    parsed = Parsed(title=_title(root), language=(declared or language or "en").lower(), roots=roots,
                    warnings=warnings)
    _header(root, parsed)
    return parsed


ARTICLE_HEAD = {"oj-ti-art", "title-article-norm", "Titrearticle"}  # last: COM proposals
ARTICLE_TEXT = re.compile(r"^(Article|Artikel)\s+(\d+\s*[a-z]*|premier)$", re.I)
ARTICLE_SUBHEAD = {"oj-sti-art", "stitle-article-norm"}


FINAL_FORMULA = re.compile(r"^(This (Regulation|Decision) shall be binding in its entirety|Done at |"
                           r"Le présent (règlement|décision) est obligatoire|Fait à |"
                           r"(Deze|Dit) (verordening|besluit) is verbindend|Gedaan te )")


def _flat(body) -> list[Node]:
    """Older consolidated pages: articles are only marked by heading classes, not by ELI ids."""
    roots: list[Node] = []
    chapter: Node | None = None
    current: Node | None = None
    for child in _blocks(body):
        cls = classes(child)
        text = text_of(child)
        if cls & ARTICLE_HEAD or (child.tag == "p" and ARTICLE_TEXT.match(text)):
            m = re.search(r"(\d+\s*[a-z]*|premier|first|eerste)\s*$", text, re.I)
            number = m.group(1) if m else text
            number = {"premier": "1", "first": "1", "eerste": "1"}.get(number.lower(), number)
            current = Node("article", number=number)
            (chapter.children if chapter else roots).append(current)
        elif cls & ARTICLE_SUBHEAD and current is not None and current.kind == "article" and not current.heading:
            current.heading = text
        elif cls & DIVISION_TITLE:
            m = re.search(r"([IVXLC]+|\d+)\s*$", text)
            chapter = Node("chapter", number=m.group(1) if m else None, heading=text)
            roots.append(chapter)
            current = None
        elif cls & DIVISION_SUBTITLE and chapter is not None:
            chapter.heading = text
        elif cls & ANNEX_TITLE and re.match(r"^(annex|annexe|bijlage)", text, re.I):
            m = re.match(r"^\S+\s+([IVXLC]+|\d+)\b", text)
            current = Node("annex", number=m.group(1) if m else None)
            roots.append(current)
            chapter = None
        elif FINAL_FORMULA.match(text):
            current = None  # the closing formula and signatures belong to no article
        elif current is not None and current.kind == "article" and _flat_paragraph(child, current):
            pass
        elif current is not None:
            current.extend(i for i in flow_children([child], in_article=True) if not isinstance(i, tuple))
    return roots


FLAT_PARAGRAPH = re.compile(r"^(\d{1,3})\s*((?:[a-z]|bis|ter|quater|quinquies|sexies|septies|octies|nonies|decies)?)"
                            r"\.\s+(\S.*)$", re.S)


def _flat_paragraph(el, article: Node) -> bool:
    """Older consolidated pages draw a numbered paragraph as `<p class="norm">1.  text</p>`: open it
    when its number continues the article's numbering (1, 2, 2a / 2 bis, 3 …)."""
    if el.tag != "p" or "norm" not in classes(el):
        return False
    m = FLAT_PARAGRAPH.match(text_of(el))
    if not m:
        return False
    numbers = [int(d.group()) for c in article.children
               if c.kind == "paragraph" and (d := re.match(r"\d+", c.number or "0"))]  # (numbered by this parser)
    n = int(m.group(1))
    if not ((not numbers and n == 1) or (numbers and (n == numbers[-1] + 1 or (n == numbers[-1] and m.group(2))))):
        return False
    number = f"{m.group(1)} {m.group(2)}" if len(m.group(2)) > 1 else m.group(1) + m.group(2)
    article.add(Node("paragraph", number=number, text=m.group(3)))
    return True


def _blocks(el) -> Iterator:
    """Block elements in reading order, descending only into plain wrapper divs."""
    for child in el:
        if not isinstance(child.tag, str) or classes(child) & SKIP_CLASSES:
            continue
        if child.tag == "div" and not classes(child) & {"grid-container", "norm", "grid-list"} and \
                not (classes(child) & {"grid-list"}):
            yield from _blocks(child)
        else:
            yield child


def _iter(nodes: list[Node]) -> Iterator[Node]:
    for n in nodes:
        yield n
        yield from _iter(n.children)


def _title(root) -> str:
    mains = root.find_class("eli-main-title")
    if mains:
        lines = [text_of(p) for p in mains[0].iter("p")]
    else:
        lines = [text_of(p) for p in root.find_class("oj-doc-ti")[:4] + root.find_class("title-doc-first")[:4]]
    lines = [
        line for line in lines if line and not re.match(r"^\((text with eea|texte présentant|voor de eer)", line, re.I)
    ]
    title = " ".join(lines)
    if not title:
        t = root.find(".//title")
        title = clean(t.text or "") if t is not None else ""
    return re.sub(r"\s+", " ", title).strip()


def _language(root) -> str | None:
    for cls in ("oj-hd-lg",):
        found = root.find_class(cls)
        if found:
            return text_of(found[0]).lower()
    ref = root.find_class("reference")
    if ref:
        m = re.search(r"—\s*([A-Z]{2})\s*—", text_of(ref[0]))
        if m:
            return m.group(1).lower()
    return None


def _header(root, parsed: Parsed) -> None:
    """OJ header (number, publication date) or consolidated reference line (CELEX, version date)."""
    ref = root.find_class("reference")
    if ref:
        m = re.match(r"^\s*(0\d{4}[A-Z]\d{4})\s*—\s*[A-Z]{2}\s*—\s*(\d{2})\.(\d{2})\.(\d{4})", text_of(ref[0]))
        if m:
            parsed.celex = f"{m.group(1)}-{m.group(4)}{m.group(3)}{m.group(2)}"
            parsed.consolidated = True
            parsed.version_date = parse_date(f"{m.group(4)}-{m.group(3)}-{m.group(2)}")
    uniq = root.find_class("oj-hd-uniq")
    date_el = root.find_class("oj-hd-date")
    if date_el:
        parsed.published = parse_date(text_of(date_el[0]))
    if uniq:
        number = text_of(uniq[0])
        coll = text_of(root.find_class("oj-hd-coll")[0]) if root.find_class("oj-hd-coll") else "L"
        m = re.search(r"\b([LC])\b", coll)
        series = m.group(1) if m else "L"
        parsed.oj = f"OJ {series}, {number}, {text_of(date_el[0]) if date_el else ''}".strip(", ")
        m = re.match(r"^(\d{4})/(\d+)$", number)
        if m:
            parsed.number = number
    else:
        oj = root.find_class("oj-hd-oj")
        if oj:
            parsed.oj = f"OJ {text_of(oj[0])}, {text_of(date_el[0]) if date_el else ''}".strip(", ")
    if not parsed.celex and parsed.title:
        parsed.celex = celex_from_title(parsed.title)
    if ref:
        parsed.links = amending_acts(root, parsed.language)


AMENDED_BY = re.compile(r"^(amended|modifi|gewijzigd)", re.I)
CORRECTED_BY = re.compile(r"^(corrected|rectifi|gerectificeerd|verbeterd)", re.I)
CELEX_REF = re.compile(r"\b(3\d{4}[A-Z]{1,2}\d{4}(?:R\(\d{2}\))?)(?![0-9A-Z(])")
SMALL_WORDS = {"of", "and", "the", "to", "on", "for"}
FAMILY_MEMBER = {"title-fam-member", "title-fam-member-star"}


def amending_acts(root, language: str) -> list[Link]:
    """The consolidation header's "Amended by" / "Corrected by" tables, as links to the acts' OJ documents.

    Each row has the marker the text uses (M1, ►M2, ►C1) linking to the act's CELEX and the act's
    title or the corrigendum's OJ reference: label "M2 Directive (EU) 2026/470", "C1 Corrigendum, OJ L
    90894, 10.11.2025, p. 1 (2024/1760)"; document id celex-<CELEX>-<language of this text>.
    """
    lang = (language or "en").lower()
    links: list[Link] = []
    for head in root.find_class("hd-modifiers"):
        heading = text_of(head)
        relation = ("amended_by" if AMENDED_BY.match(heading) else
                    "corrected_by" if CORRECTED_BY.match(heading) else None)
        table = head.getnext()
        while table is not None and table.tag != "table" and not classes(table) & {"hd-modifiers", "separator"}:
            table = table.getnext()
        if relation is None or table is None or table.tag != "table":
            continue
        for row in table.iter("tr"):
            arrow = next((p for p in row.iter("p") if "arrow" in classes(p)), None)
            anchor = arrow.find(".//a") if arrow is not None else None
            if anchor is None:
                continue
            marker = re.sub(r"[\s►▼◄]+", "", anchor.text_content())
            m = CELEX_REF.search(anchor.get("title") or "") or CELEX_REF.search(unquote(anchor.get("href") or ""))
            if not m or not re.fullmatch(r"[A-Z]{1,2}\d{1,3}", marker):
                continue
            title_el = next((p for p in row.iter("p") if classes(p) & FAMILY_MEMBER), None)
            title = " ".join(title_el.text_content().split()) if title_el is not None else ""
            label = f"{marker} {_act_citation(title, lang)}".strip()
            links.append(Link(document_id=f"celex-{celex_slug(m.group(1))}-{lang}", language=lang, relation=relation,
                              label=label))
    return links


def _act_citation(title: str, lang: str) -> str:
    """'DIRECTIVE (EU) 2026/470 OF THE EUROPEAN PARLIAMENT … of 24 February 2026' -> 'Directive (EU) 2026/470'."""
    m = re.match(r"^(.*?\b(?:\d{4}/\d+|\d+/\d{4}(?:/[A-Z]+)?))(?!\d)", title)
    if not m or not m.group(1).split()[0].isupper():
        return title  # a corrigendum's reference, or a title already in running case
    words = m.group(1).split()
    if lang == "en":
        words = [w if w.startswith("(") or w[0].isdigit() else w.lower() if w.lower() in SMALL_WORDS and i else
                 w.capitalize() for i, w in enumerate(words)]
    else:  # French, Dutch: only the first word is capitalised
        words = [w if w.startswith("(") or w[0].isdigit() else w.capitalize() if i == 0 else w.lower()
                 for i, w in enumerate(words)]
    return " ".join(words)


# ---------------------------------------------------------------- structure


def walk_structure(el, warnings: list[str]) -> Iterator[Item]:
    """Yield recitals, chapters, articles and annexes found under `el` in document order."""
    for child in el:
        if not isinstance(child.tag, str) or classes(child) & SKIP_CLASSES:
            continue
        cid = child.get("id") or ""
        last = cid.rsplit(".", 1)[-1]
        kind = last.split("_", 1)[0] if SUBDIVISION_ID.match(last) else None
        if kind == "rct":
            yield _recital(child, cid)
        elif kind in ("cpt", "tis", "prt", "sct"):
            yield _division(child, cid, warnings)
        elif kind == "art" and "." not in cid:
            yield _article(child, cid, warnings)
        elif kind == "anx" and "." not in cid:
            yield _annex(child, cid)
        elif kind in ("enc", "pbl", "fnp") or (child.tag == "div" and not kind):
            yield from walk_structure(child, warnings)


def _recital(el, cid: str) -> Node:
    number = cid.split("_", 1)[1]
    cells = el.findall(".//td")
    text = text_of(cells[-1]) if len(cells) >= 2 else text_of(el)
    text = re.sub(rf"^\({number}\)\s*", "", text)
    return Node("recital", number=number, text=text)


def _division(el, cid: str, warnings: list[str]) -> Node:
    last = cid.rsplit(".", 1)[-1]
    prefix, number = last.split("_", 1)
    kind = {"cpt": "chapter", "tis": "part", "prt": "part", "sct": "section"}[prefix]
    label = heading = None
    for p in el.iter("p"):
        cls = classes(p)
        if cls & DIVISION_TITLE and label is None:
            label = text_of(p)
        elif cls & DIVISION_SUBTITLE and heading is None:
            heading = text_of(p)
        if label and heading:
            break
    node = Node(kind, number=number, heading=heading or label)
    for item in walk_structure(el, warnings):
        node.add(item)
    return node


def _article(el, cid: str, warnings: list[str]) -> Node:
    number = cid.split("_", 1)[1]
    title = next((p for p in el.iter("p") if classes(p) & ARTICLE_HEAD), None)
    m = re.search(r"\b(\d+(?:\s*[a-z]+)?)\s*$", text_of(title)) if title is not None else None
    if m and id_token(m.group(1)) == id_token(number):
        number = m.group(1)  # as cited in this language: '2 bis' in French, '2a' in English
    heading = None
    sti = [p for p in el.iter("p") if classes(p) & {"oj-sti-art", "stitle-article-norm"}]
    if sti:
        heading = text_of(sti[0])
    node = Node("article", number=number, heading=heading)
    items = list(flow(el, in_article=True))
    if not items:
        deleted = text_of(el)
        if re.search(r"deleted|supprimé|geschrapt|vervallen", deleted, re.I):
            node.text = deleted.replace(f"Article {number}", "").strip() or deleted
        else:
            warnings.append(f"Article {number} has no text")
    node.extend(i for i in items if not isinstance(i, tuple))  # (titles are tuples in annexes only)
    return node


def _annex(el, cid: str) -> Node:
    node = Node("annex", number=None)
    part: Node | None = None
    current = node
    titles = 0
    open_point: Node | None = None  # a consolidated text's numbered point, still taking what follows
    for item in flow(el, in_article=False, annex=True):
        if isinstance(item, HangingPoint):
            current.children.append(item)
            current.holder = None
            open_point = item
            continue
        if open_point is not None:
            if isinstance(item, Continuation) or (isinstance(item, Node) and item.kind in ("point", "indent")):
                open_point.add(str(item) if isinstance(item, Continuation) else item)
                continue
            open_point = None
        if isinstance(item, tuple):  # annex title paragraphs: "ANNEX I", then its heading
            titles += 1
            if titles == 1:
                m = re.match(r"^\S+\s+([IVXLC]+|\d+[a-z]?|[A-Z])\b", item[1])
                node.number = m.group(1) if m else None
            else:
                node.heading = f"{node.heading} {item[1]}" if node.heading else item[1]
            continue
        if isinstance(item, Node) and item.kind == "section" and node.heading is None and not node.children \
                and not node.text and item.heading and not re.match(r"^(part|partie|deel|teil|\d)", item.heading, re.I):
            node.heading = item.heading  # the annex's own title, drawn as a heading
            continue
        if isinstance(item, Node) and item.kind == "section":
            heading = item.heading or ""
            m = re.match(r"^(?:part|partie|deel|teil)\s+([IVXLC]+|\d+|[A-Z])\b\.?\s*(.*)$", heading, re.I)
            if m:
                part = Node("part", number=m.group(1), heading=m.group(2) or heading)
                node.children.append(part)
                current = part
                continue
            m = re.match(r"^(?:section\s+)?(\d+(?:\.\d+)*|[A-Z])\.?\s+(.*)$", heading, re.I)
            if m:
                item.number, item.heading = m.group(1), m.group(2)
            (part or node).children.append(item)
            current = item
            continue
        current.add(str(item) if isinstance(item, Continuation) else item)
    node.heading = node.heading or None
    if node.number is None and cid.split("_", 1)[1] not in ("1",):
        node.number = cid.split("_", 1)[1]
    return node


BLOCK_TAGS = {"p", "div", "table", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "tbody"}


def flow(el, in_article: bool, annex: bool = False) -> Iterator[Item | tuple]:
    """Text blocks, paragraphs and points inside an article, point cell or annex, in order."""
    if not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
        text = text_of(el)
        if text:
            yield text
        return
    if el.text and el.text.strip():
        yield clean(el.text)
    yield from flow_children(list(el), in_article, annex)


def flow_children(children, in_article: bool, annex: bool = False) -> Iterator[Item | tuple]:
    for child in children:
        if not isinstance(child.tag, str):
            continue
        cls = classes(child)
        if in_article and cls & TITLE_CLASSES:
            # the title of an article an amending act quotes ("‘Article 2a", its subtitle; an OJ act sets amending
            # points in table cells): text, for indexer/parsing/amendments.py. The article's own title is not.
            title = text_of(child)
            if title and not cls & SKIP_CLASSES and (re.match(r"^[‘“«„]", title) or _in_cell(child)):
                yield title
            continue
        if cls & SKIP_CLASSES:
            continue
        if annex and cls & ANNEX_TITLE:
            yield ("title", text_of(child))
            continue
        if annex and cls & HEADING_CLASSES:
            yield Node("section", heading=text_of(child))
            continue
        if annex:
            hanging = _hanging_point(child)
            if hanging is not None:
                yield hanging
                continue
            if child.tag == "p" and "list" in cls:
                text = text_of(child)
                if text:
                    yield Continuation(text)
                continue
            if (child.tag == "div" and "list" in cls and "grid-list" not in cls) or child.tag == "table":
                items = flow(child, in_article=True) if child.tag == "div" else _table(child)
                yield from (Continuation(i) if isinstance(i, str) else i for i in items)
                continue
        cid = child.get("id") or ""
        if in_article and child.tag == "div" and re.match(r"^\d{3}\.\d{3}$", cid):
            yield from _oj_paragraph(child)
        elif child.tag == "div" and "norm" in cls and child.find("span") is not None and \
                "no-parag" in classes(child.find("span")):
            yield _consolidated_paragraph(child)
        elif child.tag == "div" and "grid-list" in cls:
            point = _grid_point(child)
            if point is not None:
                yield point
        elif child.tag == "table":
            yield from _table(child)
        elif child.tag == "p":
            text = text_of(child)
            if text:
                yield text
        elif child.tag in ("div", "span", "blockquote", "ul", "ol", "li", "tbody"):
            yield from flow(child, in_article, annex)
        elif child.tag in ("h1", "h2", "h3", "h4"):
            text = text_of(child)
            if text:
                yield text


def _in_cell(el) -> bool:
    return any(a.tag == "td" for a in el.iterancestors())


class HangingPoint(Node):
    """A numbered annex point that a consolidated text draws as an indented paragraph
    (`<div style="margin-left…"><p>10.<span style="word-spacing…"> </span>text</p></div>`) instead
    of the OJ's two-cell table. Its lettered points and indented `p.list` paragraphs follow it as
    siblings; `_annex` puts them back inside it."""


class Continuation(str):
    """An indented continuation paragraph (`p.list`) at the top level of a consolidated annex."""


HANGING_LABEL = re.compile(r"^(\d{1,3}[a-z]?)\.$")


def _hanging_point(el) -> HangingPoint | None:
    p = el
    if el.tag == "div" and not classes(el):
        blocks = [c for c in el if isinstance(c.tag, str)]
        p = blocks[0] if len(blocks) == 1 else None
    if p is None or p.tag != "p":
        return None
    spacer = next((c for c in p if isinstance(c.tag, str) and c.tag == "span"
                   and "word-spacing" in (c.get("style") or "")), None)
    m = HANGING_LABEL.match(clean(p.text or ""))
    if spacer is None or not m:
        return None
    text = re.sub(r"^\d{1,3}[a-z]?\.\s*", "", text_of(p))
    return HangingPoint("point", number=m.group(1), text=text)


def _oj_paragraph(div) -> Iterator[Item]:
    items = [i for i in flow(div, in_article=True) if not isinstance(i, tuple)]
    if items and isinstance(items[0], str):
        m = re.match(r"^(\d+[a-z]?)\.\s+(.*)$", items[0], re.S)
        if m:
            par = Node("paragraph", number=m.group(1), text=m.group(2))
            par.extend(items[1:])
            yield par
            return
    yield from items


def _consolidated_paragraph(div) -> Node:
    span = div.find("span")
    par = Node("paragraph", number=text_of(span).rstrip(". "))
    if span.tail and span.tail.strip():
        par.add(span.tail)
    for c in div:
        if c is span or not isinstance(c.tag, str) or classes(c) & SKIP_CLASSES:
            continue
        if c.tag == "div" and "grid-list" in classes(c):
            point = _grid_point(c)
            if point is not None:
                par.add(point)
        elif c.tag == "table":
            par.extend(_table(c))
        elif c.tag in BLOCK_TAGS:
            par.extend(i for i in flow(c, in_article=True) if not isinstance(i, tuple))
        elif text_of(c):
            par.add(text_of(c))
        if c.tail and c.tail.strip():
            par.add(c.tail)
    return par


def _grid_point(div) -> Node | str | None:
    label_el = next((c for c in div if "grid-list-column-1" in classes(c)), None)
    body_el = next((c for c in div if "grid-list-column-2" in classes(c)), None)
    if label_el is None or body_el is None:
        return None
    label = text_of(label_el)
    if re.match(r"^[‘’“”«»„'\"]", label):  # a point quoted by an amending provision: text, as in the OJ
        return " | ".join(t for t in (label, text_of(body_el)) if t)
    return _point(label, body_el)


def _point(label: str, cell) -> Node:
    kind = "indent" if re.match(r"^[—–\-•▪·]$", label) else "point"
    node = Node(kind, number=None if kind == "indent" else label)
    node.extend(i for i in flow(cell, in_article=True) if not isinstance(i, tuple))
    return node


def _table(table) -> Iterator[Item]:
    rows = table.findall("./tr") + table.findall("./tbody/tr")
    for row in rows:
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if len(cells) == 2 and not text_of(cells[0]) and cells[1].find(".//table") is not None:
            # an unlabelled block inside a list ("Step 1: Testing" + its points): keep its points
            yield from (i for i in flow(cells[1], in_article=True) if not isinstance(i, tuple))
            continue
        cells = [c for c in cells if any(t.strip() for t in c.itertext())] or cells
        if len(cells) == 2:
            label = text_of(cells[0])
            if POINT_LABEL.match(label):
                yield _point(label, cells[1])
                continue
        texts = [text_of(c) for c in cells]
        line = " | ".join(t for t in texts if t)
        if line:
            yield line
