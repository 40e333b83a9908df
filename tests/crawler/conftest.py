"""Fixtures of the crawler tests (helpers live in crawl_helpers.py)."""
from __future__ import annotations

import pytest
from crawl_helpers import SEEN_PARSER_KEYS, SEEN_RAW


@pytest.fixture(autouse=True)
def _clear_seen_raw():
    SEEN_RAW.clear()
    SEEN_PARSER_KEYS.clear()
    yield
