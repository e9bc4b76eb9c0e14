"""Export downloads, the results report and the summary as staff pages; contact edit, unsubscribe and erasure pages."""
from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from canvas_setup import load_generated_base
from helpers import csrf_token
from vocapp.extensions import db
from vocapp.models import AuditEntry, Contact, Response

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def placed(app, runner, tmp_path):
    load_generated_base(tmp_path, n_accounts=24, seed=4)
    contact = db.session.scalars(select(Contact).order_by(Contact.id)).first()
    contact.role = FORMULA
    db.session.commit()
    result = runner.invoke(args=["canvas", "place"])
    assert result.exit_code == 0, result.output
    return contact


@pytest.mark.slow
def test_downloads_stream_every_format(placed, client_as):
    client = client_as("analyst")
    page = client.get("/exports/").get_data(as_text=True)
    assert "/exports/accounts.parquet" in page and "Results report" in page
    response = client.get("/exports/contacts.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    assert 'filename="contacts-b2b_relationship-run1.csv"' in response.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(response.get_data()), keep_default_na=False)
    assert "'" + FORMULA in set(frame["role"]) and FORMULA not in set(frame["role"])
    records = json.loads(client.get("/exports/contacts.json").get_data())
    assert FORMULA in {r["role"] for r in records}
    assert isinstance(next(r["trust"] for r in records if r["trust"] is not None), float)
    parquet = client.get("/exports/accounts.parquet")
    assert parquet.status_code == 200 and int(parquet.headers["Content-Length"]) == len(parquet.get_data())
    assert pq.read_table(io.BytesIO(parquet.get_data())).num_rows == 24
    book = openpyxl.load_workbook(io.BytesIO(client.get("/exports/responses.xlsx").get_data()))
    assert book.sheetnames == ["responses", "codebook"]
    assert client.get("/exports/responses.sav").status_code == 200
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.download")).first()


def test_download_without_data_explains(app, client_as):
    client = client_as("analyst")
    response = client.get("/exports/accounts.csv", follow_redirects=True)
    assert "there is no survey yet" in response.get_data(as_text=True)


@pytest.mark.slow
def test_results_report_counts_and_suppresses_small_groups(placed, client_as, app):
    client = client_as("analyst")
    app.config["REPORT_MIN_GROUP"] = 5
    html = client.get("/exports/report").get_data(as_text=True)
    assert "trust_1: We do what we say we will do." in html or "trust_1:" in html
    assert "Strongly agree" in html and "Mean" in html and "<svg" in html and "style=" not in html
    n = db.session.query(Response).filter(Response.status == "complete").count()
    assert f"{n} complete responses" in html
    app.config["REPORT_MIN_GROUP"] = 10_000
    html = client.get("/exports/report").get_data(as_text=True)
    assert "Fewer than 10000 answers: not shown." in html and "Strongly agree" not in html
    csv = pd.read_csv(io.BytesIO(client.get("/exports/report.csv").get_data()))
    assert set(csv["answer"]) == {"(suppressed)"} and csv["n"].isna().all()


@pytest.mark.slow
def test_summary_page_is_printable(placed, client_as):
    html = client_as("analyst").get("/exports/summary").get_data(as_text=True)
    assert 'media="print"' in html and "Accounts left alone" in html and "/canvas/picture.svg?run=1" in html
    assert "No campaign invitations" in html and "histogram" in html and "style=" not in html


def test_contact_edit_unsubscribe_and_erase_pages(app, client, make_staff):
    from conftest import STAFF_PASSWORD
    from helpers import login
    from vocapp.models import Account
    account = Account(external_id="A1", name="Acme")
    db.session.add(account)
    db.session.flush()
    contact = Contact(account_id=account.id, email="jane@example.org", first_name="Jane", relationship="member")
    db.session.add(contact)
    db.session.commit()
    designer = make_staff("designer")
    login(client, designer.email, STAFF_PASSWORD)
    url = f"/contacts/people/{contact.id}"
    token = csrf_token(client, f"{url}/edit")
    response = client.post(f"{url}/edit", data={"csrf_token": token, "email": "jane@example.org",
                                                "first_name": "Janet", "last_name": "", "relationship": "both",
                                                "role": "", "language": ""}, follow_redirects=True)
    assert "Saved: first_name, relationship." in response.get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.edit")).one()
    assert entry.details == {"fields": ["first_name", "relationship"]} and entry.staff_user_id == designer.id
    response = client.post(f"{url}/edit", data={"csrf_token": token, "email": "not an address",
                                                "relationship": "member"})
    assert "email:" in response.get_data(as_text=True)
    client.post(f"{url}/unsubscribe", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).unsubscribed_at is not None
    assert client.get(f"{url}/erase").status_code == 403

    client.post("/auth/logout", data={"csrf_token": token})
    admin = make_staff("admin")
    login(client, admin.email, STAFF_PASSWORD)
    data = client.get(f"{url}/data").get_data(as_text=True)
    assert "jane@example.org" in data and "contact.edit" in data
    assert json.loads(client.get(f"{url}/data.json").get_data())["contact"]["first_name"] == "Janet"
    token = csrf_token(client, f"{url}/erase")
    wrong = client.post(f"{url}/erase", data={"csrf_token": token, "confirm_email": "jane@example.com",
                                              "responses": "keep-anonymised"})
    assert "nothing was erased" in wrong.get_data(as_text=True)
    done = client.post(f"{url}/erase", data={"csrf_token": token, "confirm_email": "Jane@example.org",
                                             "responses": "keep-anonymised"}, follow_redirects=True)
    assert f"Contact {contact.id} erased" in done.get_data(as_text=True)
    assert client.get(f"{url}/edit").status_code == 404
