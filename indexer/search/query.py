"""The query language lawyers type, parsed once into a small AST that each backend translates.

    due diligence                 all words (AND is implicit), stemmed, in text, headings and titles
    "adverse impacts"             exact phrase
    a OR b, a AND b, NOT a, -a    boolean operators (upper case), parentheses group;
                                  OR binds tighter than AND: `contract OR agreement breach`
    addressee:companies           field filters (names in config/search.yaml `query_fields`)
    lang:nl sector:13 modality:prohibition
    EUDR operators                an act's short name or number filters on that act

Hostile input never raises anything but QuerySyntaxError (with a message that
says how to fix the query): control characters are dropped, Lucene special
characters are plain punctuation, overlong queries are refused.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.search.base import QuerySyntaxError
from indexer.search.citations import canonical_instrument
from indexer.search.facets import filter_values, normalize_value
from indexer.search.settings import search_config
from regkb.settings import load_config


@dataclass(frozen=True)
class Text:
    """A word or, with phrase=True, an exact phrase, searched in the text fields."""
    value: str
    phrase: bool = False
    weight: float = 1.0  # a translation added by query expansion counts less than the words typed
    langs: tuple[str, ...] = ()  # the languages whose texts are searched for it (empty: all); set by expansion for
    # translations and typed words (English "fine" is no French word: French stems it "fin", "aux fins de")


@dataclass(frozen=True)
class FieldMatch:
    """`name:value` on a keyword field (name is a facet or filter name). `typed`: for an act name, the words
    as typed (searched as words when the corpus holds no text of that act)."""
    name: str
    value: str
    typed: str = field(default="", compare=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Text | FieldMatch | And | Or | Not | MatchAll

_TOKEN = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<quote>")|(?P<word>[^\s()"]+))')
_FIELD = re.compile(r"^(?P<name>[A-Za-z_]+):(?P<value>.*)$")
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_ACT_NAME = re.compile(r"^(?:[^\W\d_][\w-]{2,}|\d{4}/\d{1,4})$")  # CSDDD, eudr, WZK, 2024/1760


def _clean(query: str) -> str:
    limit = int(search_config().get("max_query_chars", 2000))
    if len(query) > limit:
        raise QuerySyntaxError(
            f"The query is {len(query)} characters long; the limit is {limit}. Shorten it to the words that matter."
        )
    # Control and format characters (NUL, zero-width ...) are never meaningful in a query.
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in query)


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        if query[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(query, pos)
        if m is None:  # pragma: no cover - the pattern accepts every non-space character
            raise QuerySyntaxError(f"Unexpected character at position {pos + 1}.")
        if m["quote"]:
            end = query.find('"', m.end())
            if end < 0:
                raise QuerySyntaxError(
                    f'Unbalanced quote at position {m.start("quote") + 1}: '
                    'close the phrase with a second " or remove the quote.'
                )
            tokens.append(("phrase", query[m.end():end]))
            pos = end + 1
            continue
        kind = "lp" if m["lp"] else "rp" if m["rp"] else "word"
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    """Recursive descent: and := or+; or := unary (OR unary)*; unary := (NOT|-) unary | primary."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.i, self.depth = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def peek_kind(self) -> str | None:
        tok = self.peek()
        return tok[0] if tok is not None else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node | None:
        node = self.parse_and()
        if self.peek() is not None:  # only a stray ")" can stop the top level early
            raise QuerySyntaxError("Unbalanced parenthesis: there is a ')' without a matching '('.")
        return node

    def parse_and(self) -> Node | None:
        """A sequence of OR-groups, implicitly AND-ed (explicit AND is the same)."""
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok[0] != "rp":
            if tok in (("word", "AND"), ("word", "&&"), ("word", "OR"), ("word", "||")):
                self.take()  # a dangling operator ("due AND", "OR climate") is ignored
                continue
            node = self.parse_or()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_or(self) -> Node | None:
        """OR binds tighter than AND, as in web search: `contract OR agreement breach`."""
        found = [self.parse_unary()]
        while self.peek() in (("word", "OR"), ("word", "||")) and self.i + 1 < len(self.tokens) \
                and self.tokens[self.i + 1][0] != "rp":
            self.take()
            found.append(self.parse_unary())
        parts = [p for p in found if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_unary(self) -> Node | None:
        kind, value = self.peek()  # type: ignore[misc]
        if kind == "word" and value in ("NOT", "!"):
            self.take()
            if self.peek_kind() in (None, "rp"):
                raise QuerySyntaxError("NOT needs something after it, e.g. 'NOT recital'.")
            child = self.parse_unary()
            return Not(child) if child is not None else None
        if kind == "word" and value.startswith("-") and len(value) > 1:
            self.take()
            child = self.word(value[1:])
            return Not(child) if child is not None else None
        return self.parse_primary()

    def parse_primary(self) -> Node | None:
        kind, value = self.take()
        if kind == "lp":
            self.depth += 1
            if self.depth > 32:
                raise QuerySyntaxError("Too many nested parentheses (more than 32).")
            inner = self.parse_and()
            if self.peek_kind() != "rp":
                raise QuerySyntaxError("Unbalanced parenthesis: a '(' is never closed; add ')' or remove it.")
            self.take()
            self.depth -= 1
            return inner
        if kind == "phrase":
            return Text(value, phrase=True) if _WORDLIKE.search(value) else None
        if kind == "word" and value.endswith(":") and self.peek_kind() == "phrase":
            return self.field(value[:-1], self.take()[1], phrase=True)
        return self.word(value)

    def word(self, value: str) -> Node | None:
        m = _FIELD.match(value)
        if m and (m["value"] or m["name"].lower() in (search_config().get("query_fields") or {})):
            return self.field(m["name"], m["value"])
        value = value.lstrip("+")
        instrument = canonical_instrument(value) if _ACT_NAME.match(value) else None
        if instrument:  # "EUDR operators": the act's obligations (and its amendments'), not every text that names it
            return act_filter(instrument, value)
        return Text(value) if _WORDLIKE.search(value) else None

    def field(self, name: str, value: str, phrase: bool = False) -> Node | None:
        target = (search_config().get("query_fields") or {}).get(name.lower())
        if target is None:  # "http://..." or an unknown field: search the words themselves
            return Text(f"{name} {value}", phrase=True) if _WORDLIKE.search(name + value) else None
        if not value.strip():
            raise QuerySyntaxError(f"The field filter '{name}:' has no value, e.g. '{name}:{_example(target)}'.")
        matches = tuple(FieldMatch(target, v) for v in filter_values(target, normalize_value(target, value)))
        return matches[0] if len(matches) == 1 else Or(matches)


def _example(name: str) -> str:
    return {"language": "nl", "modality": "prohibition", "addressee": "companies", "sector": "13"}.get(name, "value")


@lru_cache(maxsize=1)
def _amended_by() -> dict[str, tuple[str, ...]]:
    """short_title → short titles of the acts that amend it (config/acts.yaml `amends`)."""
    acts = (load_config("acts") or {}).get("acts") or {}
    out: dict[str, list[str]] = {}
    for act in acts.values():
        for target in act.get("amends") or []:
            name = (acts.get(target) or {}).get("short_title")
            if name and act.get("short_title"):
                out.setdefault(name, []).append(act["short_title"])
    return {k: tuple(v) for k, v in out.items()}


def act_filter(instrument: str, typed: str = "") -> Node:
    """An act named in a query: its own texts and those of the acts amending it ("CSRD" finds the
    stop-the-clock postponement of CSRD reporting too)."""
    names = (instrument, *_amended_by().get(instrument, ()))
    if len(names) == 1:
        return FieldMatch("instrument", instrument, typed)
    return Or(tuple(FieldMatch("instrument", n, typed) for n in names))


def _with_act_names(node: Node) -> Node:
    """Consecutive plain words that name an act ("the deforestation regulation", "due diligence directive")
    become its filter, as a one-word act name does."""
    if not isinstance(node, And):
        return node
    out: list[Node] = []
    children = list(node.children)
    i = 0
    while i < len(children):
        for n in (4, 3, 2):
            words = children[i:i + n]
            if len(words) == n and all(isinstance(w, Text) and not w.phrase for w in words):
                typed = " ".join(w.value for w in words)  # type: ignore[union-attr]
                instrument = canonical_instrument(typed)
                if instrument:
                    out.append(act_filter(instrument, typed))
                    i += n
                    break
        else:
            out.append(children[i])
            i += 1
    return out[0] if len(out) == 1 else And(tuple(out))


@lru_cache(maxsize=1)
def _act_subjects() -> dict[str, tuple[str, ...]]:
    """Folded word → the acts whose subject it names (config/search.yaml act_subjects)."""
    from indexer.search.crosslang import fold
    out: dict[str, tuple[str, ...]] = {}
    for act, words in (search_config().get("act_subjects") or {}).items():
        for w in words or ():
            out[fold(str(w))] = (*out.get(fold(str(w)), ()), str(act))
    return out


def _with_act_subjects(node: Node) -> Node:
    """In a query of several words, a word naming an act's subject ("deforestation", "batterijen") also stands
    for that act's texts, which seldom repeat it: "seizure of goods deforestation" finds the EUDR's article on
    seizing goods. Any provision of the act then counts as containing the word; it scores only where it is."""
    if not isinstance(node, And) or sum(isinstance(c, Text) and not c.phrase for c in node.children) < 2:
        return node
    from indexer.search.crosslang import fold
    subjects = _act_subjects()
    out: list[Node] = []
    weight = float(search_config()["boosts"].get("act_subject", 0.1))
    for c in node.children:
        acts = subjects.get(fold(c.value)) if isinstance(c, Text) and not c.phrase else None
        if isinstance(c, Text) and acts:
            c = Or((Text(c.value, weight=weight), *(m for a in acts for m in _instrument_matches(a))))
        out.append(c)
    return And(tuple(out))


def typed_word(node: Node) -> Text | None:
    """The word or phrase a user typed, where the query tree holds one: a Text, or the Text an Or starts with
    (`_with_act_subjects` puts a word before the acts whose subject it names, query expansion before its
    translations, and a typed "a OR b" starts with a); None for anything else."""
    if isinstance(node, Text):
        return node
    if isinstance(node, Or) and node.children and isinstance(node.children[0], Text):
        return node.children[0]
    return None


def _instrument_matches(instrument: str) -> tuple[FieldMatch, ...]:
    return tuple(FieldMatch("instrument", n) for n in (instrument, *_amended_by().get(instrument, ())))


def parse(query: str) -> Node:
    """The AST of a query; MatchAll for an empty one. Raises QuerySyntaxError only."""
    try:
        query = _clean(query or "")
        if not query.strip():
            return MatchAll()
        node = _Parser(_lex(query)).parse()
        node = _with_act_subjects(_with_act_names(node)) if node is not None else None
    except QuerySyntaxError:
        raise
    except (RecursionError, ValueError, IndexError, TypeError) as exc:
        raise QuerySyntaxError(f"This query could not be understood ({exc.__class__.__name__}); "
                               "try plain words, \"phrases\", AND/OR/NOT and field:value.") from None
    if node is None:
        raise QuerySyntaxError("The query has no words to search for: use letters or digits, e.g. 'due diligence'.")
    return node


def positive_texts(node: Node) -> list[Text]:
    """The words and phrases a hit may contain (for highlighting)."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, (And, Or)):
        return [t for c in node.children for t in positive_texts(c)]
    return []
