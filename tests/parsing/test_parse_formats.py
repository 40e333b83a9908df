"""Plain-text, JSON, markdown, BWB XML, web-page and PDF parsers, and what they do with bad input."""
from __future__ import annotations

from pathlib import Path

import pytest
from parsing_mirror import MIRROR, raw_for, raw_from_bytes, source

from indexer.parsing import ParseError, parse_resource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parsing"
needs_mirror = pytest.mark.skipif(not (MIRROR / "MANIFEST.tsv").is_file(), reason="!!! ../shared/mirror missing !!!")
NL = "eur-lex.europa.eu/legal-content/NL/TXT/"


def parse(path: str, parser: str, **kw):
    return parse_resource(raw_for(path), source(parser, **kw))


# ---------------------------------------------------------------- Dutch OJ plain text


@needs_mirror
@pytest.mark.parametrize("name,celex,articles,recitals", [
    ("L_2022322.32022L2464.text.json", "32022L2464", 8, 84),     # CSRD: Art. 8 'Adressaten' is the last
    ("L_2014330.32014L0095.text.json", "32014L0095", 6, 23),     # NFRD
    ("L_202401306.32024L1306.text.json", "32024L1306", 3, 7),
    ("L_202403084.32024R3084.text.json", "32024R3084", 19, 24),
])
def test_dutch_text_json_recovers_articles_and_recitals(name, celex, articles, recitals):
    (d,) = parse(NL + name, "eurlex_text_json", language="nl")
    assert d.identifiers.celex == celex and d.language == "nl" and d.id == f"celex-{celex}-nl"
    assert [a.number for a in d.articles()] == [str(i) for i in range(1, articles + 1)]
    assert len([p for p in d.provisions if p.kind == "recital"]) == recitals


@needs_mirror
def test_dutch_text_json_paragraphs_points_and_dates():
    (d,) = parse(NL + "L_2022322.32022L2464.text.json", "eurlex_text_json", language="nl")
    assert d.provision("art_7").heading == "Inwerkingtreding en toepassing"
    assert [p.id for p in d.provisions if p.parent_id == "art_5"] == [f"art_5.par_{i}" for i in range(1, 5)]
    assert d.provision("art_5.par_2.pt_c").citation == "Artikel 5, lid 2, punt c"
    assert [p.number for p in d.provisions if p.parent_id == "art_5.par_2.pt_c"] == ["i", "ii", "iii"]
    assert d.provision("art_5.par_2.pt_a.pt_ii").citation == "Artikel 5, lid 2, punt a, onder ii"
    assert str(d.dates.adopted) == "2022-12-14" and str(d.dates.published) == "2022-12-16"
    assert str(d.dates.entry_into_force) == "2023-01-05" and str(d.dates.transposition_deadline) == "2024-07-06"
    assert any(str(a.date) == "2024-01-01" and a.provision_id == "art_7" for a in d.dates.application)


@needs_mirror
def test_dutch_corrigendum_text_is_kept_and_grouped_with_its_act():
    (d,) = parse(NL + "L_2023084.corrigendum-32017R0821.text.json", "eurlex_text_json", language="nl")
    assert d.instrument_type == "corrigendum" and d.act_id == "eu-2017-821-R"
    assert d.provisions and "Rectificatie" in d.title


# ---------------------------------------------------------------- derived JSON, markdown, text


@needs_mirror
def test_derived_csrd_json():
    (d,) = parse("eur-lex.europa.eu/legal-content/EN/TXT/CELEX_32022L2464.derived-articles-recitals.json",
                 "derived_json", instrument_type="directive")
    assert d.id == "celex-32022L2464-en" and d.short_title == "CSRD"
    assert [a.heading for a in d.articles()][-1] == "Addressees" and len(d.articles()) == 8
    assert len([p for p in d.provisions if p.kind == "recital"]) == 85
    assert [p.number for p in d.provisions if p.parent_id == "art_5"] == ["1", "2", "3", "4"]
    assert d.provision("art_5.par_2.pt_a").citation == "Article 5(2), point (a)"
    assert d.warnings  # says it is a third-party extraction


