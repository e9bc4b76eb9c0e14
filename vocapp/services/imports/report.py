"""What an import did (or would do): counts, located errors, skipped rows and a preview."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from vocapp.core.imports import ImportIssue
from vocapp.core.imports.header import normalise_header

#: errors kept in a report / stored on the import run (the total is always counted)
MAX_KEPT_ISSUES = 1000
PREVIEW_ROWS = 10


@dataclass
class ImportReport:
    """Outcome of one import; ``ok`` is False when any error blocked it (then nothing was written)."""

    kind: str
    filename: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    extra_counts: dict[str, int] = field(default_factory=dict)
    errors: list[ImportIssue] = field(default_factory=list)
    error_count: int = 0
    skipped_rows: list[ImportIssue] = field(default_factory=list)
    preview_columns: list[str] = field(default_factory=list)
    preview_rows: list[list[str]] = field(default_factory=list)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def written(self) -> bool:
        """True when the import changed the database."""
        return self.ok and not self.dry_run

    def add_errors(self, issues: list[ImportIssue]) -> None:
        """Count every issue; keep the first MAX_KEPT_ISSUES for display."""
        self.error_count += len(issues)
        room = MAX_KEPT_ISSUES - len(self.errors)
        if room > 0:
            self.errors.extend(issues[:room])

    def add_skipped(self, issues: list[ImportIssue]) -> None:
        self.skipped += len(issues)
        room = MAX_KEPT_ISSUES - len(self.skipped_rows)
        if room > 0:
            self.skipped_rows.extend(issues[:room])

    def set_preview(self, frame: pd.DataFrame) -> None:
        """Remember the first rows as read (row number first) for the upload preview."""
        if self.preview_columns:
            return
        head = frame.head(PREVIEW_ROWS)
        self.preview_columns = ["row"] + [str(column) for column in head.columns]
        self.preview_rows = [[str(row)] + ["" if pd.isna(value) else str(value) for value in values]
                             for row, values in zip(head.index, head.itertuples(index=False))]

    def counts(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped, "errors": self.error_count, **self.extra_counts}

    def summary(self) -> str:
        """One line: what was (or would be) done."""
        verb = "would create" if self.dry_run else "created"
        parts = [f"{verb} {self.created}", f"updated {self.updated}", f"unchanged {self.unchanged}",
                 f"skipped {self.skipped}"]
        parts += [f"{name.replace('_', ' ')} {value}" for name, value in self.extra_counts.items()]
        prefix = f"{self.kind} import of {self.filename}" + (" (dry run)" if self.dry_run else "")
        if not self.ok:
            return f"{prefix}: {self.error_count} error(s), nothing imported"
        return f"{prefix}: " + ", ".join(parts)


def header_as_written(frame: pd.DataFrame, name: str) -> str:
    """The header as written in the file for the standard column ``name`` (e.g. ``submitted_at``)."""
    return next((str(column) for column in frame.columns if normalise_header(column) == name), name)
