"""Followed provisions and acts on the crawled mirror: what changed between the real versions of the CSDDD."""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from lxml import etree

from indexer.analysis.changes import Followed, followed_changes
from indexer.analysis.feed import atom_feed

ATOM_RNG = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "atom.rng")))
CSDDD = "eu-2024-1760-L"
EVER = date(2000, 1, 1)
OMNIBUS_DAY = date(2026, 3, 18)  # the consolidation that incorporates Directive (EU) 2026/470


def _follow(corpus, units, **kw):
    return followed_changes(corpus, Followed(units={CSDDD: units}, languages={CSDDD: Counter(["en"])}), EVER,
                            date(2026, 11, 30), **kw).entries


def test_article_22_feed_is_its_deletion_by_the_omnibus(corpus):
    entries = _follow(corpus, {"art_22"}, documents=False)
    provisions = [e for e in entries if e.kind == "provision"]
    assert [(e.category, e.provision_id, e.date) for e in provisions] == [("removed", "art_22", OMNIBUS_DAY)]
    [deleted] = provisions
    assert deleted.title == "CSDDD: Article 22 deleted by Directive (EU) 2026/470"
    assert deleted.by == ["Directive (EU) 2026/470"]
    assert deleted.compare == ("celex-02024L1760-20250417-en", "celex-02024L1760-20260318-en")
    assert deleted.url.endswith("#change-art_22")
    # no obligations in the crawled mirror (nothing extracted), so nothing else about Article 22
    assert all(e.provision_id == "art_22" for e in entries)


def test_article_2_changes_tell_the_thresholds_old_to_new(corpus):
    [art2] = [e for e in _follow(corpus, {"art_2"}) if e.kind == "provision" and e.date == OMNIBUS_DAY]
    assert art2.category == "changed" and art2.title == "CSDDD: Article 2 amended by Directive (EU) 2026/470"
    assert "threshold 1 000 → 5 000 employees" in art2.summary
    assert "EUR 450 000 000 → EUR 1 500 000 000" in art2.summary


def test_the_whole_act_lists_each_version_and_each_changed_article_newest_first(corpus):
    entries = _follow(corpus, None)
    days = [e.date for e in entries]
    assert days == sorted(days, reverse=True)
    texts = [e for e in entries if e.kind == "document"]
    assert [e.document_id for e in texts] == ["celex-02024L1760-20260318-en", "celex-02024L1760-20250417-en",
                                             "celex-32024L1760-en"]  # the English chain, newest first
    assert texts[0].title == "CSDDD: consolidated version of 2026-03-18"
    assert texts[-1].compare is None and texts[-1].title == "CSDDD: new text of 2024-07-05"
    omnibus = {e.provision_id: e.category for e in entries if e.kind == "provision" and e.date == OMNIBUS_DAY}
    assert omnibus["art_22"] == "removed" and omnibus["art_2"] == "changed" and "art_5" not in omnibus
    # each day's new text comes before its articles, which keep the act's order
    first_day = [e.kind for e in entries if e.date == OMNIBUS_DAY]
    assert first_day[0] == "document" and set(first_day[1:]) == {"provision"}


def test_followed_changes_are_told_in_dutch(corpus):
    [deleted] = [e for e in _follow(corpus, {"art_22"}, lang="nl") if e.kind == "provision"]
    assert deleted.title == "CSDDD: Article 22 geschrapt door Directive (EU) 2026/470"
    assert "Gaat in op 2026-03-18." in deleted.summary


def test_a_followed_feed_validates_against_the_atom_schema(corpus):
    news = followed_changes(corpus, Followed(units={CSDDD: {"art_2", "art_22"}}), EVER, date(2026, 11, 30))
    xml = atom_feed(news, self_url="http://127.0.0.1:8000/feed.atom?q=x", site_url="http://127.0.0.1:8000/?q=x",
                    title="RegKB: changes to the search “x”", feed_id="tag:regkb,2026:search?q=x",
                    subtitle="Changes")
    feed = etree.fromstring(xml)
    assert ATOM_RNG.validate(feed), ATOM_RNG.error_log
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.findtext("a:id", namespaces=ns) == "tag:regkb,2026:search?q=x"
    hrefs = feed.xpath("a:entry/a:link/@href", namespaces=ns)
    assert hrefs and all(h.startswith("http://127.0.0.1:8000/") for h in hrefs)


def test_an_act_without_versions_in_the_corpus_has_no_changes(corpus):
    news = followed_changes(corpus, Followed(units={"no-such-act": None}), EVER)
    assert news.entries == []
