"""Contacts and transactions written through the API: the file imports' validation, all or nothing,
each problem located by record index and field."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api_setup import bearer, make_token
from vocapp.models import Account, Contact, ImportRun, Transaction


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _contacts(n: int) -> list[dict]:
    return [{"email": f"person{i}@example.org", "first_name": f"P{i}", "account_id": f"ACC-{i // 4}",
             "account_name": f"Account {i // 4}", "relationship": "member", "role": "user",
             "attributes": {"Region": "North" if i % 2 else "South"}} for i in range(n)]


@pytest.mark.slow
def test_ten_thousand_contacts_are_all_or_nothing(client, db):
    token = make_token("admin", ("write", "read"))
    records = _contacts(10_000)
    records[7_345]["email"] = "not-an-address"
    response = client.post("/api/v1/contacts", headers=bearer(token), json=records)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["error_count"] == 1
    assert problem["errors"][0]["index"] == 7_345 and problem["errors"][0]["field"] == "email"
    assert problem["errors"][0]["pointer"] == "/7345/email"
    assert _count(db, Contact) == 0 and _count(db, Account) == 0
    assert db.session.scalar(select(ImportRun.status)) == "failed"

    records[7_345]["email"] = "fixed@example.org"
    response = client.post("/api/v1/contacts", headers=bearer(token), json=records)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["counts"]["created"] == 10_000
    assert _count(db, Contact) == 10_000 and _count(db, Account) == 2_500
    first = client.get("/api/v1/contacts?limit=1", headers=bearer(token)).get_json()["data"][0]
    assert first["attributes"] == {"region": "South"} and first["account_name"] == "Account 0"


def test_schema_errors_name_index_and_field_and_change_nothing(client, db):
    token = make_token("admin", ("write",))
    records = _contacts(3)
    del records[1]["account_id"]
    records[2]["colour"] = "blue"
    response = client.post("/api/v1/contacts", headers=bearer(token), json=records)
    assert response.status_code == 422
    located = {(e["index"], e["field"]) for e in response.get_json()["errors"]}
    assert located == {(1, "account_id"), (2, "colour")}
    assert _count(db, Contact) == 0


def test_repeated_emails_and_attribute_clashes_are_located(client, db):
    token = make_token("admin", ("write",))
    records = _contacts(3)
    records[2]["email"] = records[0]["email"].upper()
    response = client.post("/api/v1/contacts", headers=bearer(token), json=records)
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and errors[0]["index"] == 2 and errors[0]["field"] == "email"
    records = _contacts(1)
    records[0]["attributes"] = {"First Name": "x"}
    errors = client.post("/api/v1/contacts", headers=bearer(token), json=records).get_json()["errors"]
    assert errors == [{"index": 0, "field": "attributes.First Name", "detail": errors[0]["detail"],
                       "pointer": "/0/attributes/First Name"}]
    assert _count(db, Contact) == 0


def test_dry_run_counts_without_writing(client, db):
    token = make_token("admin", ("write",))
    response = client.post("/api/v1/contacts?dry_run=true", headers=bearer(token), json=_contacts(5))
    assert response.status_code == 200 and response.get_json()["dry_run"] is True
    assert response.get_json()["counts"]["created"] == 5 and _count(db, Contact) == 0


def test_transactions_all_or_nothing_and_references_skipped(client, db):
    token = make_token("admin", ("write",))
    rows = [{"account_id": "ACC-1", "date": "2025-03-01", "amount": "120.50", "category": "membership",
             "reference": f"INV-{i}"} for i in range(50)]
    refused = client.post("/api/v1/transactions", headers=bearer(token), json=rows)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"account_id"}
    assert _count(db, Transaction) == 0 and _count(db, Account) == 0
    done = client.post("/api/v1/transactions?create_accounts=true", headers=bearer(token), json=rows)
    assert done.status_code == 200 and done.get_json()["counts"]["created"] == 50
    again = client.post("/api/v1/transactions", headers=bearer(token), json=rows[:2] + [
        {"account_id": "ACC-1", "date": "2025-03-02", "amount": 10, "category": "event", "reference": "NEW"}])
    assert again.get_json()["counts"] == {**again.get_json()["counts"], "created": 1, "skipped": 2}
    assert _count(db, Transaction) == 51
    bad = client.post("/api/v1/transactions", headers=bearer(token), json=[
        {"account_id": "ACC-1", "date": "2025-03-02", "amount": "lots", "category": "event"}])
    assert bad.get_json()["errors"][0] | {"detail": ""} == {"index": 0, "field": "amount", "detail": "",
                                                              "pointer": "/0/amount"}
