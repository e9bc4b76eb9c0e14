"""Located import problems and the result of validating a table."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

MAX_VALUE_CHARS = 60


def quote_value(value: object) -> str:
    """Quote a cell value for a message, shortening very long values."""
    text = str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return f"'{text}'"


@dataclass(frozen=True, order=True)
class ImportIssue:
    """One problem in an imported file, located as a spreadsheet user sees it.

    ``row`` counts the header as row 1 (first data row = row 2); it is None for
    problems with the file as a whole.  ``column`` is the header as written in the
    file (or the expected column name when it is missing).
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        location = []
        if self.row is not None:
            location.append(f"row {self.row}")
        if self.column is not None:
            location.append(f"column {self.column}")
        if location:
            return f"{self.file}: {', '.join(location)}: {self.reason}"
        return f"{self.file}: {self.reason}"


class ImportFileError(Exception):
    """The file cannot be read as a table at all (empty, undecodable, formulas...)."""

    def __init__(self, issues: ImportIssue | list[ImportIssue]):
        self.issues: list[ImportIssue] = [issues] if isinstance(issues, ImportIssue) else list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass
class ValidationResult:
    """Validated rows plus every problem found.

    ``clean`` holds the rows without errors (index = spreadsheet row number) with
    parsed values; ``errors`` block the import; ``skipped`` lists rows that are
    valid but deliberately not imported (e.g. a repeated transaction reference).
    """

    clean: pd.DataFrame
    errors: list[ImportIssue] = field(default_factory=list)
    skipped: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing blocks the import."""
        return not self.errors
