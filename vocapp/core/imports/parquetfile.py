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


def iter_parquet_chunks(stream: BinaryIO, filename: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield string frames; row numbers follow the spreadsheet convention (first record = row 2)."""
    try:
        parquet = pq.ParquetFile(stream)
    except (pa.ArrowInvalid, OSError) as error:
        raise ImportFileError(ImportIssue(filename, None, None, f"not a valid Parquet file ({error})")) from None
    header = Header.from_cells(list(parquet.schema_arrow.names), filename)
    next_row = 2
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            columns = {position: _as_text(batch.column(position)) for position in range(batch.num_columns)}
            raw = pa.table({str(position): array for position, array in columns.items()}).to_pandas()
            frame = header.finish_chunk(raw, next_row)
            next_row += batch.num_rows
            if len(frame):
                yield frame
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ImportFileError(ImportIssue(filename, None, None, f"cannot read the Parquet file ({error})")) from None
