"""The progress callback services accept: ``progress(percent 0-100, step text)``.

A job passes its ``JobContext.progress``; the CLI passes ``vocapp.cli.progress.TerminalProgress``.
"""
from __future__ import annotations

from typing import Callable

Progress = Callable[[int, str], None]


def no_progress(percent: int, step: str) -> None:
    """The progress callback that reports nothing."""
