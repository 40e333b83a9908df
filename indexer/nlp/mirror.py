"""Minimal readers that turn mirror files straight into `Document`s.

WHY: the gold set and the NLP tests must run on the real texts even when the
crawler/parsers are not available (or change their provision ids). These
readers are deliberately simple (articles, paragraphs, recitals) and are not
a replacement for the real parsers in `indexer/`; the eval resolves gold
labels by content hash, so either source of documents works. Act names and
instrument types come from config/acts.yaml.

They stay (for now) because the gold set's provision ids and offsets are
anchored to them: against the real parsers' reading of the same files
(`regkb eval` on a crawled corpus) 8 English and 43 Dutch gold sentences do
not resolve, so replacing these readers needs the gold set re-anchored first.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from lxml import html as lxml_html

from indexer.parsing.metadata import act_info
from regkb.records import Document, Provision

MIRROR_DEFAULT = Path(__file__).resolve().parents[2] / ".." / "shared" / "mirror"

# The mirror files these readers know (CELEX numbers; names and instrument types come from config/acts.yaml)
EN_OJ = ("32024L1760", "32023R1115", "32023R1542", "32024R3084", "32025R2650", "32026L0470", "32025L0794", "32024R3234",
         "32019R2088", "32020R0852")
NL_JSON = ("L_2022322.32022L2464", "L_2014330.32014L0095", "L_202401306.32024L1306", "L_202403084.32024R3084")


def _act(celex: str) -> tuple[str, str, str]:
    """(short title, name for people, instrument type) of an act, from config/acts.yaml."""
    info = act_info(celex)
    if not info.get("short_title") or not info.get("instrument_type"):
        raise ValueError(f"config/acts.yaml has no short_title/instrument_type for {celex}: add the act there")
    return info["short_title"], info.get("name") or info["short_title"], info["instrument_type"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _doc(doc_id: str, title: str, lang: str, itype: str, url: str, provisions: list[Provision], **kw) -> Document:
    sha = hashlib.sha256("\n".join(p.text for p in provisions).encode()).hexdigest()
    juris = kw.pop("jurisdiction", "EU")
    return Document(
        id=doc_id,
        act_id=kw.pop("act_id", doc_id.rsplit("-", 1)[0]),
        version_id=doc_id.rsplit("-", 1)[0],
        source_id="mirror",
        title=title,
        instrument_type=itype,
        jurisdiction=juris,
        language=lang,
        status=kw.pop("status", "in_force"),
        source_url=url,
        content_sha256=sha,
        provisions=provisions,
        **kw,
    )


def _prov(
    pid: str, kind: str, text: str, citation: str, parent: str | None = None, number: str | None = None
) -> Provision:
    return Provision(id=pid, kind=kind, text=_norm(text), citation=citation, parent_id=parent, number=number)


def read_oj_xhtml(path: Path, short: str, itype: str, title: str | None = None) -> Document:
    """EUR-Lex OJ (CONVEX) XHTML: recitals `rct_N`, articles `art_N`, paragraphs `NNN.NNN`."""
    tree = lxml_html.fromstring(path.read_bytes())
    provs: list[Provision] = []
    for div in tree.xpath('//div[starts-with(@id, "rct_")]'):
        n = div.get("id")[4:]
        cells = div.xpath('.//td')
        text = " ".join(c.text_content() for c in cells[1:]) if len(cells) > 1 else div.text_content()
        provs.append(_prov(f"rct_{n}", "recital", text, f"Recital {n}", number=n))
    for art in tree.xpath('//div[@class="eli-subdivision"][starts-with(@id, "art_")]'):
        aid = art.get("id")
        if not re.fullmatch(r"art_\d+[a-z]*", aid):
            continue
        n = aid[4:]
        heading = _norm(" ".join(art.xpath('.//p[@class="oj-sti-art"]//text()')))
        provs.append(Provision(id=aid, kind="article", number=n, heading=heading or None, citation=f"Article {n}"))
        paras = art.xpath('./div[re:test(@id, "^\\d{3}\\.\\d{3}$")]', namespaces={"re": "http://exslt.org/regular-expressions"})
        if not paras:
            body = [p.text_content() for p in art.xpath('.//p') if p.get("class") not in ("oj-ti-art", "oj-sti-art")]
            provs.append(_prov(f"{aid}.txt", "paragraph", " ".join(body), f"Article {n}", aid))
        for i, para in enumerate(paras, 1):
            text = " ".join(p.text_content() for p in para.xpath('.//p'))
            m = re.match(r"\s*(\d+[a-z]?)\.\s", text.replace("\xa0", " "))
            num = m.group(1) if m else str(i)
            provs.append(_prov(f"{aid}.par_{num}", "paragraph", text, f"Article {n}({num})", aid, num))
    stem = path.stem.split(".")[0]
    celex = stem.split("_", 1)[1]
    return _doc(f"celex-{celex}-en", title or short, "en", itype, f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{celex}",
                provs, short_title=short)


def read_csrd_json(path: Path) -> Document:
    """Third-party CSRD extraction: `recitals` and `articles` lists."""
    data = json.loads(path.read_text(encoding="utf-8"))
    provs = [_prov(f"rct_{r['recital_number']}", "recital", r["text"], f"Recital {r['recital_number']}")
             for r in data.get("recitals", [])]
    for a in data.get("articles", []):
        provs.append(_prov(f"art_{a['number']}", "article", a["text"], f"Article {a['number']}", number=a["number"]))
    celex = data.get("celex_id", "32022L2464")
    return _doc(
        f"celex-{celex}-en",
        data.get("full_name", "CSRD"),
        "en",
        "directive",
        data.get("eur_lex_url", ""),
        provs,
        short_title=data.get("id"),
    )


_NL_ENACT = re.compile(r"HEBBEN DE VOLGENDE \w+ VASTGESTELD:|HEEFT DE VOLGENDE \w+ VASTGESTELD:")


def read_nl_eurlex_text(path: Path, celex: str, short: str, itype: str, title: str | None = None) -> Document:
    """Plain text of a Dutch OJ act: recitals `(N)` before the enacting formula, then `Artikel N` blocks."""
    content = _norm(json.loads(path.read_text(encoding="utf-8"))["content"])
    provs: list[Provision] = []
    m = _NL_ENACT.search(content)
    pre, body = (content[: m.start()], content[m.end():]) if m else (content, "")
    start = pre.find("Overwegende hetgeen volgt:")
    if start >= 0:
        parts = re.split(r"(?:^| )\((\d+)\) ", pre[start:])
        for num, text in zip(parts[1::2], parts[2::2]):
            provs.append(_prov(f"rct_{num}", "recital", text, f"Overweging {num}", number=num))
    parts = re.split(r"(?:^| )Artikel (\d+[a-z]?) (?=[A-Z‘“])", body)
    for num, text in zip(parts[1::2], parts[2::2]):
        pid = f"art_{num}"
        while any(p.id == pid for p in provs):  # quoted articles of an amended act repeat numbers
            pid += "_"
        provs.append(_prov(pid, "article", text, f"Artikel {num}", number=num))
    return _doc(f"celex-{celex}-nl", title or short, "nl", itype, f"https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:{celex}",
                provs, short_title=short)


def read_wetten_md(path: Path) -> list[Document]:
    """wetten.overheid.nl markdown: `### Artikel N` / `### Article N` blocks; treaties hold EN and NL texts."""
    text = path.read_text(encoding="utf-8")
    bwb = path.stem
    heading = re.search(r"^##([^#].*)$", text, re.M)
    if heading is None:
        raise ValueError(f"{path}: no '## title' line; not a wetten.overheid.nl markdown page")
    title = _norm(heading.group(1))
    by_lang: dict[str, list[Provision]] = {"en": [], "nl": []}
    blocks = re.split(r"^#{3,4}\s*(Artikel|Article|ARTICLE|ARTIKEL)\s+([0-9IVXLa-z]+)\s*$", text, flags=re.M)
    for word, num, body in zip(blocks[1::3], blocks[2::3], blocks[3::3]):
        lang = "nl" if word.lower() == "artikel" else "en"
        body = re.split(r"^#{2,4}", body, flags=re.M)[0]
        pid = f"art_{num}"
        while any(p.id == pid for p in by_lang[lang]):
            pid += "_"
        by_lang[lang].append(Provision(id=pid, kind="article", number=num, citation=f"{word.capitalize()} {num}"))
        paras = [_norm(re.sub(r"[*_]", "", p)) for p in re.split(r"\n\s*\n|\n(?=\d+\.\s)", body)]
        for i, para in enumerate(p for p in paras if p):
            pm = re.match(r"(\d+)\.\s", para)
            cite = (
                f"Artikel {num}, lid {pm.group(1)}"
                if pm and lang == "nl"
                else (f"Article {num}({pm.group(1)})" if pm else f"{word.capitalize()} {num}")
            )
            by_lang[lang].append(_prov(f"{pid}.p_{i + 1}", "paragraph", para, cite, pid))
    itype = "treaty" if bwb.startswith("BWBV") else "decree"
    juris = "international" if itype == "treaty" else "NL"
    return [
        _doc(
            f"bwb-{bwb}-{lang}",
            title,
            lang,
            itype,
            f"https://wetten.overheid.nl/{bwb}",
            provs,
            jurisdiction=juris,
            act_id=f"bwb-{bwb}",
        )
        for lang, provs in by_lang.items()
        if len(provs) > 1
    ]


def read_news_txt(path: Path) -> Document:
    """Rijksoverheid news body: one provision per paragraph (descriptive text, no normative force)."""
    lines = path.read_text(encoding="utf-8").split("\n\n")
    provs = [_prov(f"p_{i + 1}", "text", p, f"Alinea {i + 1}") for i, p in enumerate(lines) if _norm(p)]
    slug = "-".join(path.with_suffix("").parts[-4:])
    return _doc(f"rijksoverheid-{slug}-nl", _norm(lines[0]), "nl", "news", "https://www.rijksoverheid.nl/actueel/nieuws/"
                + "/".join(path.with_suffix("").parts[-4:]), provs, jurisdiction="NL", status="published")


def read_mirror(mirror: Path = MIRROR_DEFAULT) -> Iterator[Document]:
    """Every document these readers understand, in a stable order."""
    en = mirror / "eur-lex.europa.eu/legal-content/EN/TXT"
    for celex in EN_OJ:
        if (en / f"CELEX_{celex}.xhtml").exists():
            short, name, itype = _act(celex)
            yield read_oj_xhtml(en / f"CELEX_{celex}.xhtml", short, itype, name)
    if (en / "CELEX_32022L2464.derived-articles-recitals.json").exists():
        yield read_csrd_json(en / "CELEX_32022L2464.derived-articles-recitals.json")
    nl = mirror / "eur-lex.europa.eu/legal-content/NL/TXT"
    for stem in NL_JSON:
        if (nl / f"{stem}.text.json").exists():
            celex = stem.rsplit(".", 1)[1]
            short, name, itype = _act(celex)
            yield read_nl_eurlex_text(nl / f"{stem}.text.json", celex, short, itype, name)
    for md in sorted((mirror / "wetten.overheid.nl").glob("*.md")):
        yield from read_wetten_md(md)
    for txt in sorted((mirror / "www.rijksoverheid.nl").rglob("*.txt")):
        yield read_news_txt(txt)


def write_mirror_documents(data_dir, mirror: Path = MIRROR_DEFAULT) -> list[Document]:
    """Write the readers' documents into `DataDir.documents` (for tests and for working without the crawler)."""
    from regkb.settings import DataDir
    from regkb.storage import write_json_atomic

    docs = list(read_mirror(mirror))
    dd = DataDir.at(data_dir)
    for d in docs:
        write_json_atomic(dd.documents / f"{d.id}.json", d.model_dump(mode="json"))
    return docs
