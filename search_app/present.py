"""Turn records and hits into what the templates show (citations, snippets, labels, links).

Snippets are the one place where markup from data reaches the page, so they
are rebuilt here from text: every segment is escaped and only our own
<mark> tags are put back.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from flask import g, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from indexer.search.base import Hit
from indexer.search.facets import FACETS
from indexer.search.records import act_name_in
from regkb import taxonomy
from regkb.records import Document
from regkb.urls import http_url
from search_app.corpus import WebCorpus
from search_app.state import state

_MARK = re.compile(r"(</?mark>)", re.IGNORECASE)
SNIPPET_CHARS = 320

MODALITY_LABELS = FACETS["modality"].value_labels
KIND_LABELS = {"obligation": _l("Obligations"), "provision": _l("Provisions"), "document": _l("Documents")}
# the languages of the corpus by name, for "this obligation in: French, Dutch"
LANGUAGE_NAMES = {"en": _l("English"), "nl": _l("Dutch"), "fr": _l("French")}
RELATION_LABELS = {
    "language_version": _l("Language version"),
    "earlier_version": _l("Earlier version"),
    "later_version": _l("Later version"),
    "amended_by": _l("Amended by"),
    "amends": _l("Amends"),
    "corrects": _l("Corrects"),
    "corrected_by": _l("Corrected by"),
    "proposal_of": _l("Proposal for"),
    "adopted_as": _l("Adopted as"),
}
IDENTIFIER_LABELS = {
    "celex": "CELEX", "eli": "ELI", "bwb": "BWB", "oj": _l("Official Journal"), "kamerstuk": _l("Parliamentary paper"),
    "cellar": "Cellar", "number": _l("Number"),
}
SORT_LABELS = {"relevance": _l("Relevance"), "date": _l("Date"), "deadline": _l("Deadline")}


def safe_snippet(snippet: str) -> Markup:
    """Escape a highlighted snippet, keeping only <mark>…</mark> (whatever the engine escaped or not)."""
    parts = _MARK.split(snippet)  # text, tag, text, tag, …, text: the split pattern captures the tags
    out: list[str] = []
    open_marks = 0
    for i, part in enumerate(parts):
        if not i % 2:
            if part:
                out.append(escape(html.unescape(part)))
        elif part[1] != "/":
            out.append("<mark>")
            open_marks += 1
        elif open_marks:
            out.append("</mark>")
            open_marks -= 1
    out.extend("</mark>" * open_marks)
    return Markup("".join(out))


def plain_snippet(text: str, limit: int = SNIPPET_CHARS) -> Markup:
    text = " ".join((text or "").split())
    return escape(text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …")


def marked_text(text: str, spans: list[tuple[int, int, str, str]],
                links: Sequence[tuple[int, int, str] | tuple[int, int, str, str]] = ()) -> Markup:
    """`text` with each (start, end, element id, css class) span wrapped in <mark> and each (start, end, href)
    link in <a class="ref"> (a fourth item is another class: "term"); everything escaped.

    WHY segments: a reference may start inside an obligation and end outside it. The text is cut at every span
    boundary; <mark> is always the outer element and a link crossing a mark boundary is closed and reopened
    there, so the tags always nest. Overlapping spans of one kind are clipped (the earlier one wins)."""
    marks, anchors = _clip(spans, len(text)), _clip(links, len(text))
    cuts = sorted({0, len(text), *(x for s in marks + anchors for x in s[:2])})
    out: list[str] = []
    open_mark = open_link = None
    for a, b in zip(cuts, cuts[1:]):
        mark = next((m for m in marks if m[0] <= a < m[1]), None)
        link = next((lk for lk in anchors if lk[0] <= a < lk[1]), None)
        if open_link is not None and (link is not open_link or mark is not open_mark):
            out.append("</a>")
            open_link = None
        if mark is not open_mark:
            if open_mark is not None:
                out.append("</mark>")
            if mark is not None:
                out.append(f'<mark id="{escape(mark[2])}" class="{escape(mark[3])}" tabindex="-1">')
            open_mark = mark
        if link is not None and open_link is None:
            out.append(f'<a class="{escape(link[3]) if len(link) > 3 else "ref"}" href="{escape(link[2])}">')
            open_link = link
        out.append(str(escape(text[a:b])))
    out.append("</a>" * (open_link is not None) + "</mark>" * (open_mark is not None))
    return Markup("".join(out))


def _clip(spans, length: int) -> list[tuple]:
    """Spans sorted, cut to the text and to each other (no two overlap), empty ones dropped."""
    out, pos = [], 0
    for span in sorted(spans):
        start, end = max(span[0], pos), min(span[1], length)
        if end > start:
            out.append((start, end, *span[2:]))
            pos = end
    return out


# Tree citations (indexer/parsing/tree.py) → how lawyers write them in running text, rule by rule, in order.
_CITATION_RULES = [
    # Dutch: "artikel" in lower case, as in running text; national style "onderdeel a" → "onder a"
    # ("Artikel 5, eerste lid, onderdeel a" → "artikel 5, eerste lid, onder a")
    (re.compile(r"^Artikel\b"), "artikel"),
    (re.compile(r",\s*onderdeel\s+"), ", onder "),
    (re.compile(r"(, onder \w+), onder (\d+)\b°?"), r"\1, sub \2°"),  # "onderdeel a, onder 1" → "onder a, sub 1°"
    (re.compile(r"(, onder \w+), onder ([a-z]+)\b"), r"\1, sub \2"),
    # English (and French "Article"): "Article 8" → "Art. 8"
    (re.compile(r"\bArticle\s+"), "Art. "),
    # the first subparagraph is the paragraph's own text:
    # "Art. 3(1), first subparagraph, point (b)" → "Art. 3(1), point (b)"
    (re.compile(r",\s*first subparagraph\b"), ""),
    # a point right after the article or its paragraph joins it: "Art. 8(2), point (a)" → "Art. 8(2)(a)";
    # after a later subparagraph it stays spelled out ("Art. 10(1), second subparagraph, point (a)")
    (re.compile(r"(\bArt\. [^,]*),\s*points?\s*(\([^)]+\))"), r"\1\2"),
    (re.compile(r"(\bArt\. [\w()]+)\s+\("), r"\1("),
    # ESRS: a disclosure requirement by its code ("ESRS S1-1", "ESRS 2 SBM-3")
    (re.compile(r"^ESRS (\w+), Disclosure Requirement (\1-\w+)$"), r"ESRS \2"),
    (re.compile(r"^ESRS (\w+), Disclosure Requirement (\S+)$"), r"ESRS \1 \2"),
]


# "Art. 29a(1) of Directive 2013/34/EU, as replaced by …": a quoted provision of an amending act names its act
_NAMES_ITS_ACT = re.compile(r"\b(?:of|van|de la|du) (?:Directive|Regulation|Richtlijn|Verordening|directive|règlement)"
                            r"\b")


@lru_cache(maxsize=16384)
def short_citation(citation: str) -> str:
    """'Article 8(2), point (a)' → 'Art. 8(2)(a)', 'Article 22(2), second subparagraph' → 'Art. 22(2), second
    subparagraph', 'Artikel 5, eerste lid, onderdeel a' → 'artikel 5, eerste lid, onder a': how lawyers write
    them in running text. Annex and ESRS citations are already short ('Annex, Part I, Section 1, point (10)',
    'ESRS E1, AR 21'). A pure function of the text: its answers are kept (every card of a search asks)."""
    out = citation or ""
    for pattern, repl in _CITATION_RULES:
        out = pattern.sub(repl, out)
    return out.strip()


@dataclass(frozen=True)
class _ThisRequest:
    """What every card of a request asks for, looked up once per request (each look-up goes through Flask's
    context proxies, and a search builds 20 cards of several look-ups each)."""

    lang: str                          # the interface language
    root: str                          # the script root, the prefix of every URL of the app
    corpus: WebCorpus                  # the request's corpus snapshot
    reader_urls: dict[tuple[str, str], str]  # the app's (script root, document id) → url_for's answer
    beside: dict[tuple, list]          # the snapshot's other versions, by (document, language, script root)


def _this_request() -> _ThisRequest:
    here = g.get("regkb_present")
    if here is None:
        app_state = state()
        corpus = app_state.corpus
        here = g.regkb_present = _ThisRequest(str(get_locale()), request.script_root, corpus, app_state.reader_urls,
                                              corpus.snapshot.derived("web versions beside", lambda _: {}))
    return here


def interface_language() -> str:
    """The interface language of this request ("en"), looked up once: every card and label asks."""
    return _this_request().lang


def document_short_name(doc_id: str) -> str | None:
    doc = state().corpus.document(doc_id)
    return (doc.short_title or doc.title) if doc else None


def facet_value_label(facet: str, value: str, lang: str | None = None) -> str:
    """A facet value as the interface language names it (the facet's own label rules, indexer/search/facets.py)."""
    if facet not in FACETS:
        return value
    return FACETS[facet].value_label(value, lang or interface_language())


def addressee_label(record: dict[str, Any]) -> str | None:
    """The formal addressee of an obligation record as the text names it ("Member States")."""
    key = record.get("addressee")
    return record.get("addressee_text") or (facet_value_label("addressee", key) if key else None)


def parties(addressee: str | None, addressee_text: str | None, duty_bearer: str | None,
            lang: str | None = None) -> tuple[str | None, str | None]:
    """(who must act, "via the Member States" or None) as a card or the reader names them: the role's label as the
    Who facet shows it (the sentence's own words for a party no role names), and where the duty passes through
    another addressee, that addressee."""
    bearer = duty_bearer or addressee
    if bearer == addressee or not bearer:  # the role's label, as the Who facet names it; else the text's words
        return (facet_value_label("addressee", addressee, lang) if addressee else None) or addressee_text, None
    lang = lang or interface_language()
    via = taxonomy.role_via(addressee, lang) if addressee else None
    if addressee and not via:
        via = str(_("via %(party)s", party=facet_value_label("addressee", addressee, lang)))
    return facet_value_label("addressee", bearer, lang), via


@dataclass(frozen=True)
class VersionNote:
    """Which version of the act a text is, and whether it was the law on the day searched."""

    label: str        # "Consolidated text of 18 March 2026" / "As adopted (OJ of 5 July 2024)"
    state: str        # current | superseded | deleted | future
    detail: str       # "current" / "superseded on 18 March 2026" / "deleted by … with effect from …"
    amended_since: str = ""


def long_date(d: date) -> str:
    """'18 March 2026' in the interface language, formatted once per request and day (every card shows dates)."""
    cache = g.setdefault("long_dates", {})
    if d not in cache:
        cache[d] = format_date(d, "d MMMM y")
    return cache[d]


def _doc_url(doc_id: str, here: _ThisRequest | None = None) -> str:
    """The reader's URL of a document. url_for costs more than the rest of a card, and its answer depends only on
    the id and the request's script root (the app has no URL defaults or host matching): built once per app."""
    here = here or _this_request()
    return _remembered(here.reader_urls, (here.root, doc_id), URLS_KEPT,
                       lambda: url_for("documents.read", doc_id=doc_id))


def _remembered(cache: dict, key: Any, kept: int, make: Callable[[], Any]) -> Any:
    """cache[key], made once; a cache that reached `kept` entries starts afresh (bounded memory, no LRU book-keeping
    on the hot path of every card)."""
    try:
        return cache[key]
    except KeyError:
        if len(cache) >= kept:
            cache.clear()
        value = cache[key] = make()
        return value


URLS_KEPT = 16384


def reader_link(doc_id: str, highlight: str | None = None, anchor: str | None = None) -> str:
    """url_for("documents.read", doc_id=…, highlight=…, _anchor=…), from the document's URL of this request:
    a search builds one per card. The query and the fragment are quoted as Werkzeug and Flask quote them
    (tests/app/test_app_card_caches.py compares the two)."""
    return _link(_this_request(), doc_id, highlight, anchor)


def _link(here: _ThisRequest, doc_id: str, highlight: str | None, anchor: str | None) -> str:
    url = _doc_url(doc_id, here)
    if highlight is not None:
        url += "?" + urlencode({"highlight": highlight}, safe=_QUERY_SAFE)
    if anchor is not None:
        url += "#" + quote(anchor, safe=_FRAGMENT_SAFE)
    return url


_QUERY_SAFE = "!$'()*,/:;?@"          # werkzeug.urls._urlencode
_FRAGMENT_SAFE = "%!#$&'()*+,/:;=?@"  # flask.app.Flask.url_for, _anchor


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


ACT_KINDS = {  # how an act is cited, in the interface language (longest first)
    "Implementing Regulation": _l("Implementing Regulation"), "Delegated Regulation": _l("Delegated Regulation"),
    "Directive": _l("Directive"), "Regulation": _l("Regulation"),
}


def act_citation(label: str | None) -> str | None:
    """'Directive (EU) 2026/470' in the interface language ('Richtlijn (EU) 2026/470')."""
    for kind, word in ACT_KINDS.items():
        if label and label.startswith(kind + " "):
            return f"{word}{label[len(kind):]}"
    return label


_NOTES: dict[tuple, VersionNote | None] = {}
_NOTES_KEPT = 4096


def version_note(r: dict[str, Any], as_of: date | None = None, lang: str | None = None) -> VersionNote | None:
    """The version wording for a record (index record or document fields) on the day searched (today by default).
    The version facts, the day and the interface language decide it, so it is worded once per process for them
    (the cards of every search share a few versions); at most _NOTES_KEPT wordings are kept."""
    key = (r.get("version_date"), r.get("consolidated"), r.get("version_published", True), r.get("deleted_on"),
           r.get("deleted_by"), r.get("superseded_on"), tuple(r.get("amended_since") or ()), as_of,
           lang or interface_language(), date.today())
    return _remembered(_NOTES, key, _NOTES_KEPT, lambda: _version_note(r, as_of))


def _version_note(r: dict[str, Any], as_of: date | None) -> VersionNote | None:
    start = _day(r.get("version_date"))
    if start is None and not r.get("deleted_on"):
        return None
    day = as_of or date.today()
    if r.get("consolidated"):
        label = _("Consolidated text of %(d)s", d=long_date(start)) if start else ""
    elif start and r.get("version_published", True):
        label = _("As adopted (OJ of %(d)s)", d=long_date(start))
    else:
        label = _("As adopted on %(d)s", d=long_date(start)) if start else ""
    deleted, superseded = _day(r.get("deleted_on")), _day(r.get("superseded_on"))
    amended = ", ".join(filter(None, (act_citation(a) for a in r.get("amended_since") or [])))
    note = (
        _("amended since by %(acts)s; this corpus holds no consolidated text with those amendments", acts=amended)
        if amended
        else ""
    )
    if deleted and deleted <= day:
        by = act_citation(r.get("deleted_by"))
        detail = (_("deleted by %(act)s with effect from %(d)s", act=by, d=long_date(deleted)) if by
                  else _("deleted with effect from %(d)s", d=long_date(deleted)))
        return VersionNote(label, "deleted", detail)
    if superseded and superseded <= day:
        return VersionNote(label, "superseded", _("superseded on %(d)s", d=long_date(superseded)), note)
    if start and start > day:
        return VersionNote(label, "future", _("not yet in force on %(d)s", d=long_date(day)), note)
    return VersionNote(label, "current", _("current") if as_of in (None, date.today()) else
                       _("in force on %(d)s", d=long_date(day)), note)


def other_versions(doc_id: str, provision_id: str | None) -> list[tuple[str, str]]:
    """(label, link) of the same provision in the act's other versions: one click to compare."""
    return _also_in(_this_request(), doc_id, provision_id)


def _also_in(here: _ThisRequest, doc_id: str, provision_id: str | None) -> list[tuple[str, str]]:
    beside = _versions_beside(here, doc_id)
    if not beside:
        return []
    anchor = f"#{quote(provision_id, safe='')}" if provision_id else ""
    return [(label, url + anchor) for doc, label, url in beside
            if not provision_id or doc.provision(provision_id) is not None]


def _versions_beside(here: _ThisRequest, doc_id: str) -> list[tuple[Document, str, str]]:
    """(document, label, reader URL) of the act's other versions that were ever in force. Every card asks, so
    they are found once per corpus snapshot, interface language and script root (a reloaded corpus starts
    afresh)."""
    corpus, found_for, key = here.corpus, here.beside, (doc_id, here.lang, here.root)
    found = found_for.get(key)
    if found is None:
        chains = corpus.versions()
        found = []
        for other_id in chains.others(doc_id):
            info, doc = chains.version(other_id), corpus.document(other_id)
            if doc is None or info is None or info.valid_from >= info.valid_to:
                continue
            year = info.valid_from.isoformat()
            label = _("consolidated %(d)s", d=year) if doc.consolidated else _("as adopted %(d)s", d=year[:4])
            found.append((doc, label, _doc_url(other_id, here)))
        found_for[key] = found
    return found


@dataclass
class Card:
    """One search result as the page and the export show it."""

    id: str
    kind: str
    title: str
    citation: str
    snippet: Markup
    link: str
    official_url: str | None = None
    document_id: str | None = None
    provision_id: str | None = None
    modality: str | None = None
    addressee: str | None = None  # who must act: the duty-bearer
    via: str | None = None        # "via the Member States": the addressee, where the duty passes through it
    action: str | None = None
    deadlines: list[str] = field(default_factory=list)
    thresholds: list[str] = field(default_factory=list)
    meta: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    language: str | None = None
    version: VersionNote | None = None
    also_in: list[tuple[str, str]] = field(default_factory=list)


def card(hit: Hit, as_of: date | None = None) -> Card:
    here = _this_request()
    r, lang = hit.record, here.lang
    snippets = [s for field_snips in hit.highlights.values() for s in field_snips]
    snippet = (
        safe_snippet(" … ".join(snippets[:2])) if snippets else plain_snippet(r.get("text") or r.get("title") or "")
    )
    doc_id = r.get("document_id") or (r.get("id") if hit.kind == "document" else None) or hit.id
    # Index records carry the document's titles and links; read the document itself only when one lacks them.
    doc = here.corpus.document(doc_id) if doc_id and not (r.get("short_title") and r.get("official_url")) else None
    name = (
        act_name_in(r.get("act_id"), lang)
        or r.get("act_name")
        or r.get("short_title")
        or (doc.short_title or doc.title if doc else None)
        or r.get("document_title")
        or doc_id
    )
    official = r.get("official_url") or (doc.official_url or doc.source_url if doc else None)
    if official and "eur-lex.europa.eu" in official and "#" not in official and r.get("provision_id"):
        official = f"{official}#{r['provision_id'].split('.')[0]}"  # EUR-Lex pages carry an anchor per article
    if hit.kind == "document":
        return Card(
            hit.id,
            hit.kind,
            r.get("document_title") or r.get("title") or name,
            r.get("short_title") or "",
            snippet,
            _doc_url(doc_id, here),
            official,
            doc_id,
            language=r.get("language"),
            version=version_note(r, as_of, lang),
            meta=[
                facet_value_label(f, r[key], lang)
                for f, key in (
                    ("document_type", "document_type"),
                    ("jurisdiction", "jurisdiction"),
                    ("language", "language"),
                    ("status", "status"),
                )
                if r.get(key)
            ],
        )
    provision_id = r.get("provision_id") or r.get("id")
    short = short_citation(r.get("citation", ""))
    prefix = name if name and not (short.startswith(name) or short.startswith(r.get("short_title") or "\0")
                                   or _NAMES_ITS_ACT.search(short)) else None
    citation = " ".join(x for x in (prefix, short) if x)
    anchor = provision_id if hit.kind == "obligation" or r.get("provision_id") else r.get("id")
    link = _link(here, doc_id, hit.id if hit.kind == "obligation" else None, anchor)
    c = Card(hit.id, hit.kind, r.get("heading") or citation, citation, snippet, link, official, doc_id, provision_id,
             language=r.get("language"), version=version_note(r, as_of, lang))
    c.also_in = _also_in(here, doc_id, provision_id) if doc_id else []
    if hit.kind == "obligation":
        c.modality = r.get("modality")
        c.addressee, c.via = parties(r.get("addressee"), r.get("addressee_text"), r.get("duty_bearer"), lang)
        c.action = r.get("action")
        c.deadlines = [d.get("text", "") if isinstance(d, dict) else str(d) for d in r.get("deadlines") or []]
        c.thresholds = [t.get("text", "") if isinstance(t, dict) else str(t) for t in r.get("thresholds") or []]
        c.topics = [facet_value_label("topic", t, lang) for t in r.get("topics") or []]
    return c


def numbered_text(text: str, number: str) -> bool:
    """True when the provision text already starts with its own number ('2. …', '(a) …'), so the reader need not
    repeat it."""
    return bool(re.match(rf"\(?{re.escape(number)}[.)]\s", text or ""))


def external_link(url: str | None, label: Any = None) -> Markup:
    """A link to a URL from a document or the config (an official text), opened without referrer: only an http(s)
    URL becomes a link; anything else (javascript:, data:) is shown as plain text. Every such link goes through here."""
    text = url if label is None else label
    safe = http_url(url)
    if safe is None:
        return escape(text or "")
    return Markup('<a href="{}" rel="noopener noreferrer external">{}</a>').format(safe, text)


def merge_args(args: dict[str, list[str]], **changes: Any) -> str:
    """The current query string with some parameters replaced (for the language switch)."""
    merged = {k: v for k, v in args.items() if k not in changes}
    merged.update({k: v for k, v in changes.items() if v is not None})
    return urlencode(merged, doseq=True)


def init_app(app) -> None:
    from flask_babel import format_date

    app.add_template_filter(merge_args, "merge_args")
    app.add_template_filter(http_url, "http_url")
    app.add_template_global(external_link, "external_link")
    app.add_template_global(parties, "parties")
    app.add_template_test(numbered_text, "numbered")
    app.add_template_filter(lambda d: format_date(d, "d MMMM y"), "format_date")

    @app.context_processor
    def _labels():
        return {
            "record_kind_labels": KIND_LABELS,
            "sort_labels": SORT_LABELS,
            "modality_labels": MODALITY_LABELS,
            "relation_labels": RELATION_LABELS,
            "identifier_labels": IDENTIFIER_LABELS,
            "has_endpoint": lambda name: name in app.view_functions,
            "facet_value_label": facet_value_label,
            "facet_values_shown": state().settings["facet_values_shown"],
        }
