"""What a question asks for, by its cue words (config/search.yaml matching.intents), on both engines: a
question about who is exempt puts the exemptions first."""
from __future__ import annotations

from indexer.search.base import SearchRequest
from indexer.search.engine import intents_of

EXEMPTION = "wzk-stb-2019-401-nl.art_5.par_2.ob25"  # "Deze verplichting geldt niet voor bedrijven die … afnemen."


def test_cue_words_name_the_intent():
    assert intents_of("which companies are exempt from battery due diligence") == ("exemption",)
    assert intents_of("welke bedrijven zijn vrijgesteld") == ("exemption",)
    assert intents_of("when does the directive apply") == ("when",)
    assert intents_of("due diligence statement") == ()


def _rank(backend, query: str) -> int:
    hits = backend.search(SearchRequest(query=query, kind="obligation", size=50, highlight=False)).hits
    return [h.id for h in hits].index(EXEMPTION)


def test_a_question_about_exemptions_puts_them_first(backend):
    assert _rank(backend, "goederen") > 0  # without the question the exemption is one duty among many
    assert _rank(backend, "welke goederen zijn vrijgesteld") == 0
