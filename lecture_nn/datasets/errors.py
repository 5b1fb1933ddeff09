"""The error a data source raises when it cannot provide the data."""

__all__ = ["SourceError"]


class SourceError(Exception):
    """One source could not provide the data; the message says why, in one line."""
