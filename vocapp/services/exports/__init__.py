"""Exports and reports: what to export (scope), the export tables read in chunks, writing them in a
format, and the results report."""
from __future__ import annotations

from pathlib import Path

from vocapp.core.exports import FORMATS, write_file

from .scope import ExportError, ExportScope, export_choices, record_download, resolve_scope
from .tables import CHUNK_ROWS, ExportTable, datasets, export_table


def write_export(kind: str, fmt: str, out: str | Path, survey: str | None = None, run_id: int | None = None,
                 chunk_rows: int = CHUNK_ROWS) -> tuple[int, ExportTable, ExportScope]:
    """Write export ``kind`` in ``fmt`` to ``out``; returns (rows written, the table, its scope)."""
    if fmt not in FORMATS:
        raise ExportError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    scope = resolve_scope(survey, run_id)
    table = export_table(kind, scope, chunk_rows)
    rows = write_file(fmt, table.variables, table.chunks(), out, title=kind, codebook={kind: table.variables})
    return rows, table, scope


__all__ = ["CHUNK_ROWS", "ExportError", "ExportScope", "ExportTable", "datasets", "export_choices", "export_table",
           "record_download", "resolve_scope", "write_export"]
