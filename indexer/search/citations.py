"""Citations at every depth: one canonical key per provision, and the same key from what people type.

Look-up is an exact keyword match. Every provision record carries `cite_key`, computed from the provision's
ancestry chain (kinds and numbers) by `document_cite_keys`; `parse_citation` turns a typed citation ("CSDDD
Article 8(2)(a)", "WZK art. 5 lid 1 sub a", "ESRS E1, AR 21") into the same key, plus the keys to fall back on
when that depth does not exist in the corpus. The backends resolve it to a provision of an indexed document
and answer with that provision's obligations first (SearchResponse.redirect).

The key is language independent ("Artikel 8, lid 2, punt a", "Article 8, paragraphe 2, point a)" and
"Article 8(2), point (a)" are all `8(2)(a)`) and lower case:

    what                                     key                      provision id
    Article 8                                8                        art_8
    Article 8(2)                             8(2)                     art_8.par_2
    Article 8(2), point (a)                  8(2)(a)                  art_8.par_2.pt_a
    Article 3(1), point (a)(iii), 1st indent 3(1)(a)(iii)-1           art_3.par_1.pt_a.pt_iii.ind_1
    Article 3, point (a) (no paragraphs)     3,(a)                    art_3.pt_a   ("," keeps it apart from 3(1))
    Article 22(2), second subparagraph       22(2)¶2                  art_22.par_2.sub_2
    Article 2 bis / Artikel 2 bis            2a                       art_2a
    Recital 12 / Overweging 12               rct:12                   rct_12
    Annex I (or the sole unnumbered Annex)   anx:1                    anx_I / anx_1
    Annex, Part I, Section 1, point (10)     anx:1/p1(10)             anx_1.prt_I.sct_1.pt_10
    Chapter II                               cpt:2                    cpt_II
    ESRS E1 (the standard)                   esrs:e1                  anx_I.prt_ESRSE1
    ESRS E1, paragraph 16(a)                 esrs:e1/16(a)            anx_I.prt_ESRSE1.sct_E11.par_16.pt_a
    ESRS E1, AR 21                           esrs:e1/ar21             anx_I.prt_ESRSE1.sct_AppendixA.hd_11.par_AR21
    ESRS E1, Disclosure Requirement E1-1     esrs:e1/dr:e1-1          anx_I.prt_ESRSE1.sct_E11
    ESRS 1, section 3.1 / Appendix A         esrs:1/s3.1, esrs:1/appa anx_I.prt_ESRS1.sbs_31 / ….sct_AppendixA

Roman numbers of annexes, parts, chapters and sections become Arabic; Latin insertions (2 bis) become
letters as in EUR-Lex ids. Some levels are *optional* because lawyers leave them out when the number is
unambiguous without them: a numbered section inside an annex or a standard (`/s1`), an ESRS disclosure
requirement above its paragraphs (`/dr:e1-1`), a subparagraph that holds a point (`¶2`, "Article 22(1)(a)"
for the second subparagraph's point (a)) and unnumbered text blocks (`~t1`). A provision's key leaves out
as many of them as it can while no other provision of the document could be cited the same way; so the
CSDDD's "Annex, Part I, Section 1, point (10)" is `anx:1/p1(10)` (Section 2 has no numbered points) and a
typed "Annex I, Part I, point 10" finds it. A typed citation that names an optional level tries the key
with it, then without it.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise
from typing import Any

from indexer.parsing.tree import LATIN_SUFFIX, ORDINALS, norm_number
from indexer.search.settings import search_config
from regkb.settings import load_config

# ---------------------------------------------------------------- the key


@dataclass(frozen=True)
class Seg:
    """One level of a citation: kind, normalised number, and whether a citation may leave it out."""

    kind: str      # article recital annex standard chapter part section appendix paragraph ar subparagraph
    tok: str       # point indent dr text
    optional: bool = False


_ROOT_PREFIX = {"recital": "rct:", "annex": "anx:", "standard": "esrs:", "chapter": "cpt:", "part": "prt:",
                "section": "sct:", "subsection": "sct:", "appendix": "app:"}
_INNER_PREFIX = {"chapter": "/c", "part": "/p", "section": "/s", "subsection": "/s", "appendix": "/app"}
_STRUCTURE = ("chapter", "part", "section", "subsection", "appendix")
# Codes of ESRS disclosure requirements: E1-6, S1-1, G1-4, GOV-1, SBM-3, IRO-2, BP-1, MDR-P.
DR_CODE = re.compile(r"(?:[ESG]\d|GOV|SBM|IRO|BP|MDR)-(?:\d+|[PAMT])", re.I)
_LATIN = "|".join(LATIN_SUFFIX)
_ROMAN = re.compile(r"^(xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}


def tok(number: str | None) -> str:
    """'(a)' → 'a', '2.' → '2', '2 bis' → '2a', '1°' → '1', 'AR 21' → 'ar21'."""
    n = (norm_number(number) or "").lower()
    m = re.match(rf"^(\d+)\s*({_LATIN})$", n)
    if m:
        n = m.group(1) + LATIN_SUFFIX[m.group(2)]
    return re.sub(r"[\s°º]+", "", n)


def _roman(s: str) -> int | None:
    if not s or s == "l" or not _ROMAN.match(s):
        return None
    total = 0
    for a, b in pairwise(s + " "):
        v = _ROMAN_VALUES[a]
        total += -v if b != " " and _ROMAN_VALUES[b] > v else v
    return total


def ordinal_tok(number: str | None) -> str:
    """Numbers of annexes, parts, chapters, sections: Roman → Arabic ('IV' → '4', 'VIa' → '6a', 'A' → 'a')."""
    t = tok(number)
    m = re.fullmatch(r"([ivxl]+?)([a-h]?)", t)
    if m and _roman(m.group(1)) is not None:
        return f"{_roman(m.group(1))}{m.group(2)}"
    return t


def render(segs: Sequence[Seg]) -> str | None:
    """The key of a chain of levels (see the module docstring)."""
    if not segs:
        return None
    root = segs[0]
    out = root.tok if root.kind == "article" else _ROOT_PREFIX.get(root.kind, root.kind[:3] + ":") + root.tok
    prev = root
    for s in segs[1:]:
        k = s.kind
        if k in _INNER_PREFIX:
            out += _INNER_PREFIX[k] + s.tok
        elif k == "dr":
            out += "/dr:" + s.tok
        elif k == "ar":
            out += "/ar" + s.tok
        elif k == "paragraph":
            out += f"/{s.tok}" if root.kind == "standard" and prev.kind not in ("point", "paragraph", "ar") \
                else f"({s.tok})"
        elif k == "subparagraph":
            out += "¶" + s.tok
        elif k == "point":
            out += f",({s.tok})" if prev.kind == "article" else f"({s.tok})"
        elif k == "indent":
            out += "-" + s.tok
        elif k == "text":
            out += "~" + s.tok
        else:
            out += f"/{k}:{s.tok}"
        prev = s
    return out


def variants(segs: Sequence[Seg]) -> list[tuple[Seg, ...]]:
    """The chain with and without its optional levels (never the last), most specific first."""
    segs = tuple(segs)
    opt = [i for i, s in enumerate(segs[:-1]) if s.optional]
    if not opt:
        return [segs]
    if len(opt) > 6:
        drops: list[tuple[int, ...]] = [(), tuple(opt)]
    else:
        drops = [c for r in range(len(opt) + 1) for c in combinations(opt, r)]

    def kept_cost(drop: tuple[int, ...]) -> tuple[int, int]:
        kept = [segs[i] for i in opt if i not in drop]
        return (-sum(3 if s.kind == "text" else 1 for s in kept), len(drop))

    out = []
    for drop in sorted(drops, key=kept_cost):
        out.append(tuple(s for i, s in enumerate(segs) if i not in drop))
    return out


def _id_tail(pid: str) -> str:
    last = pid.rsplit(".", 1)[-1]
    return tok(last.split("_", 1)[-1].split("-", 1)[0])


def step(segs: tuple[Seg, ...], kind: str, number: str | None, pid: str = "") -> tuple[Seg, ...] | None:
    """The chain of a provision of `kind`/`number` under a parent whose chain is `segs`; None when the
    provision adds no level of its own (headings, unnumbered sections, tables: its children cite through)."""
    if kind == "article":
        return (Seg("article", tok(number)),) if number else None
    if kind == "recital":
        return (Seg("recital", tok(number)),) if number else None
    if kind == "annex":
        return (Seg("annex", ordinal_tok(number) if number else ordinal_tok(_id_tail(pid)) or "1"),)
    if kind == "part" and number and re.match(r"^ESRS\b", number.strip(), re.I):
        return (Seg("standard", tok(number.strip()[4:])),)
    if kind in _STRUCTURE:
        if not number:
            return None
        if not segs:
            return (Seg(kind, ordinal_tok(number)),)
        if segs[0].kind == "standard" and DR_CODE.fullmatch(number.strip()):
            return segs + (Seg("dr", tok(number), True),)
        if segs[0].kind == "standard" and number.lower().startswith("appendix"):
            return segs + (Seg("appendix", tok(number[8:]), True),)
        return segs + (Seg(kind, tok(number) if "." in number else ordinal_tok(number),
                           kind in ("section", "subsection")),)
    if not segs or not number and kind != "text":
        return None
    if kind == "paragraph":
        t = tok(number)
        if segs[0].kind == "standard" and t.startswith("ar"):
            return segs + (Seg("ar", t[2:]),)
        return segs + (Seg("paragraph", t),)
    if kind == "subparagraph":
        return segs + (Seg("subparagraph", tok(number), True),)
    if kind in ("point", "subpoint"):
        return segs + (Seg("point", tok(number)),)
    if kind == "indent":
        return segs + (Seg("indent", tok(number)),)
    if kind == "text":
        return segs + (Seg("text", "t" + _id_tail(pid), True),)
    return None


def chain_segments(chain: Iterable[Any]) -> tuple[Seg, ...] | None:
    """The levels of the last provision of `chain` (top-down objects with kind, number, id), or None when it
    cannot be cited by itself."""
    segs: tuple[Seg, ...] = ()
    own = None
    for p in chain:
        own = step(segs, p.kind, p.number, p.id)
        if own is not None:
            segs = own
    if own is None or own[-1].kind == "text":
        return None
    return segs


def chain_key(chain: Iterable[Any]) -> str | None:
    """The full key (no level left out) of the last provision of a top-down ancestry chain."""
    return render(chain_segments(chain) or ())


def document_cite_keys(provisions: Sequence[Any]) -> dict[str, str | None]:
    """provision id → cite_key for one document: the shortest variant no other provision shares, else the
    full key (a key repeated by quoted amendments stays shared)."""
    by_id = {p.id: p for p in provisions}
    own_articles = {tok(p.number) for p in provisions if p.kind == "article" and not _quoted(p)}
    chains: dict[str, tuple[Seg, ...]] = {}
    own: dict[str, tuple[Seg, ...] | None] = {}

    def segs_of(pid: str, depth: int = 0) -> tuple[Seg, ...]:
        if pid in chains:
            return chains[pid]
        p = by_id[pid]
        parent = segs_of(p.parent_id, depth + 1) if p.parent_id in by_id and depth < 50 else ()
        mine = _amended_place(p, by_id.get(p.parent_id or ""), own_articles) or step(parent, p.kind, p.number, p.id)
        own[pid] = mine if mine is not None and mine[-1].kind != "text" else None
        chains[pid] = mine if mine is not None else parent
        return chains[pid]

    options: dict[str, list[str]] = {}
    for p in provisions:
        segs_of(p.id)
        mine = own.get(p.id)
        options[p.id] = list(dict.fromkeys(k for v in variants(mine) if (k := render(v)))) if mine else []
    counts = Counter(k for keys in options.values() for k in keys)
    out: dict[str, str | None] = {}
    for pid, keys in options.items():
        out[pid] = next((k for k in reversed(keys) if counts[k] == 1), keys[0] if keys else None)
    return out


def _quoted(p: Any) -> bool:
    return bool(getattr(getattr(p, "amendment", None), "quoted", False))


def _amended_place(p: Any, parent: Any, own_articles: set[str]) -> tuple[Seg, ...] | None:
    """A provision an amending act quotes is cited by its place in the amended act ("Article 37(1)", its
    Amendment.target, indexer/parsing/amendments.py): the levels of that place, read as a typed citation is.
    Not where the amending act has an article of that number: "CSRD Article 1(3)" is the CSRD's own."""
    if not _quoted(p) or _quoted(parent) or not p.amendment.target:
        return None
    parsed = _parse_ref(p.amendment.target, False)
    readings = _alternatives(parsed[0]) if parsed else []
    if not readings or (readings[0][0].kind == "article" and readings[0][0].tok in own_articles):
        return None
    return readings[0]


