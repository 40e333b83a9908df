"""Gathers documents from the official sites: fetching, politeness, frontier, raw storage."""
