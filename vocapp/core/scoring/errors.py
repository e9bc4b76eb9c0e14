"""Exceptions raised when response data cannot be scored; every message is meant for an analyst."""
from __future__ import annotations


class ScoringDataError(ValueError):
    """The responses cannot be used for the requested analysis; ``str(err)`` says why and what to do."""


class InsufficientDataError(ScoringDataError):
    """Too few usable responses to fit a factor model (unit-weighted scale means are still possible)."""

    def __init__(self, message: str, n: int, n_items: int, minimum: int):
        super().__init__(message)
        self.n = n
        self.n_items = n_items
        self.minimum = minimum


class ConstantItemError(ScoringDataError):
    """One or more items have the same answer from every respondent, so they carry no information."""

    def __init__(self, message: str, items: list[str]):
        super().__init__(message)
        self.items = items


class SingularMatrixError(ScoringDataError):
    """The item correlation matrix is singular (an item is an exact combination of others)."""

    def __init__(self, message: str, items: list[str]):
        super().__init__(message)
        self.items = items


class KeyMismatchError(ScoringDataError):
    """The data or a stored model does not match the item key (missing items, conflicting keying)."""