# ---------------------------------------------------------------- typed citations


@dataclass(frozen=True)
class CitationRef:
    instrument: str              # short_title, e.g. "CSDDD"
    article: str | None       # "8", "5a" (None for recitals, annexes, ESRS standards)
    paragraph: str | None     # "2" in "Article 8(2)"
    language: str | None      # from the words used: "artikel", "lid" → nl, "article", "point" → en
    steps: tuple[tuple[str, str], ...] = ()  # the levels as typed: (("article", "8"), ("paragraph", "2"), ...)
    keys: tuple[str, ...] = ()   # the citation's own keys (alternative readings), preferred first

    @property
    def cite_key(self) -> str | None:
        """The most specific key (what the provision's record holds in `cite_key`)."""
        if self.keys:
            return self.keys[0]
        return f"{self.article}({self.paragraph})" if self.paragraph else self.article

    def fallback_groups(self) -> list[list[str]]:
        """The keys by depth, deepest first: [the citation's own keys (alternative readings, with then without
        the optional levels typed)], [the enclosing level's keys], ... up to the article, annex or standard.
        "Article 8(2)(a)" → [["8(2)(a)", "8,(2)(a)"], ["8(2)", "8,(2)"], ["8"]]. Keys of one group name the same
        provision in different documents (a subparagraph one version's key leaves out, another's keeps), so a
        look-up should rank all hits of a group by document (language, version) before the key's position."""
        if not self.keys:
            return [[k] for k in (self.cite_key, self.article if self.paragraph else None) if k]
        groups, seen = [list(self.keys)], set(self.keys)
        alternatives = _alternatives(self.steps)
        for depth in range(max(map(len, alternatives)) - 1, 0, -1):
            group = [k for alt in alternatives for v in variants(alt[:depth]) if (k := render(v)) and k not in seen]
            group = list(dict.fromkeys(group))
            seen.update(group)
            if group:
                groups.append(group)
        return groups

    def fallbacks(self) -> list[str]:
        """All keys to try, most specific first (`fallback_groups` flattened):
        "8(2)(a)" → ["8(2)(a)", "8,(2)(a)", "8(2)", "8,(2)", "8"]."""
        return [k for group in self.fallback_groups() for k in group]


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        for celex, act in (load_config("acts").get("acts") or {}).items():
            if act.get("short_title"):
                out[act["short_title"].lower()] = act["short_title"]
                for other in (act.get("name"), act.get("title"), *(act.get("aliases") or ())):
                    if other:  # the name its own text cites it by: "Instellingsbesluit NCP 2014" (its Art. 12)
                        out.setdefault(re.sub(r"\s+", " ", str(other).strip().lower()), act["short_title"])
                m = re.match(r"^3(\d{4})[LRD](\d{4})$", str(celex))
                if m:  # the act's number: "2023/1542"
                    out.setdefault(f"{m.group(1)}/{int(m.group(2))}", act["short_title"])
    except FileNotFoundError:
        pass
    try:  # the names sources give their documents ("Instellingsbesluit NCP", "Taxonomy Regulation") name the act
        acts = load_config("acts").get("acts") or {}
    except FileNotFoundError:
        acts = {}
    try:
        for src in (load_config("sources").get("sources") or []):
            for seed in [src, *(src.get("seeds") or [])]:
                name = seed.get("short_title") if isinstance(seed, dict) else None
                if not name:
                    continue
                ident = re.search(r"CELEX:(\w+)|(BWB[RV]\d{7})", str(seed.get("url") or ""))
                act = acts.get(ident.group(1) or ident.group(2)) if ident else None
                out.setdefault(str(name).lower(), (act or {}).get("short_title") or str(name))
    except FileNotFoundError:
        pass
    out.update({k.lower(): v for k, v in (search_config().get("act_aliases") or {}).items()})
    return out


