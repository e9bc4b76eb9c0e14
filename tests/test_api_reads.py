"""The API's reads on a scored, placed base: export row shapes, stable cursor paging, filters, erased
contacts never shown, runs with evidence, movements, suppression list, and jobs started and followed."""
from __future__ import annotations

import json

import pytest

from api_setup import bearer, make_token, seed_placed_base

pytestmark = pytest.mark.slow


def _all(client, token, url, limit=7, **filters):
    rows, cursor, pages = [], None, 0
    while True:
        page = client.get(url, query_string={"limit": limit, **filters, **({"cursor": cursor} if cursor else {})},
                          headers=bearer(token))
        assert page.status_code == 200, page.get_data(as_text=True)
        body = page.get_json()
        rows += body["data"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return rows, pages


def test_reads_on_a_placed_base(client, db, tmp_path):
    from vocapp.services.exports import write_export
    from vocapp.services.rights import erase_contact

    seed_placed_base(tmp_path)
    token = make_token("analyst", ("read",))

    accounts, pages = _all(client, token, "/api/v1/accounts")
    assert len(accounts) == 30 and pages == 5
    assert [a["account_id"] for a in accounts] == sorted(a["account_id"] for a in accounts)
    write_export("accounts", "json", tmp_path / "accounts.json")
    exported = json.loads((tmp_path / "accounts.json").read_text())
    exported = exported if isinstance(exported, list) else exported.get("rows", exported.get("data"))
    assert accounts[0].keys() == exported[0].keys()  # the export's row shape, bounds and flag included
    assert {"leave_alone", "leave_alone_reason", "zone"} <= accounts[0].keys()
    assert any(key.endswith("_low") for key in accounts[0]) and any(key.endswith("_high") for key in accounts[0])

    from vocapp.services.api.reads import account_rows  # the same rows for other areas (event payloads)

    assert account_rows([accounts[2]["account_id"], accounts[0]["account_id"]]) == [accounts[0], accounts[2]]
    zone = accounts[0]["zone"]
    in_zone, _ = _all(client, token, "/api/v1/accounts", zone=zone)
    assert in_zone and {a["zone"] for a in in_zone} == {zone}
    left, _ = _all(client, token, "/api/v1/accounts", leave_alone="true")
    assert all(a["leave_alone"] for a in left)
    suppressed, _ = _all(client, token, "/api/v1/suppression-list")
    assert {s["account_id"] for s in suppressed} == {a["account_id"] for a in left}

    contacts, _ = _all(client, token, "/api/v1/contacts", limit=50)
    gone = contacts[3]["email"]
    erase_contact(gone)
    after, _ = _all(client, token, "/api/v1/contacts", limit=50)
    assert len(after) == len(contacts) - 1 and gone not in {c["email"] for c in after}
    assert all(not c["email"].endswith("erased.invalid") for c in after)
    members, _ = _all(client, token, "/api/v1/contacts", limit=50, relationship="member")
    assert members and {c["relationship"] for c in members} == {"member"}
    recent = client.get("/api/v1/contacts", query_string={"changed_since": "2999-01-01T00:00:00Z"},
                        headers=bearer(token)).get_json()
    assert recent["data"] == []

    responses, _ = _all(client, token, "/api/v1/responses", limit=40)
    assert responses and "response_id" in responses[0]
    ids = [r["response_id"] for r in responses]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    runs = client.get("/api/v1/scoring-runs", headers=bearer(token)).get_json()["data"]
    assert runs[0]["survey"] == "b2b_relationship" and runs[0]["evidence"]
    placements = client.get("/api/v1/placement-runs", headers=bearer(token)).get_json()["data"]
    assert len(placements) == 2 and placements[0]["previous_run_id"] == placements[1]["id"]
    moves = client.get(f"/api/v1/placement-runs/{placements[0]['id']}/movements", headers=bearer(token)).get_json()
    assert moves["from_run_id"] == placements[1]["id"] and sum(m["count"] for m in moves["data"]) == 30
    first = client.get(f"/api/v1/placement-runs/{placements[1]['id']}/movements", headers=bearer(token)).get_json()
    assert first["from_run_id"] is None and first["data"] == []


def test_a_placement_job_started_through_the_api(client, db, tmp_path):
    from vocapp.jobs import wait_for_threads

    seed_placed_base(tmp_path)
    token = make_token("analyst", ("read", "write"))
    started = client.post("/api/v1/jobs/placement", headers=bearer(token), json={})
    assert started.status_code == 202
    job = started.get_json()
    wait_for_threads(120)
    status = client.get(f"/api/v1/jobs/{job['id']}", headers=bearer(token)).get_json()
    assert status["status"] == "done", status
    assert status["result"]["placement_run_id"]
    unknown = client.post("/api/v1/jobs/scoring", headers=bearer(token), json={"survey": "no-such-survey"})
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
