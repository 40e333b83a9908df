"""Where things live: the config folder, the data folder and its layout.

Everything the product reads as data (sources, taxonomies, lexicons, scope
rules, search settings) lives in `config/`; everything it produces lives in a
data folder (default `corpus/`), so several corpora can sit side by side.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("REGKB_CONFIG_DIR", PROJECT_ROOT / "config"))
DEFAULT_DATA_DIR = Path(os.environ.get("REGKB_DATA_DIR", "corpus"))


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """The --data-dir option every command shares."""
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), metavar="DIR",
                        help="corpus folder to read and write (default: %(default)s)")


@cache
def load_config(name: str) -> Any:
    """Load `config/<name>.yaml` (cached: config files do not change during a run)."""
    path = CONFIG_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class DataDir:
    """The layout of one corpus folder (documented in corpus/README.md)."""

    root: Path

    @classmethod
    def at(cls, path: str | os.PathLike[str] | None) -> DataDir:
        d = cls(Path(path or DEFAULT_DATA_DIR))
        d.root.mkdir(parents=True, exist_ok=True)
        return d

    @property
    def raw(self) -> Path:
        """WARC files with every HTTP response, with provenance."""
        return self._dir("raw")

    @property
    def state(self) -> Path:
        """Crawl frontier and fetch cache (SQLite)."""
        return self._dir("state")

    @property
    def documents(self) -> Path:
        """One structured JSON document per act and language."""
        return self._dir("documents")

    @property
    def obligations(self) -> Path:
        """Obligation records per document (JSON Lines), written by `regkb extract`."""
        return self._dir("obligations")

    @property
    def references(self) -> Path:
        """Resolved cross-references per document (JSON Lines), written by `regkb extract` for the reader."""
        return self._dir("references")

    @property
    def terms(self) -> Path:
        """Defined terms per document (JSON Lines), written by `regkb extract` for the term pages."""
        return self._dir("terms")

    @property
    def index(self) -> Path:
        """The embedded search index."""
        return self._dir("index")

    def _dir(self, name: str) -> Path:
        p = self.root / name
        p.mkdir(parents=True, exist_ok=True)
        return p
