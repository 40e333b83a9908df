"""Re-anchoring gold lines after a parser change (indexer/nlp/reanchor.py), on a real crawled document."""
import json
from pathlib import Path

from indexer.nlp.evaluate import FlatDoc, anchored_span
from indexer.nlp.reanchor import Anchors, reanchor
from regkb.records import Provision

GOLD = Path(__file__).resolve().parents[1] / "gold"
ANCHOR = ("document_id", "provision_id", "start", "sha1", "length")  # `end`: at the last letter or digit


def _older_reading(doc, heading: str):
    """The same document as an older parser might have read it: other provision ids, a heading glued to the text."""
    provisions = [p.model_copy(update={"id": f"old_{p.id}", "text": heading + p.text}) for p in doc.provisions]
    return doc.model_copy(update={"provisions": provisions})


def test_a_line_moves_to_the_new_ids_and_offsets_and_its_labels_stay(mirror_docs):
    line = next(json.loads(x) for x in (GOLD / "en.jsonl").read_text().splitlines()
                if json.loads(x)["modality"] and "end_provision_id" not in json.loads(x))
    doc = mirror_docs[line["document_id"]]
    heading = "Obligations of operators "
    old_line = {**line, "provision_id": f"old_{line['provision_id']}",
                "start": line["start"] + len(heading), "end": line["end"] + len(heading)}
    old = Anchors({doc.id: _older_reading(doc, heading)})
    assert old.sentence(old_line)  # the line holds in the older reading ...
    new = Anchors(dict(mirror_docs))
    assert new.sentence(old_line) is None  # ... not in the new one
    (moved,), lost = reanchor([old_line], old, new)
    assert not lost and {k: moved[k] for k in ANCHOR} == {k: line[k] for k in ANCHOR}
    text = doc.provision(line["provision_id"]).text
    assert text[line["start"]:line["end"]].startswith(text[moved["start"]:moved["end"]])
    assert {k: v for k, v in moved.items() if k not in ANCHOR + ("end", "prefix", "suffix")} == \
        {k: v for k, v in line.items() if k not in ANCHOR + ("end", "prefix", "suffix")}
    assert anchored_span(moved, doc, FlatDoc.build(doc))


def test_a_line_whose_text_is_gone_is_named_and_left_as_it_is(mirror_docs):
    doc = next(iter(mirror_docs.values()))
    gone = Provision(id="old_fn_1", kind="paragraph", text="(1) OJ L 123, 12.5.2016, p. 1, a footnote.",
                     citation="footnote 1")
    old_doc = doc.model_copy(update={"provisions": [gone]})
    old = Anchors({doc.id: old_doc})
    flat = FlatDoc.build(old_doc)
    line = {"id": "x1", "modality": None, "language": doc.language, **old.anchor(old_doc, 0, len(flat.norm))}
    assert old.sentence(line)
    out, lost = reanchor([line], old, Anchors(dict(mirror_docs)))
    assert lost == ["x1"] and out == [line]
