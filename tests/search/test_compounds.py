"""Dutch compounds split into their words (indexer/search/compounds.py): in the records' matched text and in
typed queries, so that separate words find a compound and a compound reaches texts that write it apart."""
from __future__ import annotations

from indexer.search.compounds import Decompounder
from indexer.search.expansion import QueryExpander
from indexer.search.query import And, Or, Text

TEXTS = [
    "het beleid inzake diversiteit van de onderneming",
    "diversiteit in het bestuur en beleid voor werknemers",
    "een beleid voor diversiteit en inclusie",
    "de onderneming onder toezicht houdt het register bij",
    "de onderneming publiceert het verslag",
    "de onderneming en haar dochteronderneming",
    "onderhoud van installaties",
    "de controle van de kwaliteit",
    "kwaliteit en controle van de gegevens",
    "een controle op de kwaliteit van het verslag",
] + [f"onderneming nummer {i}" for i in range(5)]


def test_a_compound_splits_into_words_the_texts_use():
    splitter = Decompounder.from_texts(TEXTS)
    assert splitter.split("diversiteitsbeleid") == ("diversiteit", "beleid")  # the linking s dropped
    assert splitter.split("Diversiteitsbeleid") == ("diversiteit", "beleid")
    assert splitter.parts_text("Het diversiteitsbeleid en het beleid") == "diversiteit beleid"


def test_words_stay_whole_when_they_are_no_compound_of_known_words():
    splitter = Decompounder.from_texts(TEXTS)
    assert splitter.split("onderneming") == ()   # "onder" is a prefix (config compounds.not_parts)
    assert splitter.split("onderhoud") == ()
    assert splitter.split("registers") == ()     # too short to be a compound of two words
    assert splitter.split("kapitaaluitgaven") == ()  # its parts do not occur in these texts
    assert splitter.split("diversiteit2024") == ()


def test_a_frequent_word_is_not_cut_into_rarer_parts():
    """Koehn & Knight: a split must beat the whole word's own frequency."""
    parts = [f"bestuur en orgaan {i}" for i in range(4)]
    assert Decompounder.from_texts(parts + [f"het bestuursorgaan {i}" for i in range(20)]).split("bestuursorgaan") == ()
    assert Decompounder.from_texts(parts + ["het bestuursorgaan"]).split("bestuursorgaan") == ("bestuur", "orgaan")


def test_a_typed_dutch_compound_also_searches_its_parts(tmp_path):
    """Without translations (no index yet) nothing is split; with them the compound is OR-ed with its parts."""
    from indexer.search.crosslang import learn_translations

    from .test_crosslang import _doc
    nl = _doc("bwb-BWBR9999998-nl", "nl", TEXTS, act="nl-test")
    translations = learn_translations([nl])
    translations.save(tmp_path / "translations.json")
    expanded, used = QueryExpander(tmp_path / "translations.json")(And((Text("kwaliteitscontrole"),)))
    assert used["kwaliteitscontrole"][0] == "kwaliteit controle"
    assert isinstance(expanded, Or) and Text("kwaliteitscontrole") in expanded.children
    parts = next(c for c in expanded.children if isinstance(c, And))
    assert [c.value for c in parts.children if isinstance(c, Text)] == ["kwaliteit", "controle"]
    unsplit, _ = QueryExpander(tmp_path / "missing.json")(And((Text("kwaliteitscontrole"),)))
    assert unsplit == Text("kwaliteitscontrole")


def test_the_index_splits_record_compounds_as_queries_split_them(tmp_path):
    """`regkb index` learns the translations first and splits the Dutch records' compounds with their Dutch
    frequencies, the ones a typed compound is split with (Decompounder.learned): on the real texts a split
    over the records' own word counts differs for some ("registers" → "regi ters")."""
    from analysis.mirror_corpus import crawled_mirror

    from indexer.search.build import build_index
    from indexer.search.crosslang import Translations
    from indexer.search.embedded import EmbeddedBackend
    from indexer.search.records import LoadReport
    from regkb.settings import DataDir

    (tmp_path / "documents").symlink_to(crawled_mirror() / "documents")
    data_dir = DataDir.at(tmp_path)
    backend = EmbeddedBackend(data_dir.index)
    try:
        built = build_index(backend, data_dir, LoadReport())
        assert built.records > 0 and built.translations
        splitter = Decompounder.learned(Translations.load(data_dir.index / "translations.json"))
        from regkb.corpus import Corpus
        dutch = [(d.id, p) for d in Corpus.at(tmp_path).all() if d.language == "nl" for p in d.provisions if p.text]
        checked = 0
        for doc_id, p in dutch:
            rec = backend.get("provision", f"{doc_id}#{p.id}")
            if rec is None:
                continue
            expected = splitter.parts_text(" ".join(filter(None, [rec.get("heading"), rec.get("text")])))
            assert (rec.get("compound_parts") or "") == expected, (doc_id, p.id)
            checked += 1
        assert checked > 100
    finally:
        backend.close()
