"""French: the plain-present duties of EU French, on the real CSDDD texts crawled from the mirror and extracted by
`regkb extract`, and the same obligation followed from one language version to the other (corpus, reader, API)."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from indexer.nlp.lexicon import lexicon
from indexer.nlp.normative import analyse
from indexer.nlp.pipeline import analyze_text, text_context
from regkb.cli import main
from regkb.corpus import Corpus

from .conftest import _need_mirror

REPO = Path(__file__).resolve().parents[2]
FR = "celex-32024L1760-fr"
EN = "celex-32024L1760-en"


@pytest.fixture(scope="module")
def csddd_dir() -> Path:
    """The CSDDD source (every language it has) crawled from the mirror and extracted, as `regkb run` does."""
    root = Path(tempfile.mkdtemp(prefix="fr-csddd-"))
    mirror = _need_mirror()
    assert main(["crawl", "--mirror", str(mirror), "--data-dir", str(root), "--sources", "eurlex-csddd"]) == 0
    assert main(["extract", "--data-dir", str(root)]) == 0
    return root


@pytest.mark.parametrize("text, modality, addressee", [
    ("Les États membres veillent à ce que les entreprises recensent les incidences négatives.", "obligation",
     "member_states"),
    ("La Commission adopte des actes délégués qui peuvent préciser ces exigences.", "obligation", "commission"),
    ("Le marquage CE est apposé de manière visible sur la batterie.", "obligation", None),
    ("Les opérateurs ne mettent pas de produits en cause sur le marché.", "prohibition", "operators"),
    ("Les États membres peuvent exiger des entreprises qu’elles publient ce rapport.", "permission", "member_states"),
    ("Si tel est le cas, l’entreprise n’est pas tenue de suspendre la relation commerciale.", "exemption",
     "companies"),
    ("La présente directive entre en vigueur le vingtième jour suivant celui de sa publication.", None, None),
    ("Le produit en cause est réputé ne pas faire l’objet d’une déclaration.", None, None),
    ("L’autorité de contrôle compétente est celle de l’État membre où l’entreprise a son siège.", None, None),
    ("Les entreprises devraient tenir compte des risques.", None, None),  # conditional: "should" never binds
    ("Chaque État membre désigne une ou plusieurs autorités de contrôle.", "obligation", "member_states"),
    ("Le dossier technique comprend les informations suivantes.", "obligation", None),
])
def test_french_modalities_without_a_modal_verb(text, modality, addressee):
    a = analyse(text, lexicon("fr"), text_context("fr"))
    assert (a.modality, a.addressee) == (modality, addressee)


def test_french_deadlines_and_references():
    [f] = analyze_text("Au plus tard le 26 juillet 2027, la Commission présente un rapport conformément à "
                       "l’article 8, paragraphe 2, point a), de la directive (UE) 2022/2464.", "fr")
    assert [d["date"] for d in f.deadlines] == ["2027-07-26"]
    ref = next(r for r in f.references if r["article"])
    assert (ref["article"], ref["paragraph"], ref["point"], ref["act"]) == ("8", "2", "a", "2022/2464")
    [g] = analyze_text("Le fabricant conserve la documentation dans un délai de six mois à compter de la date de "
                       "mise sur le marché.", "fr")
    assert [d["relative"].split()[0] for d in g.deadlines] == ["P6M"]


def test_regkb_analyze_lang_fr():
    out = subprocess.run([sys.executable, "-m", "regkb.cli", "analyze", "--lang", "fr"], cwd=REPO, timeout=300,
                         input="Les opérateurs réexaminent le système de diligence raisonnée au moins une fois par an.",
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    [row] = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["modality"] == "obligation" and row["addressee"] == "operators"


@pytest.mark.slow
def test_extract_gives_french_documents_obligations_linked_to_their_english_twins(csddd_dir):
    corpus = Corpus.at(csddd_dir)
    fr = corpus.obligations(FR)
    assert len(fr) > 200, "the French CSDDD states its duties in the present tense: hundreds of records"
    art5 = [o for o in fr if o.provision_id == "art_5.par_1"]
    assert art5 and art5[0].modality == "obligation" and art5[0].addressee == "member_states"
    assert all(not o.text.startswith("Considérant") and o.language == "fr" for o in fr)
    paired = [t for o in fr for t in corpus.twins(o.id) if t.language == "en" and t.obligation_id]
    assert len(paired) >= 0.75 * len(fr), "most provisions hold the same number of obligations in both languages"
    for twin in paired[:50]:  # the n-th obligation of a provision in French is the n-th of it in English
        en = corpus.obligation(twin.obligation_id)
        assert en is not None and en.document_id == EN and en.provision_id == twin.provision_id
        back = [t.obligation_id for t in corpus.twins(en.id) if t.language == "fr"]
        assert len(back) == 1 and corpus.obligation(back[0]).provision_id == en.provision_id


@pytest.mark.slow
def test_reader_and_api_offer_the_obligation_in_the_other_language(csddd_dir):
    from bs4 import BeautifulSoup

    from search_app import create_app

    corpus = Corpus.at(csddd_dir)
    ob = next(o for o in corpus.obligations(FR) if o.provision_id == "art_5.par_1")
    twin = next(t for t in corpus.twins(ob.id) if t.language == "en")
    client = create_app({"DATA_DIR": str(csddd_dir), "SEARCH_BACKEND": "no-such-engine", "TESTING": True}).test_client()
    page = BeautifulSoup(client.get(f"/documents/{FR}").data, "html.parser")
    links = [a for a in page.select("span.twins a.twin") if a.get("hreflang") == "en"]
    assert links, "the reader offers 'this obligation in: English'"
    assert any(a["href"].startswith(f"/documents/{EN}?highlight=") and a["href"].endswith("#art_5.par_1")
               for a in links)
    api = client.get(f"/api/obligations/{ob.id}").json
    [en] = [t for t in api["language_versions"] if t["language"] == "en"]
    assert en["document_id"] == EN and en["provision_id"] == "art_5.par_1" and en["url"].startswith(f"/documents/{EN}")
    assert en["obligation_id"] == twin.obligation_id
    prov = client.get(f"/api/provisions/{FR}/art_5.par_1").json
    assert {"language": "en", "document_id": EN, "provision_id": "art_5.par_1"}.items() <= next(
        t for t in prov["language_versions"] if t["language"] == "en").items()
    nl = client.get(f"/documents/{FR}?lang=nl")
    assert "Deze verplichting in:" in nl.get_data(as_text=True)
