"""Amending acts parsed as lawyers read them (indexer/parsing/amendments.py): on the real CSRD, Stop-the-clock and
Omnibus texts of ../shared/mirror (EN, FR, NL), on the hand-labelled gold set and on small fixtures."""
from __future__ import annotations

import pytest
from parsing_mirror import MIRROR, raw_for, source

from indexer.parsing import link_documents, parse_resource
from indexer.parsing.amendment_eval import evaluate, load_gold, misses
from indexer.parsing.amendments import mentions, restructure
from indexer.parsing.tree import Node, flatten

needs_mirror = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")
LC = "eur-lex.europa.eu/legal-content/"
TEXTS = {
    "celex-32022L2464-en": (LC + "EN/TXT/CELEX_32022L2464.derived-articles-recitals.json", "derived_json", "en"),
    "celex-32022L2464-nl": (LC + "NL/TXT/L_2022322.32022L2464.text.json", "eurlex_text_json", "nl"),
    "celex-32025L0794-en": (LC + "EN/TXT/CELEX_32025L0794.xhtml", "eurlex", "en"),
    "celex-32025L0794-fr": (LC + "FR/TXT/CELEX_32025L0794.xhtml", "eurlex", "fr"),
    "celex-32026L0470-en": (LC + "EN/TXT/CELEX_32026L0470.xhtml", "eurlex", "en"),
    "celex-32026L0470-fr": (LC + "FR/TXT/CELEX_32026L0470.xhtml", "eurlex", "fr"),
}
_docs: dict[str, object] = {}


def doc(doc_id: str):
    if doc_id not in _docs:
        path, parser, lang = TEXTS[doc_id]
        _docs[doc_id] = parse_resource(raw_for(path), source(parser, language=lang, instrument_type="directive"))[0]
    return _docs[doc_id]


@needs_mirror
def test_csrd_duties_are_cited_as_provisions_of_the_accounting_directive():
    csrd = doc("celex-32022L2464-en")
    p = csrd.provision("art_1.pt_7.amd_art_29a.par_1")
    assert p.citation == ("Article 29a(1) of Directive 2013/34/EU, as replaced by Article 1(7) of "
                          "Directive (EU) 2022/2464")
    assert p.text.startswith("Parent undertakings of a large group") and "shall include" in p.text
    assert (p.amendment.act_celex, p.amendment.operation, p.amendment.quoted) == ("32013L0034", "replaced", True)
    # the instruction holding it, and Article 29a's heading
    assert csrd.provision("art_1.pt_7").amendment.target == "Article 29a"
    assert csrd.provision("art_1.pt_7.amd_art_29a").heading == "Consolidated sustainability reporting"
    # the chapter it inserts holds its articles, cited by their own numbers
    assert csrd.provision("art_1.pt_8.amd_cpt_6a.art_29b.par_1").citation.startswith(
        "Article 29b(1) of Directive 2013/34/EU, as inserted by Article 1(8)")
    # nobody cites "Article 1, eighteenth subparagraph" any more; the act's own articles are still 1 to 8
    assert not any("eighteenth subparagraph" in q.citation for q in csrd.provisions if q.id.startswith("art_1."))
    assert [a.number for a in csrd.articles()] == [str(i) for i in range(1, 9)]


@needs_mirror
def test_dutch_and_french_citations_follow_their_languages():
    nl = doc("celex-32022L2464-nl").provision("art_1.pt_7.amd_art_29a.par_1")
    assert nl.citation == ("Artikel 29 bis, lid 1, van Richtlijn 2013/34/EU, vervangen bij artikel 1, punt 7, van "
                           "Richtlijn (EU) 2022/2464")
    assert nl.text.startswith("Moederondernemingen van een grote groep")
    fr = doc("celex-32025L0794-fr").provision("art_2.amd_par_1")
    assert fr.citation == ("Article 37, paragraphe 1, de la directive (UE) 2024/1760, remplacé par l’article 2 de la "
                           "directive (UE) 2025/794")
    omnibus = doc("celex-32026L0470-fr").provision("art_2.pt_3.amd_sub_1")
    assert omnibus.citation.startswith("Article 19, paragraphe 1, quatrième alinéa, de la directive 2013/34/UE, "
                                       "remplacé par l’article 2, point 3), de la directive (UE) 2026/470")


@needs_mirror
def test_deletions_have_no_quoted_text_and_nested_instructions_keep_their_place():
    omnibus = doc("celex-32026L0470-en")
    deleted = omnibus.provision("art_2.pt_7")
    assert (deleted.amendment.target, deleted.amendment.operation) == ("Article 29c", "deleted")
    assert not [p for p in omnibus.provisions if p.parent_id == "art_2.pt_7"]
    # (1) > (a) > (ii) > (1): 'point (b) is amended as follows: (1) point (i) is replaced'
    deep = omnibus.provision("art_3.pt_1.pt_a.pt_ii.pt_1")
    assert deep.amendment.target == "Article 5(2), first subparagraph, point (b)(i)"
    assert deep.amendment.by == "Article 3(1)(a)(ii)(1)"


