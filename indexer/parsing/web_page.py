"""Policy pages (rijksoverheid.nl, OECD), covenant pages (SER / imvoconvenanten.nl) and plain-text items.

The main content is found with each site's own container (config-free
selectors below, most specific first); headings become sections and the
paragraphs and list items under them their text.
"""
from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from .document import Parsed
from .errors import ParseError
from .metadata import parse_date
from .tree import Node, clean

MAIN_SELECTORS = ["main#content", "div#content main", "main", "article", "div.article", "div#main-content",
                  "div.content", "div#content", "body"]
CHROME = "nav, header, footer, script, style, noscript, form, aside, .breadcrumb, .share, .skiplinks, .cookie"


def parse_web_page(text: str, url: str, language: str) -> Parsed:
    with warnings.catch_warnings():  # XHTML served as text/html is still parsed as HTML on purpose
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    if soup.body is None or not soup.get_text(strip=True):
        raise ParseError("page has no text (empty or not HTML); re-fetch it")
    html_lang = str((soup.html.get("lang") if soup.html else None) or "")  # a single-valued attribute
    lang = html_lang.split("-")[0].lower() or language
    title = _title(soup)
    main = next((m for sel in MAIN_SELECTORS for m in soup.select(sel)[:1]), soup.body)
    for junk in main.select(CHROME):
        junk.decompose()
    roots = _sections(main, title)
    notes: list[str] = []
    if not roots:
        raise ParseError("page has no readable content (no headings, paragraphs or lists); check the URL")
    if main.name == "body":
        notes.append("no main-content container found; the whole body was used")
    parsed = Parsed(title=title, language=lang, roots=roots, warnings=notes)
    meta_date = soup.find("meta", attrs={"name": re.compile(r"(DCTERMS\.)?(issued|date|available)", re.I)})
    time_el = soup.find("time")
    when = (meta_date.get("content") if meta_date else None) or (time_el.get("datetime") if time_el else None)
    parsed.published = parse_date(str(when)) if when else None
    return parsed


def _title(soup: BeautifulSoup) -> str:
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        return clean(h1.get_text(" "))
    return clean(soup.title.get_text(" ")) if soup.title else ""


def _sections(main: Tag, title: str) -> list[Node]:
    roots: list[Node] = []
    intro = Node("section", heading=None)
    current = intro
    for el in main.find_all(["h2", "h3", "h4", "p", "li", "table", "dd", "dt"]):
        if el.find_parent(["li", "table"]) is not None and el.name != "table":
            continue
        text = clean(el.get_text(" "))
        if not text:
            continue
        if el.name in ("h2", "h3", "h4"):
            current = Node("section", heading=text)
            roots.append(current)
        elif el.name == "table":
            for row in el.find_all("tr"):
                line = " | ".join(clean(c.get_text(" ")) for c in row.find_all(["td", "th"]))
                if line.strip(" |"):
                    current.add(Node("text", text=line))
        else:
            current.add(Node("text", text=text))
    if intro.children:
        intro.heading = title or None
        roots.insert(0, intro)
    return [r for r in roots if r.children or r.text]


def parse_plain_text(text: str, language: str) -> Parsed:
    """Plain-text items: optional first line 'date YYYY-MM <title>', then paragraphs separated by blank lines."""
    lines = text.strip().split("\n")
    if not text.strip():
        raise ParseError("text is empty; re-fetch it")
    first = lines[0].strip()
    published: str | None = None
    m = re.match(r"^date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+(.*)$", first)
    if m:
        published, title = m.group(1), m.group(2)
        body = "\n".join(lines[1:])
    else:
        title, body = first[:200], "\n".join(lines[1:]) if len(lines) > 1 else first
    section = Node("section", heading=title)
    for para in re.split(r"\n\s*\n", body):
        if para.strip():
            section.add(Node("text", text=para))
    parsed = Parsed(title=clean(title), language=language, roots=[section])
    if published:
        parsed.published = parse_date(published + ("-01" if len(published) == 7 else ""))
        if len(published) == 7:
            parsed.warnings.append(f"publication date only known to the month ({published}); stored as the 1st")
    return parsed