def canonical_instrument(name: str) -> str | None:
    return _aliases().get(re.sub(r"\s+", " ", name.strip().lower()))


_KINDS = ("article", "recital", "annex", "chapter", "part", "section", "paragraph", "subparagraph", "point",
          "indent")
_EXTRA_ORDINALS = {"en": {"1st": 1, "2nd": 2, "3rd": 3}, "fr": {"première": 1, "1er": 1, "1re": 1},
                   "nl": {}}


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, set[str]]]:
    """kind → word → languages, from config/search.yaml citation_words (a plain list is article words)."""
    out: dict[str, dict[str, set[str]]] = {k: {} for k in _KINDS}
    for lang, table in (search_config().get("citation_words") or {}).items():
        if isinstance(table, list):
            table = {"article": table}
        for kind, words in (table or {}).items():
            for w in words or ():
                out.setdefault(kind, {}).setdefault(str(w).lower().rstrip("."), set()).add(lang)
    return out


@lru_cache(maxsize=1)
def _ordinals() -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for lang, words in ORDINALS.items():
        for i, w in enumerate(words, 1):
            out[w.lower()] = (i, lang)
    for lang, extra in _EXTRA_ORDINALS.items():
        for w, i in extra.items():
            out[w] = (i, lang)
    return out


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_END = r"(?![\w])"
_X = rf"(?:[a-z]\.\d{{1,2}}|\d+[a-z]?|[a-z]{{1,2}}|[ivxl]+)(?:\s?(?:{_LATIN})\b)?"  # "point E.2": a lettered group
_NUM = rf"\d+[a-z]?(?:\s?(?:{_LATIN})\b)?"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    w = {k: _alt(v) or "(?!)" for k, v in _words().items()}
    ords = _alt(_ordinals())
    ordinal = rf"(?P<ord>{ords}|\d+(?:st|nd|rd|th|e|de|ste|er|re|ème|eme)?){_END}"
    p = {
        "article": rf"(?P<w>{w['article']})\.?{_END}\s*(?P<n>{_NUM}){_END}",
        "recital": rf"(?P<w>{w['recital']})\.?{_END}\s*(?P<n>\d+){_END}",
        "annex": rf"(?P<w>{w['annex']}){_END}(?:\s+(?P<n>[ivxl]+[a-z]?|\d+[a-z]?|[a-z])(?=[\s,(]|$))?",
        "chapter": rf"(?P<w>{w['chapter']}){_END}\s*(?P<n>[ivxl]+[a-z]?|\d+[a-z]?){_END}",
        "bracket": rf"\(\s*(?P<n>{_X})\s*\)",
        "closing": rf"(?P<n>{_X})\){_END}",  # French "point a) i)": the next level after a point
        "ord_sub": rf"{ordinal}\s+(?P<w>{w['subparagraph']})\.?{_END}",
        "ord_lid": rf"{ordinal}\s+(?P<w>lid){_END}",
        "ord_indent": rf"{ordinal}\s+(?P<w>{w['indent']}){_END}",
        "paragraph": rf"(?:(?P<w>{w['paragraph']})\.?{_END}|§)\s*(?P<n>{_NUM}){_END}",
        "subparagraph": rf"(?P<w>{w['subparagraph']})\.?{_END}\s*(?P<n>\d+){_END}",
        "point": rf"(?P<w>{w['point']})\.?{_END}\s*(?:\(\s*(?P<a>{_X})\s*\)|(?P<b>{_X})(?:°|\))?(?![\w]))",
        "indent": rf"(?P<w>{w['indent']}){_END}\s*(?P<n>\d+){_END}",
        "part": rf"(?P<w>{w['part']}){_END}\s*(?P<n>[ivxl]+[a-z]?|\d+[a-z]?|[a-z]){_END}",
        "section": rf"(?P<w>{w['section']}){_END}\s*(?P<n>\d+(?:\.\d+)*[a-z]?|[ivxl]+|[a-z]){_END}",
        "standard": rf"(?:esrs\s*)?(?P<n>[12]|[esg]\d)(?:\s*-\s*(?P<dr>\d+))?{_END}",
        "ar": rf"ar\s*(?P<n>\d+[a-z]?){_END}\.?",
        "dr": rf"(?:(?:minimum\s+)?disclosure\s+requirements?|dr){_END}\s*(?P<n>{DR_CODE.pattern})",
        "dr_code": rf"(?P<n>{DR_CODE.pattern}){_END}",
        "appendix": rf"appendix\s*(?P<n>[a-z](?:\.\d+)?){_END}",
        "skip": r"(?:aanhef\s+en|aanhef|the|de|het)(?![\w])",
    }
    return {k: re.compile(v, re.I) for k, v in p.items()}


