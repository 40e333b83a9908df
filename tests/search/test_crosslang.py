"""Cross-language query expansion (indexer/search/crosslang.py): the glossary, translations learned from the
corpus's own aligned language versions, and the expansion rules.

WHY: Dutch users type Dutch while most EU acts exist only in English and French; an English query must also
find the Dutch-only texts. The learned pairs checked here were verified in the aligned texts of the crawled
mirror (CSRD en/nl, ILO conventions en/nl, EUDR information-system regulation en/fr/nl, CSDDD en/fr ...).
"""
from __future__ import annotations

import json
import time
from datetime import date

import pytest
from analysis.mirror_corpus import crawled_mirror

from indexer.search.crosslang import (
    LANGUAGES,
    Expansion,
    Glossary,
    Translations,
    expand,
    expand_query_words,
    fold,
    learn_from_data_dir,
    learn_translations,
    load_glossary,
    term_key,
    words_of,
)
from regkb.records import Dates, Document, Provision

# --------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary()


@pytest.fixture(scope="module")
def real() -> Translations:
    """Translations learned from the mirror, crawled by the real `regkb crawl` (shared with other tests)."""
    return learn_from_data_dir(crawled_mirror())


def _doc(doc_id: str, lang: str, texts: list[str], *, act: str = "eu-2099-1-L", version: str | None = None,
         version_date: date | None = None, headings: list[str | None] | None = None) -> Document:
    provisions = [Provision(id=f"art_{i + 1}", kind="article", number=str(i + 1), text=t, citation=f"Article {i + 1}",
                            heading=(headings[i] if headings else None))
                  for i, t in enumerate(texts)]
    return Document(id=doc_id, act_id=act, version_id=version or doc_id.rsplit("-", 1)[0], source_id="test",
                    title=f"Test act {doc_id}", instrument_type="directive", jurisdiction="EU", language=lang,
                    status="adopted", source_url=f"https://example.test/{doc_id}", provisions=provisions,
                    dates=Dates(version_date=version_date))


EN = [
    "The employees of the undertaking shall be informed about the plan.",
    "Member States shall ensure that employees can consult the register.",
    "The undertaking shall publish the register on its website.",
    "Employees and their representatives shall have access to the register.",
    "The plan shall describe the risks for employees.",
    "The website shall contain the plan.",
    "Competent authorities shall check the register every year.",
    "Competent authorities may ask the undertaking for the plan.",
]
NL = [
    "De werknemers van de onderneming worden geïnformeerd over het plan.",
    "De lidstaten zorgen ervoor dat werknemers het register kunnen raadplegen.",
    "De onderneming maakt het register bekend op haar website.",
    "Werknemers en hun vertegenwoordigers hebben toegang tot het register.",
    "Het plan beschrijft de risico's voor werknemers.",
    "De website bevat het plan.",
    "Bevoegde autoriteiten controleren het register elk jaar.",
    "Bevoegde autoriteiten kunnen de onderneming om het plan vragen.",
]


@pytest.fixture(scope="module")
def small() -> Translations:
    """A hand-made aligned pair (same version_id, same provision ids) and an unaligned Dutch document."""
    docs = [_doc("celex-32099L0001-en", "en", EN), _doc("celex-32099L0001-nl", "nl", NL),
            _doc("bwb-BWBR9999999-nl", "nl", ["De werknemers van de onderneming hebben recht op informatie."],
                 act="nl-test")]
    return learn_translations(docs)


# --------------------------------------------------------------------------------------------------------
# The glossary


def test_glossary_file_is_a_small_trilingual_list_of_concepts(glossary):
    ids = [c.id for c in glossary.concepts]
    assert 60 <= len(ids) <= 500  # core terms plus the defined terms of each act
    assert len(ids) == len(set(ids))
    for c in glossary.concepts:
        assert set(c.terms) == set(LANGUAGES), f"{c.id} lacks a language"
        assert all(t.strip() for terms in c.terms.values() for t in terms)
    # the corpus's own Dutch and French wording
    assert glossary.concept("due_diligence").terms["nl"][0] == "passende zorgvuldigheid"
    assert "devoir de vigilance" in glossary.concept("due_diligence").terms["fr"]
    assert "duurzaamheidsrapportering" in glossary.concept("sustainability_reporting").terms["nl"]
    assert "chaîne d'activités" in glossary.concept("chain_of_activities").terms["fr"]


