"""Defined terms across acts: every definition of the corpus as a `DefinedTerm`, and the index the term pages read.

WHY: the same words mean different things in different acts ("operator" in the EUDR and in the Batteries
Regulation), and a reader of one provision needs the definition that act gives. `regkb extract` finds the
definitions once per document (terms/<document_id>.jsonl, by `extract_terms`, from the wording in
config/cross_act.yaml); the web process only builds `TermIndex` over them, once per corpus state.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from regkb.records import DefinedTerm, Document, Provision
from regkb.settings import CONFIG_DIR, load_config

TERMS_VERSION = "terms-2"
STATE_FILE = "_state.json"
NOT_DEFINING = {"recital", "citation", "title", "preamble", "footnote"}
MAX_TEXT = 4000  # characters of a definition kept (a definition with a long list of points is cut)


@dataclass(frozen=True)
class _Grammar:
    entry: tuple[re.Pattern[str], ...]
    inline: tuple[re.Pattern[str], ...]
    list_intro: re.Pattern[str]


@cache
def _grammar(lang: str) -> _Grammar | None:
    cfg = load_config("cross_act")["definitions"].get(lang)
    if not cfg:
        return None
    return _Grammar(tuple(re.compile(r) for r in cfg.get("entry", ())),
                    tuple(re.compile(r) for r in cfg.get("inline", ())), re.compile(cfg.get("list_intro", "(?!)")))


@cache
def _settings() -> tuple[int, re.Pattern[str]]:
    cfg = load_config("cross_act")["definitions"]
    return int(cfg["max_term_words"]), re.compile(cfg["glossary_headings"])


def fold(text: str) -> str:
    """Lower case without diacritics and with straight apostrophes: how terms are compared."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def slugify(term: str) -> str:
    """'Business partner' → 'business-partner', 'économie' → 'economie' (the term page's URL)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(term)).strip("-")


# -- extraction (regkb extract) -----------------------------------------------------------------------------
def extract_terms(doc: Document) -> list[DefinedTerm]:
    """The terms `doc` defines, in text order: quoted-term entries ("‘operator’ means"), the term a sentence
    defines inline ("the term “child” shall mean"), the points of a Dutch "wordt verstaan onder:" list, and
    the sections of a glossary annex."""
    grammar = _grammar(doc.language)
    max_words, glossary = _settings()
    children: dict[str | None, list[Provision]] = defaultdict(list)
    for p in doc.provisions:
        children[p.parent_id].append(p)
    glossary_units = {p.id for p in doc.provisions if p.kind == "annex" and p.heading and glossary.search(p.heading)}
    texts = {p.id: p.text for p in doc.provisions}
    by_id = {p.id: p for p in doc.provisions}
    out: list[DefinedTerm] = []
    for p in doc.provisions:
        if p.kind in NOT_DEFINING or not (p.text or p.heading):
            continue
        names: list[str] = []
        if grammar:
            names = _names(p, grammar, texts.get(p.parent_id or "", ""))
        if not names and p.parent_id in glossary_units and p.heading and p.text and "|" not in p.text:
            names = [p.heading]
        names = [n for n in (_clean(n) for n in names) if n and len(n.split()) <= max_words]
        if names:
            text = _definition_text(p, children)
            out.append(DefinedTerm(slug=slugify(names[0]), term=names[0], aliases=names[1:], act_id=doc.act_id,
                                   document_id=doc.id, version_id=doc.version_id, provision_id=p.id,
                                   citation=p.citation, language=doc.language, text=text,
                                   amends_document_id=_quoted_into(p, by_id)))
    return [t for t in out if t.slug]


def _quoted_into(p: Provision, by_id: dict[str, Provision]) -> str | None:
    """The amended act's document when `p` is (inside) text an amending act quotes into it, as the parser
    marked it (`Provision.amendment.quoted`)."""
    node: Provision | None = p
    while node is not None:
        if node.amendment is not None and node.amendment.quoted:
            return node.amendment.target_document_id
        node = by_id.get(node.parent_id or "")
    return None


def _names(p: Provision, grammar: _Grammar, parent_text: str) -> list[str]:
    """The term (then its aliases) this provision defines, or []."""
    for rx in grammar.entry:
        if m := rx.match(p.text):
            aliases = re.findall(r"[‘'\"“„«]\s*(.{1,40}?)\s*[’'\"”»](?!\w)", m.groupdict().get("aliases") or "")
            return [m.group("term"), *aliases]
    for rx in grammar.inline:
        if m := rx.search(p.text):
            return [m.group("term")]
    if not grammar.list_intro.search(parent_text):
        return []
    # a point of a "wordt verstaan onder:" list: the words before its first colon ("de minister: de Minister …")
    head, colon, rest = p.text.partition(":")
    return [re.sub(r"^(?:de|het|een)\s+", "", head.strip(), flags=re.I)] if colon and rest.strip() else []


def _clean(name: str) -> str:
    """The name without surrounding punctuation and without a leading article ("the worst forms of …")."""
    name = re.sub(r"\s+", " ", name).strip(" ,;:.\u00a0")
    return re.sub(r"^(?:the|de|het|le|la|les)\s+(?=\w)", "", name, flags=re.I)


def _definition_text(p: Provision, children: dict[str | None, list[Provision]]) -> str:
    """The provision's text followed by its points' texts, one a line."""
    parts = [p.text]
    stack = list(reversed(children.get(p.id, [])))
    while stack and sum(len(x) for x in parts) < MAX_TEXT:
        q = stack.pop()
        label = f"({q.number}) " if q.number and not q.text.lstrip().startswith(("(", q.number)) else ""
        if q.text:
            parts.append(label + q.text)
        stack.extend(reversed(children.get(q.id, [])))
    text = "\n".join(x.strip() for x in parts if x.strip())
    return text[:MAX_TEXT]


def _terms_key(doc: Document) -> str:
    content = hashlib.sha256(doc.model_dump_json(include={"provisions", "language", "act_id", "version_id"})
                             .encode()).hexdigest()
    grammar = hashlib.sha256((CONFIG_DIR / "cross_act.yaml").read_bytes()).hexdigest()[:12]
    return f"{TERMS_VERSION}:{grammar}:{content}"


def write_terms(dd, corpus) -> Counter:
    """terms/<doc_id>.jsonl for every document whose text (or the definition wording) changed since the last run,
    and none for documents that no longer load."""
    from regkb.storage import read_json, write_bytes_atomic, write_json_atomic

    folder: Path = dd.terms
    state_path = folder / STATE_FILE
    try:
        state = read_json(state_path) if state_path.exists() else {}
    except (OSError, ValueError):
        state = {}
    damaged = {p.stem for p in corpus.problems if p.folder == "terms"}
    counts: Counter[str] = Counter()
    for doc in corpus.all():
        key, out = _terms_key(doc), folder / f"{doc.id}.jsonl"
        if state.get(doc.id) == key and out.exists() and doc.id not in damaged:
            counts["unchanged"] += 1
            continue
        terms = extract_terms(doc)
        write_bytes_atomic(out, "".join(t.model_dump_json() + "\n" for t in terms).encode("utf-8"))
        state[doc.id] = key
        counts["written"] += 1
        counts["terms"] += len(terms)
    for stale in corpus.orphans("terms"):
        (folder / f"{stale}.jsonl").unlink(missing_ok=True)
        state.pop(stale, None)
    write_json_atomic(state_path, {k: v for k, v in state.items() if k in corpus.documents})
    return counts


# -- the index the pages read ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TermSummary:
    """One entry of the term list: a term in one language and how many acts define it."""

    slug: str
    term: str
    language: str
    acts: int
    definitions: int


class TermIndex:
    """Every defined term of one corpus state, by slug, by document and by provision; built once per state."""

    def __init__(self, terms: Iterable[DefinedTerm], glossary: list[dict] | None = None):
        self.by_slug: dict[str, list[DefinedTerm]] = defaultdict(list)
        self.by_document: dict[str, list[DefinedTerm]] = defaultdict(list)
        self.by_provision: dict[tuple[str, str], list[DefinedTerm]] = defaultdict(list)
        for t in terms:
            self.by_slug[t.slug].append(t)
            for alias in t.aliases:
                if (s := slugify(alias)) and s != t.slug:
                    self.by_slug[s].append(t)
            self.by_document[t.document_id].append(t)
            self.by_provision[(t.version_id, t.provision_id)].append(t)
        self._concepts = _glossary_concepts(glossary or [])

    @classmethod
    def build(cls, corpus) -> TermIndex:
        return cls((t for doc in corpus.all() for t in corpus.terms(doc.id)),
                   load_config("glossary").get("entries", []))

    def summaries(self) -> list[TermSummary]:
        """Every slug with its commonest spelling, language and counts, alphabetically."""
        out = []
        for slug, ts in self.by_slug.items():
            own = [t for t in ts if t.slug == slug] or ts
            spelling = Counter(t.term for t in own).most_common(1)[0][0]
            language = Counter(t.language for t in own).most_common(1)[0][0]
            out.append(TermSummary(slug, spelling, language, len({t.act_id for t in ts}),
                                   len({(t.act_id, t.provision_id, t.text) for t in ts})))
        return sorted(out, key=lambda s: (fold(s.term), s.slug))

    def search(self, q: str, limit: int = 50) -> list[TermSummary]:
        """Terms whose name contains every word of `q` (exact names first, then names starting with it), and the
        terms the glossary gives for it in the other languages."""
        words = fold(q).split()
        if not words:
            return self.summaries()[:limit]
        target = slugify(q)
        alike = {_stem(slugify(term)) for concept in self._concepts.get(_stem(target), ())
                 for terms in concept.values() for term in terms}
        hits = [s for s in self.summaries()
                if all(w in fold(s.term) or w in s.slug for w in words) or _stem(s.slug) in alike]
        hits.sort(key=lambda s: (s.slug != target, _stem(s.slug) not in alike, not s.slug.startswith(target),
                                 len(s.slug), s.slug))
        return hits[:limit]

    def definitions(self, slug: str) -> list[DefinedTerm]:
        return list(self.by_slug.get(slug, ()))

    def aligned(self, slug: str) -> list[tuple[str, str, str | None]]:
        """(language, term, slug) of the same concept in the other languages: the term the other language
        version of the same provision defines, then the glossary's term (slug None when no act of the corpus
        defines it: the CSDDD has no Dutch text here, but its "business partner" is a "zakenpartner")."""
        own = self.by_slug.get(slug, [])
        langs = {t.language for t in own}
        found: dict[str, tuple[str, str | None]] = {}
        for t in own:
            for other in self.by_provision.get((t.version_id, t.provision_id), ()):
                if other.language != t.language and other.slug != slug:
                    found.setdefault(other.language, (other.term, other.slug))
        for concept in self._concepts.get(_stem(slug), ()):
            for lang, terms in concept.items():
                if lang in langs or lang in found or not terms:
                    continue
                defined = next((t for term in terms for t in self.by_slug.get(slugify(term), [])[:1]
                                if t.language == lang), None)
                found[lang] = (defined.term, defined.slug) if defined else (_singular_of(terms), None)
        return sorted((lang, term, s) for lang, (term, s) in found.items())

    def in_document(self, doc: Document) -> list[DefinedTerm]:
        """The terms whose definitions a link in `doc` should open: its own, else those of another version of
        the same act in its language (a consolidation without the definitions article still uses them)."""
        own = self.by_document.get(doc.id)
        if own:
            return list(own)
        same_act = [ts for ts in self.by_document.values()
                    if ts and ts[0].act_id == doc.act_id and ts[0].language == doc.language]
        return max(same_act, key=lambda ts: len(ts)) if same_act else []


class TermMatcher:
    """Finds, in a provision's text, the first use of each term its act defines (longest names first).

    WHY here and once per document: the reader draws these links when it renders a document's fragment
    (cached with it); no language model runs in the web process."""

    def __init__(self, terms: Iterable[DefinedTerm]):
        self.by_name: dict[str, DefinedTerm] = {}
        for t in terms:
            for name in (t.term, *t.aliases):
                if len(name) > 2:
                    self.by_name.setdefault(_key(name), t)
        # names by their first word, longest first: a text is scanned word by word, not with one huge regex
        self.by_first: dict[str, list[str]] = defaultdict(list)
        for name in sorted(self.by_name, key=len, reverse=True):
            first = _WORD.match(name)
            self.by_first[first.group(0) if first else name].append(name)
        self.first_of = {form: f for f in self.by_first for form in _plurals(f)}  # "batteries" → "battery"

    def links(self, prov: Provision, taken: list[tuple[int, int]]) -> list[tuple[int, int, DefinedTerm]]:
        """(start, end, term) of the first use of each defined term (or its plural), outside the spans already
        linked and not in the term's own definition."""
        if not self.by_name or not prov.text:
            return []
        text = _key(prov.text)
        out: list[tuple[int, int, DefinedTerm]] = []
        seen: set[str] = set()
        pos = 0
        for w in _WORD.finditer(text):
            if w.start() < pos:
                continue
            first = self.first_of.get(w.group(0))
            for name in self.by_first[first] if first else ():
                end = _match_at(text, w.start(), name)
                if end is None:
                    continue
                term = self.by_name[name]
                pos = end
                if term.slug not in seen and not _within(prov.id, term.provision_id) and \
                        not any(a < end and w.start() < b for a, b in taken):
                    seen.add(term.slug)
                    out.append((w.start(), end, term))
                break
        return out


