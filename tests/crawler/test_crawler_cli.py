"""`regkb crawl` / crawl_command as `regkb run` calls it."""
from __future__ import annotations

import argparse
import json

import pytest

from crawler.commands import crawl_command, select_sources
from regkb.cli import build_parser


def test_crawl_command_with_the_namespace_of_regkb_run(tmp_path, mirror_dir, capsys):
    args = argparse.Namespace(data_dir=str(tmp_path), mirror=str(mirror_dir), sources=["rijksoverheid-news"],
                              backend=None, host="127.0.0.1", port=8000, no_serve=True)
    assert crawl_command(args) == 0
    err = capsys.readouterr().err
    assert "fetched (new or changed)" in err and "parsed" in err
    assert list((tmp_path / "raw").glob("*.warc.gz"))
    docs = list((tmp_path / "documents").glob("*.json"))
    if docs:  # the parser package may not be importable yet
        assert json.loads(docs[0].read_text())["source_id"] == "rijksoverheid-news"


def test_crawl_subcommand_is_registered_with_its_options():
    args = build_parser().parse_args(
        ["crawl", "--data-dir", "x", "--mirror", "m", "--sources", "a", "b", "--delay", "0.5"]
    )
    assert (args.data_dir, args.mirror, args.sources, args.delay) == ("x", "m", ["a", "b"], 0.5)
    assert args.func is crawl_command and args.repair is False
    assert build_parser().parse_args(["crawl", "--repair"]).repair is True


def test_unknown_source_and_bad_mirror_are_clear_errors(tmp_path, capsys):
    with pytest.raises(SystemExit, match="unknown source id.*no-such-source.*config/sources.yaml"):
        select_sources(["no-such-source"])
    args = argparse.Namespace(data_dir=str(tmp_path), mirror=str(tmp_path), sources=None)
    assert crawl_command(args) == 2
    assert "MANIFEST.tsv not found" in capsys.readouterr().err


def test_leftover_temp_files_of_a_killed_run_are_removed(tmp_path, mirror_dir):
    docs = tmp_path / "documents"
    docs.mkdir(parents=True)
    (docs / ".celex-x-en.json.abc123.tmp").write_text("{half")
    args = argparse.Namespace(data_dir=str(tmp_path), mirror=str(mirror_dir), sources=["wetten-ncp"])
    assert crawl_command(args) == 0
    assert not list(docs.glob("*.tmp"))
