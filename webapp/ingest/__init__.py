"""Ingest: upstream sources and importing their items as episodes."""
