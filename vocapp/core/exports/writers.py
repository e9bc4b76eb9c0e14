"""Streaming writers: an export is a ``Variable`` list and an iterator of conformed chunks.

CSV and JSON are produced chunk by chunk as bytes (a web response streams them as they come); Excel,
Parquet and SPSS are written to a file. Only SPSS holds the whole table at once: pyreadstat writes a
``.sav`` from one DataFrame and cannot append (the bound is the export's own size, e.g. about 30 MB for
100,000 contacts with three constructs).
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from vocapp.core.constants import EXPORT_FORMATS

from .codebook import CODEBOOK_VARIABLES, Variable, codebook_rows
from .safety import neutralise_series

FORMATS = EXPORT_FORMATS
STREAMED_FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "sav": "application/x-spss-sav", "parquet": "application/vnd.apache.parquet"}
NUMBER_FORMATS = {"float": "0.00", "integer": "0", "datetime": "yyyy-mm-dd hh:mm:ss"}


def _text_columns(variables: Sequence[Variable]) -> list[str]:
    return [v.name for v in variables if v.kind == "string"]


def spreadsheet_safe(chunk: pd.DataFrame, variables: Sequence[Variable]) -> pd.DataFrame:
    """The chunk with its text columns neutralised (numbers, booleans and dates unchanged)."""
    safe = chunk.copy(deep=False)
    for name in _text_columns(variables):
        safe[name] = neutralise_series(chunk[name])
    return safe


# --------------------------------------------------------------------------------- CSV and JSON

#: records end in CRLF (RFC 4180): the csv writer then quotes every value holding a CR or an LF. With
#: "\n" alone a bare CR inside a value was written unquoted, and spreadsheets end the row there: the
#: rest of the value became a new row whose first cell could be a formula ("Acme\r=HYPERLINK(...)")
CSV_LINE_END = "\r\n"


def iter_csv(variables: Sequence[Variable], chunks: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """UTF-8 CSV, a header then one block per chunk; text cells neutralised; floats written exactly."""
    yield (",".join(_csv_header(v.name) for v in variables) + CSV_LINE_END).encode("utf-8")
    for chunk in chunks:
        if len(chunk):
            buffer = io.StringIO()
            spreadsheet_safe(chunk, variables).to_csv(buffer, header=False, index=False,
                                                         lineterminator=CSV_LINE_END)
            yield buffer.getvalue().encode("utf-8")


def _csv_header(name: str) -> str:
    return f'"{name}"' if re.search(r'[",\n\r]', name) else name


def _json_ready(chunk: pd.DataFrame, variables: Sequence[Variable]) -> list[list[Any]]:
    """Chunk rows as lists of plain Python values (None for missing, ISO 8601 UTC text for times)."""
    columns = []
    for v in variables:
        values = chunk[v.name]
        if v.kind == "datetime":
            text = np.datetime_as_string(values.dt.tz_convert("UTC").to_numpy("datetime64[us]"), timezone="UTC")
            columns.append(np.where(values.isna().to_numpy(), None, text).tolist())
        elif v.kind == "float":
            array = values.to_numpy(dtype=float)
            columns.append(np.where(np.isnan(array), None, array.astype(object)).tolist())
        elif v.kind in ("integer", "boolean"):
            columns.append(values.to_numpy(dtype=object, na_value=None).tolist())
        else:
            array = values.to_numpy(dtype=object)
            columns.append(np.where(pd.isna(array), None, array).tolist())
    return [list(row) for row in zip(*columns)]


def iter_json(variables: Sequence[Variable], chunks: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """A JSON array of objects, one per row, values exact (no neutralising; floats round-trip: orjson
    writes the shortest text that reads back as the same double)."""
    import orjson

    names = [v.name for v in variables]
    yield b"["
    first = True
    for chunk in chunks:
        if not len(chunk):
            continue
        body = orjson.dumps([dict(zip(names, row)) for row in _json_ready(chunk, variables)])[1:-1]
        yield (b"" if first else b",\n") + body
        first = False
    yield b"]\n"


# --------------------------------------------------------------------------------- Excel

def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").tz_localize(None).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _write_sheet(workbook, title: str, variables: Sequence[Variable], chunks: Iterable[pd.DataFrame],
                 safe: Callable[[pd.DataFrame], pd.DataFrame]) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for v in variables:
        cell = WriteOnlyCell(sheet, v.name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # one styled cell per formatted column, reused row after row (write-only rows are written at once)
    styled: dict[int, Any] = {}
    for j, v in enumerate(variables):
        if v.kind in NUMBER_FORMATS:
            styled[j] = WriteOnlyCell(sheet)
            styled[j].number_format = NUMBER_FORMATS[v.kind]
    rows = 0
    for chunk in chunks:
        for values in safe(chunk).astype(object).itertuples(index=False, name=None):
            row = [_cell_value(x) for x in values]
            for j, cell in styled.items():
                if row[j] is not None:
                    cell.value = row[j]
                    row[j] = cell
            sheet.append(row)
        rows += len(chunk)
    return rows


def write_xlsx(variables: Sequence[Variable], chunks: Iterable[pd.DataFrame], path: str | Path,
               title: str = "data", codebook: dict[str, list[Variable]] | None = None) -> int:
    """An Excel workbook in write-only mode: frozen header, number formats, text neutralised, and a
    ``codebook`` sheet describing every column. Returns the number of data rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    rows = _write_sheet(workbook, title, variables, chunks, lambda c: spreadsheet_safe(c, variables))
    book = pd.DataFrame(codebook_rows(codebook or {title: list(variables)}),
                        columns=[v.name for v in CODEBOOK_VARIABLES])
    _write_sheet(workbook, "codebook", CODEBOOK_VARIABLES, [book], lambda c: spreadsheet_safe(c, CODEBOOK_VARIABLES))
    workbook.save(str(path))
    return rows