@needs_mirror
def test_dutch_decree_markdown_has_national_citations():
    (d,) = parse("wetten.overheid.nl/BWBR0035293.md", "markdown_law", language="nl", jurisdiction="NL",
                 instrument_type="decree")
    assert d.id == "bwb-BWBR0035293-nl" and d.identifiers.bwb == "BWBR0035293" and d.jurisdiction == "NL"
    assert len(d.articles()) == 12
    assert d.provision("art_1.pt_b").citation == "Artikel 1, onderdeel b"
    assert d.provision("art_2.par_2").citation == "Artikel 2, tweede lid"
    assert d.provision("art_2.par_2.pt_a").citation == "Artikel 2, tweede lid, onderdeel a"
    assert len([p for p in d.provisions if p.parent_id == "art_3"]) == 7


@needs_mirror
@pytest.mark.parametrize("bwb,articles", [("BWBV0001522", 16), ("BWBV0006218", 33), ("BWBV0003701", 18),
                                          ("BWBV0004945", 10)])
def test_bilingual_treaty_record_becomes_one_document_per_language(bwb, articles):
    docs = parse(f"wetten.overheid.nl/{bwb}.md", "markdown_law", language="nl", jurisdiction="international",
                 instrument_type="treaty")
    assert sorted(d.language for d in docs) == ["en", "nl"]
    for d in docs:
        assert d.id == f"bwb-{bwb}-{d.language}" and d.version_id == f"bwb-{bwb}"
        assert [a.number for a in d.articles()] == [str(i) for i in range(1, articles + 1)]
    en = next(d for d in docs if d.language == "en")
    assert en.provision("art_1").citation == "Article 1"


@needs_mirror
def test_esrs_markdown_is_structured():
    (d,) = parse("eur-lex.europa.eu/eli/reg_del/2023/2772/oj/eng.derived.md", "markdown_law",
                 instrument_type="delegated_regulation")
    assert d.identifiers.celex == "32023R2772" and d.short_title == "ESRS"
    assert d.title.startswith("COMMISSION DELEGATED REGULATION (EU) 2023/2772")
    assert len(d.articles()) == 2
    # the twelve standards are parts of Annex I, cited by their own names, with numbered paragraphs and ARs
    assert d.provision("anx_I.prt_ESRS1").heading == "General requirements" and len(d.provisions) > 2500
    assert sum(1 for p in d.provisions if p.citation.startswith("ESRS E1, AR ")) > 50


@needs_mirror
def test_rijksoverheid_news_text():
    (d,) = parse("www.rijksoverheid.nl/actueel/nieuws/2020/10/16/kabinet-vernieuwt-imvo-beleid.txt", "text",
                 language="nl", jurisdiction="NL", instrument_type="news", status="published")
    assert d.title == "Kabinet vernieuwt IMVO-beleid" and str(d.dates.published) == "2020-10-01"
    assert d.id == "rijksoverheid-actueel-nieuws-2020-10-16-kabinet-vernieuwt-imvo-beleid-nl"
    assert len([p for p in d.provisions if p.kind == "text"]) >= 5


# ---------------------------------------------------------------- fixtures in the sites' markup


def fixture_raw(name: str, url: str, ctype: str, charset=None):
    return raw_from_bytes(url, (FIXTURES / name).read_bytes(), ctype, charset)


def test_wetten_xml_fixture_dutch_citations():
    raw = fixture_raw("wzk_toestand.xml", "https://wetten.overheid.nl/BWBR0037605", "application/xml")
    (d,) = parse_resource(raw, source("wetten_xml", language="nl", jurisdiction="NL", instrument_type="national_act"))
    assert d.id == "bwb-BWBR0037605-nl" and d.identifiers.bwb == "BWBR0037605"
    assert d.title == "Wet zorgplicht kinderarbeid" and d.short_title == "WZK" and d.act_id == "nl-wzk"
    assert [a.number for a in d.articles()] == ["1", "2", "5"]
    assert d.provision("art_5.par_1.pt_a").citation == "Artikel 5, eerste lid, onderdeel a"
    assert d.provision("art_5.par_2").citation == "Artikel 5, tweede lid"
    assert d.provision("art_1.pt_b").text.startswith("kinderarbeid:")
    assert str(d.dates.adopted) == "2019-10-24" and str(d.dates.version_date) == "2022-01-01"


