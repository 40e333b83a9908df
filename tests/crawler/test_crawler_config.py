"""config/sources.yaml: valid, complete for the mirror, and honest about what the mirror lacks."""
from __future__ import annotations

import csv
import re

from crawler.settings import CrawlSettings
from crawler.urls import canonical, in_scope
from regkb.sources import load_sources

PARSERS = {"eurlex", "formex", "eurlex_text_json", "derived_json", "markdown_law", "wetten_xml", "policy_page",
           "covenant", "pdf", "text"}
NACE = re.compile(r"^\d{2}(\.\d{1,2})?$")


def manifest_urls(mirror_dir) -> set[str]:
    with (mirror_dir / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return {row["original_url"] for row in csv.DictReader(fh, delimiter="\t")}


def test_every_manifest_url_is_reachable_from_the_config(mirror_dir):
    sources = load_sources()
    seeds = {canonical(h.url) for s in sources for h in s.seeds}

    def reachable(url: str) -> bool:
        return canonical(url) in seeds or any(s.max_depth > 0 and in_scope(url, s.scope) for s in sources)

    assert sorted(u for u in manifest_urls(mirror_dir) if not reachable(u)) == []


def test_in_mirror_flags_match_the_mirror(mirror_dir):
    mirrored = {canonical(u) for u in manifest_urls(mirror_dir)}
    for source in load_sources():
        has = any(canonical(h.url) in mirrored for h in source.seeds)
        assert has == source.in_mirror, (
            f"{source.id}: in_mirror is {source.in_mirror} but the mirror has {'some' if has else 'none'} of its seeds"
        )


def test_sources_are_well_formed():
    sources = load_sources()
    ids = [s.id for s in sources]
    assert len(ids) == len(set(ids))
    for s in sources:
        assert s.parser in PARSERS and all(h.parser in PARSERS | {None} for h in s.seeds), s.id
        assert s.seeds and all(h.url.startswith("https://") for h in s.seeds), s.id
        assert all(NACE.match(code) for code in s.sectors + [c for h in s.seeds for c in h.sectors]), s.id
        assert s.max_depth == 0 or s.scope, f"{s.id} follows links but has no scope"
    seeds = [canonical(h.url) for s in sources for h in s.seeds]
    assert len(seeds) == len(set(seeds)), "a URL is seeded twice"


def test_every_parser_key_says_which_formats_it_reads():
    assert set(CrawlSettings.load().parser_kinds) == PARSERS


def test_required_acts_and_sites_are_configured():
    urls = " ".join(h.url for s in load_sources() for h in s.seeds)
    for celex in ("32024L1760", "52022PC0071", "32026L0470", "32025L0794", "32022L2464", "32014L0095", "32024L1306",
                  "32023R1115", "32024R3234", "32025R2650", "32024R3084", "32026R1565", "32017R0821", "32024R3015",
                  "32023R1542", "32019R2088", "32020R0852"):
        for lang in ("EN", "NL"):
            assert f"legal-content/{lang}/TXT/?uri=CELEX:{celex}" in urls, (celex, lang)
    for part in ("eli/reg_del/2023/2772", "publications.europa.eu/resource/cellar/", "BWBR0035293", "BWBV0001522",
                 "BWBV0003701", "BWBV0004945", "BWBV0006218", "stb-2019-401", "imvoconvenanten.nl", "rijksoverheid.nl",
                 "mneguidelines.oecd.org", "oecd.org/en/publications"):
        assert part in urls, part
    covenants = [s for s in load_sources() if s.instrument_type == "covenant"]
    assert len(covenants) == 11 and all(s.sectors for s in covenants)
