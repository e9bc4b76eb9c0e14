"""Header handling shared by every file format: names, normalisation, raw-chunk cleanup."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .issues import ImportFileError, ImportIssue

#: longest cell in any imported file: what one Excel cell can hold (each column has a tighter limit)
MAX_CELL_CHARS = 32_767
#: longest column name, and most columns a file may have
MAX_COLUMN_NAME_CHARS = 200
MAX_COLUMNS = 1_000


def normalise_header(name: str) -> str:
    """Header name used for matching: case-, space- and hyphen-insensitive (``First Name`` -> ``first_name``)."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def column_letter(position: int) -> str:
    """Spreadsheet column letter for a 0-based position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class Header:
    """The header row of a table: names as written (None for blank cells)."""

    filename: str
    names: tuple[str | None, ...]
    row: int = 1

    @classmethod
    def from_cells(cls, cells: list[object], filename: str, row: int = 1) -> "Header":
        """Build a header, raising ImportFileError for a column name written twice.

        Names that differ only in case, spaces or hyphens are told apart later, by
        ``columns.check_table``, which knows which columns match exactly (survey items).
        """
        names: list[str | None] = []
        for cell in cells:
            text = "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else str(cell).strip()
            names.append(text or None)
        while names and names[-1] is None:
            names.pop()
        if not names:
            raise ImportFileError(ImportIssue(filename, row, None, "the header row is blank"))
        if len(names) > MAX_COLUMNS:
            raise ImportFileError(ImportIssue(filename, row, None,
                                              f"the header row has {len(names):,} columns; at most {MAX_COLUMNS:,}"))
        long_names = [ImportIssue(filename, row, column_letter(position),
                                  f"the column name is {len(name):,} characters long; at most {MAX_COLUMN_NAME_CHARS}")
                      for position, name in enumerate(names) if name is not None and len(name) > MAX_COLUMN_NAME_CHARS]
        if long_names:
            raise ImportFileError(long_names)
        seen: dict[str, int] = {}
        issues = []
        for position, name in enumerate(names):
            if name is None:
                continue
            if name in seen:
                first = seen[name]
                issues.append(ImportIssue(
                    filename, row, name,
                    f"column {column_letter(position)} repeats the header of column {column_letter(first)} "
                    f"('{names[first]}'); each column may appear once"))
            else:
                seen[name] = position
        if issues:
            raise ImportFileError(issues)
        return cls(filename, tuple(names), row)

    @property
    def width(self) -> int:
        return len(self.names)

    def finish_chunk(self, raw: pd.DataFrame, first_row: int, rows: list[int] | None = None) -> pd.DataFrame:
        """Turn a raw block of cells into the public frame.

        ``raw`` has one positional column per cell (strings or missing); the result
        has the header names as columns, stripped strings with blanks as missing,
        the spreadsheet row number as index (``rows``, else counted from ``first_row``)
        and fully blank rows dropped. A cell longer than MAX_CELL_CHARS is a located error.
        """
        raw = raw.copy()
        raw.columns = range(raw.shape[1])
        raw.index = (pd.Index(rows, name="row") if rows is not None
                     else pd.RangeIndex(first_row, first_row + len(raw), name="row"))
        for position in raw.columns:
            column = raw[position].str.strip()
            raw[position] = column.mask(column == "").astype("str")  # pandas >= 3: missing stays NaN
            lengths = raw[position].dropna().str.len()
            too_long = (lengths > MAX_CELL_CHARS).to_numpy(dtype=bool)
            if too_long.any():
                row = int(lengths.index[too_long][0])
                name = self.names[position] if position < self.width and self.names[position] else column_letter(position)
                raise ImportFileError(ImportIssue(
                    self.filename, row, name, f"the value is {int(lengths.loc[row]):,} characters long; "
                    f"no cell may hold more than {MAX_CELL_CHARS:,} characters"))
        for position in range(self.width, raw.shape[1]):
            self._reject_values(raw[position], column_letter(position), "a value beyond the last header column")
        keep = [position for position, name in enumerate(self.names) if name is not None]
        for position, name in enumerate(self.names):
            if name is None:
                self._reject_values(raw[position], column_letter(position), "the column holds values but its header cell is blank")
        frame = raw.reindex(columns=keep)
        frame.columns = [self.names[position] for position in keep]
        frame = frame.loc[frame.notna().any(axis=1)]
        frame.attrs["header_row"] = self.row
        frame.attrs["column_letters"] = {self.names[position]: column_letter(position) for position in keep}
        return frame

    def _reject_values(self, values: pd.Series, column: str, reason: str) -> None:
        filled = values.dropna()
        if len(filled):
            raise ImportFileError(ImportIssue(self.filename, int(filled.index[0]), column, reason))