_WORD = re.compile(r"\w+")


def _plurals(word: str) -> tuple[str, ...]:
    """The word and its English plurals (Dutch and French plurals are mostly "-s" or "-en" on the whole term)."""
    return (word, word + "s", word + "es", word + "en", *((word[:-1] + "ies",) if word.endswith("y") else ()))


def _match_at(text: str, start: int, name: str) -> int | None:
    """The end of `name` (or its plural) written at `start` as whole words, else None."""
    for form in _plurals(name):
        if text.startswith(form, start):
            end = start + len(form)
            if end == len(text) or not (text[end].isalnum() or text[end] in "-_"):
                return end
    return None


def _key(name: str) -> str:
    return name.replace("’", "'").lower()


def _within(pid: str, ancestor: str) -> bool:
    return pid == ancestor or pid.startswith(ancestor + ".")


def _singular_of(terms: list[str]) -> str:
    """The glossary's term in the singular where it lists one ("zakenpartners, zakenpartner" → "zakenpartner")."""
    first = _stem(slugify(terms[0]))
    return next((t for t in terms if slugify(t) == first), terms[0])


def _stem(slug: str) -> str:
    """A slug without its plural ending, to meet the glossary's plurals ("business-partners")."""
    return slug[:-1] if slug.endswith("s") and len(slug) > 3 else slug


