"""XLSX read in streaming chunks: row numbers kept, formulas anywhere still refused with their cells."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from vocapp.core.imports import ImportFileError, iter_table_chunks, read_table

FORMULA_ADVICE = "only values can be imported - copy the cells and paste them as values"


def workbook_bytes(rows: int, formulas: dict[str, str] | None = None, blank_rows: tuple[int, ...] = ()) -> bytes:
    """A sheet 'Ledger' with header (row 1) account_id, amount and ``rows`` data rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ledger"
    sheet.append(["account_id", "amount"])
    for number in range(rows):
        sheet.append([None, None] if number + 2 in blank_rows else [f"A{number}", number])
    for cell, formula in (formulas or {}).items():
        sheet[cell] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_chunks_hold_at_most_chunk_rows_and_keep_spreadsheet_row_numbers():
    data = workbook_bytes(25_000, blank_rows=(7_000,))
    chunks = list(iter_table_chunks(data, "big.xlsx", chunk_rows=7_001))
    # chunks are cut every 7,001 sheet rows; the blank row 7000 is dropped from the first
    assert [len(chunk) for chunk in chunks] == [7_000, 7_001, 7_001, 3_997]
    rows = [row for chunk in chunks for row in chunk.index]
    assert rows[0] == 2 and rows[-1] == 25_001 and 7_000 not in rows and len(rows) == 24_999
    assert chunks[3].loc[25_001].tolist() == ["A24999", "24999"]
    whole = read_table(data, "big.xlsx")
    assert whole.index.equals(chunks[0].index.append([chunk.index for chunk in chunks[1:]]))


def test_formulas_after_the_first_chunk_are_all_reported_and_stop_the_read():
    data = workbook_bytes(12_000, formulas={"B9000": "=SUM(1,2)", "A11500": "=B2"})
    produced = []
    with pytest.raises(ImportFileError) as caught:
        for chunk in iter_table_chunks(data, "late.xlsx", chunk_rows=5_000):
            produced.append(chunk)
    assert [str(issue) for issue in caught.value.issues] == [
        f"late.xlsx: row 9000, column amount: cell Ledger!B9000 holds a formula (=SUM(1,2)); {FORMULA_ADVICE}",
        f"late.xlsx: row 11500, column account_id: cell Ledger!A11500 holds a formula (=B2); {FORMULA_ADVICE}",
    ]
    assert [len(chunk) for chunk in produced] == [5_000]  # nothing after the first formula