def test_dutch_oj_xhtml_uses_dutch_eu_citations():
    raw = fixture_raw("oj_nl_excerpt.xhtml", "https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:32024L1760",
                      "application/xhtml+xml")
    (d,) = parse_resource(raw, source("eurlex", language="nl"))
    assert d.id == "celex-32024L1760-nl" and d.language == "nl" and d.act_id == "eu-2024-1760-L"
    assert d.provision("art_8.par_2.pt_a").citation == "Artikel 8, lid 2, punt a"
    assert d.provision("rct_1").citation == "Overweging 1"
    assert str(d.dates.adopted) == "2024-06-13" and str(d.dates.entry_into_force) == "2024-07-25"
    assert str(d.dates.transposition_deadline) == "2026-07-26"
    assert d.identifiers.oj == "OJ L, 2024/1760, 5.7.2024"


def test_covenant_page_sections_and_sector_from_source():
    raw = fixture_raw("ser_covenant.html", "https://www.imvoconvenanten.nl/nl/kleding-textiel/convenant",
                      "text/html", "utf-8")
    (d,) = parse_resource(raw, source("covenant", language="nl", jurisdiction="NL", instrument_type="covenant",
                                      status="voluntary", sectors=["13", "14"]))
    assert d.title == "Convenant Duurzame Kleding en Textiel" and d.sectors == ["13", "14"]
    assert d.id == "imvoconvenanten-nl-kleding-textiel-convenant-nl"
    assert [p.heading for p in d.provisions if p.kind == "section"][1:] == ["Doelstellingen", "Thema's"]
    texts = " ".join(p.text for p in d.provisions)
    assert "productielocaties" in texts and "Bezuidenhoutseweg" not in texts and "IMVO-convenanten" not in texts
    assert str(d.dates.published) == "2016-07-04"


def test_policy_page_with_wrong_declared_charset():
    raw = fixture_raw("rijksoverheid_policy.html", "https://www.rijksoverheid.nl/onderwerpen/imvo/wet", "text/html",
                      "iso-8859-1")
    (d,) = parse_resource(raw, source("policy_page", language="nl", jurisdiction="NL", instrument_type="policy_note"))
    assert "risico’s" in " ".join(p.text for p in d.provisions)  # not 'risicoâ€™s'
    assert any("UTF-8" in w for w in d.warnings)
    assert [p.heading for p in d.provisions if p.kind == "section"][1:] == [
        "Europese regels: CSDDD", "Wat betekent dit voor Nederlandse bedrijven?"]


def test_latin1_bytes_declared_utf8_still_decode():
    body = "<html><body><main><h1>Caf\u00e9 r\u00e8gles</h1><p>Cr\u00e9dit \u00e0 l'export.</p></main></body></html>"
    raw = raw_from_bytes("https://example.org/p", body.encode("cp1252"), "text/html", "utf-8")
    (d,) = parse_resource(raw, source("policy_page", language="fr"))
    assert d.title == "Café règles" and "Crédit" in d.provisions[-1].text


# ---------------------------------------------------------------- PDF


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF with one Helvetica text line per entry (written by hand, no library)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = "BT /F1 11 Tf 14 TL 72 760 Td " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
        objs.append(f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objs)} 0 R "
                    f"/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objs)} 0 R")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = "%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out.encode("latin-1")))
        out += f"{i} 0 obj\n{obj}\nendobj\n"
    xref = len(out.encode("latin-1"))
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


PDF = make_pdf([["GUIDANCE ON DUE DILIGENCE", "1. Scope", "Companies should identify risks."],
                ["Article 5 Reporting", "Companies shall report once a year."]])


def test_pdf_headings_and_page_numbers():
    (d,) = parse_resource(raw_from_bytes("https://example.org/guide.pdf", PDF, "application/pdf"),
                          source("pdf", instrument_type="guidance"))
    assert [(p.kind, p.heading, p.page) for p in d.provisions if p.kind in ("section", "article")] == [
        ("section", "GUIDANCE ON DUE DILIGENCE", 1), ("section", "Scope", 1), ("article", "Reporting", 2)]
    assert d.provision("art_5").citation == "Article 5"
    assert any(p.page == 2 and "once a year" in p.text for p in d.provisions)