def _glossary_concepts(entries: list[dict]) -> dict[str, list[dict[str, list[str]]]]:
    """stem of any glossary term's slug → the terms per language of each glossary entry it belongs to."""
    out: dict[str, list[dict[str, list[str]]]] = defaultdict(list)
    for entry in entries:
        concept = {lang: list(entry.get(lang) or []) for lang in ("en", "nl", "fr")}
        for stem in {_stem(slugify(term)) for terms in concept.values() for term in terms} - {""}:
            out[stem].append(concept)
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m indexer.analysis.terms [--data-dir DIR]`: how many definitions the corpus holds, per language and
    act, and whether each act's language versions define the same provisions (a parse or wording gap shows)."""
    import argparse

    from regkb.corpus import Corpus
    from regkb.settings import add_data_dir

    parser = argparse.ArgumentParser(prog="python -m indexer.analysis.terms", description=main.__doc__)
    add_data_dir(parser)
    corpus = Corpus.at(parser.parse_args(argv).data_dir)
    terms = [t for doc in corpus.all() for t in corpus.terms(doc.id)]
    if not terms:
        print(f"no defined terms in {corpus.root}: run `regkb extract` first")
        return 1
    by_lang = Counter(t.language for t in terms)
    print(f"{len(terms)} definitions ({', '.join(f'{n} {lang}' for lang, n in sorted(by_lang.items()))}), "
          f"{len({t.slug for t in terms})} terms, {len({t.act_id for t in terms})} acts")
    by_version: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for t in terms:
        by_version[t.version_id][t.language].add(t.provision_id)
    for version, langs in sorted(by_version.items()):
        if len(langs) > 1:
            union = set().union(*langs.values())
            counts = ", ".join(f"{lang} {len(ids)}/{len(union)}" for lang, ids in sorted(langs.items()))
            print(f"  {version}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
