"""XLSX imports stream chunk by chunk: a formula after chunks were written still rolls everything back."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from imports_corpus import data_snapshot
from vocapp.models import Transaction
from vocapp.services.imports import import_transactions

TODAY = dt.date(2026, 11, 26)


def ledger(path: Path, rows: int, formula_cell: str | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ledger"
    sheet.append(["account_id", "date", "amount", "category", "reference"])
    for number in range(rows):
        sheet.append(["ACME", "2024-01-15", f"{number}.25", "fee", f"REF-{number}"])
    if formula_cell:
        sheet[formula_cell] = "=100*1.2"
    workbook.save(path)
    return path


def test_formula_in_a_late_chunk_writes_nothing_then_the_fixed_file_imports_everything(db, runner, tmp_path):
    path = ledger(tmp_path / "ledger.xlsx", 250, formula_cell="C240")
    before = data_snapshot(db)
    report = import_transactions(path, create_accounts=True, today=TODAY, chunk_rows=100)
    assert [str(issue) for issue in report.errors] == [
        "ledger.xlsx: row 240, column amount: cell Ledger!C240 holds a formula (=100*1.2); only values can be "
        "imported - copy the cells and paste them as values"]
    assert data_snapshot(db) == before
    ledger(path, 250)
    report = import_transactions(path, create_accounts=True, today=TODAY, chunk_rows=100)
    assert report.ok and report.created == 250
    assert db.session.scalar(select(func.count()).select_from(Transaction)) == 250
    again = runner.invoke(args=["transactions", "import", str(path)])
    assert again.exit_code == 0, again.output
    assert "created 0, updated 0, unchanged 0, skipped 250" in again.stdout