@pytest.mark.parametrize("body,message", [
    (PDF[: len(PDF) // 2], "truncated"),
    (b"%PDF-1.4\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "corrupt"),
])
def test_bad_pdf_raises_parse_error(body, message):
    with pytest.raises(ParseError, match=message):
        parse_resource(raw_from_bytes("https://example.org/bad.pdf", body, "application/pdf"), source("pdf"))


# ---------------------------------------------------------------- bad input never crashes


@pytest.mark.parametrize("parser,body,ctype", [
    ("eurlex", b"", "text/html"),
    ("eurlex", b"<html><body>   </body></html>", "text/html"),
    ("eurlex_text_json", b'{"url": "x", "content": ', "application/json"),
    ("derived_json", b'{"id": "x"}', "application/json"),
    ("formex", b"PK\x03\x04truncated zip", "application/zip"),
    ("formex", b"<CONS.ACT><INFO.CONSLEG", "application/xml"),
    ("wetten_xml", b"<toestand><wetgeving>", "application/xml"),
    ("policy_page", b"\x00\x01\x02\x03", "text/html"),
    ("markdown_law", b"   \n  ", "text/markdown"),
    ("no_such_parser", b"<p>x</p>", "text/html"),
])
def test_unparseable_input_raises_parse_error(parser, body, ctype):
    with pytest.raises(ParseError):
        parse_resource(raw_from_bytes("https://example.org/x", body, ctype), source(parser))


@needs_mirror
def test_truncated_eurlex_page_gives_partial_document():
    body = (MIRROR / "eur-lex.europa.eu/legal-content/EN/TXT/CELEX_32024L1760.xhtml").read_bytes()
    cut = body[: len(body) // 2]
    (d,) = parse_resource(raw_from_bytes("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024L1760",
                                         cut, "application/xhtml+xml"), source("eurlex"))
    assert 0 < len(d.articles()) < 39 and len([p for p in d.provisions if p.kind == "recital"]) == 99
    assert any("truncated" in w for w in d.warnings)


def test_malformed_html_without_act_markup_is_kept_with_a_warning():
    body = b"<html><body><div><p>Some text <b>unclosed <p>more text</div></body>"
    (d,) = parse_resource(raw_from_bytes("https://eur-lex.europa.eu/x", body, "text/html"), source("eurlex"))
    assert d.warnings and "more text" in d.provisions[0].text


# ---------------------------------------------------------------- fuzz: never an unhandled exception

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PARSERS = ["eurlex", "formex", "eurlex_text_json", "derived_json", "markdown_law", "wetten_xml", "policy_page",
           "covenant", "text", "pdf"]
PREFIXES = [b"", b"<html><body>", b'{"content": "', b"<toestand>", b"%PDF-1.4\n", b"PK\x03\x04", b"### Artikel 1\n",
            b'<?xml version="1.0"?><CONS.ACT>']


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parser=st.sampled_from(PARSERS), prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=400),
       charset=st.sampled_from([None, "utf-8", "iso-8859-1", "bogus-charset"]))
def test_any_bytes_give_documents_or_parse_error(parser, prefix, body, charset):
    raw = raw_from_bytes("https://example.org/fuzz", prefix + body, "text/html", charset)
    try:
        docs = parse_resource(raw, source(parser))
    except ParseError as exc:
        assert str(exc)
    else:
        assert all(d.id and d.title is not None for d in docs)


@needs_mirror
@pytest.mark.parametrize("fraction", [0.02, 0.3, 0.7, 0.97])
@pytest.mark.parametrize("path,parser", [
    ("eur-lex.europa.eu/legal-content/FR/TXT/CELEX_02024L1760-20260318.html", "eurlex"),
    (NL + "L_2022322.32022L2464.text.json", "eurlex_text_json"),
    ("wetten.overheid.nl/BWBV0001522.md", "markdown_law"),
])
def test_truncated_real_documents_never_crash(path, parser, fraction):
    full = raw_for(path)
    raw = raw_from_bytes(full.url, full.body[: int(len(full.body) * fraction)], full.content_type)
    try:
        docs = parse_resource(raw, source(parser, language="nl" if "NL/" in path else "en"))
    except ParseError as exc:
        assert full.url in str(exc) or str(exc)
    else:
        assert docs and all(d.provisions for d in docs)


@needs_mirror
def test_truncated_formex_zip_raises_parse_error():
    from parsing_mirror import cellar_zip
    full = cellar_zip("https://publications.europa.eu/resource/cellar/ac29368d-35ff-11f0-8a44-01aa75ed71a1.0007.01/zip")
    raw = raw_from_bytes(full.url, full.body[: len(full.body) // 2], "application/zip")
    with pytest.raises(ParseError, match="zip"):
        parse_resource(raw, source("formex"))
