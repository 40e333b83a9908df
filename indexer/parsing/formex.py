"""Formex 4 XML (the Publications Office's authoritative markup), alone or inside a Cellar zip.

The zip holds a `*.doc.xml` descriptor naming the main XML (and any
annex files); CONS.ACT is a consolidated version, ACT an OJ act.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from .document import Parsed
from .errors import ParseError
from .metadata import parse_date
from .tree import Node, clean

Item = str | Node
SKIP = {"NOTE", "TI.ART", "STI.ART", "NO.PARAG", "NO.P", "TITLE", "BIB.INSTANCE", "INFO.CONSLEG", "INFO.PROD"}


def xml_files_from_zip(body: bytes) -> list[bytes]:
    """Main XML files of a Cellar zip, in the order the descriptor lists them."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError(f"Formex zip is corrupt or truncated ({exc}); re-fetch it") from exc
    ordered: list[str] = []
    for desc in [n for n in names if n.endswith(".doc.xml")]:
        try:
            root = etree.fromstring(zf.read(desc))
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError):
            continue
        for ref in root.iter("REF.PHYS"):
            if ref.get("TYPE") == "DOC.XML" and ref.get("FILE") in names and ref.get("FILE") not in ordered:
                ordered.append(ref.get("FILE"))
    if not ordered:
        ordered = sorted(n for n in names if n.endswith(".xml") and not n.endswith(".doc.xml"))
    if not ordered:
        raise ParseError("Formex zip has no XML document; expected a *.doc.xml descriptor and its main .xml")
    try:
        return [zf.read(n) for n in ordered]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ParseError(f"Formex zip member cannot be read ({exc}); re-fetch it") from exc


def parse_formex(files: list[bytes]) -> Parsed:
    roots: list[Node] = []
    parsed: Parsed | None = None
    for data in files:
        try:
            root = etree.fromstring(data, parser=etree.XMLParser(recover=False, huge_tree=True))
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"Formex XML is malformed ({exc}); re-fetch it") from exc
        _drop_deleted(root)
        if parsed is None:
            parsed = _metadata(root)
        roots.extend(_structure(root))
    assert parsed is not None
    if not roots:
        raise ParseError("Formex XML has no articles, recitals or annexes")
    parsed.roots = roots
    return parsed


def _drop_deleted(root) -> int:
    """Consolidated Formex keeps deleted text between CLG.MDFO ACTION="DELETED" and its CLG.MDFC marker."""
    dropped = 0
    for pi in list(root.iter(etree.ProcessingInstruction)):
        if pi.target != "CLG.MDFO" or 'ACTION="DELETED"' not in (pi.text or ""):
            continue
        m = re.search(r'\bID="([^"]+)"', pi.text)
        if not m:
            continue
        sibling = pi.getnext()
        while sibling is not None:
            if sibling.tag is etree.ProcessingInstruction and sibling.target == "CLG.MDFC" and \
                    f'IDREF="{m.group(1)}"' in (sibling.text or ""):
                break
            nxt = sibling.getnext()
            if isinstance(sibling.tag, str):
                parent = sibling.getparent()
                if sibling.tail and sibling.tail.strip():
                    pass
                parent.remove(sibling)
                dropped += 1
            sibling = nxt
    return dropped


def _metadata(root) -> Parsed:
    lang = (root.findtext(".//LG.DOC") or root.findtext(".//LG.OJ") or "en").lower()
    title_el = root.find(".//BIB.DATA/TITLE/TI") if root.tag == "CONS.ACT" else root.find(".//TITLE/TI")
    if title_el is None:
        title_el = root.find(".//TITLE/TI")
    title_lines = [text(p) for p in title_el.findall("P")] if title_el is not None else []
    title = " ".join(
        t for t in title_lines if not re.match(r"^\((text with eea|texte présentant|voor de eer)", t, re.I)
    )
    parsed = Parsed(title=re.sub(r"\s+", " ", title).strip(), language=lang, roots=[])
    info = root.find("INFO.CONSLEG")
    if info is not None:
        ref = info.get("CONSLEG.REF") or ""
        start = info.get("START.DATE") or ""
        parsed.celex = f"0{ref}-{start}" if ref and start else None
        parsed.consolidated = True
        parsed.version_date = parse_date(start) if start else None
    else:
        parsed.celex = root.findtext(".//NO.CELEX")
        date = root.find(".//BIB.INSTANCE/DATE")
        parsed.published = parse_date(date.get("ISO")) if date is not None and date.get("ISO") else None
    return parsed


def text(el) -> str:
    """Text of an element without footnotes; Formex quotation marks become real quotes."""
    parts: list[str] = []

    def walk(e) -> None:
        if e.tag == "NOTE":
            pass
        elif e.tag in ("QUOT.START", "QUOT.END"):
            parts.append(_quote(e))
        elif e.tag == "FT" and e.get("TYPE") == "NUMBER" and (e.text or "").isdigit() and len(e.text) > 3:
            parts.append(f"{int(e.text):,}".replace(",", " "))
        else:
            if e.text:
                parts.append(e.text)
            for c in e:
                if isinstance(c.tag, str):
                    walk(c)
                if c.tail:
                    parts.append(c.tail)

    walk(el)
    return clean("".join(parts)).replace("\n", " ")


