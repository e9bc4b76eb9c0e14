"""A terminal progress bar fed by the same progress callback jobs use (percent 0-100, step text)."""
from __future__ import annotations

import sys
import time
from typing import IO

import click


class TerminalProgress:
    """Progress callback for a command: a click progress bar once the command has run ``delay``
    seconds (short commands stay quiet), on a terminal only (nothing when output is piped or logged).

    Use as a context manager around the service call and pass the instance as its ``progress``.
    """

    def __init__(self, label: str, delay: float = 1.0, file: IO[str] | None = None) -> None:
        self.label, self.delay, self.file = label, delay, file or sys.stdout
        self.enabled = self.file.isatty()
        self.started = time.monotonic()
        self.bar = None

    def __call__(self, percent: int, step: str) -> None:
        if not self.enabled or time.monotonic() - self.started < self.delay:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=100, label=self.label, file=self.file, show_eta=False,
                                         item_show_func=lambda step: step)
        self.bar.update(max(0, percent - self.bar.pos), step)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.render_finish()
