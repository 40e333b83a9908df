"""The official BWB 'toestand' XML of wetten.overheid.nl (wetgeving/wet-besluit/wettekst/artikel/lid/lijst/li).

Dutch citations differ from EU ones: "Artikel 5, eerste lid, onderdeel a";
the tree builder's 'nl_national' style produces them from the same nodes.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from .document import Parsed
from .errors import ParseError
from .metadata import act_key_by_title, parse_date
from .tree import Node, clean

DIVISIONS = {"hoofdstuk": "chapter", "afdeling": "section", "paragraaf": "section", "titeldeel": "part", "deel": "part"}


def parse_wetten_xml(body: bytes) -> Parsed:
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=False, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"BWB XML is malformed ({exc}); re-fetch it") from exc
    if root.tag not in ("toestand", "wetgeving"):
        raise ParseError(f"not BWB toestand XML (root element <{root.tag}>)")
    wet = root if root.tag == "wetgeving" else root.find(".//wetgeving")
    if wet is None:
        raise ParseError("BWB XML has no <wetgeving> element")
    title = clean(wet.findtext("citeertitel") or wet.findtext("intitule") or wet.findtext(".//intitule") or "")
    tekst = wet.find(".//wettekst")
    if tekst is None:
        raise ParseError("BWB XML has no <wettekst> (the enacting terms)")
    roots = list(_children(tekst))
    if not roots:
        raise ParseError("BWB XML has no articles")
    parsed = Parsed(title=title, language="nl", roots=roots, jurisdiction="NL")
    parsed.act_celex = act_key_by_title(title)
    parsed.bwb = root.get("bwb-id") or wet.get("bwb-id") or None
    m = re.search(r"(Stb\.\s*\d{4},\s*\d+)", " ".join(root.itertext())[:5000])
    parsed.number = m.group(1) if m else None
    parsed.version_date = parse_date(root.get("inwerkingtreding") or "") if root.get("inwerkingtreding") else None
    parsed.adopted = parse_date(wet.get("datum-ondertekening") or "") if wet.get("datum-ondertekening") else None
    parsed.kamerstuk = (wet.find(".//kamerstuk").get("dossier") if wet.find(".//kamerstuk") is not None else None)
    return parsed


def _children(el) -> Iterator[Node]:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in DIVISIONS:
            kop = child.find("kop")
            node = Node(DIVISIONS[child.tag], number=_nr(kop), heading=_titel(kop))
            node.extend(_children(child))
            yield node
        elif child.tag == "artikel":
            yield _artikel(child)
        elif child.tag in ("wettekst", "divisie"):
            yield from _children(child)


def _nr(kop) -> str | None:
    return clean(kop.findtext("nr") or "") or None if kop is not None else None


def _titel(kop) -> str | None:
    return (
        clean(" ".join(kop.find("titel").itertext())) or None
        if kop is not None and kop.find("titel") is not None
        else None
    )


def _text(el) -> str:
    return clean("".join(t for t in el.itertext() if t)).replace("\n", " ")


def _artikel(el) -> Node:
    kop = el.find("kop")
    node = Node("article", number=_nr(kop), heading=_titel(kop))
    for child in el:
        if child.tag == "lid":
            nr = clean(child.findtext("lidnr") or "").rstrip(".") or None
            lid = Node("paragraph", number=nr)
            lid.extend(_body(child))
            node.add(lid)
        elif child.tag != "kop":
            node.extend(_body_one(child))
    return node


def _body(el) -> Iterator[str | Node]:
    for child in el:
        if child.tag == "lidnr":
            continue
        yield from _body_one(child)


def _body_one(child) -> Iterator[str | Node]:
    if child.tag in ("al", "tussenkop"):
        t = _text(child)
        if t:
            yield t
    elif child.tag == "lijst":
        for li in child.findall("li"):
            nr = clean(li.findtext("li.nr") or "").rstrip(".")
            point = Node("point", number=nr or None)
            point.extend(c for part in li if part.tag != "li.nr" for c in _body_one(part))
            yield point
    elif isinstance(child.tag, str) and child.tag not in ("meta-data", "kop", "li.nr"):
        yield from _body(child)
