"""Entry points for reading CSV / XLSX / Parquet files into frames of strings.

Every value is kept as text exactly as written (no type guessing, leading
zeros kept), surrounding spaces are removed and blank cells become missing.
The frame index is the spreadsheet row number (header = row 1).
"""
from __future__ import annotations

import importlib
import io
import os
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from .issues import ImportFileError, ImportIssue

Source = str | os.PathLike | bytes | BinaryIO
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
              ".parquet": "parquet", ".pq": "parquet"}
ALL_FORMATS = ("csv", "xlsx", "parquet")
SPREADSHEET_FORMATS = ("csv", "xlsx")
DEFAULT_CHUNK_ROWS = 100_000
#: format -> (module, chunk reader); a reader module (openpyxl, pyarrow) loads only when its format is read
READERS = {"csv": (".csvfile", "iter_csv_chunks"), "xlsx": (".excel", "iter_xlsx_chunks"),
           "parquet": (".parquetfile", "iter_parquet_chunks")}
MAGIC = {b"PK\x03\x04": "an Excel workbook (.xlsx)", b"PAR1": "a Parquet file"}


def table_format(filename: str, formats: Collection[str] = ALL_FORMATS) -> str:
    """Format named by the file extension, or ImportFileError for anything else."""
    suffix = Path(filename).suffix.lower()
    fmt = EXTENSIONS.get(suffix)
    accepted = ", ".join(sorted(ext for ext, name in EXTENSIONS.items() if name in formats))
    if suffix == ".xls":
        reason = "the old Excel .xls format is not supported; save the workbook as .xlsx or CSV"
    elif fmt is None or fmt not in formats:
        reason = f"unsupported file type '{suffix or '(no extension)'}'; accepted: {accepted}"
    else:
        return fmt
    raise ImportFileError(ImportIssue(filename, None, None, reason))


@contextmanager
def _open(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, (bytes, bytearray)):
        yield io.BytesIO(source)
    elif hasattr(source, "read"):
        yield source  # type: ignore[misc]
    else:
        with open(source, "rb") as handle:
            yield handle


def iter_table_chunks(source: Source, filename: str | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                      formats: Collection[str] = ALL_FORMATS) -> Iterator[pd.DataFrame]:
    """Yield the table in frames of at most ``chunk_rows`` rows.

    Raises ImportFileError (with located issues) for an unreadable, empty or
    header-only file, undecodable bytes or Excel formulas.
    """
    if filename is None:
        filename = Path(os.fspath(source)).name  # type: ignore[arg-type]
    fmt = table_format(filename, formats)
    with _open(source) as stream:
        head = stream.read(4)
        stream.seek(0)
        actual = MAGIC.get(head)
        if fmt == "csv" and actual:
            raise ImportFileError(ImportIssue(
                filename, None, None, f"the file is {actual} but its name ends like a CSV file; rename it"))
        if fmt != "csv" and not head:
            raise ImportFileError(ImportIssue(filename, None, None, "the file is empty"))
        produced = False
        module, reader = READERS[fmt]
        for chunk in getattr(importlib.import_module(module, __package__), reader)(stream, filename, chunk_rows):
            produced = True
            _reject_nul_characters(chunk, filename)
            yield chunk
        if not produced:
            raise ImportFileError(ImportIssue(filename, None, None, "the file has a header row but no data rows"))


def _reject_nul_characters(chunk: pd.DataFrame, filename: str) -> None:
    """A NUL character cannot be stored as text (PostgreSQL refuses it): name every cell holding one."""
    issues = [ImportIssue(filename, 1, str(name), "the column name contains a NUL character (\\x00)")
              for name in chunk.columns if "\x00" in str(name)]
    for name in chunk.columns:
        column = chunk[name]
        holds_nul = column.notna() & column.astype(str).str.contains("\x00", regex=False)
        issues.extend(ImportIssue(filename, int(row), str(name), "the cell contains a NUL character (\\x00), "
                                  "which cannot be stored; remove it") for row in chunk.index[holds_nul])
    if issues:
        raise ImportFileError(issues)


def read_table(source: Source, filename: str | None = None, formats: Collection[str] = ALL_FORMATS) -> pd.DataFrame:
    """Read a whole table into one frame of strings (see iter_table_chunks for errors)."""
    chunks = list(iter_table_chunks(source, filename, formats=formats))
    return pd.concat(chunks) if len(chunks) > 1 else chunks[0]
