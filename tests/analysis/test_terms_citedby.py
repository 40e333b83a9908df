"""Defined terms, cited-by and amended-by on the real mirror texts (as `regkb crawl` parses them).

The expectations were read off the texts themselves (CSDDD Article 3, EUDR Article 2, Batteries Regulation
Article 3, SFDR Article 2 in Dutch, ILO C182 Article 2, the Dutch NCP decree Article 1, Omnibus I Article 4),
not off the extractor's output."""
from __future__ import annotations

import shutil

import pytest

from indexer.analysis.citedby import CitedBy, summary
from indexer.analysis.terms import TermIndex, TermMatcher, extract_terms, slugify, write_terms
from indexer.analysis.versions import VersionChains
from regkb.corpus import Corpus
from regkb.settings import DataDir

from .mirror_corpus import crawled_mirror


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus.at(crawled_mirror())


def _terms(corpus: Corpus, doc_id: str) -> dict[str, object]:
    doc = corpus.get(doc_id)
    assert doc is not None, doc_id
    return {t.slug: t for t in extract_terms(doc)}


def test_slugs_fold_case_diacritics_and_punctuation():
    assert slugify("Business partner") == "business-partner"
    assert slugify("‘économie’ circulaire") == "economie-circulaire"
    assert slugify("insurance‐based investment product") == "insurance-based-investment-product"


def test_csddd_article_3_definitions(corpus):
    terms = _terms(corpus, "celex-32024L1760-en")
    bp = terms["business-partner"]
    assert (bp.citation, bp.provision_id, bp.language) == ("Article 3(1), point (f)", "art_3.par_1.pt_f", "en")
    assert bp.text.startswith("‘business partner’ means an entity:") and "indirect business partner" in bp.text
    for slug in ("company", "adverse-impact", "chain-of-activities", "subsidiary"):
        assert terms[slug].act_id == "eu-2024-1760-L"
    assert "means" not in terms  # no sentence outside the definitions article became a term


def test_definitions_in_other_forms(corpus):
    eudr = _terms(corpus, "celex-32023R1115-en")
    assert eudr["operator"].citation == "Article 2, point (15)"
    assert "deforestation-free" in eudr
    assert _terms(corpus, "celex-32023R1542-en")["economic-operator"].citation == "Article 3(1), point (22)"
    # French: «terme»: définition
    assert _terms(corpus, "celex-32024L1760-fr")["partenaire-commercial"].provision_id == "art_3.par_1.pt_f"
    # Dutch regulation: "term": definitie
    assert _terms(corpus, "celex-32019R2088-nl")["duurzaamheidsrisico"].citation.startswith("Artikel 2")
    # Dutch act: "In dit besluit wordt verstaan onder:" then "de minister: de Minister voor …"
    ncp = _terms(corpus, "bwb-BWBR0035293-nl")
    assert {"minister", "ncp"} <= set(ncp) and ncp["minister"].text.startswith("de minister: de Minister")
    # ILO: "the term “child” shall apply to", "de uitdrukking „kind” betrekking op"
    assert "child" in _terms(corpus, "bwb-BWBV0001522-en")
    assert "kind" in _terms(corpus, "bwb-BWBV0001522-nl")


def test_term_index_aligns_languages_and_finds_related(corpus):
    docs = [corpus.get(i) for i in ("celex-32024L1760-en", "celex-32024L1760-fr", "celex-32023R1115-en",
                                     "celex-32023R1115-fr", "celex-32023R1542-en")]
    index = TermIndex((t for d in docs for t in extract_terms(d)),
                      [{"id": "business_partner", "en": ["business partner"], "nl": ["zakenpartner"]}])
    assert ("fr", "partenaire commercial", "partenaire-commercial") in index.aligned("business-partner")
    assert ("fr", "opérateur", "operateur") in index.aligned("operator")
    found = [s.slug for s in index.search("operator")]
    assert found[0] == "operator" and "economic-operator" in found
    assert index.search("zakenpartner")[0].slug == "business-partner"  # through the glossary


def test_term_links_in_provision_text(corpus):
    doc = corpus.get("celex-32024L1760-en")
    matcher = TermMatcher(extract_terms(doc))
    art8 = doc.provision("art_8.par_1")
    linked = {t.slug: art8.text[a:b] for a, b, t in matcher.links(art8, [])}
    assert linked.get("adverse-impact", "").lower().startswith("adverse impact")
    assert linked["company"].lower() in ("company", "companies")
    own = doc.provision("art_3.par_1.pt_f")  # a definition does not link to itself
    assert "business-partner" not in {t.slug for _, _, t in matcher.links(own, [])}
    a, b, _ = matcher.links(art8, [])[0]
    assert all(t.slug != "company" or (x, y) != (a, b) for x, y, t in matcher.links(art8, [(a, b)]))


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> Corpus:
    from indexer.commands import write_references

    root = tmp_path_factory.mktemp("citedby")
    shutil.copytree(crawled_mirror() / "documents", root / "documents")
    write_references(DataDir.at(root), Corpus.at(root))
    write_terms(DataDir.at(root), Corpus.at(root))
    return Corpus.at(root)


