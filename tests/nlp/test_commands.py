"""The subcommands on real code paths: analyze (stdin), extract (incremental, bad input), eval output."""
import json
import subprocess
import sys
from pathlib import Path

from regkb.cli import main

from .conftest import write_documents

REPO = Path(__file__).resolve().parents[2]
REQUIRED = {"text", "start", "end", "modality", "addressee", "addressee_text", "duty_bearer", "action", "conditions",
            "deadlines", "thresholds", "references", "entities", "sectors", "topics"}


def _regkb(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "regkb.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_analyze_prints_one_json_object_per_obligation():
    text = ("Recital text without force.\n\nMember States shall transpose this Directive by 26 July 2026. "
            "Companies may report.")
    out = _regkb("analyze", "--lang", "en", stdin=text)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["modality"] for r in rows] == ["obligation", "permission"]
    assert all(REQUIRED <= set(r) for r in rows)
    assert text[rows[0]["start"]:rows[0]["end"]] == "Member States shall transpose this Directive by 26 July 2026."
    assert rows[0]["deadlines"][0]["date"] == "2026-07-26"


def test_analyze_dutch_and_empty_input():
    out = _regkb("analyze", "--lang", "nl", stdin="De minister draagt zorg voor de bekendmaking.")
    assert json.loads(out.stdout)["addressee"] == "government"
    empty = _regkb("analyze", "--lang", "nl", stdin="")
    assert empty.returncode == 0 and empty.stdout == ""


def test_extract_writes_records_skips_unchanged_and_survives_bad_documents(tmp_path, mirror_docs):
    keep = {"bwb-BWBR0035293-nl", "celex-32024R3234-en"}
    write_documents({k: mirror_docs[k] for k in keep}, tmp_path)
    (tmp_path / "documents" / "broken.json").write_text("{not json", encoding="utf-8")
    # the good documents are extracted; the exit status says that one file did not load (issue 11)
    assert main(["extract", "--data-dir", str(tmp_path)]) == 1
    out = tmp_path / "obligations" / "bwb-BWBR0035293-nl.jsonl"
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and all(r["document_id"] == "bwb-BWBR0035293-nl" for r in records)
    assert (tmp_path / "obligations" / "celex-32024R3234-en.jsonl").exists()
    before = out.stat().st_mtime_ns
    assert main(["extract", "--data-dir", str(tmp_path)]) == 1
    assert out.stat().st_mtime_ns == before  # unchanged document, same pipeline version: not processed again
    assert main(["extract", "--data-dir", str(tmp_path), "--force"]) == 1
    assert out.stat().st_mtime_ns != before
    (tmp_path / "documents" / "broken.json").unlink()
    assert main(["extract", "--data-dir", str(tmp_path)]) == 0


def test_extract_on_empty_data_dir_says_what_to_do(tmp_path, capsys):
    assert main(["extract", "--data-dir", str(tmp_path)]) == 0
    assert "regkb crawl" in capsys.readouterr().err


def test_eval_from_mirror_crawls_it_and_resolves_every_gold_line():
    out = _regkb("eval", str(REPO / "tests/gold/nl.jsonl"), "--from-mirror", str(REPO / ".." / "shared" / "mirror"))
    assert out.returncode == 0, out.stderr
    assert "extractor" in out.stdout and "baseline" in out.stdout and "f1" in out.stdout
    assert "0 not found" in " ".join(out.stdout.split())  # the gold set is anchored to the real parsers' reading


def test_eval_skips_a_file_of_another_format_and_pools_the_others_per_language(tmp_path, crawled_dir):
    """amendments.jsonl (another gold format) and a malformed line crashed `_resolve` with KeyError 'document_id': now
    each is skipped with its file and line, the obligation files are evaluated, pooled per language, exit status 1."""
    broken = tmp_path / "broken.jsonl"
    good = (REPO / "tests/gold/nl_sfdr.jsonl").read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([good[0], "{not json", *good[1:]]), encoding="utf-8")
    nl = [str(REPO / f"tests/gold/{name}.jsonl") for name in ("nl_sfdr", "nl_roles_heldout")]
    out = _regkb("eval", str(REPO / "tests/gold/amendments.jsonl"), str(broken), *nl, "--data-dir", str(crawled_dir))
    text = " ".join(out.stdout.split()) + " ".join(out.stderr.split())
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "amendments.jsonl: line 1 is not an obligation gold line (no id, document_id" in text
    assert "broken.jsonl: line 2 is not JSON" in text
    assert "pooled nl: 2 files: 49 sentences resolved" in text  # 30 + 19: both obligation files counted together
    assert "pooled nl (2 files)" in text and "summary (extractor)" in text


