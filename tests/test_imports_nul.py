"""A NUL character in an imported cell is a located error and changes nothing (PostgreSQL cannot store it)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from vocapp.models import Account, Contact, Transaction
from vocapp.services.imports import import_contacts, import_transactions


def test_nul_character_in_a_contacts_cell_is_located_and_nothing_is_written(db, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_bytes(b"email,first_name,last_name,account_id,account_name,relationship,role\n"
                     b"ann@acme.example,Ann,Lee,ACME,Acme Ltd,member,user\n"
                     b"bob@acme.example,B\x00b,Stone,ACME,Acme Ltd,member,user\n")
    report = import_contacts(path)
    assert not report.ok
    assert [str(issue) for issue in report.errors] == [
        "crm.csv: row 3, column first_name: the cell contains a NUL character (\\x00), which cannot be stored; "
        "remove it"]
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
    assert db.session.scalar(select(func.count()).select_from(Account)) == 0


def test_nul_character_in_a_parquet_transaction_is_located(db, tmp_path):
    path = tmp_path / "finance.parquet"
    pd.DataFrame({"account_id": ["ACME", "ACME"], "date": ["2026-01-05", "2026-02-05"],
                  "amount": ["120.00", "80.00"], "category": ["membership", "training\x00"]}).to_parquet(path)
    report = import_transactions(path, create_accounts=True)
    assert not report.ok
    assert [str(issue) for issue in report.errors] == [
        "finance.parquet: row 3, column category: the cell contains a NUL character (\\x00), which cannot be "
        "stored; remove it"]
    assert db.session.scalar(select(func.count()).select_from(Transaction)) == 0
    assert db.session.scalar(select(func.count()).select_from(Account)) == 0
