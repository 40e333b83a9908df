"""`regkb run`: a step that fails does not stop the later ones, and the run says so and exits non-zero."""
from __future__ import annotations

import argparse
from pathlib import Path

from app.app_corpus import copy_fixture_corpus

from regkb.cli import build_parser


def _empty_mirror(root: Path) -> Path:
    mirror = root / "mirror"
    mirror.mkdir()
    (mirror / "MANIFEST.tsv").write_text("url\tfile\n", encoding="utf-8")
    return mirror


def _run(*argv: str) -> tuple[int, argparse.Namespace]:
    args = build_parser().parse_args(["run", *argv])
    return args.func(args), args


def test_a_failed_step_does_not_stop_the_steps_after_it(tmp_path, capfd):
    data = copy_fixture_corpus(tmp_path / "data")
    broken = sorted((data / "documents").glob("*.json"))[0]
    broken.write_text('{"id": "truncated', encoding="utf-8")  # extract and index fail on it
    code, _ = _run("--mirror", str(_empty_mirror(tmp_path)), "--data-dir", str(data), "--no-serve")
    err = capfd.readouterr().err
    assert code == 1
    assert (data / "index").is_dir() and any((data / "index").iterdir()), "index did not run after extract failed"
    assert "with failures: extract (exit 1), index (exit 1)" in " ".join(err.split())
    assert broken.name in err


def test_strict_stops_at_the_first_failure(tmp_path, capfd):
    data = copy_fixture_corpus(tmp_path / "data")
    sorted((data / "documents").glob("*.json"))[0].write_text("{", encoding="utf-8")
    code, _ = _run("--mirror", str(_empty_mirror(tmp_path)), "--data-dir", str(data), "--no-serve", "--strict")
    assert code == 1
    assert "step extract failed (exit 1); stopping" in " ".join(capfd.readouterr().err.split())
    assert not (data / "index").exists()
