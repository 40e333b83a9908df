"""Crawler behaviour, from `config/crawler.yaml` (timeouts, politeness, routing)."""
from __future__ import annotations

from pydantic import BaseModel

from regkb.settings import load_config


class CrawlSettings(BaseModel):
    user_agent: str
    connect_timeout_seconds: float = 10
    read_timeout_seconds: float = 30
    total_timeout_seconds: float = 120
    max_response_bytes: int = 100 * 1024 * 1024
    max_redirects: int = 5
    never_fetch_networks: list[str] = ["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32"]
    retries: int = 3
    backoff_seconds: float = 2.0
    max_retry_after_seconds: float = 300
    retry_statuses: list[int] = [429, 500, 502, 503, 504]
    politeness_delay_seconds: float = 2.0
    max_concurrency_per_host: int = 2
    workers: int = 4
    parse_processes: int = 2
    mirror: dict[str, float] = {}
    content_types: dict[str, str] = {}
    kind_rank: list[str] = []
    link_kinds: list[str] = ["html", "xhtml"]
    parser_kinds: dict[str, list[str]] = {}

    @classmethod
    def load(cls, *, mirror: bool = False, **overrides: object) -> CrawlSettings:
        """Settings from config; in mirror mode the `mirror:` block overrides the live-web values."""
        data = dict(load_config("crawler"))
        if mirror:
            data.update(data.get("mirror") or {})
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**data)

    def kind_of(self, content_type: str) -> str | None:
        return self.content_types.get(content_type)

    def rank_of(self, kind: str | None) -> int:
        return self.kind_rank.index(kind) if kind in self.kind_rank else len(self.kind_rank)
