"""What the templates get from records: escaped snippets, marked provision text, short citations."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from search_app.present import marked_text, numbered_text, safe_snippet, short_citation


def test_snippets_keep_only_mark_tags():
    out = str(safe_snippet('a <mark>child</mark> <script>alert(1)</script> &lt;b&gt; & <mark onclick="x">z</mark>'))
    assert out == ("a <mark>child</mark> &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt; &amp; "
                   "&lt;mark onclick=&#34;x&#34;&gt;z")


def test_snippet_marks_are_balanced():
    assert str(safe_snippet("<mark>open")) == "<mark>open</mark>"
    assert str(safe_snippet("close</mark> x")) == "close x"


@given(st.lists(st.sampled_from(list("ab<>&\"'/ ") + ["<mark>", "</mark>", "<MARK>", "<script>", "&lt;", "&amp;"]),
                max_size=30).map("".join))
def test_snippets_never_carry_other_markup(raw):
    out = str(safe_snippet(raw))
    stripped = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert out.count("<mark>") == out.count("</mark>")


def test_marked_text_escapes_every_segment():
    text = "Companies <b>shall</b> act & report."
    out = str(marked_text(text, [(10, 22, "ob-1", "ob ob-obligation")]))
    assert out == ('Companies <mark id="ob-1" class="ob ob-obligation" tabindex="-1">&lt;b&gt;shall&lt;/b&gt;</mark>'
                   ' act &amp; report.')
    # overlapping and out-of-range spans never duplicate or lose text
    assert (
        str(marked_text("abcdef", [(0, 4, "a", "x"), (2, 99, "b", "y")]))
        .replace('<mark id="a" class="x" tabindex="-1">', "")
        .replace('<mark id="b" class="y" tabindex="-1">', "")
        .replace("</mark>", "")
        == "abcdef"
    )


def test_short_citations():
    assert short_citation("Article 8(2), point (a)") == "Art. 8(2)(a)"
    assert short_citation("Article 3(1), first subparagraph, point (b)") == "Art. 3(1)(b)"
    assert short_citation("Artikel 5, onderdeel a") == "artikel 5, onder a"  # Dutch law is cited the Dutch way
    assert (
        short_citation("Article 22(2), second subparagraph") == "Art. 22(2), second subparagraph"
    )  # never drops a level
    assert short_citation("Annex I") == "Annex I"
    assert short_citation("Annex, Part I, Section 1, point (10)") == "Annex, Part I, Section 1, point (10)"


def test_numbered_text():
    assert numbered_text("2. As part of", "2") and numbered_text("(a) map their", "a")
    assert not numbered_text("based on the results", "b") and not numbered_text("", "1")
