"""Every staff route needs a login, and the right role (walks the app's whole URL map)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from werkzeug.routing.converters import AnyConverter, NumberConverter

from helpers import csrf_token

PUBLIC_BLUEPRINTS = {"auth", "static", "respondent", "unsubscribe"}
#: who may use each area (admins may use everything); an area missing here fails the test below
AREA_ROLES = {
    "home.index": {"designer", "analyst"},
    "staff": set(),
    "surveys": {"designer"},
    "imports": {"designer", "analyst"},
    "legacy.designer": {"designer"},
    "legacy.contacts_import": {"designer", "analyst"},
    "contacts": {"designer", "analyst"},
    "contacts.edit": {"designer"},
    "contacts.unsubscribe": {"designer"},
    "contacts.person_data": set(),
    "contacts.person_data_json": set(),
    "contacts.erase": set(),
    "campaigns": {"designer"},
    # analysts read campaigns (list, page, preview, progress); only designers create, edit, send, close
    "campaigns.index": {"designer", "analyst"},
    "campaigns.detail": {"designer", "analyst"},
    "campaigns.preview": {"designer", "analyst"},
    "campaigns.preview_html": {"designer", "analyst"},
    "campaigns.progress": {"designer", "analyst"},
    "scoring": {"analyst"},
    "canvas": {"analyst"},
    "exports": {"analyst"},
    "docs": {"designer", "analyst"},
    "jobs": {"designer", "analyst"},  # every staff role; each job kind's own role is checked per job
    "webhooks": set(),  # admins only: endpoints, secrets, deliveries
}


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS:
            yield rule


def _url(app, rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = 1 if isinstance(converter, NumberConverter) else "x"
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def _request(client, app, rule, token):
    url = _url(app, rule)
    if "GET" in rule.methods:
        return url, client.get(url)
    return url, client.post(url, data={"csrf_token": token})


def _allowed_roles(endpoint: str) -> set[str]:
    key = endpoint if endpoint in AREA_ROLES else endpoint.split(".")[0]
    assert key in AREA_ROLES, f"{endpoint}: say in AREA_ROLES which roles may use it"
    return AREA_ROLES[key]


def test_anonymous_requests_to_every_staff_route_redirect_to_login(app, client):
    token = csrf_token(client, "/auth/login")
    rules = list(_staff_rules(app))
    assert len(rules) > 20
    for rule in rules:
        url, response = _request(client, app, rule, token)
        assert response.status_code == 302, f"{rule.endpoint} {url}: {response.status_code}"
        assert urlsplit(response.headers["Location"]).path == "/auth/login", f"{rule.endpoint} {url}"


@pytest.mark.parametrize("role", ["designer", "analyst"])
def test_staff_without_the_role_get_403_on_every_route_of_other_areas(app, client_as, role):
    client = client_as(role)
    token = csrf_token(client, "/")
    checked = 0
    for rule in _staff_rules(app):
        if role in _allowed_roles(rule.endpoint):
            continue
        url, response = _request(client, app, rule, token)
        assert response.status_code == 403, f"{role} {rule.endpoint} {url}: {response.status_code}"
        checked += 1
    assert checked > 5


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "\\\\evil.example/", "/\\/evil.example",
                                    "https://evil.example/", "/%5Cevil.example"])
def test_login_never_redirects_off_site(client, make_staff, target):
    from conftest import STAFF_PASSWORD

    user = make_staff("analyst")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\\" not in location and not location.startswith("//") and not urlsplit(location).netloc


def test_pages_cannot_be_framed_or_sniffed(client_as):
    client = client_as("analyst")
    for url in ["/auth/login", "/", "/canvas/", "/no-such-page"]:
        headers = client.get(url).headers
        assert headers["X-Frame-Options"] == "DENY", url
        assert headers["X-Content-Type-Options"] == "nosniff", url


@pytest.mark.parametrize("role", ["admin", "designer", "analyst"])
def test_every_route_a_role_may_use_answers_without_a_server_error(app, client, make_staff, role):
    from conftest import STAFF_PASSWORD
    from helpers import login

    make_staff("analyst", email="someone-else@example.org")  # id 1: staff routes act on another user
    user = make_staff(role)
    login(client, user.email, STAFF_PASSWORD)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = csrf_token(client, "/")
    rules = [rule for rule in _staff_rules(app) if role == "admin" or role in _allowed_roles(rule.endpoint)]
    rules.sort(key=lambda rule: rule.endpoint.startswith("staff."))  # staff actions last
    answered = {}
    for rule in rules:
        url, response = _request(client, app, rule, token)
        answered[f"{rule.endpoint} {url}"] = response.status_code
    assert answered and all(status < 500 for status in answered.values()), {k: v for k, v in answered.items() if v >= 500}
    assert client.get("/").status_code == 200  # still logged in: nothing above ended this session


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, client, make_staff, db):
    from sqlalchemy import func, select

    from conftest import STAFF_PASSWORD
    from helpers import login
    from vocapp.models import AuditEntry

    admin = make_staff("admin")
    login(client, admin.email, STAFF_PASSWORD)
    entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        url = _url(app, rule)
        response = client.post(url, data={"email": admin.email, "password": STAFF_PASSWORD, "role": "analyst"})
        assert response.status_code == 400, f"{rule.endpoint} {url}: {response.status_code}"
        # respondents see a plain-words page instead of the CSRF error (their saved answers are kept)
        expected = "Please continue from your link" if rule.endpoint.startswith("respondent.") else "CSRF"
        assert expected in response.get_data(as_text=True), rule.endpoint
        checked.append(rule.endpoint)
    assert {"auth.login", "auth.logout", "auth.set_password", "staff.invite", "imports.upload", "surveys.upload",
            "canvas.place", "scoring.start", "webhooks.add", "webhooks.replay", "webhooks.rotate_secret"} <= set(checked)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries
