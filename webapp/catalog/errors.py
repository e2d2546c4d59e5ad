"""The catalogue's one error type, apart so every catalogue module can raise it."""

from __future__ import annotations


class CatalogError(ValueError):
    """A request the catalogue cannot carry out; the message is meant for people."""