def test_csddd_article_3_is_cited_by_the_provisions_using_its_definitions(linked):
    index = CitedBy.build(linked, VersionChains.build(linked.all()))
    cited = index.cited_by("eu-2024-1760-L", "art_3", "en")
    provisions, acts = summary(cited)
    assert provisions >= 3 and acts >= 1
    citing = {c.citation for c in cited}
    assert "Article 16(3), second subparagraph" in citing  # "as defined in Article 3(1), point (a)"
    assert all(not c.provision_id.startswith("art_3.") for c in cited if c.act_id == "eu-2024-1760-L")
    # the same citations count for the French text of Article 3 (keyed by act and provision, not document)
    assert summary(index.cited_by("eu-2024-1760-L", "art_3", "fr")) == (provisions, acts)


def test_article_22_deleted_by_omnibus_with_the_instruction(linked):
    index = CitedBy.build(linked, VersionChains.build(linked.all()))
    [deleted] = [a for a in index.amended_by("eu-2024-1760-L", "art_22.par_1", "en") if a.kind == "deleted"]
    assert (deleted.act_label, deleted.provision_id, deleted.document_id) == \
        ("Directive (EU) 2026/470", "art_4.pt_16", "celex-32026L0470-en")
    assert deleted.date is not None and deleted.date.isoformat() == "2026-03-18"
    fr = index.amended_by("eu-2024-1760-L", "art_22", "fr")
    assert [a.document_id for a in fr if a.kind == "deleted"] == ["celex-32026L0470-fr"]
    # Article 8 is amended, not deleted, by the same act (Article 4, point (6))
    art8 = index.amended_by("eu-2024-1760-L", "art_8", "en")
    assert [(a.kind, a.provision_id) for a in art8 if a.act_id == "eu-2026-470-L"] == [("amended", "art_4.pt_6")]


def test_write_terms_is_incremental_and_repairs_a_damaged_file(linked, tmp_path):
    shutil.copytree(linked.root / "documents", tmp_path / "documents")
    dd = DataDir.at(tmp_path)
    first = write_terms(dd, Corpus.at(tmp_path))
    assert first["written"] == len(Corpus.at(tmp_path).documents)
    assert write_terms(dd, Corpus.at(tmp_path))["written"] == 0
    damaged = tmp_path / "terms" / "celex-32024L1760-en.jsonl"
    damaged.write_text(damaged.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    corpus = Corpus.at(tmp_path)
    assert any(p.folder == "terms" for p in corpus.problems)  # the bad line is named, the rest loads
    assert len(corpus.terms("celex-32024L1760-en")) == 22
    assert write_terms(dd, corpus)["written"] == 1
    assert not Corpus.at(tmp_path).problems


@pytest.mark.parametrize("act", ["32024L1760", "32023R1115", "32020R0852", "32026L0470", "32019R2088"])
def test_english_and_french_texts_define_the_same_provisions(corpus, act):
    """The French wording («terme»: …, «terme» caractérise …) is found where the English one is (‘term’ means …)."""
    en, fr = ({t.provision_id for t in extract_terms(corpus.get(f"celex-{act}-{lang}"))} for lang in ("en", "fr"))
    assert en == fr and len(en) >= 6


def test_glossary_gives_the_dutch_label_where_no_dutch_text_defines_it(corpus):
    docs = [corpus.get(i) for i in ("celex-32024L1760-en", "celex-32024L1760-fr")]
    index = TermIndex((t for d in docs for t in extract_terms(d)),
                      [{"id": "business_partners", "en": ["business partners"], "nl": ["zakenpartners", "zakenpartner"],
                        "fr": ["partenaires commerciaux", "partenaire commercial"]}])
    assert index.aligned("business-partner") == [("fr", "partenaire commercial", "partenaire-commercial"),
                                                 ("nl", "zakenpartner", None)]


def test_regkb_extract_writes_the_terms(tmp_path, capsys):
    """`regkb extract` writes terms/<doc>.jsonl beside obligations and references, and drops a gone document's."""
    from regkb.cli import main

    (tmp_path / "documents").mkdir()
    for doc_id in ("bwb-BWBR0035293-nl", "bwb-BWBV0001522-en"):  # the NCP decree and ILO C182: small texts
        shutil.copy(crawled_mirror() / "documents" / f"{doc_id}.json", tmp_path / "documents")
    assert main(["extract", "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    assert "defined terms written" in printed.out + printed.err
    corpus = Corpus.at(tmp_path)
    assert {t.slug for t in corpus.terms("bwb-BWBR0035293-nl")} >= {"minister", "ncp"}
    assert "child" in {t.slug for t in corpus.terms("bwb-BWBV0001522-en")}
    (tmp_path / "documents" / "bwb-BWBV0001522-en.json").unlink()
    assert main(["extract", "--data-dir", str(tmp_path)]) == 0
    assert not (tmp_path / "terms" / "bwb-BWBV0001522-en.jsonl").exists()
