"""Transactions import: bulk writes, references never twice, all-or-nothing across chunks."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from imports_corpus import BAD_FILES, build_corpus, data_snapshot
from vocapp.models import Account, Transaction
from vocapp.services.imports import import_contacts, import_transactions

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def accounts(db, corpus):
    assert import_contacts(corpus / "contacts" / "valid.csv").ok


def transactions(db) -> list[Transaction]:
    return list(db.session.scalars(select(Transaction).order_by(Transaction.id)))


def test_valid_file_is_written_with_refunds_and_text_verbatim(db, corpus, accounts):
    report = import_transactions(corpus / "transactions" / "valid.csv", today=TODAY)
    assert report.ok and report.created == 5
    rows = transactions(db)
    assert [(row.date, row.amount, row.currency, row.reference) for row in rows[:2]] == [
        (dt.date(2024, 1, 15), Decimal("1200.00"), "GBP", "INV-001"),
        (dt.date(2024, 2, 3), Decimal("-150.00"), "GBP", "INV-002")]
    assert rows[2].description == 'Course; "Advanced"'
    assert rows[3].currency == "GBP" and rows[3].reference is None
    assert rows[4].description == "Robert'); DROP TABLE contacts;--"
    orbit = db.session.scalar(select(Account).where(Account.external_id == "00042"))
    assert {row.account_id for row in rows[3:]} == {orbit.id}
    assert {row.import_run_id for row in rows} == {report.run_id}


def test_references_are_not_imported_twice(db, corpus, accounts):
    assert import_transactions(corpus / "transactions" / "valid.csv", today=TODAY).created == 5
    before = data_snapshot(db)
    again = import_transactions(corpus / "transactions" / "valid.csv", today=TODAY)
    # the three referenced rows are skipped; the two rows without a reference cannot be matched and are added
    assert (again.created, again.skipped) == (2, 3)
    assert str(again.skipped_rows[0]) == "valid.csv: row 2, column reference: reference INV-001 was imported before; " \
                                         "this row is skipped"
    assert len(transactions(db)) == len(before["transactions"]) + 2
    repeated = import_transactions(corpus / "transactions" / "repeated_reference.csv", today=TODAY)
    assert (repeated.created, repeated.skipped) == (2, 1)


def test_unknown_accounts_unless_created(db, corpus):
    before = data_snapshot(db)
    report = import_transactions(corpus / "transactions" / "valid.parquet", today=TODAY)
    assert str(report.errors[0]) == ("valid.parquet: row 2, column account_id: no account has the id ACME "
                                     "(import the contacts first, or use --create-accounts)")
    assert data_snapshot(db) == before
    dry = import_transactions(corpus / "transactions" / "valid.parquet", create_accounts=True, dry_run=True,
                              today=TODAY)
    assert (dry.created, dry.extra_counts["accounts_created"]) == (3, 2)
    assert data_snapshot(db) == before
    report = import_transactions(corpus / "transactions" / "valid.parquet", create_accounts=True, today=TODAY)
    assert report.ok and report.created == 3
    names = dict(db.session.execute(select(Account.external_id, Account.name)).all())
    assert names == {"ACME": "ACME", "00042": "00042"}


def test_error_in_a_late_chunk_rolls_back_earlier_chunks(db, corpus, accounts, tmp_path):
    lines = ["account_id,date,amount,category,reference"]
    lines += [f"ACME,2024-01-{1 + i % 28:02d},{i}.50,fee,REF-{i}" for i in range(60)]
    lines[55] = "ACME,2024-01-05,12.x,fee,REF-BAD"
    path = tmp_path / "chunks.csv"
    path.write_text("\n".join(lines) + "\n")
    before = data_snapshot(db)
    report = import_transactions(path, today=TODAY, chunk_rows=10)
    assert [str(issue) for issue in report.errors] == [
        "chunks.csv: row 56, column amount: '12.x' is not a valid amount (use digits with '.' for decimals, "
        "no thousands separators, e.g. -1234.50)"]
    assert data_snapshot(db) == before
    lines[55] = "ACME,2024-01-05,12.00,fee,REF-FIXED"
    path.write_text("\n".join(lines) + "\n")
    report = import_transactions(path, today=TODAY, chunk_rows=10)
    assert report.ok and report.created == 60
    assert db.session.scalar(select(func.sum(Transaction.amount))) == sum(Decimal(f"{i}.50") for i in range(60)) \
        - Decimal("54.50") + Decimal("12.00")




def test_header_problems_are_reported_once_however_many_chunks(db, accounts, tmp_path):
    path = tmp_path / "headers.csv"
    path.write_text("account_id,Date,DATE,amount,vat\n" + "ACME,2024-01-01,2024-01-01,1,0\n" * 45)
    before = data_snapshot(db)
    report = import_transactions(path, today=TODAY, chunk_rows=10)
    assert [str(issue) for issue in report.errors] == [
        "headers.csv: row 1, column DATE: column C repeats the header of column B ('Date'); each column may appear once",
        "headers.csv: row 1, column vat: unexpected column; transactions files have account_id, date, amount, "
        "category and optionally currency, description, reference",
        "headers.csv: row 1, column category: required column 'category' is missing (expected: account_id, date, "
        "amount, category, currency, description, reference)",
    ]
    assert data_snapshot(db) == before


@pytest.mark.parametrize("name", sorted(BAD_FILES["transactions"]))
def test_bad_files_leave_the_database_unchanged(db, corpus, accounts, name):
    before = data_snapshot(db)
    report = import_transactions(corpus / "transactions" / name, today=TODAY)
    assert str(report.errors[0]) == BAD_FILES["transactions"][name]
    assert data_snapshot(db) == before


@pytest.mark.parametrize("name, description", [("cp1252.csv", "Dîner – été"), ("utf8_bom.csv", "Annual membership 2024")])
def test_encodings(db, corpus, accounts, name, description):
    assert import_transactions(corpus / "transactions" / name, today=TODAY).ok
    assert transactions(db)[0].description == description
