"""Contacts import through the service: upsert, idempotence, dry run, all-or-nothing on both databases."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from imports_corpus import BAD_FILES, build_corpus, data_snapshot
from vocapp.models import Account, Contact, ImportRun
from vocapp.services.imports import import_contacts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus")) / "contacts"


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_valid_file_creates_accounts_and_contacts(db, corpus):
    report = import_contacts(corpus / "valid.csv")
    assert report.ok and report.written
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert report.extra_counts == {"accounts_created": 3, "accounts_renamed": 0}
    bob = db.session.scalar(select(Contact).where(Contact.email == "bob.stone@acme.example"))
    assert bob.account.external_id == "ACME" and bob.account.name == "Acme Ltd"
    assert bob.attributes == {"region": "North"}
    orbit = db.session.scalar(select(Account).where(Account.external_id == "00042"))
    assert [contact.email for contact in orbit.contacts] == ["dev@orbit.example"]
    run = db.session.get(ImportRun, report.run_id)
    assert (run.kind, run.status, run.counts["created"]) == ("contacts", "succeeded", 4)


def test_reimport_changes_nothing_and_updates_upsert_by_email(db, corpus, tmp_path):
    import_contacts(corpus / "valid.csv")
    before = data_snapshot(db)
    again = import_contacts(corpus / "valid.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert data_snapshot(db) == before
    changed = tmp_path / "changed.csv"
    changed.write_text("email,first_name,last_name,account_id,account_name,relationship,role,Region\n"
                       "ANN.LEE@ACME.EXAMPLE,Ann,Lee-Smith,ACME,Acme Group,both,user,South\n", encoding="utf-8")
    report = import_contacts(changed)
    assert (report.created, report.updated) == (0, 1)
    assert report.extra_counts["accounts_renamed"] == 1
    ann = db.session.scalar(select(Contact).where(Contact.email == "ann.lee@acme.example"))
    db.session.refresh(ann)
    assert (ann.last_name, ann.relationship, ann.role, ann.language) == ("Lee-Smith", "both", "user", "en")
    assert ann.attributes == {"region": "South", "member_since": "2019"}
    assert ann.account.name == "Acme Group"
    assert count(db, Contact) == 4


def test_dry_run_counts_but_writes_nothing(db, corpus):
    before = data_snapshot(db)
    report = import_contacts(corpus / "valid.csv", dry_run=True)
    assert report.ok and not report.written
    assert (report.created, report.extra_counts["accounts_created"]) == (4, 3)
    assert data_snapshot(db) == before
    assert db.session.get(ImportRun, report.run_id).status == "dry_run"


def test_sql_looking_strings_are_stored_verbatim(db, corpus):
    assert import_contacts(corpus / "sql_strings.csv").ok
    contact = db.session.scalar(select(Contact))
    assert contact.first_name == "Robert'); DROP TABLE contacts;--"
    assert contact.account.external_id == "1 OR 1=1"
    assert contact.account.name == 'Little Bobby" Tables; DELETE FROM accounts'
    assert contact.attributes == {"notes": '=HYPERLINK("http://x")'}
    assert count(db, Contact) == 1




@pytest.mark.parametrize("name", sorted(BAD_FILES["contacts"]))
def test_bad_files_leave_the_database_unchanged(db, corpus, name):
    import_contacts(corpus / "valid.csv")
    before = data_snapshot(db)
    report = import_contacts(corpus / name)
    assert not report.ok
    assert str(report.errors[0]) == BAD_FILES["contacts"][name]
    assert data_snapshot(db) == before
    run = db.session.get(ImportRun, report.run_id)
    assert run.status == "failed" and run.errors[0] == BAD_FILES["contacts"][name]


def _contacts_file(path: Path, rows: int, bad_row: int | None = None) -> Path:
    lines = ["email,first_name,last_name,account_id,account_name,relationship,role,segment"]
    for number in range(rows):
        relationship = "partner" if number + 2 == bad_row else ("member", "customer", "both")[number % 3]
        lines.append(f"person{number}@org{number // 4}.example,First{number},Last{number},ORG{number // 4},"
                     f"Organisation {number // 4},{relationship},user,S{number % 7}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ten_thousand_rows_with_one_bad_row_write_nothing_then_all(db, tmp_path):
    bad = _contacts_file(tmp_path / "big.csv", 10_000, bad_row=7_345)
    report = import_contacts(bad)
    assert [str(issue) for issue in report.errors] == [
        "big.csv: row 7345, column relationship: 'partner' is not a valid relationship "
        "(allowed: member, customer, both)"]
    assert count(db, Contact) == 0 and count(db, Account) == 0
    fixed = _contacts_file(tmp_path / "big.csv", 10_000)
    report = import_contacts(fixed)
    assert report.ok and report.created == 10_000
    assert count(db, Contact) == 10_000 and count(db, Account) == 2_500
