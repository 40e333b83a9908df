"""The one search-backend interface both engines implement.

The web app and the CLI only ever talk to `SearchBackend`; which engine
answers is a setting (`config/search.yaml`, or `REGKB_SEARCH_BACKEND`).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

RecordKind = Literal["obligation", "provision", "document"]
SortOrder = Literal["relevance", "date", "deadline"]


class SearchRequest(BaseModel):
    query: str = ""
    kind: RecordKind = "obligation"
    filters: dict[str, list[str]] = Field(
        default_factory=dict, description="facet name → selected values (OR within a facet, AND across facets)"
    )
    date_from: date | None = None
    date_to: date | None = None
    sort: SortOrder = "relevance"
    page: int = Field(1, ge=1)
    size: int = Field(20, ge=0, le=200)
    facets: list[str] = Field(default_factory=list, description="facets to count")
    highlight: bool = True
    as_of: date | None = Field(None, description="the law as it stood on this day (default: today)")
    all_versions: bool = Field(False, description="every version of every act, not only the one in force on `as_of`")
    expand: bool = Field(True, description="also search the query's translations (Dutch ↔ English/French)")
    languages: list[str] = Field(default_factory=list, description="preferred languages, best first: which language "
                                 "version of a provision a hit shows when several match (default: en, nl, fr)")


class FacetValue(BaseModel):
    value: str
    count: int


class Hit(BaseModel):
    id: str
    kind: RecordKind
    score: float
    record: dict[str, Any]
    highlights: dict[str, list[str]] = Field(
        default_factory=dict, description="field → HTML-escaped snippets with <mark> tags"
    )


class SearchResponse(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    query: SearchRequest
    redirect: dict[str, str] | None = Field(None, description="citation look-up result: {'document_id','provision_id'}")
    best_match: bool = Field(False, description="no record contains every word: showing those with most of them")
    expansions: dict[str, list[str]] = Field(
        default_factory=dict, description="query word/phrase → translations also searched"
    )
    as_of: date | None = Field(None, description="the day whose law was searched (None: all versions)")


class QuerySyntaxError(ValueError):
    """A query the user typed cannot be understood; the message says why and how to fix it."""


class BackendUnavailable(RuntimeError):
    """The search engine cannot be reached or has no index yet; the message says what to do."""


class SearchBackend(ABC):
    name: str

    @abstractmethod
    def index_records(self, kind: RecordKind, records: Iterable[dict[str, Any]]) -> int:
        """Add or replace records; return how many were indexed."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResponse: ...

    @abstractmethod
    def get(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def clear(self) -> None:
        """Drop everything (a fresh index)."""

    def replace_all(self, records: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with these records (each has its own `kind`); searches keep answering
        meanwhile where the engine allows it. `progress(n)` is called as records are indexed."""
        self.clear()
        n = 0
        for rec in records:
            n += self.index_records(rec["kind"], [rec])
            if progress is not None:
                progress(1)
        return n

    def close(self) -> None:  # noqa: B027 (an optional hook: nothing to release by default)  # pragma: no cover
        pass