# Which levels may follow which (the last level typed so far).
_AFTER = {
    "paragraph": {
        "article",
        "standard",
        "dr",
        "section",
        "point",
    },  # amending acts: "Article 1, point 2), paragraphe 1"
    "ar": {"standard", "dr", "section", "appendix"},
    "dr": {"standard", "section", "appendix"},
    "appendix": {"standard", "appendix"},
    "subparagraph": {"article", "paragraph", "ar"},
    "point": {"article", "paragraph", "subparagraph", "point", "ar", "annex", "part", "section", "recital", "chapter"},
    "indent": {"article", "paragraph", "subparagraph", "point", "ar", "annex", "part", "section"},
    "part": {"annex", "part"},
    "section": {"annex", "part", "chapter", "standard", "section"},
}


def _language(votes: list[set[str]]) -> str | None:
    counts = Counter(next(iter(v)) for v in votes if len(v) == 1)
    if not counts:
        return None
    top = counts.most_common()
    return top[0][0] if len(top) == 1 or top[0][1] > top[1][1] else None


def _parse_ref(text: str, esrs: bool) -> tuple[list[tuple[str, str]], list[set[str]]] | None:
    """The levels a reference names ("art. 8(2)(a)", "Annex I, Part I, point 10"), or None if it is not one."""
    pats = _patterns()
    words = _words()
    ords = _ordinals()
    steps: list[tuple[str, str]] = []
    votes: list[set[str]] = []
    pos, s = 0, text

    def vote(kind: str, word: str | None) -> None:
        if word:
            votes.append(words.get(kind, {}).get(word.lower().rstrip("."), set()))

    def ordinal(m: re.Match[str]) -> str:
        o = m["ord"].lower()
        if o in ords:
            votes.append({ords[o][1]})
            return str(ords[o][0])
        digits = re.match(r"\d+", o)
        assert digits is not None  # the `ord` group is an ordinal word or a number
        return digits.group(0)

    heads = (("standard",) if esrs else ()) + ("article", "recital", "annex", "chapter")
    while True:
        sep = re.compile(r"[\s,;]*").match(s, pos)
        assert sep is not None  # a pattern that may match nothing always matches
        pos = sep.end()
        m = pats["skip"].match(s, pos)
        if m and steps:
            pos = m.end()
            continue
        if pos >= len(s):
            break
        last = steps[-1][0] if steps else None
        last = "paragraph" if last == "para?" else last
        matched = False
        if not steps:
            for kind in heads:
                m = pats[kind].match(s, pos)
                if m:
                    if kind == "standard":
                        steps.append(("standard", m["n"].lower()))
                        if m["dr"]:
                            steps.append(("dr", f"{m['n']}-{m['dr']}".lower()))
                    else:
                        vote(kind, m["w"])
                        steps.append((kind, m["n"] or ""))
                    pos, matched = m.end(), True
                    break
            if not matched:
                return None
            continue
        for kind in ("bracket", "ord_sub", "ord_lid", "ord_indent", "subparagraph", "paragraph", "point", "indent",
                     "part", "section", "ar", "dr", "dr_code", "appendix", "closing"):
            if kind == "closing" and last != "point":
                continue
            if kind in ("ar", "dr", "dr_code", "appendix") and not esrs:
                continue
            if kind == "section" and last == "standard":  # ESRS 1 and 2: "chapter 3", "section 3.1"
                m = pats["chapter"].match(s, pos)
                vote("chapter" if m else "section", (m or pats[kind].match(s, pos) or {"w": None})["w"])
                m = m or pats[kind].match(s, pos)
                if m:
                    steps.append(("section", m["n"].lower()))
                    pos, matched = m.end(), True
                    break
                continue
            m = pats[kind].match(s, pos)
            if not m:
                continue
            if kind in ("bracket", "closing"):
                n = m["n"].lower()
                kind_of = "para?" if last == "article" and n[0].isdigit() else "point"
                new = (kind_of, n)
            elif kind == "ord_sub":
                n = ordinal(m)
                vote("subparagraph", m["w"])
                if n == "1":  # the first subparagraph is the paragraph's own text
                    pos, matched = m.end(), True
                    break
                new = ("subparagraph", n)
            elif kind == "ord_lid":
                new = ("paragraph", ordinal(m))
                vote("paragraph", "lid")
            elif kind == "ord_indent":
                new = ("indent", ordinal(m))
                vote("indent", m["w"])
            elif kind == "point":
                vote("point", m["w"])
                new = ("point", (m["a"] or m["b"]).lower())
            elif kind in ("dr", "dr_code"):
                new = ("dr", m["n"].lower())
            else:
                if m.groupdict().get("w"):
                    vote(kind, m["w"])
                new = (kind, m["n"].lower())
                if kind == "subparagraph" and new[1] == "1":
                    pos, matched = m.end(), True
                    break
            check = "paragraph" if new[0] == "para?" else new[0]
            if last not in _AFTER.get(check, set()) and not (new[0] == "para?" and last == "article"):
                return None
            steps.append(new)
            pos, matched = m.end(), True
            break
        if not matched:
            return None
    return (steps, votes) if steps else None


