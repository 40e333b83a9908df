"""The Who facet counts and filters the duty-bearer with roll-up over the role taxonomy (config/addressees.yaml),
the same in both engines: a broad role selects its narrower roles, as a NACE section selects its divisions."""
from __future__ import annotations

from indexer.search.base import SearchRequest

CSDDD_ART8 = {"celex-32024L1760-en.art_8.par_1.ob4", "celex-32024L1760-nl.art_8.par_1.ob12"}


def search(backend, query="", **kw):
    kw.setdefault("all_versions", True)
    return backend.search(SearchRequest(query=query, **kw))


def test_who_filters_the_duty_bearer_not_the_addressee(backend):
    """"Member States shall ensure that companies take ..." is a duty of companies (via the Member States)."""
    companies = {h.id for h in search(backend, "who:companies", size=100).hits}
    assert CSDDD_ART8 <= companies
    member_states = search(backend, "addressee:member_states", size=100).hits
    assert member_states and not CSDDD_ART8 & {h.id for h in member_states}
    art8 = next(h for h in search(backend, "who:companies", size=100).hits if h.id in CSDDD_ART8)
    assert (art8.record["addressee"], art8.record["duty_bearer"]) == ("member_states", "companies")


def test_a_broad_role_includes_its_narrower_roles(backend):
    """EUDR operators are economic operators: selecting economic_operators finds them, with the same count."""
    operators = {h.id for h in search(backend, "", filters={"addressee": ["operators"]}, size=100).hits}
    broad = {h.id for h in search(backend, "", filters={"addressee": ["economic_operators"]}, size=100).hits}
    assert operators and operators <= broad
    counts = dict((v.value, v.count) for v in search(backend, "", facets=["addressee"], size=1).facets["addressee"])
    assert counts["economic_operators"] >= counts["operators"] == len(operators)
    # a role typed as people write it
    assert {h.id for h in search(backend, "who:Operators", size=100).hits} == operators
