"""The sources the crawler visits, as configured in `config/sources.yaml`."""
from __future__ import annotations

from pydantic import BaseModel, Field

from regkb.records import InstrumentType, Jurisdiction, Status
from regkb.settings import load_config


class DocumentHint(BaseModel):
    """What the config knows about one seed URL (the parser fills in the rest from the text)."""

    url: str
    title: str | None = None
    short_title: str | None = None
    instrument_type: InstrumentType | None = None
    language: str | None = None
    status: Status | None = None
    act: str | None = Field(None, description="act_id this page belongs to, e.g. 'eu-2024-1760-L'")
    sectors: list[str] = []
    parser: str | None = Field(None, description="Parser key for this URL when it differs from the source's "
                                  "(e.g. the mirror's JSON or Markdown rendering of a EUR-Lex page)")


class Source(BaseModel):
    id: str
    name: str
    site: str
    parser: str = Field(description="Parser key: eurlex | formex | eurlex_text_json | derived_json | markdown_law | "
                        "wetten_xml | policy_page | covenant | pdf | text")
    instrument_type: InstrumentType
    jurisdiction: Jurisdiction
    language: str
    status: Status
    sectors: list[str] = Field([], description="NACE codes the source itself declares")
    seeds: list[DocumentHint]
    scope: list[str] = Field([], description="URL prefixes links may be followed in")
    max_depth: int = Field(0, description="How many links deep to follow from the seeds (HTML pages only)")
    in_mirror: bool = Field(True, description="Whether ../shared/mirror has (some of) its seeds")


def load_sources() -> list[Source]:
    return [Source(**entry) for entry in load_config("sources")["sources"]]


def source_by_id(source_id: str) -> Source:
    for s in load_sources():
        if s.id == source_id:
            return s
    raise KeyError(f"unknown source {source_id!r}; see config/sources.yaml")
