"""Parquet reading with pyarrow, batch by batch, every column cast to text."""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .header import Header
from .issues import ImportFileError, ImportIssue


def _as_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_timestamp(column.type):
        column = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    return pc.cast(column, pa.string())


#: most bytes one column of one row group may expand to, as the file's metadata declares it
MAX_COLUMN_CHUNK_BYTES = 512 << 20
#: most bytes of text one chunk of rows may expand to (dictionary-encoded text is measured before it is expanded)
MAX_CHUNK_TEXT_BYTES = 512 << 20


def _check_row_groups(parquet: pq.ParquetFile, filename: str) -> None:
    """Refuse a column chunk declared to expand beyond MAX_COLUMN_CHUNK_BYTES (a compression bomb)."""
    metadata = parquet.metadata
    for group in range(metadata.num_row_groups):
        for column in range(metadata.num_columns):
            size = metadata.row_group(group).column(column).total_uncompressed_size
            if size > MAX_COLUMN_CHUNK_BYTES:
                raise ImportFileError(ImportIssue(
                    filename, None, metadata.schema.column(column).name,
                    f"row group {group + 1} of the Parquet file expands to {size / (1 << 20):,.0f} MiB in this "
                    f"column, more than {MAX_COLUMN_CHUNK_BYTES >> 20} MiB; write it with smaller row groups or as CSV"))


def _expanded_bytes(column: pa.Array) -> int:
    """Bytes of text ``column`` becomes once cast to plain strings (without expanding dictionaries)."""
    if pa.types.is_dictionary(column.type):
        lengths = pc.binary_length(column.dictionary)
        return int(pc.sum(pc.take(lengths, column.indices)).as_py() or 0)
    return column.nbytes


def _check_expansion(batch: pa.RecordBatch, filename: str, first_row: int) -> None:
    size = sum(_expanded_bytes(batch.column(position)) for position in range(batch.num_columns))
    if size > MAX_CHUNK_TEXT_BYTES:
        raise ImportFileError(ImportIssue(
            filename, first_row, None, f"rows {first_row:,} to {first_row + batch.num_rows - 1:,} expand to "
            f"{size / (1 << 20):,.0f} MiB of text, more than {MAX_CHUNK_TEXT_BYTES >> 20} MiB"))


def iter_parquet_chunks(stream: BinaryIO, filename: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield string frames; row numbers follow the spreadsheet convention (first record = row 2)."""
    try:
        schema = pq.read_schema(stream)
        stream.seek(0)
        text_columns = [field.name for field in schema if pa.types.is_string(field.type) or pa.types.is_binary(field.type)
                        or pa.types.is_large_string(field.type)]
        parquet = pq.ParquetFile(stream, read_dictionary=text_columns)
    except (pa.ArrowInvalid, OSError) as error:
        raise ImportFileError(ImportIssue(filename, None, None, f"not a valid Parquet file ({error})")) from None
    _check_row_groups(parquet, filename)
    header = Header.from_cells(list(parquet.schema_arrow.names), filename)
    next_row = 2
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            _check_expansion(batch, filename, next_row)
            columns = {position: _as_text(batch.column(position)) for position in range(batch.num_columns)}
            raw = pa.table({str(position): array for position, array in columns.items()}).to_pandas()
            frame = header.finish_chunk(raw, next_row)
            next_row += batch.num_rows
            if len(frame):
                yield frame
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ImportFileError(ImportIssue(filename, None, None, f"cannot read the Parquet file ({error})")) from None
