"""Turns raw responses into structured documents and obligation records, and indexes them."""
