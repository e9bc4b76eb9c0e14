"""The admins' token pages (create shows the secret once, revoke, CSRF) and the public API description
(the generated OpenAPI document, the reference page under the strict CSP)."""
from __future__ import annotations

import re

from sqlalchemy import select

from api_setup import bearer
from helpers import csrf_token
from vocapp.models import ApiToken, AuditEntry


def test_an_admin_creates_lists_and_revokes_a_token(client_as, client, db, make_staff):
    analyst = make_staff("analyst", email="ana@example.org")
    client_as("admin")
    token = csrf_token(client, "/api/tokens")
    created = client.post("/api/tokens", data={"csrf_token": token, "name": "CRM <sync>", "staff": analyst.email,
                                               "integration_role": "", "scopes": ["read"], "days": "30"})
    assert created.status_code == 200
    html = created.get_data(as_text=True)
    secret = re.search(r'value="(vocapp_[^"]+)"', html).group(1)
    assert "CRM &lt;sync&gt;" in html and "<sync>" not in html
    assert client.get("/api/v1/accounts", headers=bearer(secret)).status_code == 200
    listing = client.get("/api/tokens").get_data(as_text=True)
    assert secret not in listing and secret[:12] in listing and "ana@example.org" in listing
    row = db.session.scalar(select(ApiToken))
    revoked = client.post(f"/api/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(client, "/api/tokens")},
                          follow_redirects=True)
    assert "revoked" in revoked.get_data(as_text=True)
    assert client.get("/api/v1/accounts", headers=bearer(secret)).status_code == 401
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"api.token_create", "api.token_revoke"} <= actions


def test_the_form_refuses_both_or_neither_owner(client_as, client, db, make_staff):
    analyst = make_staff("analyst")
    client_as("admin")
    for staff, role in ((analyst.email, "designer"), ("", "")):
        response = client.post("/api/tokens", data={"csrf_token": csrf_token(client, "/api/tokens"), "name": "x",
                                                    "staff": staff, "integration_role": role, "scopes": ["read"],
                                                    "days": "30"})
        assert response.status_code == 400 and "owner" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_the_openapi_document_is_generated_from_the_routes(client, app):
    from vocapp.web.api import ROUTES

    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    operations = {op["operationId"]: op for path in document["paths"].values() for op in path.values()}
    assert set(operations) == {route.operation_id for route in ROUTES}
    contacts_in = document["components"]["schemas"]["ContactIn"]
    assert {"email", "account_id", "relationship"} <= set(contacts_in["required"])
    assert operations["start_scoring"]["responses"]["202"]["links"]["Job"]["operationId"] == "get_job"
    for op in operations.values():
        assert op["responses"]["401"]["content"]["application/problem+json"]


def test_the_reference_page_is_served_locally_without_script(client):
    response = client.get("/api/v1/reference")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "POST /api/v1/contacts" in html and 'id="schema-ContactIn"' in html
    assert "<script" not in html and "https://" not in html.split("<main", 1)[-1]
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