def test_glossary_rejects_bad_entries():
    with pytest.raises(ValueError, match="listed twice"):
        Glossary.from_data({"entries": [{"id": "a", "en": ["x"], "nl": ["y"]}, {"id": "a", "en": ["x"], "fr": ["z"]}]})
    with pytest.raises(ValueError, match="at least two languages"):
        Glossary.from_data({"entries": [{"id": "a", "en": ["x"]}]})
    with pytest.raises(ValueError, match="unknown keys"):
        Glossary.from_data({"entries": [{"id": "a", "en": ["x"], "de": ["y"], "nl": ["z"]}]})
    with pytest.raises(ValueError, match="no id"):
        Glossary.from_data({"entries": [{"en": ["x"], "nl": ["y"]}]})


def test_load_glossary_from_a_path(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("entries:\n  - id: fish\n    en: [fish]\n    nl: [vis]\n    fr: [poisson]\n", encoding="utf-8")
    g = load_glossary(p)
    assert expand("vis", None, g) == {"en": ["fish"], "nl": [], "fr": ["poisson"]}


def test_kinderarbeid_is_child_labour_and_travail_des_enfants(glossary):
    out = expand("kinderarbeid", None, glossary)
    assert out["en"][0] == "child labour"
    assert out["fr"] == ["travail des enfants"]
    assert out["nl"] == []  # the only Dutch term is the input itself
    assert expand("Kinderarbeid", None, glossary) == out  # case
    assert expand("travail des enfants", None, glossary)["nl"] == ["kinderarbeid"]
    assert expand("travail des enfants", None, glossary)["fr"] == []


def test_brief_examples_from_dutch(glossary):
    assert expand("passende zorgvuldigheid", None, glossary)["en"] == ["due diligence"]
    assert "devoir de vigilance" in expand("passende zorgvuldigheid", None, glossary)["fr"]
    assert expand("belanghebbenden", None, glossary)["fr"] == ["parties prenantes"]
    assert "stakeholders" in expand("belanghebbenden", None, glossary)["en"]
    assert expand("gedwongen arbeid", None, glossary)["en"][0] == "forced labour"
    assert "travail forcé" in expand("gedwongen arbeid", None, glossary)["fr"]
    assert "plan de transition" in expand("klimaattransitieplan", None, glossary)["fr"]
    assert expand("schadevergoeding", None, glossary)["en"][0] == "compensation"
    assert expand("toezichthoudende autoriteit", None, glossary)["en"][0] == "supervisory authority"


def test_glossary_ignores_diacritics_and_typographic_apostrophes(glossary):
    assert expand("travail force", None, glossary)["en"][0] == "forced labour"
    assert expand("chaîne d’activités", None, glossary)["en"] == ["chain of activities"]
    assert expand("kmo's", None, glossary)["en"][0] == "SMEs"


def test_glossary_matches_whole_words_and_inflections_only(glossary):
    assert expand("kinderarbeidsvrij", None, glossary) == {lang: [] for lang in LANGUAGES}  # not part of a word
    assert expand("stakeholder", None, glossary)["nl"][0] == "belanghebbenden"  # stemmed: singular matches
    # Dutch stems conflate omzet (turnover) and omzetting (transposition): only inflections match
    assert expand("omzet", None, glossary)["en"] == ["turnover"]


def test_longest_glossary_term_wins(glossary):
    assert expand("worst forms of child labour", None, glossary)["nl"] == ["ergste vormen van kinderarbeid"]
    assert expand("due diligence statement", None, glossary)["nl"][0] == "zorgvuldigheidsverklaring"
    # a phrase the term covers in part: the term's alternatives
    assert expand("verbod op kinderarbeid", None, glossary)["en"][0] == "child labour"


def test_a_term_of_two_concepts_gets_both(glossary):
    out = expand("werknemers", None, glossary)
    assert out["en"][:2] == ["employees", "workers"]
    assert {"salariés", "travailleurs"} <= set(out["fr"])


def test_glossary_never_returns_the_input_or_what_the_engine_reads_the_same(glossary):
    for text in ["due diligence", "stakeholders", "subsidiaries", "batteries", "discrimination", "pollution"]:
        out = expand(text, None, glossary)
        flat = [fold(a) for alts in out.values() for a in alts]
        assert fold(text) not in flat, text
    assert expand("pollution", None, glossary)["fr"] == []  # identical French term


def test_multiword_query_gets_spans(glossary):
    words = ["verbod", "op", "passende", "zorgvuldigheid", "kinderarbeid"]
    got = expand_query_words(words, None, glossary)
    assert [(e.start, e.end, e.words, e.source) for e in got] == [
        (2, 4, ("passende", "zorgvuldigheid"), "glossary"),
        (4, 5, ("kinderarbeid",), "glossary"),
    ]
    assert got[0].concepts == ("due_diligence",)
    assert got[0].alternatives["en"] == ("due diligence",)
    # the flat list drops what the engine reads like an earlier alternative (nl "due diligence" = en's)
    assert got[0].all_alternatives() == ["due diligence", "gepaste zorgvuldigheid", "devoir de vigilance",
                                         "diligence raisonnable"]


def test_a_glossary_phrase_must_cover_whole_query_words(glossary):
    # "child labour" inside one query word with punctuation still matches that word
    assert [(e.start, e.end) for e in expand_query_words(["(child", "labour)"], None, glossary)] == [(0, 2)]
    assert expand_query_words(["kinderarbeid-beleid"], None, glossary) == []  # covers only part of the word


def test_max_per_language(glossary):
    out = expand("gedwongen arbeid", None, glossary, max_per_language=1)
    assert all(len(v) <= 1 for v in out.values())
    assert out["en"] == ["forced labour"]


def test_empty_and_punctuation_only_input(glossary, small):
    assert expand("", small, glossary) == {lang: [] for lang in LANGUAGES}
    assert expand_query_words([], small, glossary) == []
    assert expand_query_words(["--", "()"], small, glossary) == []


# --------------------------------------------------------------------------------------------------------
# Learning on hand-made documents


def test_small_pair_learns_words_as_surface_forms(small):
    assert small.aligned_units == {"en-nl": 8}
    assert [c.text for c in small.translate("werknemers", "nl", "en")][:1] == ["employees"]
    assert small.translate("employees", "en", "nl")[0].text == "werknemers"  # a word, not the stem "werknem"
    assert small.translate("register", "en", "nl")[0].text == "register"
    assert small.translate("onderneming", "nl", "en")[0].text == "undertaking"
    assert small.translate("website", "nl", "en") == []  # in 2 aligned pairs only: below the minimum count (3)
    # function words are never learned
    for word, lang in [("the", "en"), ("shall", "en"), ("van", "nl"), ("het", "nl"), ("worden", "nl")]:
        assert small.translate(word, lang, "nl" if lang == "en" else "en") == []


def test_small_pair_frequencies_cover_unaligned_documents(small):
    assert small.provisions == {"en": 8, "nl": 9, "fr": 0}
    assert small.frequency("werknemers", "nl") == 5  # 4 aligned + the unaligned national act
    assert small.frequency("employees", "en") == 4
    assert small.exists("werknemers", "nl") and not small.exists("werknemers", "en")
    assert small.exists("employees", "en") and not small.exists("employees", "nl")


def test_learning_is_deterministic():
    docs = [_doc("celex-32099L0001-en", "en", EN), _doc("celex-32099L0001-nl", "nl", NL)]
    a = learn_translations(docs).model_dump_json()
    b = learn_translations(list(reversed(docs))).model_dump_json()
    assert a == b


def test_versions_align_by_act_and_version_date():
    """Different version ids of one act with the same version date are language versions of each other."""
    d = date(2099, 1, 1)
    docs = [_doc("x-en", "en", EN, version="x", version_date=d), _doc("y-nl", "nl", NL, version="y", version_date=d)]
    assert learn_translations(docs).aligned_units == {"en-nl": 8}
    other = [_doc("x-en", "en", EN, version="x", version_date=d),
             _doc("y-nl", "nl", NL, version="y", version_date=date(2099, 2, 2))]
    assert learn_translations(other).aligned_units == {}


def test_headings_are_aligned_units_of_their_own():
    docs = [_doc("v-en", "en", ["Text one.", "Text two."], headings=["Civil liability", "Penalties"]),
            _doc("v-nl", "nl", ["Tekst een.", "Tekst twee."], headings=["Wettelijke aansprakelijkheid", "Sancties"])]
    assert learn_translations(docs, min_count=1).aligned_units == {"en-nl": 4}


def test_save_and_load_roundtrip(small, tmp_path):
    path = tmp_path / "sub" / "translations.json"
    small.save(path)
    back = Translations.load(path)
    assert back == small
    assert back.translate("werknemers", "nl", "en") == small.translate("werknemers", "nl", "en")
    data = json.loads(path.read_text(encoding="utf-8"))
    for field, value in [("format", 999), ("analysis", "another-analysis")]:
        path.write_text(json.dumps({**data, field: value}), encoding="utf-8")
        with pytest.raises(ValueError, match="learn them again"):
            Translations.load(path)


def test_learned_expansion_of_a_word_without_glossary_entry(small, glossary):
    got = expand_query_words(["website", "werknemers", "register"], small, glossary)
    # "werknemers" is a glossary word; "website" and "register" exist in both languages: nothing to learn
    assert [(e.start, e.source) for e in got] == [(1, "glossary")]
    got = expand_query_words(["raadplegen"], small, glossary, min_score=0.0)
    assert got == [] or all(e.source == "learned" and e.scores for e in got)


# --------------------------------------------------------------------------------------------------------
# The real corpus (the crawled mirror)


def test_real_corpus_aligns_all_language_pairs(real):
    assert real.aligned_units["en-fr"] > 3000  # CSDDD, EUDR, Batteries, SFDR, Taxonomy ... (deduplicated)
    assert real.aligned_units["en-nl"] > 300   # CSRD, SFDR, EUDR-IS, the ILO conventions
    assert real.aligned_units["nl-fr"] > 100   # SFDR, EUDR-IS
    assert real.pair_count() > 2000


@pytest.mark.parametrize("source,target,word,expected", [
    ("nl", "en", "gebruikers", "users"),                   # EUDR-IS en/nl
    ("nl", "en", "verdrag", "convention"),                 # ILO conventions
    ("nl", "en", "richtlijn", "directive"),                # CSRD
    ("nl", "en", "belanghebbenden", "stakeholders"),       # CSRD recitals
    ("nl", "en", "milieu", "environment"),
    ("nl", "en", "kinderarbeid", "child labour"),          # a compound learned as a phrase (ILO C182)
    ("nl", "en", "minimumleeftijd", "minimum age"),        # ILO C138
    ("nl", "en", "informatiesysteem", "information system"),
    ("nl", "en", "mensenrechten", "human rights"),
    ("en", "nl", "users", "gebruikers"),
    ("en", "nl", "stakeholders", "belanghebbenden"),
    ("en", "nl", "convention", "verdrag"),
    ("en", "fr", "subsidiaries", "filiales"),              # CSDDD en/fr
    ("en", "fr", "penalties", "sanctions"),
    ("en", "fr", "request", "demande"),
    ("fr", "en", "filiales", "subsidiaries"),
    ("nl", "fr", "gebruikers", "utilisateurs"),            # the form used there, not "utilisation" (same stem)
])
def test_real_corpus_learns_verified_pairs(real, source, target, word, expected):
    got = [c.text for c in real.translate(word, source, target)]
    assert got and got[0] == expected, got


def test_learned_surface_forms_are_the_words_the_engine_indexes(real, glossary):
    """Every learned translation is surface text whose content words analyse to the stored key(s)."""
    for source, by_target in real.table.items():
        for target, by_key in by_target.items():
            for cands in by_key.values():
                for c in cands:
                    keys = [
                        term_key(fold(w), target) for w in words_of(c.text) if not glossary.is_function_word(w, target)
                    ]
                    assert " ".join(k for k in keys if k) == c.key, (source, target, c)
                    assert 0 < c.score <= 1 and c.count >= 3


def test_real_expansion_dutch_to_english_and_french(real, glossary):
    assert expand("gebruikers", real, glossary) == {"en": ["users"], "nl": [], "fr": ["utilisateurs"]}
    assert expand("kinderarbeid", real, glossary) == {"en": ["child labour", "child labor"], "nl": [],
                                                       "fr": ["travail des enfants"]}
    got = expand_query_words(["passende", "zorgvuldigheid", "gebruikers"], real, glossary)
    assert [(e.start, e.end, e.source) for e in got] == [(0, 2, "glossary"), (2, 3, "learned")]
    assert isinstance(got[1], Expansion) and got[1].scores["en"][0] > 0.9


def test_english_finds_dutch_only_texts(real, glossary):
    assert expand("users", real, glossary)["nl"] == ["gebruikers"]
    assert expand("national contact point", real, glossary)["nl"][0] == "Nationaal Contact Punt"  # NCP decree


def test_a_word_is_not_translated_into_its_own_language(real, glossary):
    for word in ["users", "convention", "request", "directive", "environment"]:
        assert expand(word, real, glossary)["en"] == [], word
        assert real.exists(word, "en")
    for word in ["gebruikers", "verdrag", "richtlijn", "informatiesysteem"]:
        assert expand(word, real, glossary)["nl"] == [], word
        assert real.exists(word, "nl") and not real.exists(word, "en")


def test_due_is_not_translated_from_dutch(real, glossary):
    """'due' occurs in Dutch texts ("due diligence"), but it is an English word: English texts have it."""
    assert real.exists("due", "en")
    out = expand("due", real, glossary)
    assert out["en"] == [] and out["nl"] == []


def test_function_words_are_never_expanded(real, glossary):
    for word in ["the", "of", "shall", "which", "de", "het", "van", "niet", "worden", "les", "des", "dans",
                 "2024", "iii", "a"]:
        assert expand(word, real, glossary) == {lang: [] for lang in LANGUAGES}, word
        assert expand_query_words([word], real, glossary) == [], word


def test_real_expansion_is_deterministic_and_limited(real, glossary):
    words = ["werknemers", "gebruikers", "milieu", "verdrag", "sancties", "stakeholders", "deforestation"]
    first = [expand(w, real, glossary) for w in words]
    assert first == [expand(w, real, glossary) for w in words]
    for out in first:
        assert all(len(v) <= 3 for v in out.values())


def test_learning_the_real_corpus_is_fast_and_deterministic(real):
    root = crawled_mirror()
    t0 = time.process_time()
    again = learn_from_data_dir(root)
    took = time.process_time() - t0
    assert again.model_dump_json() == real.model_dump_json()
    assert took < 20, f"learning took {took:.1f} s of CPU"


def test_real_translations_roundtrip(real, tmp_path):
    path = tmp_path / "translations.json"
    real.save(path)
    assert Translations.load(path) == real


@pytest.mark.parametrize("with_,without", [("right to full compensation", "right full compensation"),
                                            ("verwijderbaar en vervangbaar", "verwijderbaar vervangbaar"),
                                            ("travail des enfants", "travail enfants")])
def test_function_words_inside_a_glossary_term_change_nothing(glossary, with_, without):
    def matched(text):  # (concepts, whether the match covers every word typed)
        words = text.split()
        return [(e.concepts, e.start == 0 and e.end == len(words)) for e in expand_query_words(words, None, glossary)]
    assert matched(with_) == matched(without)
    assert matched(with_) and matched(with_)[0][1]


def test_the_query_language_is_the_one_whose_texts_use_most_of_its_words(real):
    from indexer.search.expansion import query_language
    from indexer.search.query import parse
    assert query_language(parse("mogen lege batterijen gewoon bij het huisvuil"), real) == "nl"
    assert query_language(parse("which companies are exempt from the obligations"), real) == "en"
    assert query_language(parse("quels produits doivent être mis sur le marché"), real) == "fr"
    assert query_language(parse("ESAP 2029"), real) is None   # nothing says which


def test_typed_words_name_the_languages_whose_texts_use_them(real, tmp_path):
    """A word some texts use as written is searched in those languages only; an unknown one in the query's."""
    from indexer.search.expansion import QueryExpander
    from indexer.search.query import parse
    real.save(tmp_path / "translations.json")
    expanded, _ = QueryExpander(tmp_path / "translations.json")(parse("mogen lege batterijen gewoon bij het huisvuil"))
    langs = {t.value: t.langs for t in _texts(expanded) if t.weight == 1.0}
    assert langs["lege"] == ("nl",) and langs["huisvuil"] == ("nl",)    # used by no text: the query's language
    assert langs["gewoon"] == ("nl",)


def _texts(node):
    from indexer.search.query import And, Or, Text
    if isinstance(node, Text):
        return [node]
    if isinstance(node, (And, Or)):
        return [t for c in node.children for t in _texts(c)]
    return []