def _segs_for(steps: Sequence[tuple[str, str]]) -> tuple[Seg, ...]:
    segs: list[Seg] = []
    for kind, n in steps:
        if kind == "article":
            segs.append(Seg("article", tok(n)))
        elif kind == "recital":
            segs.append(Seg("recital", tok(n)))
        elif kind == "annex":
            segs.append(Seg("annex", ordinal_tok(n) if n else "1"))
        elif kind == "standard":
            segs.append(Seg("standard", tok(n)))
        elif kind in ("chapter", "part"):
            segs.append(Seg(kind, ordinal_tok(n)))
        elif kind == "section":
            segs.append(Seg("section", tok(n) if "." in n else ordinal_tok(n), True))
        elif kind in ("dr", "appendix"):
            segs.append(Seg(kind, tok(n), True))
        elif kind == "subparagraph":
            segs.append(Seg("subparagraph", tok(n), True))
        else:
            segs.append(Seg(kind, tok(n)))
    return tuple(segs)


def _alternatives(steps: Sequence[tuple[str, str]]) -> list[tuple[Seg, ...]]:
    """Readings of the typed levels: "Article 2(1)" is paragraph 1, or else point (1) of an article without
    paragraphs (how definitions are often cited)."""
    readings: list[list[tuple[str, str]]] = [[]]
    for kind, n in steps:
        if kind == "para?":
            readings = [r + [("paragraph", n)] for r in readings] + [r + [("point", n)] for r in readings]
        else:
            readings = [r + [(kind, n)] for r in readings]
    valid = [r for r in readings if not any(a[0] == "point" and b[0] == "subparagraph" for a, b in pairwise(r))]
    return [_segs_for(r) for r in valid]


