"""The shared provision-tree builder every parser feeds.

Parsers only recognise *what* a block is (article, paragraph, point, text);
this module decides ids, parent links, levels and human citations, so that the
same provision gets the same id and citation whatever format it came from
(EUR-Lex HTML, Formex, plain text, markdown, BWB XML, PDF).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from regkb.records import Amendment, Provision

# Kinds whose id does not repeat their parent's (EUR-Lex: "art_8", not "cpt_II.art_8").
ROOT_KINDS = {"recital", "article", "annex", "chapter", "part", "appendix"}
ID_PREFIX = {
    "recital": "rct", "article": "art", "annex": "anx", "chapter": "cpt", "part": "prt",
    "section": "sct", "subsection": "sbs", "paragraph": "par", "subparagraph": "sub",
    "point": "pt", "subpoint": "pt", "indent": "ind", "text": "txt", "heading": "hd",
    "table": "tbl", "appendix": "app", "citation": "cit", "final": "fin", "preamble": "pbl", "footnote": "fn",
}
# Kinds that hold subparagraphs when they have several text blocks.
SUBPARAGRAPH_HOLDERS = {"article", "paragraph"}


@dataclass
class Node:
    """One provision while parsing, before ids and citations are assigned."""

    kind: str
    number: str | None = None
    heading: str | None = None
    text: str = ""
    children: list[Node] = field(default_factory=list)
    page: int | None = None
    holder: Node | None = field(default=None, repr=False)
    amendment: Amendment | None = None  # an amending act's instruction or quoted text (amendments.py)

    def add(self, item: str | Node) -> None:
        """Attach a text block or child the way legal texts nest.

        The first text block is the node's own text; later ones open
        subparagraphs (articles, paragraphs); points go to the latest
        subparagraph. Text after a paragraph belongs to that paragraph.
        """
        if isinstance(item, str):
            item = clean(item)
            if not item:
                return
        last = self.children[-1] if self.children else None
        if isinstance(item, Node) and item.kind in ("paragraph", "article", "chapter", "section", "annex", "recital"):
            self.children.append(item)
            self.holder = None
            return
        if self.kind == "article" and last is not None and last.kind == "paragraph":
            last.add(item)
            return
        if isinstance(item, Node):
            (self.holder or self).children.append(item)
            return
        if not self.text and not self.children:
            self.text = item
        elif self.kind in SUBPARAGRAPH_HOLDERS:
            n = sum(1 for c in self.children if c.kind == "subparagraph") + 2
            sub = Node("subparagraph", number=str(n), text=item)
            self.children.append(sub)
            self.holder = sub
        elif not self.children:
            self.text = f"{self.text}\n{item}"
        elif self.holder is not None and self.holder.kind == "text" and not self.holder.children:
            self.holder.text = f"{self.holder.text}\n{item}"
        else:
            txt = Node("text", text=item)
            self.children.append(txt)
            self.holder = txt

    def extend(self, items: Iterable[str | Node]) -> None:
        for item in items:
            self.add(item)


_WS = re.compile(r"[ \t\r\f\v\u00a0\u2002\u2003\u2009\u202f]+")


def clean(text: str) -> str:
    """Normalise whitespace (EUR-Lex pads numbers with no-break spaces)."""
    lines = [_WS.sub(" ", line).strip() for line in text.replace("\u00ad", "").split("\n")]
    return "\n".join(line for line in lines if line)


def norm_number(number: str | None) -> str | None:
    """'(a)' -> 'a', '2.' -> '2', '1°' -> '1', '2 bis' stays '2 bis' (as cited)."""
    if number is None:
        return None
    n = clean(number).strip("()[]. :°º")
    return n or None


# EUR-Lex ids use 2a, 2b ... in every language for the Latin insertions of FR/NL texts (2 bis, 2 ter ...)
LATIN_SUFFIX = {"bis": "a", "ter": "b", "quater": "c", "quinquies": "d", "sexies": "e", "septies": "f",
                "octies": "g", "nonies": "h", "decies": "i"}


def id_token(number: str | None) -> str:
    """'2 bis' -> '2a', '(iv)' -> 'iv', 'ESRS 1' -> 'ESRS1'."""
    n = norm_number(number) or ""
    m = re.match(r"^(\d+)\s*(bis|ter|quater|quinquies|sexies|septies|octies|nonies|decies)$", n, re.I)
    if m:
        n = m.group(1) + LATIN_SUFFIX[m.group(2).lower()]
    return re.sub(r"[^0-9A-Za-z]+", "", n)


# ---------------------------------------------------------------- citations

_EN_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_NL_UNITS = ["een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]
_FR_UNITS = ["unième", "deuxième", "troisième", "quatrième", "cinquième", "sixième", "septième", "huitième",
             "neuvième"]


def _tens(lang: str) -> list[str]:
    """Ordinals 21 to 99 (fr: 21 to 69): 'twenty-first', 'eenentwintigste', 'vingt et unième'."""
    out = []
    if lang == "en":
        for tens in ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"):
            out += [f"{tens}-{u}" for u in _EN_UNITS] + [{"twenty": "thirtieth", "thirty": "fortieth",
                                                           "forty": "fiftieth", "fifty": "sixtieth",
                                                           "sixty": "seventieth", "seventy": "eightieth",
                                                           "eighty": "ninetieth", "ninety": ""}[tens]]
    elif lang == "nl":
        for tens, nxt in (("twintig", "dertig"), ("dertig", "veertig"), ("veertig", "vijftig"), ("vijftig", "zestig"),
                          ("zestig", "zeventig"), ("zeventig", "tachtig"), ("tachtig", "negentig"), ("negentig", "")):
            out += [f"{u}{'ën' if u.endswith('e') else 'en'}{tens}ste" for u in _NL_UNITS] + [
                f"{nxt}ste" if nxt else ""
            ]
    elif lang == "fr":
        for tens, nxt in (("vingt", "trentième"), ("trente", "quarantième"), ("quarante", "cinquantième"),
                          ("cinquante", "soixantième"), ("soixante", "")):
            out += [f"{tens} et unième"] + [f"{tens}-{u}" for u in _FR_UNITS[1:]] + [nxt]
    return [w for w in out if w]


ORDINALS = {
    "en": ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
           "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
           "eighteenth", "nineteenth", "twentieth", *_tens("en")],
    "fr": ["premier", "deuxième", "troisième", "quatrième", "cinquième", "sixième", "septième", "huitième",
           "neuvième", "dixième", "onzième", "douzième", "treizième", "quatorzième", "quinzième", "seizième",
           "dix-septième", "dix-huitième", "dix-neuvième", "vingtième", *_tens("fr")],
    "nl": ["eerste", "tweede", "derde", "vierde", "vijfde", "zesde", "zevende", "achtste", "negende", "tiende",
           "elfde", "twaalfde", "dertiende", "veertiende", "vijftiende", "zestiende", "zeventiende", "achttiende",
           "negentiende", "twintigste", *_tens("nl")],
}


def ordinal(n: int | str, lang: str) -> str:
    try:
        i = int(n)
    except (TypeError, ValueError):
        return str(n)
    words = ORDINALS.get(lang, ORDINALS["en"])
    if 1 <= i <= len(words):
        return words[i - 1]
    return {"fr": f"{i}e", "nl": f"{i}e"}.get(lang, f"{i}th")


# Words per citation style: eu_en, eu_fr, eu_nl (EU acts in Dutch), nl (Dutch national law).
LABELS = {
    "en": {"article": "Article", "recital": "Recital", "annex": "Annex", "chapter": "Chapter", "section": "Section",
           "part": "Part", "appendix": "Appendix", "subparagraph": "subparagraph", "indent": "indent"},
    "fr": {"article": "Article", "recital": "Considérant", "annex": "Annexe", "chapter": "Chapitre",
           "section": "Section", "part": "Partie", "appendix": "Appendice", "subparagraph": "alinéa",
           "indent": "tiret"},
    "nl": {"article": "Artikel", "recital": "Overweging", "annex": "Bijlage", "chapter": "Hoofdstuk",
           "section": "Afdeling", "part": "Deel", "appendix": "Aanhangsel", "subparagraph": "alinea",
           "indent": "streepje"},
}


def citation_style(language: str, jurisdiction: str) -> str:
    lang = (language or "en").split("+")[0].lower()
    if lang == "nl" and jurisdiction == "NL":
        return "nl_national"
    return lang if lang in LABELS else "en"


# ESRS disclosure requirements: E1-6, S1-1, GOV-1, SBM-3, IRO-2, BP-1, MDR-P.
_ESRS_DR = re.compile(r"^(?:[ESG]\d|GOV|SBM|IRO|BP|MDR)-(?:\d+|[PAMT])$", re.I)


def _cite_esrs(node: Node, parent: Node | None, parent_citation: str, num: str) -> str | None:
    """Inside a sustainability reporting standard, cited by the standard as the ESRS do themselves:
    'ESRS E1, paragraph 16(a)', 'ESRS E1, AR 21', 'ESRS S1, Disclosure Requirement S1-1'."""
    standard = parent_citation.split(",")[0]
    k = node.kind
    if k in ("section", "subsection"):
        if not num:
            return parent_citation
        if _ESRS_DR.match(num):
            return f"{standard}, Disclosure Requirement {num}"
        if num.lower().startswith("appendix"):
            return f"{standard}, {num}"
        return f"{standard}, {'section' if '.' in num or k == 'subsection' else 'chapter'} {num}"
    if k == "paragraph" and num:
        return f"{standard}, {num}" if num.upper().startswith("AR") else f"{standard}, paragraph {num}"
    if k in ("point", "subpoint") and parent is not None and parent.kind in ("paragraph", "point", "subpoint"):
        return f"{parent_citation}({num})"
    return None


def _quoted_heading(heading: str | None, max_words: int = 10) -> str | None:
    """A short heading as a citation names a unit ("‘Stakeholder engagement’"); long, upper-case (a title
    over what follows) or marker-like ones (a sentence, "* (identification number …)") are not names."""
    h = " ".join((heading or "").split())
    if not h or not h[0].isalnum() or h.isupper() or len(h.split()) > max_words:
        return None
    return f"‘{h}’"


def cite(node: Node, parent: Node | None, parent_citation: str, style: str) -> str:
    """Human citation of `node` given its parent's citation, in the document's language style."""
    lang = "nl" if style == "nl_national" else style
    words = LABELS[lang]
    num = norm_number(node.number) or ""
    k = node.kind
    if k == "part" and re.match(r"^ESRS\b", num):  # a standard of Delegated Regulation (EU) 2023/2772
        return num
    if parent_citation.startswith("ESRS ") and parent is not None and parent.kind != "annex":
        esrs = _cite_esrs(node, parent, parent_citation, num)
        if esrs is not None:
            return esrs
    if k in ("part", "chapter") and parent is not None and parent.kind in ("annex", "appendix", "part"):
        return f"{parent_citation}, {words[k]} {num}".strip()
    if k in ("article", "recital", "annex", "chapter", "part", "appendix"):
        return f"{words[k]} {num}".strip()
    if k == "section":
        if not num:  # an unnumbered section is cited by its heading: each entry of the ESRS glossary (Annex II)
            named = None if node.children else _quoted_heading(node.heading)
            if parent_citation and named:
                return f"{parent_citation}, {named}"
            return parent_citation or (node.heading or "")[:120]
        own = f"{words['section']} {num}".strip()
        return f"{parent_citation}, {own}" if parent_citation else own
    if k == "paragraph":
        if style == "en":
            return f"{parent_citation}({num})"
        if style == "fr":
            return f"{parent_citation}, paragraphe {num}"
        if style == "nl_national":
            return f"{parent_citation}, {ordinal(num, 'nl')} lid"
        return f"{parent_citation}, lid {num}"
    if k == "subparagraph":
        if style == "fr":
            return f"{parent_citation}, {ordinal(num, 'fr').replace('premier', 'premier')} alinéa"
        return f"{parent_citation}, {ordinal(num, lang)} {words['subparagraph']}"
    if k in ("point", "subpoint"):
        nested = parent is not None and parent.kind in ("point", "subpoint")
        if style == "en":
            return f"{parent_citation}({num})" if nested else f"{parent_citation}, point ({num})"
        if style == "fr":
            return f"{parent_citation} {num})" if nested else f"{parent_citation}, point {num})"
        if style == "nl_national":
            return f"{parent_citation}, onder {num}" if nested else f"{parent_citation}, onderdeel {num}"
        return f"{parent_citation}, onder {num}" if nested else f"{parent_citation}, punt {num}"
    if k == "indent":
        return f"{parent_citation}, {ordinal(num, lang)} {words['indent']}"
    return parent_citation


# ---------------------------------------------------------------- flattening

def _segment(node: Node, index: int) -> str:
    prefix = ID_PREFIX.get(node.kind, node.kind[:3])
    return f"{prefix}_{id_token(node.number) or index}"


def flatten(roots: list[Node], style: str) -> tuple[list[Provision], list[str]]:
    """Provisions in reading order with stable ids, parent ids, levels and citations."""
    out: list[Provision] = []
    seen: set[str] = set()
    warnings: list[str] = []

    def visit(node: Node, parent: Node | None, parent_id: str | None, parent_cit: str, level: int,
              counters: dict[str, int], quoted: Amendment | None = None) -> None:
        if node.kind == "point" and parent is not None and parent.kind in ("point", "subpoint"):
            node.kind = "subpoint"
        key = ID_PREFIX.get(node.kind, node.kind)
        counters[key] = counters.get(key, 0) + 1
        if node.kind == "indent" and not node.number:
            node.number = str(counters[key])
        seg = _segment(node, counters[key])
        in_annex = parent is not None and parent.kind in ("annex", "appendix")
        amendment = node.amendment
        if amendment is not None and amendment.quoted:  # quoted text of another act: 'art_1.pt_7.amd_art_29a'
            seg, quoted = f"amd_{seg}", amendment
        elif quoted is not None:  # inside it: cited from the quoted provision's place in the amended act
            above = parent.amendment.target_provision_id if parent is not None and parent.amendment else None
            place = seg if node.kind in ROOT_KINDS else f"{above}.{seg}" if above else None
            amendment = quoted.model_copy(update={"target": cite(node, parent, parent_cit, style) or parent_cit,
                                                  "target_provision_id": place})
            node.amendment = amendment
        root = node.kind in ROOT_KINDS and not in_annex and quoted is None
        pid = seg if (root or not parent_id) else f"{parent_id}.{seg}"
        if pid in seen:
            n = 2
            while f"{pid}-{n}" in seen:
                n += 1
            if ".pt_" not in pid:  # repeats inside points are quoted amendments: expected
                warnings.append(f"duplicate provision id {pid!r}; renamed to {pid}-{n}")
            pid = f"{pid}-{n}"
        seen.add(pid)
        if quoted is not None and amendment is not None:
            citation = amendment.target  # amendments.cite_quoted writes the whole citation once the tree is flat
        else:
            citation = cite(node, parent, parent_cit, style) or parent_cit or node.heading or pid
        out.append(Provision(id=pid, kind=node.kind, number=norm_number(node.number), heading=node.heading,
                             text=node.text, citation=citation, parent_id=parent_id, level=level, page=node.page,
                             amendment=amendment))
        child_counters: dict[str, int] = {}
        for child in node.children:
            visit(child, node, pid, citation, level + 1, child_counters, quoted)

    top: dict[str, int] = {}
    for root in roots:
        visit(root, None, None, "", 0, top)
    return out, warnings
