from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.analysis.applicability import CompanyProfile
from indexer.analysis.corpus import Corpus

from .mirror_corpus import crawled_mirror

PROFILES = Path(__file__).parent / "profiles"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return crawled_mirror()


@pytest.fixture(scope="session")
def corpus(data_dir) -> Corpus:
    return Corpus.at(data_dir)


def load_profile(name: str) -> CompanyProfile:
    return CompanyProfile.model_validate(json.loads((PROFILES / f"{name}.json").read_text()))