def test_pooled_scores_are_the_sum_of_the_files_counts(mirror_docs):
    from indexer.nlp.evaluate import evaluate, load_gold

    a, b = (evaluate(load_gold(REPO / f"tests/gold/{n}.jsonl"), mirror_docs, "nl").extractor
            for n in ("nl_sfdr", "nl_deadlines"))
    pooled = a.merged(b).summary()
    assert pooled["n"] == a.summary()["n"] + b.summary()["n"]
    assert pooled["deadline_n"] == a.deadline_n + b.deadline_n
    assert pooled["modality_accuracy"] == (a.modality_ok + b.modality_ok) / (a.tp + b.tp)


def test_eval_without_documents_fails_clearly(tmp_path):
    out = _regkb("eval", str(REPO / "tests/gold/nl.jsonl"), "--data-dir", str(tmp_path))
    assert out.returncode == 1 and "regkb crawl" in out.stderr


SEARCH_FIXTURES = REPO / "tests" / "fixtures" / "search"


def test_extract_persists_references_and_drops_the_records_of_documents_that_no_longer_load(tmp_path, capsys):
    """references/ holds the resolved links the reader draws; a deleted document's obligations and references
    go (said, exit 0), a corrupt one's too, and then the exit status and the last line name the file."""
    import shutil

    shutil.copytree(SEARCH_FIXTURES / "documents", tmp_path / "documents")
    assert main(["extract", "--data-dir", str(tmp_path)]) == 0
    csddd_nl = "celex-32024L1760-nl"
    refs = [json.loads(line) for line in (tmp_path / "references" / f"{csddd_nl}.jsonl").read_text().splitlines()]
    doc = json.loads((tmp_path / "documents" / f"{csddd_nl}.json").read_text())
    texts = {p["id"]: p["text"] for p in doc["provisions"]}
    assert refs and all(texts[r["provision_id"]][r["start"]:r["end"]] == r["text"] for r in refs)
    assert all(r["target_document_id"] for r in refs)
    capsys.readouterr()

    (tmp_path / "documents" / f"{csddd_nl}.json").unlink()
    assert main(["extract", "--data-dir", str(tmp_path)]) == 0
    out = " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "obligations" / f"{csddd_nl}.jsonl").exists()
    assert not (tmp_path / "references" / f"{csddd_nl}.jsonl").exists()
    assert f"dropped the obligations and references of {csddd_nl}: documents/{csddd_nl}.json is gone" in out
    assert csddd_nl not in json.loads((tmp_path / "obligations" / "_state.json").read_text())

    eudr = "celex-32023R1115-en"
    assert (tmp_path / "obligations" / f"{eudr}.jsonl").exists()
    (tmp_path / "documents" / f"{eudr}.json").write_text('{"id": "' + eudr + '", "title": ')
    assert main(["extract", "--data-dir", str(tmp_path)]) == 1
    out = " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "obligations" / f"{eudr}.jsonl").exists()
    assert f"documents/{eudr}.json does not load" in out and "regkb crawl" in out
    assert out.rstrip().endswith(f"regkb extract: 1 failed: {eudr}.json")


def test_references_are_resolved_again_when_the_corpus_changes(tmp_path):
    """A text citing an act the corpus lacks links to it once a crawl brings that act (its own text unchanged)."""
    import shutil

    from indexer.commands import write_references
    from regkb.corpus import Corpus
    from regkb.settings import DataDir

    shutil.copytree(SEARCH_FIXTURES / "documents", tmp_path / "documents")
    held = tmp_path / "celex-32024L1760-en.json"
    shutil.move(tmp_path / "documents" / held.name, held)
    dd = DataDir.at(tmp_path)
    first = write_references(dd, Corpus.at(tmp_path))
    assert first["written"] == 3 and write_references(dd, Corpus.at(tmp_path))["unchanged"] == 3
    shutil.move(held, tmp_path / "documents" / held.name)
    assert write_references(dd, Corpus.at(tmp_path))["written"] == 4  # every document's targets may have changed
    with (tmp_path / "references" / "celex-32024L1760-nl.jsonl").open("a") as fh:
        fh.write("{half a line\n")
    assert write_references(dd, Corpus.at(tmp_path))["written"] == 1  # a damaged file is written again
    (tmp_path / "references" / "_state.json").write_text("{broken")
    assert write_references(dd, Corpus.at(tmp_path))["written"] == 4  # a damaged state: everything again, no crash
    assert not Corpus.at(tmp_path).problems
