"""Fuzzing the search API and page: whatever the query string, never a 5xx."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PARAMS = [
    "q",
    "kind",
    "sort",
    "page",
    "size",
    "sector",
    "modality",
    "topic",
    "language",
    "format",
    "date_from",
    "lang",
    "instrument",
]
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
QUERY_WORDS = st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "-", "*", "?", ":", "sector:", "art", "8(2)", "CSDDD",
                               "child", "labour", "\\", "~", "^", "{", "[", "/", "<mark>", "<script>", "%", "\x00"])
QUERY = st.one_of(TEXT, st.lists(QUERY_WORDS, max_size=8).map(" ".join))
PAIRS = st.lists(st.tuples(st.sampled_from(PARAMS), st.one_of(QUERY, st.integers(-5, 10**6).map(str))), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=PAIRS)
def test_search_api_never_5xx(client, pairs):
    resp = client.get("/api/search", query_string=pairs)
    assert resp.status_code < 500, (pairs, resp.get_data(as_text=True)[:300])
    assert resp.is_json or resp.mimetype == "text/csv"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERY)
def test_search_page_never_5xx(client, q):
    resp = client.get("/", query_string={"q": q})
    assert resp.status_code < 500, (q, resp.status_code)
    if resp.status_code == 200:
        assert "<script>" not in resp.get_data(as_text=True).split("</head>", 1)[1]
