"""Registers the non-EUR-Lex-HTML parsers (imported by dispatch)."""
