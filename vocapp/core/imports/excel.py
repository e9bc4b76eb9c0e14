"""XLSX reading with openpyxl (first worksheet; formulas and error cells are refused)."""
from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .header import Header, column_letter
from .issues import ImportFileError, ImportIssue
from .xlsx_guard import check_workbook

#: rows held as Python lists before they become a compact string frame
BLOCK_ROWS = 5_000


def cell_text(value: object) -> str | None:
    """Text of a cell value as the user sees it (12.0 -> '12', dates ISO 8601)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _open_sheet(stream: BinaryIO, filename: str):
    """Open the workbook in read-only (streaming) mode; formulas stay formulas (data_only=False)."""
    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ImportFileError(ImportIssue(filename, None, None, f"not a valid .xlsx workbook ({error})")) from None
    return workbook, workbook.worksheets[0]


def _block_frame(header: Header, rows: list[list[str | None]], row_numbers: list[int]) -> pd.DataFrame:
    width = max(header.width, max(len(row) for row in rows))
    raw = pd.DataFrame([row + [None] * (width - len(row)) for row in rows], dtype=object)
    return header.finish_chunk(raw, 0, rows=row_numbers)


def iter_xlsx_chunks(stream: BinaryIO, filename: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Stream the first worksheet; every formula or error cell becomes a located issue.

    Rows are parsed in blocks of BLOCK_ROWS into compact string frames and yielded in
    chunks of ``chunk_rows``.  After the first formula or error cell nothing more is
    yielded: the rest of the sheet is only scanned for further such cells, and all of
    them are raised together as one ImportFileError.
    """
    check_workbook(stream, filename)
    workbook, sheet = _open_sheet(stream, filename)
    issues: list[ImportIssue] = []
    header: Header | None = None
    rows: list[list[str | None]] = []
    row_numbers: list[int] = []
    pending: list[pd.DataFrame] = []
    pending_rows = 0
    row_number = (sheet.min_row or 1) - 1
    try:
        for cells in sheet.iter_rows():
            row_number = next((cell.row for cell in cells if getattr(cell, "row", None)), row_number + 1)
            values = []
            for position, cell in enumerate(cells):
                if cell.data_type in ("f", "e"):
                    issues.append(_cell_issue(filename, sheet.title, header, row_number, position, cell))
                    values.append(None)
                else:
                    values.append(cell_text(cell.value))
            if header is None:
                if any(value is not None for value in values):
                    header = Header.from_cells(values, filename, row=row_number)
                continue
            if issues:
                continue
            rows.append(values)
            row_numbers.append(row_number)
            if len(rows) == min(BLOCK_ROWS, chunk_rows - pending_rows):
                pending.append(_block_frame(header, rows, row_numbers))
                pending_rows += len(rows)
                rows, row_numbers = [], []
            if pending_rows >= chunk_rows:
                yield from _joined(pending)
                pending, pending_rows = [], 0
    finally:
        workbook.close()
    if issues:
        raise ImportFileError(issues)
    if header is None:
        raise ImportFileError(ImportIssue(filename, None, None, "the file is empty (the first worksheet has no cells)"))
    if rows:
        pending.append(_block_frame(header, rows, row_numbers))
    if pending:
        yield from _joined(pending)


def _joined(frames: list[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The blocks as one chunk, unless every row in them was blank."""
    frame = pd.concat(frames) if len(frames) > 1 else frames[0]
    if len(frame):
        yield frame


def _cell_issue(filename: str, sheet: str, header: Header | None, row: int, position: int, cell) -> ImportIssue:
    coordinate = f"{column_letter(position)}{row}"
    column = column_letter(position)
    if header is not None and position < header.width and header.names[position]:
        column = header.names[position]
    if cell.data_type == "e":
        return ImportIssue(filename, row, column, f"cell {sheet}!{coordinate} holds the error value {cell.value}")
    formula = getattr(cell.value, "text", cell.value)
    return ImportIssue(
        filename, row, column,
        f"cell {sheet}!{coordinate} holds a formula ({formula}); only values can be imported - "
        "copy the cells and paste them as values")
