"""PDF documents: text per page (pypdf), headings from numbering and capitals, page numbers on provisions."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader

from .document import Parsed
from .errors import ParseError
from .tree import Node, clean

ARTICLE = re.compile(r"^(Artikel|Article)\s+(\d+[a-z]*)\b\.?\s*(.*)$")
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+([A-Z][^.]{2,100})$")


def parse_pdf(body: bytes, language: str) -> Parsed:
    if not body.startswith(b"%PDF"):
        raise ParseError("not a PDF (no %PDF header); re-fetch it")
    if b"%%EOF" not in body[-2048:]:
        raise ParseError("PDF is truncated (no %%EOF marker at the end); re-fetch it")
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        pages = [(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except Exception as exc:  # noqa: BLE001 - pypdf raises arbitrary errors (struct, zlib ...) on damaged files
        raise ParseError(f"PDF is corrupt ({type(exc).__name__}: {exc}); re-fetch it") from exc
    if not any(t.strip() for _, t in pages):
        raise ParseError("PDF has no extractable text (scanned image?); OCR is not supported")
    roots: list[Node] = []
    current: Node | None = None
    title = clean(meta_title)
    for number, text in pages:
        for block in _blocks(text):
            kind, node = _heading(block, number)
            if node is not None:
                roots.append(node)
                current = node
                continue
            if not title:
                title = block[:200]
            if current is None:
                current = Node("section", heading=None, page=number)
                roots.append(current)
            child = Node("text", text=block, page=number)
            current.add(child)
    return Parsed(title=title, language=language, roots=roots)


def _blocks(text: str) -> list[str]:
    """Lines joined into paragraphs; a heading-like line stands alone."""
    out: list[str] = []
    buf: list[str] = []
    for line in (clean(x) for x in text.split("\n")):
        if not line:
            if buf:
                out.append(" ".join(buf))
                buf = []
            continue
        if ARTICLE.match(line) or NUMBERED.match(line) or _caps(line):
            if buf:
                out.append(" ".join(buf))
                buf = []
            out.append(line)
        else:
            buf.append(line)
    if buf:
        out.append(" ".join(buf))
    return out


def _caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return 3 <= len(letters) <= 120 and all(c.isupper() for c in letters)


def _heading(block: str, page: int) -> tuple[str, Node | None]:
    m = ARTICLE.match(block)
    if m:
        return "article", Node("article", number=m.group(2), heading=m.group(3) or None, page=page)
    m = NUMBERED.match(block)
    if m:
        return "section", Node("section", number=m.group(1), heading=m.group(2), page=page)
    if _caps(block):
        return "section", Node("section", heading=block, page=page)
    return "", None
