"""Third-party article/recital extractions: {id, celex_id, articles: [{number, title, text}], recitals: [...]}."""
from __future__ import annotations

import json
import re

from .document import Parsed
from .errors import ParseError
from .eurlex_text import _numbered
from .tree import Node


def parse_derived_json(raw_text: str, language: str) -> Parsed:
    try:
        data = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"derived JSON is malformed ({exc}); re-fetch it") from exc
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise ParseError("derived JSON has no 'articles' list; expected {celex_id, articles, recitals}")
    roots: list[Node] = []
    for rec in data.get("recitals") or []:
        if isinstance(rec, dict) and rec.get("text"):
            roots.append(Node("recital", number=str(rec.get("recital_number") or rec.get("number") or ""),
                              text=rec["text"]))
    for art in data["articles"]:
        if isinstance(art, dict):
            roots.append(_article(art))
    warnings = ["third-party extraction: recitals and articles only, no annexes; check against the official text"]
    title = data.get("full_name") or data.get("title") or data.get("id") or ""
    parsed = Parsed(title=title, language=language, roots=roots, warnings=warnings)
    parsed.celex = data.get("celex_id")
    return parsed


def _article(art: dict) -> Node:
    node = Node("article", number=str(art.get("number") or ""), heading=art.get("title"))
    text = (art.get("text") or "").replace("\u00a0", " ")
    pars = _numbered(text, r"(?:^|\n)({n})\.\s{{2,}}")
    if not pars:
        _blocks(node, text)
        return node
    if pars[0][1] > 0:
        _blocks(node, text[: pars[0][1]])
    for i, (num, _start, body) in enumerate(pars):
        end = pars[i + 1][1] if i + 1 < len(pars) else len(text)
        par = Node("paragraph", number=num)
        _blocks(par, text[body:end])
        node.add(par)
    return node


def _blocks(node: Node, text: str) -> None:
    """EUR-Lex extractions put point labels on their own line: '(a)\\n\\ntext'."""
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()]
    i = 0
    while i < len(chunks):
        label = re.fullmatch(r"\(([a-z]{1,4}|[ivx]+|\d+[a-z]?)\)", chunks[i])
        if label and i + 1 < len(chunks):
            node.add(Node("point", number=label.group(1), text=chunks[i + 1]))
            i += 2
            continue
        node.add(chunks[i])
        i += 1
