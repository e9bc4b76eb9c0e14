"""Data rights on re-import (service, CLI, upload preview): erased contacts get nothing back,
unsubscribed contacts stay unsubscribed."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from sqlalchemy import select

from helpers import csrf_token
from imports_corpus import data_snapshot
from vocapp.models import Account, Contact
from vocapp.services.imports import import_contacts

HEADER = "email,first_name,last_name,account_id,account_name,relationship,role,Region"
ERASED_ON = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc)
UNSUBSCRIBED_ON = dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)
CONSENTED_ON = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def write(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def contact(db, email: str) -> Contact:
    found = db.session.scalar(select(Contact).where(Contact.email == email))
    db.session.refresh(found)
    return found


def first_import(db, tmp_path: Path) -> None:
    report = import_contacts(write(tmp_path / "first.csv",
                                   "ann@acme.example,Ann,Lee,ACME,Acme Ltd,member,user,North",
                                   "bob@acme.example,Bob,Stone,ACME,Acme Ltd,member,influencer,North"))
    assert report.ok and report.created == 2


def erase(db, email: str) -> None:
    """What an erasure leaves behind: the row (for counts and scores) without personal data."""
    erased = contact(db, email)
    erased.first_name, erased.last_name, erased.role, erased.attributes = "", "", None, {}
    erased.erased_at = ERASED_ON
    db.session.commit()


def test_erased_contact_is_skipped_with_a_located_notice(db, tmp_path):
    first_import(db, tmp_path)
    erase(db, "bob@acme.example")
    again = write(tmp_path / "again.csv",
                  "ann@acme.example,Ann,Lee-Smith,ACME,Acme Ltd,member,user,South",
                  "BOB@acme.example,Bob,Stone,BOBCO,Bob's Company,customer,decision_maker,East")
    dry = import_contacts(again, dry_run=True)
    assert dry.ok and (dry.updated, dry.skipped) == (1, 1)
    assert [str(issue) for issue in dry.skipped_rows] == [
        "again.csv: row 3, column email: contact was erased on 2026-03-01; not re-imported"]
    report = import_contacts(again)
    assert report.ok and report.written
    assert (report.created, report.updated, report.unchanged, report.skipped, report.error_count) == (0, 1, 0, 1, 0)
    assert [str(issue) for issue in report.skipped_rows] == [
        "again.csv: row 3, column email: contact was erased on 2026-03-01; not re-imported"]
    bob = contact(db, "bob@acme.example")
    assert (bob.first_name, bob.last_name, bob.role, bob.attributes) == ("", "", None, {})
    assert (bob.relationship, bob.erased_at, bob.account.external_id) == ("member", ERASED_ON, "ACME")
    assert db.session.scalar(select(Account).where(Account.external_id == "BOBCO")) is None
    assert report.extra_counts["accounts_created"] == 0
    assert contact(db, "ann@acme.example").last_name == "Lee-Smith"


def test_erased_contact_notice_through_the_cli(runner, db, tmp_path):
    first_import(db, tmp_path)
    erase(db, "ann@acme.example")
    before = data_snapshot(db)
    result = runner.invoke(args=["contacts", "import", str(write(
        tmp_path / "crm.csv", "ann@acme.example,Ann,Lee,ACME,Acme Ltd,member,user,North"))])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "contacts import of crm.csv: created 0, updated 0, unchanged 0, skipped 1, accounts created 0, "
        "accounts renamed 0",
        "  skipped: crm.csv: row 2, column email: contact was erased on 2026-03-01; not re-imported"]
    assert data_snapshot(db) == before


def test_unsubscribed_contact_stays_unsubscribed_and_keeps_its_consent_state(db, runner, tmp_path):
    first_import(db, tmp_path)
    ann = contact(db, "ann@acme.example")
    ann.unsubscribed_at, ann.consent_at = UNSUBSCRIBED_ON, CONSENTED_ON
    bob = contact(db, "bob@acme.example")
    bob.consent_at = CONSENTED_ON
    db.session.commit()
    crm = write(tmp_path / "crm.csv",
                "ann@acme.example,Ann,Lee-Smith,ACME,Acme Ltd,both,user,South,,",
                "bob@acme.example,Bob,Stone,ACME,Acme Ltd,member,influencer,North,,",
                header=HEADER + ",unsubscribed_at,consent_at")
    result = runner.invoke(args=["contacts", "import", str(crm)])
    assert result.exit_code == 0, result.output
    assert "updated 1, unchanged 1, skipped 0" in result.stdout
    ann, bob = contact(db, "ann@acme.example"), contact(db, "bob@acme.example")
    assert (ann.last_name, ann.relationship, ann.attributes) == ("Lee-Smith", "both", {"region": "South"})
    assert (ann.unsubscribed_at, ann.consent_at, ann.erased_at) == (UNSUBSCRIBED_ON, CONSENTED_ON, None)
    assert not ann.reachable
    assert (bob.unsubscribed_at, bob.consent_at) == (None, CONSENTED_ON)


def test_upload_preview_lists_the_erased_contact_as_skipped(client_as, db, tmp_path):
    first_import(db, tmp_path)
    erase(db, "bob@acme.example")
    designer = client_as("designer")
    path = write(tmp_path / "crm.csv", "bob@acme.example,Bob,Stone,ACME,Acme Ltd,member,user,North")
    data = {"csrf_token": csrf_token(designer, "/imports/"),
            "file": (io.BytesIO(path.read_bytes()), path.name)}
    page = designer.post("/imports/contacts", data=data, content_type="multipart/form-data")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Rows that will be skipped" in text
    assert "crm.csv: row 2, column email: contact was erased on 2026-03-01; not re-imported" in text
    assert contact(db, "bob@acme.example").first_name == ""


def test_responses_of_an_erased_contact_are_not_imported(db, tmp_path):
    from vocapp.models import Response
    from vocapp.services.imports import import_responses
    from vocapp.services.surveys import load_definition_file

    load_definition_file(Path(__file__).resolve().parent.parent / "survey_definitions" / "b2b_pulse.yaml")
    first_import(db, tmp_path)
    erase(db, "bob@acme.example")
    responses = write(tmp_path / "responses.csv", "ann@acme.example,2026-01-10T10:00:00Z,4",
                      "bob@acme.example,2026-01-11T10:00:00Z,2", header="email,submitted_at,trust_1")
    report = import_responses(responses, "b2b_pulse")
    assert report.ok and (report.created, report.skipped) == (1, 1)
    assert [str(issue) for issue in report.skipped_rows] == [
        "responses.csv: row 3, column email: contact was erased on 2026-03-01; responses are not imported"]
    stored = db.session.execute(select(Contact.email).join(Response, Response.contact_id == Contact.id)).scalars().all()
    assert stored == ["ann@acme.example"]