# --------------------------------------------------------------------------------- Parquet

def arrow_schema(variables: Sequence[Variable]):
    """The Arrow schema of an export: a description (and value labels) on every field, the whole
    codebook in the schema metadata under ``vocapp.codebook``."""
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "float": pa.float64(), "boolean": pa.bool_(),
             "datetime": pa.timestamp("us", tz="UTC")}
    fields = [pa.field(v.name, types[v.kind], metadata={
        "description": v.label, **({"value_labels": json.dumps({str(k): l for k, l in v.value_labels.items()})}
                                   if v.value_labels else {})}) for v in variables]
    book = {v.name: {"label": v.label, "type": v.kind, "value_labels": {str(k): l for k, l in v.value_labels.items()}}
            for v in variables}
    return pa.schema(fields, metadata={"vocapp.codebook": json.dumps(book)})


def write_parquet(variables: Sequence[Variable], chunks: Iterable[pd.DataFrame], path: str | Path) -> int:
    """Parquet through one ParquetWriter, one row group per chunk; values exact."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(variables)
    rows = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for chunk in chunks:
            if len(chunk):
                writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))
                rows += len(chunk)
        if rows == 0:
            writer.write_table(schema.empty_table())
    return rows


# --------------------------------------------------------------------------------- SPSS

_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}


def spss_names(names: Sequence[str]) -> dict[str, str]:
    """Export column -> valid, unique SPSS variable name (letters, digits, _ . @ # $; 64 bytes at most)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        candidate = re.sub(r"[^0-9A-Za-z_.@#$]", "_", name).rstrip(".") or "v"
        if not candidate[0].isalpha() or candidate.upper() in _SPSS_RESERVED:
            candidate = "v_" + candidate
        candidate = candidate[:64]
        base, k = candidate, 1
        while candidate.lower() in used:
            k += 1
            candidate = f"{base[:60]}_{k}"
        used.add(candidate.lower())
        out[name] = candidate
    return out


def spss_frame(chunk: pd.DataFrame, variables: Sequence[Variable]) -> pd.DataFrame:
    """A chunk in the types pyreadstat writes: numbers as float, booleans 0/1, times naive UTC, text str."""
    out = {}
    for v in variables:
        values = chunk[v.name]
        if v.kind in ("integer", "float", "boolean"):
            out[v.name] = values.astype("Float64").astype(float) if v.kind != "float" else values.astype(float)
        elif v.kind == "datetime":  # (an empty chunk's column may hold no times at all: object dtype)
            out[v.name] = pd.to_datetime(values, utc=True).dt.tz_localize(None)
        else:
            out[v.name] = values.astype(object).where(values.notna(), "")
    return pd.DataFrame(out)


def write_sav(variables: Sequence[Variable], chunks: Iterable[pd.DataFrame], path: str | Path,
              title: str = "") -> int:
    """SPSS ``.sav`` through pyreadstat, with variable labels and value labels (whole table in memory)."""
    import pyreadstat

    parts = [spss_frame(chunk, variables) for chunk in chunks]
    frame = pd.concat(parts, ignore_index=True) if parts else spss_frame(
        pd.DataFrame({v.name: pd.Series(dtype=object) for v in variables}), variables)
    del parts  # the chunks go once they are concatenated: the table is held once while pyreadstat writes
    names = spss_names([v.name for v in variables])
    frame = frame.rename(columns=names)
    labels: dict[str, dict] = {}
    for v in variables:
        if v.value_labels:
            labels[names[v.name]] = ({str(k): l for k, l in v.value_labels.items()} if v.kind == "string"
                                     else {float(k): l for k, l in v.value_labels.items()})
    measure = {names[v.name]: ("scale" if v.kind in ("float", "datetime") else
                               "ordinal" if v.kind == "integer" and v.value_labels else
                               "scale" if v.kind == "integer" else "nominal") for v in variables}
    pyreadstat.write_sav(frame, str(path), file_label=title[:64],
                         column_labels={names[v.name]: v.label[:255] for v in variables},
                         variable_value_labels=labels, variable_measure=measure)
    return len(frame)


def write_file(fmt: str, variables: Sequence[Variable], chunks: Iterable[pd.DataFrame], path: str | Path,
               title: str = "data", codebook: dict[str, list[Variable]] | None = None) -> int:
    """Write an export in ``fmt`` (one of FORMATS) to ``path``; returns the number of data rows."""
    if fmt in STREAMED_FORMATS:
        rows = 0

        def counted():
            nonlocal rows
            for chunk in chunks:
                rows += len(chunk)
                yield chunk

        with open(path, "wb") as out:
            for block in (iter_csv if fmt == "csv" else iter_json)(variables, counted()):
                out.write(block)
        return rows
    if fmt == "xlsx":
        return write_xlsx(variables, chunks, path, title, codebook)
    if fmt == "parquet":
        return write_parquet(variables, chunks, path)
    if fmt == "sav":
        return write_sav(variables, chunks, path, title)
    raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
