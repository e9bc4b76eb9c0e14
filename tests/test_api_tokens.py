"""API tokens: scopes, roles, revocation, expiry, last use, and the problem details every error is."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api_setup import bearer, make_token
from vocapp.models import ApiToken, AuditEntry, Contact, utcnow

CONTACT = {"email": "ann@example.org", "account_id": "ACC-1", "relationship": "member"}


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def test_anonymous_and_unknown_tokens_get_401_problem(client, db):
    body = _problem(client.get("/api/v1/accounts"), 401)
    assert "Bearer" in body["detail"]
    response = client.get("/api/v1/accounts", headers=bearer("vocapp_not-a-token"))
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_read_token_cannot_write(client, db):
    token = make_token("admin", ("read",))
    assert client.get("/api/v1/contacts", headers=bearer(token)).status_code == 200
    body = _problem(client.post("/api/v1/contacts", headers=bearer(token), json=[CONTACT]), 403)
    assert "'write' scope" in body["detail"]
    _problem(client.post("/api/v1/jobs/placement", headers=bearer(token), json={}), 403)
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_write_only_token_cannot_read(client, db):
    token = make_token("admin", ("write",))
    _problem(client.get("/api/v1/contacts", headers=bearer(token)), 403)
    assert client.post("/api/v1/contacts", headers=bearer(token), json=[CONTACT]).status_code == 200


def test_revoked_and_expired_tokens_are_refused(client, db, runner):
    token = make_token("admin", ("read",))
    assert client.get("/api/v1/contacts", headers=bearer(token)).status_code == 200
    row = db.session.scalar(select(ApiToken))
    result = runner.invoke(args=["api", "tokens", "revoke", str(row.id)])
    assert result.exit_code == 0, result.output
    _problem(client.get("/api/v1/contacts", headers=bearer(token)), 401)

    other = make_token("admin", ("read",))
    row = db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _problem(client.get("/api/v1/contacts", headers=bearer(other)), 401)


def test_a_deactivated_users_token_stops_working(client, db):
    from vocapp.models import StaffUser

    token = make_token("analyst", ("read",), email="gone@example.org")
    assert client.get("/api/v1/accounts", headers=bearer(token)).status_code == 200
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "gone@example.org"))
    user.active = False
    db.session.commit()
    _problem(client.get("/api/v1/accounts", headers=bearer(token)), 401)


def test_tokens_act_with_their_owners_role(client, db):
    from vocapp.jobs.queue import create_job

    designer = make_token("designer", ("read", "write"))
    analyst = make_token("analyst", ("read", "write"))
    # analysts read accounts and scores; designers do not (as on the staff pages)
    _problem(client.get("/api/v1/accounts", headers=bearer(designer)), 403)
    _problem(client.post("/api/v1/jobs/placement", headers=bearer(designer), json={}), 403)
    assert client.get("/api/v1/accounts", headers=bearer(analyst)).status_code == 200
    # an analyst may not follow a designer's job (sending a campaign), as on the jobs pages
    job = create_job("campaigns.send", {"campaign_id": 1})
    body = _problem(client.get(f"/api/v1/jobs/{job.id}", headers=bearer(analyst)), 403)
    assert "analyst" in body["detail"]
    assert client.get(f"/api/v1/jobs/{job.id}", headers=bearer(designer)).status_code == 200


def test_an_integration_token_has_the_role_it_was_given(client, db, runner, make_staff):
    result = runner.invoke(args=["api", "tokens", "create", "crm", "--integration-role", "designer",
                                 "--scope", "read"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("vocapp_")
    assert client.get("/api/v1/contacts", headers=bearer(secret)).status_code == 200
    _problem(client.get("/api/v1/scoring-runs", headers=bearer(secret)), 403)
    listed = runner.invoke(args=["api", "tokens", "list"]).output
    assert "crm" in listed and "integration (designer)" in listed and secret not in listed


def test_tokens_are_stored_hashed_and_last_use_is_recorded(client, db):
    token = make_token("admin", ("read",))
    row = db.session.scalar(select(ApiToken))
    assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert row.last_used_at is None
    client.get("/api/v1/contacts", headers=bearer(token), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    db.session.expire_all()
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is not None and row.last_used_from == "10.1.2.3"


def test_writes_are_audited_with_the_token(client, db):
    token = make_token("admin", ("write",))
    assert client.post("/api/v1/contacts", headers=bearer(token), json=[CONTACT]).status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api.contacts_import"))
    assert entry.details["token"] == "admin token" and entry.details["counts"]["created"] == 1


@pytest.mark.parametrize("method, url, status", [
    ("get", "/api/v1/no-such-thing", 404), ("delete", "/api/v1/contacts", 405), ("get", "/api/v1/jobs/99", 404),
    ("get", "/api/v1/accounts?limit=0", 400), ("get", "/api/v1/accounts?cursor=bm90LW91cnM", 400),
    ("get", "/api/v1/accounts?unknown=1", 400),
])
def test_every_api_error_is_a_problem_not_a_page(client, db, method, url, status):
    token = make_token("admin")
    _problem(getattr(client, method)(url, headers=bearer(token)), status)


def test_bodies_are_bounded_in_size_and_depth(client, app, db):
    token = make_token("admin")
    app.config["API_MAX_BODY_MB"] = 1
    big = [dict(CONTACT, email=f"p{i}@example.org", first_name="x" * 100) for i in range(8000)]
    _problem(client.post("/api/v1/contacts", headers=bearer(token), json=big), 413)
    deep = CONTACT | {"attributes": {"a": [[[[[[[[[["deep"]]]]]]]]]]}}
    assert "deeper" in _problem(client.post("/api/v1/contacts", headers=bearer(token), json=[deep]), 400)["detail"]
    nul = _problem(client.post("/api/v1/contacts", headers=bearer(token), json=[CONTACT, CONTACT | {"first_name": "a\x00"}]), 422)
    assert nul["errors"][0] | {"detail": ""} == {"index": 1, "field": "first_name", "pointer": "/1/first_name", "detail": ""}
    _problem(client.post("/api/v1/contacts", headers=bearer(token), data="[", content_type="application/json"), 400)
    _problem(client.post("/api/v1/contacts", headers=bearer(token), data="x", content_type="text/csv"), 415)


def test_rate_limits_per_token_with_headers(client, app, db):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first, second = make_token("admin", ("read",)), make_token("admin", ("read",))
    for remaining in (2, 1, 0):
        response = client.get("/api/v1/contacts", headers=bearer(first))
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        assert response.headers["RateLimit-Remaining"] == str(remaining)
        assert 0 <= int(response.headers["RateLimit-Reset"]) <= 60
    refused = client.get("/api/v1/contacts", headers=bearer(first))
    _problem(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/contacts", headers=bearer(second)).status_code == 200  # its own allowance


def test_an_unexpected_failure_is_a_500_problem_too(client, app, db, monkeypatch):
    import vocapp.services.api.reads as reads

    def broken(*args, **kwargs):  # a fault injected on purpose: nothing here fails by itself
        raise RuntimeError("disk on fire")

    token = make_token("admin", ("read",))
    monkeypatch.setattr(reads, "contact_page", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = _problem(client.get("/api/v1/contacts", headers=bearer(token)), 500)
    assert "disk on fire" not in str(body)  # no internals in the answer
