"""Parsers that turn fetched resources into structured `Document`s.

`parse_resource` dispatches on the source's parser key (config/sources.yaml)
and the content type; `link_documents` connects language versions, versions
of one act, corrigenda and amending acts. Bump PARSER_VERSION whenever the
output changes so the crawler re-parses what it has stored.
"""
from __future__ import annotations

from .dispatch import parse_resource
from .errors import ParseError
from .linking import link_documents

PARSER_VERSION = "10"

__all__ = ["PARSER_VERSION", "ParseError", "link_documents", "parse_resource"]
