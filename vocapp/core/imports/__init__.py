"""Reading and validating tabular import files (CSV, XLSX, Parquet) into clean frames.

Pure core: no Flask, no SQLAlchemy.  See docs/imports.md.
"""
from .issues import ImportFileError, ImportIssue, ValidationResult
from .reading import (ALL_FORMATS, DEFAULT_CHUNK_ROWS, SPREADSHEET_FORMATS, iter_table_chunks, read_table,
                      table_format)

__all__ = [
    "ALL_FORMATS", "DEFAULT_CHUNK_ROWS", "SPREADSHEET_FORMATS", "ImportFileError", "ImportIssue",
    "ValidationResult", "iter_table_chunks", "read_table", "table_format",
]