@needs_mirror
def test_gold_amendments_accuracy():
    """The hand-labelled gold set (tests/gold/README.md): found, amended act, place and operation."""
    gold = load_gold()
    docs = {d: doc(d) for d in {g["document"] for g in gold}}
    scores = evaluate(gold, docs)
    print({g: {k: round(v, 3) for k, v in s.items()} for g, s in scores.items()}, misses(gold, docs))
    assert scores["all"]["n"] >= 40
    assert scores["all"]["found"] >= 0.95 and scores["all"]["act"] >= 0.95
    assert scores["all"]["operation"] >= 0.95 and scores["all"]["target"] >= 0.9
    for lang in ("en", "fr", "nl"):
        assert scores[lang]["target"] >= 0.85, (lang, misses(gold, docs))


@needs_mirror
def test_amended_provisions_link_to_the_amended_act_in_the_corpus():
    """Stop-the-clock replaces CSDDD Article 37(1): linked to the consolidation that carries the change."""
    csddd = parse_resource(raw_for(LC + "EN/TXT/CELEX_02024L1760-20250417.html"), source("eurlex"))[0]
    linked = {d.id: d for d in link_documents([doc("celex-32025L0794-en"), csddd])}
    p = linked["celex-32025L0794-en"].provision("art_2.amd_par_1")
    assert p.amendment.target_document_id == csddd.id
    assert p.amendment.target_provision_id == "art_37.par_1"
    assert linked[csddd.id].provision("art_37.par_1") is not None


def test_instruction_places_in_three_languages():
    assert mentions("in Article 19(1), the fourth subparagraph is replaced by the following:", "en") == [
        ("article", "19"), ("paragraph", "1"), ("subparagraph", "4")]
    assert mentions("point (1) of Article 4(1) is replaced by the following:", "en") == [
        ("article", "4"), ("paragraph", "1"), ("point", "1")]
    assert mentions("À l’article 24 ter, paragraphe 1, le deuxième alinéa est remplacé par le texte suivant:",
                    "fr") == [("article", "24 ter"), ("paragraph", "1"), ("subparagraph", "2")]
    assert mentions("in lid 8, punt b), wordt punt i) vervangen door:", "nl") == [
        ("paragraph", "8"), ("point", "b"), ("subpoint", "i")]


def _amending_article(*children: Node, intro: str) -> Node:
    art = Node("article", number="1", text=intro)
    art.children += list(children)
    return art


def test_an_unclosed_quote_ends_at_the_next_instruction():
    """A quote whose closing mark the extraction lost must not swallow the rest of the article."""
    art = _amending_article(
        Node("point", number="1", text="Artikel 4 wordt vervangen door: “Artikel 4 Onderwerp 1. De lidstaten zorgen"
                                        " ervoor dat ondernemingen een plan vaststellen."),
        Node("point", number="2", text="Artikel 5 vervalt."),
        intro="Verordening (EU) 2099/1 wordt als volgt gewijzigd:")
    assert restructure([art], "nl", "nl") == []
    provisions, _ = flatten([art], "nl")
    by_id = {p.id: p for p in provisions}
    assert by_id["art_1.pt_1.amd_art_4.par_1"].amendment.target == "Artikel 4, lid 1"
    assert (by_id["art_1.pt_2"].amendment.target, by_id["art_1.pt_2"].amendment.operation) == ("Artikel 5",
                                                                                              "deleted")
    assert by_id["art_1.pt_2"].amendment.act_celex == "32099R0001"


def test_an_ordinary_article_is_left_alone():
    art = Node("article", number="3", text="Member States shall ensure that companies comply with Directive 2013/34.")
    art.children.append(Node("paragraph", number="1", text="Companies shall report."))
    assert restructure([art], "en", "en") == []
    assert [c.kind for c in art.children] == ["paragraph"] and art.amendment is None


def test_an_instruction_it_cannot_read_leaves_the_article_as_parsed(monkeypatch):
    """Bad input never crashes a run: the article keeps its plain tree and the document says why."""
    import indexer.parsing.amendments as amendments

    def broken(*_args):
        raise ValueError("unexpected wording")

    monkeypatch.setattr(amendments, "_finish", broken)
    art = _amending_article(Node("point", number="1", text="Article 4 is deleted;"),
                            intro="Regulation (EU) 2099/1 is amended as follows:")
    warnings = restructure([art], "en", "en")
    assert len(warnings) == 1 and "unexpected wording" in warnings[0]
    assert [(c.kind, c.number, c.text) for c in art.children] == [("point", "1", "Article 4 is deleted;")]


@needs_mirror
def test_typed_citations_of_the_amended_act_name_the_quoted_provision():
    """'CSRD Article 29a(1)' and '2013/34 art 29a' name the CSRD's quoted Article 29a (the search's citation keys)."""
    from indexer.search.citations import document_cite_keys, parse_citation

    keys = document_cite_keys(doc("celex-32022L2464-en").provisions)
    assert keys["art_1.pt_7.amd_art_29a.par_1"] == "29a(1)" and keys["art_1.pt_7.amd_art_29a"] == "29a"
    for typed, key in (("CSRD Article 29a(1)", "29a(1)"), ("2013/34 art 29a", "29a"),
                       ("Directive 2013/34/EU Article 19a(1)", "19a(1)")):
        ref = parse_citation(typed)
        assert ref is not None and ref.instrument == "CSRD" and ref.cite_key == key, typed