def _quote(el) -> str:
    """Formex gives the quotation mark's code point (2018 ‘, 00AB « ...) in CODE."""
    try:
        return chr(int(el.get("CODE") or "", 16))
    except ValueError:
        return "‘" if el.tag == "QUOT.START" else "’"


def _structure(root) -> Iterator[Node]:
    for consid in root.iter("CONSID"):
        np = consid.find("NP")
        if np is not None:
            number = text(np.find("NO.P")).strip("() ") if np.find("NO.P") is not None else ""
            body = " ".join(text(t) for t in np if t.tag != "NO.P")
            yield Node("recital", number=number or None, text=body)
    terms = root.find(".//ENACTING.TERMS")
    if terms is not None:
        yield from _divisions(terms)
    for annex in [a for a in root.iter("ANNEX", "CONS.ANNEX")]:
        yield _annex(annex)


def _divisions(el) -> Iterator[Node]:
    for child in el:
        if child.tag == "DIVISION":
            yield _division(child)
        elif child.tag == "ARTICLE":
            yield _article(child)


def _division(el) -> Node:
    ti = el.find("TITLE/TI")
    label = text(ti) if ti is not None else ""
    sti = el.find("TITLE/STI")
    m = re.match(
        r"^(chapter|chapitre|hoofdstuk|section|afdeling|title|titre|titel|part|partie|deel)\s+(\S+)", label, re.I
    )
    word = m.group(1).lower() if m else "chapter"
    kind = (
        "section"
        if word in ("section", "afdeling")
        else "part"
        if word in ("title", "titre", "titel", "part", "partie", "deel")
        else "chapter"
    )
    node = Node(kind, number=m.group(2) if m else None, heading=text(sti) if sti is not None else label)
    for child in _divisions(el):
        node.add(child)
    return node


def _article(el) -> Node:
    ident = el.get("IDENTIFIER") or ""
    label = el.findtext("TI.ART") or ident
    m = re.search(r"(\d+\s*[a-z]*)\s*$", text(el.find("TI.ART")) if el.find("TI.ART") is not None else label, re.I)
    number = m.group(1) if m else (ident.lstrip("0") or None)
    if re.search(r"premier|first", label or "", re.I):
        number = "1"
    sti = el.find("STI.ART")
    node = Node("article", number=number, heading=text(sti) if sti is not None else None)
    node.extend(_flow(el))
    return node


def _flow(el) -> Iterator[Item]:
    for child in el:
        if not isinstance(child.tag, str) or child.tag in SKIP:
            continue
        if child.tag == "PARAG":
            no = child.find("NO.PARAG")
            num = text(no).strip().rstrip(".") if no is not None else ""
            par = Node("paragraph", number=num or None)
            par.extend(_flow(child))
            if num:
                yield par
            else:
                yield from ([par.text] if par.text else []) + par.children
        elif child.tag in ("ALINEA", "P", "TXT") and not _has_blocks(child):
            t = text(child)
            if t:
                yield t
        elif child.tag in ("LIST",):
            dash = (child.get("TYPE") or "").upper() in ("DASH", "BULLET", "NDASH")
            for item in child.findall("ITEM"):
                if dash and item.find("NP") is None:
                    indent = Node("indent")
                    indent.extend(_flow(item))
                    yield indent
                else:
                    yield from _item(item)
        elif child.tag in ("NP",):
            yield _np(child)
        elif child.tag in ("TBL",):
            for row in child.iter("ROW"):
                line = " | ".join(text(c) for c in row.findall("CELL"))
                if line.strip(" |"):
                    yield line
        elif child.tag == "QUOT.S":
            # text an amending provision quotes (a point added to another act): text of this act, as the
            # EUR-Lex HTML draws it, not points of its own
            t = text(child)
            if t:
                yield t
        elif child.tag in ("GR.SEQ",):
            ti = child.find("TITLE")
            if ti is not None:
                yield Node("section", heading=text(ti))
            yield from _flow(child)
        else:
            yield from _flow(child)


def _has_blocks(el) -> bool:
    return any(c.tag in ("P", "LIST", "NP", "TBL", "ALINEA", "PARAG") for c in el if isinstance(c.tag, str))


def _item(item) -> Iterator[Item]:
    np = item.find("NP")
    if np is not None:
        yield _np(np)
    else:
        yield from _flow(item)


def _np(np) -> Node:
    no = np.find("NO.P")
    label = text(no).strip() if no is not None else ""
    kind = "indent" if re.match(r"^[—–\-•]$", label) else "point"
    node = Node(kind, number=None if kind == "indent" else label)
    node.extend(_flow(np))
    return node


def _annex(el) -> Node:
    ti = el.find("TITLE/TI")
    label = text(ti) if ti is not None else ""
    m = re.match(r"^\S+\s+([IVXLC]+|\d+)\b", label)
    node = Node("annex", number=m.group(1) if m else None)
    sti = el.find("TITLE/STI")
    node.heading = text(sti) if sti is not None else None
    contents = el.find("CONTENTS")
    current = node
    for item in _flow(contents if contents is not None else el):
        if isinstance(item, Node) and item.kind == "section":
            node.children.append(item)
            current = item
        else:
            current.add(item)
    return node
