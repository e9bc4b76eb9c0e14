"""Transactions validation: vectorised checks, future dates, repeated references across chunks."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from imports_corpus import build_corpus
from vocapp.core.imports import ImportFileError, iter_table_chunks, read_table
from vocapp.core.imports.transactions import validate_transactions

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus")) / "transactions"


def validate(path: Path, **kwargs):
    kwargs.setdefault("today", TODAY)
    return validate_transactions(read_table(path), path.name, **kwargs)


def test_valid_file_with_refund_and_sql_text(corpus):
    result = validate(corpus / "valid.csv", known_account_ids={"ACME", "BRYN", "00042"})
    assert result.ok and not result.skipped
    clean = result.clean
    assert clean.loc[3, "amount"] == -150.0
    assert clean.loc[4, "currency"] == "GBP"
    assert clean.loc[4, "description"] == 'Course; "Advanced"'
    assert clean.loc[6, "description"] == "Robert'); DROP TABLE contacts;--"
    assert clean.loc[5, "account_id"] == "00042"
    assert clean.loc[2, "date"] == pd.Timestamp("2024-01-15")


def test_bad_values_are_located(corpus):
    assert [str(issue) for issue in validate(corpus / "bad_values.csv").errors] == [
        "bad_values.csv: row 2, column date: '2024-13-01' is not a valid date (expected YYYY-MM-DD, e.g. 2024-03-31)",
        "bad_values.csv: row 3, column amount: '1,200.00' is not a valid amount (use digits with '.' for decimals, "
        "no thousands separators, e.g. -1234.50)",
        "bad_values.csv: row 4, column account_id: a value is required",
        "bad_values.csv: row 4, column category: a value is required",
        "bad_values.csv: row 5, column date: '2099-01-01' is in the future (today is 2026-11-26)",
        "bad_values.csv: row 5, column currency: 'POUNDS' is not a valid currency code (e.g. GBP, EUR)",
    ]


def test_unknown_accounts_unless_created(corpus):
    errors = validate(corpus / "valid.csv", known_account_ids={"ACME"}).errors
    assert [str(issue) for issue in errors] == [
        f"valid.csv: row {row}, column account_id: no account has the id {account} "
        "(import the contacts first, or use --create-accounts)"
        for row, account in [(4, "BRYN"), (5, "00042"), (6, "00042")]]
    assert validate(corpus / "valid.csv", known_account_ids={"ACME"}, create_accounts=True).ok


def test_extra_and_missing_columns(corpus):
    assert [str(issue) for issue in validate(corpus / "extra_column.csv").errors] == [
        "extra_column.csv: row 1, column vat: unexpected column; transactions files have account_id, date, amount, "
        "category and optionally currency, description, reference"]
    assert [str(issue) for issue in validate(corpus / "missing_column.csv").errors] == [
        "missing_column.csv: row 1, column amount: required column 'amount' is missing "
        "(expected: account_id, date, amount, category, currency, description, reference)"]


def test_repeated_reference_is_skipped_not_an_error(corpus):
    result = validate(corpus / "repeated_reference.csv")
    assert result.ok
    assert [str(issue) for issue in result.skipped] == [
        "repeated_reference.csv: row 4, column reference: reference R-1 already appears on row 2; this row is skipped"]
    assert list(result.clean.index) == [2, 3]


def test_references_carry_across_chunks_and_earlier_imports():
    text = "account_id,date,amount,category,reference\n" + "".join(
        f"A,2024-01-01,1,fee,R{i % 15}\n" for i in range(30))
    seen = {"R3": 0}
    skipped, kept = [], []
    for chunk in iter_table_chunks(text.encode(), "t.csv", chunk_rows=7):
        result = validate_transactions(chunk, "t.csv", today=TODAY, seen_references=seen)
        skipped += result.skipped
        kept += list(result.clean["reference"])
    assert sorted(kept) == sorted(f"R{i}" for i in range(15) if i != 3)
    assert len(skipped) == 16
    assert str(skipped[0]) == "t.csv: row 5, column reference: reference R3 was imported before; this row is skipped"
    assert str(skipped[-1]) == "t.csv: row 31, column reference: reference R14 already appears on row 16; this row is skipped"


def test_parquet_files(corpus):
    assert validate(corpus / "valid.parquet").clean.loc[3, "amount"] == -150.25
    assert [str(issue) for issue in validate(corpus / "bad_values.parquet").errors] == [
        "bad_values.parquet: row 3, column account_id: a value is required",
        "bad_values.parquet: row 3, column date: '15/01/2024' is not a valid date (expected YYYY-MM-DD, e.g. 2024-03-31)",
        "bad_values.parquet: row 3, column amount: 'twelve' is not a valid amount (use digits with '.' for decimals, "
        "no thousands separators, e.g. -1234.50)",
    ]


def test_formula_and_encodings(corpus):
    with pytest.raises(ImportFileError) as caught:
        read_table(corpus / "formulas.xlsx")
    assert str(caught.value) == ("formulas.xlsx: row 2, column amount: cell Ledger!C2 holds a formula (=100*1.2); "
                                 "only values can be imported - copy the cells and paste them as values")
    assert validate(corpus / "cp1252.csv").clean.loc[2, "description"] == "Dîner – été"
    assert validate(corpus / "utf8_bom.csv").ok


def test_values_too_long_or_too_large_for_the_database():
    frame = pd.DataFrame({"account_id": ["A", "A"], "date": ["2024-01-01"] * 2, "amount": ["1000000000000", "5"],
                          "category": ["fee", "x" * 121]}, index=pd.Index([2, 3], name="row"))
    result = validate_transactions(frame, "t.csv", today=TODAY)
    assert [str(issue) for issue in result.errors] == [
        "t.csv: row 2, column amount: '1000000000000' is too large (limit 1e+12)",
        "t.csv: row 3, column category: the value is longer than 120 characters",
    ]
