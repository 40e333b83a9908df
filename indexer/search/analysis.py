"""One text analysis, two engines.

The analysers are defined once (config/search.yaml `analysis:`) and built as
tantivy TextAnalyzers and as Elasticsearch analysis settings that use the
regkb-analysis plugin (es/), which tokenises and stems exactly like tantivy.
Query words are analysed here, in Python, so both engines receive the same
terms and find the same records.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

import tantivy

from indexer.search.settings import search_config

# Per language: `all` (text, headings, citation; titles too for documents) decides what matches and gives
# the base score; `meta` (headings, citation, titles) only adds a boost; `text` (the record's own text) feeds
# snippets. Two posting lists per word to match on (all_en, all_nl) keeps big indices fast. An obligation
# does not match on its act's title (every obligation of the act would): act names typed in a query become
# an instrument filter instead (query.py).
TEXT_BASES = ("all", "meta", "text")


def _cfg() -> dict[str, Any]:
    return search_config()["analysis"]


def languages() -> list[str]:
    return list(_cfg()["languages"])


def text_language(lang: str | None) -> str:
    """The analyser language for a record language (unknown languages use the default one)."""
    return lang if lang is not None and lang in _cfg()["languages"] else str(_cfg()["default_language"])


@cache
def query_stopwords(lang: str) -> frozenset[str]:
    """Words dropped from queries only: how a question is phrased ("what", "how", "moet"), not what it asks."""
    return frozenset(str(w).lower() for w in _cfg()["languages"].get(lang, {}).get("query_stopwords") or [])


@cache
def function_words() -> frozenset[str]:
    """Every language's stop words and query stop words: a word that is a function word in one language is
    never a required query word in another ("van het" in an English field, "with" in a Dutch one)."""
    out: set[str] = set()
    for lang, spec in _cfg()["languages"].items():
        out |= {str(w).lower() for w in spec.get("stopwords") or []} | query_stopwords(lang)
    return frozenset(out)


@cache
def language_function_words(lang: str) -> frozenset[str]:
    """One language's stop words and query stop words."""
    spec = _cfg()["languages"].get(lang, {})
    return frozenset(str(w).lower() for w in spec.get("stopwords") or []) | query_stopwords(lang)


def analyzer_name(lang: str) -> str:
    return f"regkb_{lang}"


def text_field(base: str, lang: str) -> str:
    return f"{base}_{lang}"


def all_text_fields() -> list[str]:
    return [text_field(b, lang) for b in TEXT_BASES for lang in languages()]


def text_values(rec: dict[str, Any]) -> dict[str, str]:
    """The analysed text fields of one index record (the same for both engines)."""
    lang = text_language(rec.get("language"))
    own = " ".join(filter(None, [rec.get("heading"), rec.get("citation")]))
    # The heading boost rewards the provision whose own heading matches (the article, not each of its points).
    boost_heading = rec.get("own_heading", rec.get("heading")) if rec.get("kind") == "provision" else rec.get("heading")
    meta_own = " ".join(filter(None, [boost_heading, rec.get("citation")]))
    title = " ".join(filter(None, [rec.get("document_title"), rec.get("short_title")]))
    if rec.get("kind") == "document":  # matched on its whole text; snippets come from its provisions
        text = ""
        matched = [rec.get("body") or "", own, title]
    else:
        text = rec.get("text") or ""
        matched = [text, own]
    # the parts of Dutch compounds (records.py), so that "diversity policy" finds "diversiteitsbeleid"
    matched.append(rec.get("compound_parts") or "")
    values = {"all": "\n".join(filter(None, matched)), "meta": " ".join(filter(None, [meta_own, title])), "text": text}
    out = {text_field(base, lang): v for base, v in values.items() if v}
    # Every record has every matching field (a placeholder where it has nothing): BM25 then sees the same
    # document counts and average lengths in tantivy (which counts all documents) and Lucene (which counts
    # the documents that have the field), so both engines score alike.
    for other in languages():
        for base in ("all", "meta"):
            out.setdefault(text_field(base, other), EMPTY_MARK)
    return out


@cache
def tantivy_analyzer(lang: str) -> tantivy.TextAnalyzer:
    spec = _cfg()["languages"][lang]
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(int(_cfg()["remove_long"])))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.custom_stopword([str(w) for w in spec["stopwords"]]))
            .filter(tantivy.Filter.stemmer(spec["stemmer"]))
            .build())


@lru_cache(maxsize=200_000)
def analyze(text: str, lang: str) -> tuple[str, ...]:
    return tuple(tantivy_analyzer(lang).analyze(text))


# Fills a matching field a record has no text for (see text_values); never a query term.
EMPTY_MARK = "zqxnonezqx"
# Stands in for a removed stop word in pre-stemmed text, so phrase positions keep their gaps.
STOP_MARK = "zqxstopzqx"
PRESTEMMED_ANALYZER = "regkb_prestemmed"
_RAW_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # tantivy's "simple" tokenizer: runs of alphanumerics


def raw_words(text: str) -> list[str]:
    return _RAW_WORD.findall(text)


def term_signature(text: str, lang: str) -> str | None:
    """A defined term as `lang`'s analyser reads it, stems joined ('business partners' → 'busi_partner'):
    the key by which a question about a term's meaning finds the provision that defines it, whatever its
    inflection."""
    stems = [terms[0] for raw in raw_words(text) if (terms := analyze(raw, lang))]
    return "_".join(stems) or None


def shared_stem_languages() -> set[str]:
    """Languages whose stems Elasticsearch receives from Python (config `shared_stems`)."""
    return {lang for lang, spec in _cfg()["languages"].items() if spec.get("shared_stems")}


def prestemmed(text: str, lang: str) -> str:
    """Text as tantivy's analyser stems it, one token per word, STOP_MARK for dropped words."""
    out = []
    for raw in raw_words(text):
        terms = analyze(raw, lang)
        out.append(terms[0] if terms else STOP_MARK)
    return " ".join(out)


def elasticsearch_analysis() -> dict[str, Any]:
    """The `settings.analysis` block for the index template (needs the regkb-analysis plugin)."""
    analyzers: dict[str, Any] = {
        PRESTEMMED_ANALYZER: {"type": "custom", "tokenizer": "regkb_simple", "filter": ["regkb_stop_mark"]}
    }
    filters: dict[str, Any] = {"regkb_stop_mark": {"type": "stop", "stopwords": [STOP_MARK], "ignore_case": False}}
    for lang, spec in _cfg()["languages"].items():
        filters[f"regkb_stop_{lang}"] = {
            "type": "stop",
            "stopwords": [str(w) for w in spec["stopwords"]],
            "ignore_case": False,
        }
        analyzers[analyzer_name(lang)] = {
            "type": "custom",
            "tokenizer": "regkb_simple",
            "filter": ["regkb_remove_long", "regkb_lowercase", "regkb_asciifold", f"regkb_stop_{lang}",
                       f"regkb_{spec['stemmer']}_stem"],
        }
    return {"analyzer": analyzers, "filter": filters}
