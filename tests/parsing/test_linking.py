"""link_documents: language versions, versions of one act, corrigenda, amending acts."""
from __future__ import annotations

import pytest
from parsing_mirror import MIRROR, raw_for, source

from indexer.parsing import link_documents, parse_resource

pytestmark = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")
EN, FR = "eur-lex.europa.eu/legal-content/EN/TXT/", "eur-lex.europa.eu/legal-content/FR/TXT/"
FILES = [
    EN + "CELEX_32024L1760.xhtml",
    FR + "CELEX_32024L1760.xhtml",
    EN + "CELEX_02024L1760-20250417.html",
    EN + "CELEX_02024L1760-20260318.html",
    FR + "CELEX_02024L1760-20260318.html",
    EN + "CELEX_32024L1760R_02.xhtml",
    EN + "CELEX_32026L0470.xhtml",
    EN + "CELEX_32025L0794.xhtml",
    EN + "CELEX_32019R2088.xhtml",
]


@pytest.fixture(scope="module")
def linked():
    docs = [parse_resource(raw_for(f), source("eurlex"))[0] for f in FILES]
    return {d.id: d for d in link_documents(docs)}


def rel(doc, relation):
    return sorted(link.document_id for link in doc.links if link.relation == relation)


def test_language_versions(linked):
    assert rel(linked["celex-32024L1760-en"], "language_version") == ["celex-32024L1760-fr"]
    assert rel(linked["celex-02024L1760-20260318-fr"], "language_version") == ["celex-02024L1760-20260318-en"]


def test_versions_of_one_act_in_date_order(linked):
    latest = linked["celex-02024L1760-20260318-en"]
    assert rel(latest, "earlier_version") == ["celex-02024L1760-20250417-en", "celex-32024L1760-en"]
    assert rel(latest, "later_version") == []
    assert rel(linked["celex-32024L1760-en"], "later_version") == [
        "celex-02024L1760-20250417-en", "celex-02024L1760-20260318-en"]


def test_amending_acts_and_corrigenda(linked):
    original = linked["celex-32024L1760-en"]
    assert rel(original, "amended_by") == ["celex-32025L0794-en", "celex-32026L0470-en"]
    assert rel(linked["celex-32026L0470-en"], "amends") == ["celex-32024L1760-en"]
    assert rel(original, "corrected_by") == ["celex-32024L1760R02-en"]
    assert rel(linked["celex-32024L1760R02-en"], "corrects") == ["celex-32024L1760-en"]
    assert linked["celex-32019R2088-en"].links == []  # nothing of SFDR's family in this set


def test_linking_is_idempotent(linked):
    again = {d.id: d for d in link_documents(list(linked.values()))}
    assert all(again[i].links == linked[i].links for i in linked)