# "Regulation (EU) No 2023/1542", "richtlijn 2024/1760", "la directive 2024/1760": the act's type before its number
_ACT_TYPE = (r"(?:(?:the|la|le|de|het)\s+)?(?:delegated\s+|implementing\s+)?"
             r"(?:regulation|directive|verordening|richtlijn|règlement|reglement)(?:\s*\((?:eu|eg|ec|ue)\))?(?:\s*no\.?)?")
_CONNECT = re.compile(
    rf"(?:[\s,]+(?:of|van|de|du|des|of\s+the|van\s+de|van\s+het|de\s+la)?)?(?:\s*{_ACT_TYPE})?\s*$", re.I
)
_TYPE_PREFIX = re.compile(rf"^\s*{_ACT_TYPE}\s+", re.I)


# "Article 29a(1) of Directive 2013/34/EU, as replaced by Article 1(7) of …": the provision of an amended act an
# amending act quotes (indexer/parsing/amendments.py) is cited by its place; the acts named after it are context
_AMENDED_ACT = re.compile(
    r",?\s+(?:of|van|de\s+la|du)\s+(?:(?:delegated|implementing|gedelegeerde)\s+)?"
    r"(?:directive|regulation|richtlijn|verordening|uitvoeringsverordening|règlement)\b.*$", re.I | re.S)


