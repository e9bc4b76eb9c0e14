"""Every staff route needs a login, and the right role (walks the app's whole URL map)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from werkzeug.routing.converters import AnyConverter, NumberConverter

from helpers import csrf_token

PUBLIC_BLUEPRINTS = {"auth", "static", "respondent", "unsubscribe"}
#: the JSON API authenticates by bearer token, not by login (walked in test_api_routes_* below)
API_PREFIX = "/api/v1"
#: the API's own description is public, like any API reference
PUBLIC_API = {"api.openapi_document", "api.reference"}
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
    "api": set(),  # the API token pages: admins only
    "webhooks": set(),  # admins only: endpoints, secrets, deliveries
}


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS and not rule.rule.startswith(API_PREFIX):
            yield rule


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX) and rule.endpoint not in PUBLIC_API:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _url(app, rule, tokens: dict[str, str] | None = None) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if name == "token" and tokens and rule.endpoint.split(".")[0] in tokens:
            values[name] = tokens[rule.endpoint.split(".")[0]]  # a working link: the form behind it is real
        elif isinstance(converter, AnyConverter):
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


PUBLIC_PAGES = {"auth.login", "auth.logout", "static"}


def test_every_public_route_is_the_login_or_a_token_page(app):
    """Anything reachable without a login is the login/logout, a static file, or a page opened by an
    unguessable token in its URL (walked by tests/test_security_token_pages.py); and the API's own
    description (PUBLIC_API; every other /api/v1 route answers 401 without a token, walked below)."""
    public = [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS]
    others = [rule.endpoint for rule in public if rule.endpoint not in PUBLIC_PAGES and "token" not in rule.arguments]
    assert not others, f"public routes that are neither the login nor a token page: {others}"
    assert {"respondent.welcome", "unsubscribe.page", "auth.set_password"} <= {rule.endpoint for rule in public}


def _working_links(db) -> dict[str, str]:
    """A survey link and an unsubscribe link that work, for the token routes of the CSRF walk."""
    from datetime import timedelta

    from respondent_setup import make_link
    from vocapp.core.tokens import new_token
    from vocapp.models import InvitationToken
    from vocapp.models.base import utcnow

    link = make_link()
    token, token_hash = new_token()
    db.session.add(InvitationToken(token_hash=token_hash, invitation_id=link.invitation_id, purpose="unsubscribe",
                                   step=0, expires_at=utcnow() + timedelta(days=30)))
    db.session.commit()
    return {"respondent": link.token, "unsubscribe": token}


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, client, make_staff, db):
    from sqlalchemy import func, select

    from conftest import STAFF_PASSWORD
    from helpers import login
    from vocapp.models import AuditEntry, Contact, Invitation, Response

    tokens = _working_links(db)
    admin = make_staff("admin")
    login(client, admin.email, STAFF_PASSWORD)
    entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith(API_PREFIX):
            continue  # the JSON API takes no cookies, so no forged request can use a login (see below)
        url = _url(app, rule, tokens)
        response = client.post(url, data={"email": admin.email, "password": STAFF_PASSWORD, "role": "analyst",
                                          "answer-decision_role": "decision_maker", "nav": "next"})
        assert response.status_code == 400, f"{rule.endpoint} {url}: {response.status_code}"
        # respondents see a plain-words page instead of the CSRF error (their saved answers are kept)
        expected = "Please continue from your link" if rule.endpoint.startswith("respondent.") else "CSRF"
        assert expected in response.get_data(as_text=True), rule.endpoint
        checked.append(rule.endpoint)
    assert {"auth.login", "auth.logout", "auth.set_password", "staff.invite", "imports.upload", "surveys.upload",
            "canvas.place", "scoring.start", "respondent.start", "respondent.page", "unsubscribe.confirm",
            "webhooks.add", "webhooks.replay", "webhooks.rotate_secret"} <= set(checked)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries
    db.session.expire_all()  # behind the working links too, nothing was started, answered or unsubscribed
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(Invitation.started_at)) is None
    assert db.session.scalar(select(func.count()).select_from(Contact).where(Contact.unsubscribed_at.is_not(None))) == 0


def _api_call(client, app, rule, method, headers=None):
    url = _url(app, rule)
    response = client.open(url, method=method, headers=headers or {}, json=[] if method == "POST" else None)
    return url, response


def _is_problem(response, status) -> bool:
    return response.status_code == status and response.mimetype == "application/problem+json"


def test_api_routes_refuse_anonymous_and_logged_in_browsers_with_401_problem(app, client, make_staff):
    from conftest import STAFF_PASSWORD
    from helpers import login

    rules = list(_api_rules(app))
    assert len(rules) >= 14
    for rule, method in rules:
        url, response = _api_call(client, app, rule, method)
        assert _is_problem(response, 401), f"{method} {url}: {response.status_code} {response.mimetype}"
    admin = make_staff("admin")
    login(client, admin.email, STAFF_PASSWORD)  # a login cookie is no API credential (no CSRF through it)
    for rule, method in rules:
        url, response = _api_call(client, app, rule, method)
        assert _is_problem(response, 401), f"{method} {url} with a login cookie: {response.status_code}"


@pytest.mark.parametrize("role", ["designer", "analyst"])
def test_api_routes_refuse_the_wrong_scope_and_the_wrong_role_with_403_problem(app, client, make_staff, role):
    from api_setup import bearer, make_token
    from vocapp.web.api import ROUTES

    declared = {(API_PREFIX + route.rule, route.method): route for route in ROUTES}
    read_only, write_only, own = (make_token(role, ("read",)), make_token(role, ("write",)),
                                  make_token(role, ("read", "write")))
    checked = 0
    for rule, method in _api_rules(app):
        route = declared[(rule.rule, method)]
        wrong_scope = write_only if route.scope == "read" else read_only
        url, response = _api_call(client, app, rule, method, bearer(wrong_scope))
        assert _is_problem(response, 403), f"{method} {url} with a {route.scope}-less token: {response.status_code}"
        if role not in route.roles:
            url, response = _api_call(client, app, rule, method, bearer(own))
            assert _is_problem(response, 403), f"{role} token {method} {url}: {response.status_code}"
            checked += 1
    assert checked > 0 if role == "designer" else checked == 0
