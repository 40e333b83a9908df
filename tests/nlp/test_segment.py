"""Legal sentence segmentation: abbreviations, points and paragraph numbers."""
from indexer.nlp.pipeline import build_pipeline
from indexer.nlp.segment import segment_text


def _sents(text: str, lang: str = "en") -> list[str]:
    return [text[s:e] for s, e in segment_text(text, lang)]


def test_points_stay_with_their_introductory_wording():
    text = ("1. Member States shall ensure that companies: (a) identify adverse impacts; (b) prevent them; and "
            "(c) report on them. 2. The Commission may adopt guidelines.")
    sents = _sents(text)
    assert len(sents) == 2
    assert sents[0].startswith("1. Member States") and sents[0].endswith("report on them.")
    assert sents[1].startswith("2. The Commission")


def test_english_abbreviations_do_not_split():
    text = ("As set out in Art. 5, i.e. the rule of No. 3 and e.g. point (b), operators shall act. "
            "OJ L 330, 15.11.2014, p. 1. Next sentence here.")
    assert _sents(text) == ["As set out in Art. 5, i.e. the rule of No. 3 and e.g. point (b), operators shall act.",
                            "OJ L 330, 15.11.2014, p. 1.", "Next sentence here."]


def test_dutch_abbreviations_do_not_split_but_sentence_ends_do():
    text = ("De onderneming vermeldt o.a. risico's, bijv. kinderarbeid (art. 3, tweede lid). "
            "Het NCP stelt een verslag op. Daarna volgt meer.")
    assert _sents(text, "nl") == ["De onderneming vermeldt o.a. risico's, bijv. kinderarbeid (art. 3, tweede lid).",
                                  "Het NCP stelt een verslag op.", "Daarna volgt meer."]


def test_blank_lines_are_hard_breaks():
    assert len(_sents("Heading without stop\n\nMember States shall act.")) == 2


def test_component_sets_the_same_boundaries_on_the_doc():
    nlp = build_pipeline("en")
    doc = nlp("Companies shall act under Art. 5 of that Directive. They may also report.")
    assert [s.text for s in doc.sents] == [
        "Companies shall act under Art. 5 of that Directive.",
        "They may also report.",
    ]
    assert "regkb_legal_sentences" in nlp.pipe_names and "parser" not in nlp.pipe_names