def _split_act(query: str) -> tuple[str, str] | None:
    """(instrument, the rest) when the query starts or ends with an act's name."""
    typed = _TYPE_PREFIX.match(query)
    if typed and not any(query.lower().startswith(a) for a in _aliases()):
        query = query[typed.end():]
    low = query.lower()
    best = None
    for alias in _aliases():
        if low.startswith(alias) and (len(low) == len(alias) or not low[len(alias)].isalnum()):
            if best is None or len(alias) > len(best[0]):
                best = (alias, query[len(alias):])
    if best is None:
        for alias in _aliases():
            if low.endswith(alias) and len(low) > len(alias) and not low[-len(alias) - 1].isalnum():
                rest = _CONNECT.sub("", query[: -len(alias)])
                if best is None or len(alias) > len(best[0]):
                    best = (alias, rest)
    return (_aliases()[best[0]], best[1]) if best else None


def _reverse_of(ref: str) -> str:
    """'point (a) of Article 8(2)' → 'Article 8(2), point (a)'; 'punt a van artikel 5' likewise."""
    parts = re.split(r"\s+(?:of|van)\s+(?:the\s+|de\s+|het\s+)?", ref, flags=re.I)
    return ", ".join(reversed(parts)) if len(parts) > 1 else ref


def parse_citation(query: str) -> CitationRef | None:
    """The citation the whole query names, or None if it is not one (then it is an ordinary search)."""
    if not query or len(query) > 200:
        return None
    q = re.sub(r"\s+", " ", query.replace("\u00a0", " ").replace("’", "'")).strip()
    split = _split_act(q)
    if split is None:
        return None
    instrument, rest = split
    esrs = instrument.upper() == "ESRS"
    rest = _AMENDED_ACT.sub("", rest).strip(" ,;:")
    parsed = _parse_ref(rest, esrs) or (_parse_ref(_reverse_of(rest), esrs) if " " in rest else None)
    if parsed is None:
        return None
    steps, votes = parsed
    alternatives = _alternatives(steps)
    keys = tuple(dict.fromkeys(k for alt in alternatives for v in variants(alt) if (k := render(v))))
    if not keys:
        return None
    article = tok(steps[0][1]) if steps[0][0] == "article" else None
    paragraph = next((tok(n) for k, n in steps[1:2] if k in ("paragraph", "para?")), None) if article else None
    return CitationRef(instrument, article, paragraph, _language(votes), tuple(steps), keys)
