"""Staff sessions end on the server: logout, admin actions, expiry; cookies; login throttling and timing."""
from __future__ import annotations

import statistics
import time
import uuid
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from conftest import STAFF_PASSWORD, isolate_requests
from helpers import csrf_token, login
from vocapp import create_app
from vocapp.extensions import db as _db
from vocapp.models import AuditEntry, StaffSession


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _login_form(client, email, password, remember=False, **kwargs):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/auth/login")}
    if remember:
        data["remember"] = "y"
    return client.post("/auth/login", data=data, **kwargs)


def _logout(client):
    return client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})


def test_a_session_cookie_copied_before_logout_no_longer_opens_pages(app, client, make_staff):
    user = make_staff("analyst")
    login(client, user.email, STAFF_PASSWORD)
    copied = _cookie(client, "session")
    assert client.get("/canvas/").status_code == 200
    _logout(client)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/canvas/").status_code == 302


def test_remember_token_is_new_on_each_login_cleared_on_logout_and_dead_after_it(app, client, make_staff):
    user = make_staff("analyst")
    response = _login_form(client, user.email, STAFF_PASSWORD, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert 13 * 86400 < (expires - datetime.now(timezone.utc)).total_seconds() <= 14 * 86400
    first = _cookie(client, "remember_token")
    response = _logout(client)
    assert any(h.startswith("remember_token=;") for h in response.headers.getlist("Set-Cookie"))
    assert _cookie(client, "remember_token") is None
    _login_form(client, user.email, STAFF_PASSWORD, remember=True)
    second = _cookie(client, "remember_token")
    assert second and second != first
    # the first login's remember cookie alone (no session cookie) opens nothing: that session was ended
    thief = app.test_client()
    thief.set_cookie("remember_token", first)
    assert thief.get("/canvas/").status_code == 302
    owner = app.test_client()
    owner.set_cookie("remember_token", second)
    assert owner.get("/canvas/").status_code == 200


def test_a_session_past_its_expiry_is_refused(app, client, make_staff, db):
    user = make_staff("analyst")
    login(client, user.email, STAFF_PASSWORD)
    stored = db.session.scalars(select(StaffSession)).one()
    assert not stored.remember
    hours = (stored.expires_at - stored.created_at).total_seconds() / 3600
    assert hours == pytest.approx(12)
    stored.expires_at = stored.created_at
    db.session.commit()
    assert client.get("/canvas/").status_code == 302


def test_admin_ends_every_session_of_a_user_and_deactivation_ends_them_too(app, client, make_staff, db):
    analyst = make_staff("analyst")
    devices = [app.test_client() for _ in range(2)]
    for device in devices:
        login(device, analyst.email, STAFF_PASSWORD)
        assert device.get("/canvas/").status_code == 200
    admin = make_staff("admin")
    login(client, admin.email, STAFF_PASSWORD)
    assert "<td>2</td>" in client.get("/staff").get_data(as_text=True)
    token = csrf_token(client, "/staff")
    response = client.post(f"/staff/{analyst.id}/end-sessions", data={"csrf_token": token}, follow_redirects=True)
    assert "Ended 2 session(s)" in response.get_data(as_text=True)
    assert all(device.get("/canvas/").status_code == 302 for device in devices)
    login(devices[0], analyst.email, STAFF_PASSWORD)
    client.post(f"/staff/{analyst.id}/deactivate", data={"csrf_token": token})
    assert devices[0].get("/canvas/").status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(analyst.id))).all()
    assert actions.count("staff.sessions_ended") == 2 and "staff.deactivate" in actions


def test_failed_logins_and_logouts_are_audited_without_the_password(client, make_staff, db):
    user = make_staff("designer")
    _login_form(client, user.email, "wrong password 1")
    _login_form(client, "nobody@example.org", "wrong password 2")
    login(client, user.email, STAFF_PASSWORD)
    _logout(client)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    failed = [entry for entry in entries if entry.action == "staff.login_failed"]
    assert [(entry.details["email"], entry.details["reason"]) for entry in failed] == [
        (user.email, "wrong password"), ("nobody@example.org", "unknown e-mail")]
    assert failed[0].target_id == str(user.id) and failed[0].details["client"] == "127.0.0.1"
    assert entries[-1].action == "staff.logout" and entries[-1].staff_user_id == user.id
    assert not any("wrong password" in str(entry.details).replace("'wrong password'", "") for entry in entries)
    assert not any(STAFF_PASSWORD in str(entry.details) for entry in entries)


def test_staff_pages_are_not_stored_by_browsers(client_as):
    client = client_as("analyst")
    for url in ["/", "/canvas/", "/auth/login", "/no-such-page"]:
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def _app(databases, backend, tmp_path, **config):
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": databases.url(backend), "SECRET_KEY": "test-secret"}
    settings.update(config)
    application = create_app(settings, instance_path=str(tmp_path / "instance"))
    isolate_requests(application)
    return application


@pytest.mark.parametrize(("config", "secure"), [({"BASE_URL": "https://voc.example.org"}, True),
                                                ({"BASE_URL": "http://127.0.0.1"}, False),
                                                ({"BASE_URL": "https://voc.example.org", "SECURE_COOKIES": False}, False),
                                                ({"BASE_URL": "http://127.0.0.1", "SECURE_COOKIES": True}, True)])
def test_cookies_are_secure_by_default_behind_https(app, databases, backend, tmp_path, make_staff, config, secure):
    user = make_staff("analyst")
    other = _app(databases, backend, tmp_path, **config)
    with other.app_context():
        client = other.test_client()
        base = "https://localhost" if secure else "http://localhost"
        page = client.get("/auth/login", base_url=base).get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post("/auth/login", base_url=base, headers={"Referer": f"{base}/auth/login"}, data={
            "email": user.email, "password": STAFF_PASSWORD, "remember": "y", "csrf_token": token})
        assert response.status_code == 302
        cookies = {h.split("=")[0]: h for h in response.headers.getlist("Set-Cookie")}
        assert set(cookies) >= {"session", "remember_token"}
        assert all(("; Secure" in h) is secure for h in cookies.values()), cookies
        _db.session.remove()


def test_proxy_fix_believes_only_the_configured_hops(app, databases, backend, tmp_path, make_staff, db):
    user = make_staff("analyst")
    for hops, expected in ((1, "203.0.113.9"), (0, "127.0.0.1")):
        other = _app(databases, backend, tmp_path, PROXY_FIX=hops)
        with other.app_context():
            client = other.test_client()
            _login_form(client, user.email, "wrong password", headers={"X-Forwarded-For": "203.0.113.9"})
            entry = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.login_failed")
                                        .order_by(AuditEntry.id.desc())).first()
            assert entry.details["client"] == expected
            _db.session.remove()


def test_login_is_throttled_per_account_with_retry_after(client, make_staff, db):
    user, other = make_staff("analyst"), make_staff("analyst")
    for attempt in range(5):
        assert _login_form(client, user.email, f"wrong {attempt}").status_code == 200
    refused = _login_form(client, user.email, STAFF_PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    page = refused.get_data(as_text=True)
    assert "Too many failed attempts" in page and "Wait 15 minutes" in page
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert client.get("/").status_code == 302
    # another account from the same client still logs in: the per-account limit is per account
    assert _login_form(client, other.email, STAFF_PASSWORD).status_code == 302


def test_login_is_throttled_per_client_across_accounts(client, make_staff):
    user = make_staff("analyst")
    for attempt in range(20):
        assert _login_form(client, f"guess{attempt}@example.org", "wrong password").status_code == 200
    assert _login_form(client, user.email, STAFF_PASSWORD).status_code == 429


def test_redis_counters_are_shared_by_every_worker(app, databases, backend, tmp_path, make_staff):
    user = make_staff("analyst")
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
              "RATELIMIT_KEY_PREFIX": f"vocapp-test-{uuid.uuid4().hex}"}
    first = _app(databases, backend, tmp_path, **config)
    with first.app_context():
        client = first.test_client()
        for attempt in range(5):
            assert _login_form(client, user.email, f"wrong {attempt}").status_code == 200
        _db.session.remove()
    second = _app(databases, backend, tmp_path / "second", **config)  # another worker: fresh memory, same Redis
    with second.app_context():
        assert _login_form(second.test_client(), user.email, STAFF_PASSWORD).status_code == 429
        _db.session.remove()


def test_unknown_e_mails_take_as_long_as_wrong_passwords(app, client, make_staff):
    app.config.update(LOGIN_LIMIT_ACCOUNT="1000 per minute", LOGIN_LIMIT_CLIENT="1000 per minute")
    user = make_staff("analyst")
    _login_form(client, "warm-up@example.org", "wrong password")

    def timed(email):
        token = csrf_token(client, "/auth/login")
        start = time.perf_counter()
        client.post("/auth/login", data={"email": email, "password": "wrong password", "csrf_token": token})
        return time.perf_counter() - start

    # interleaved, so that a burst of load on a shared CI machine slows both kinds alike
    pairs = [(timed(user.email), timed(f"nobody{i}@example.org")) for i in range(7)]
    known, unknown = (statistics.median(times) for times in zip(*pairs))
    # a password hash costs tens of milliseconds; without the dummy hash unknown e-mails answered ~30x faster
    assert 0.5 < unknown / known < 2, (known, unknown)


def test_create_staff_reads_the_password_from_standard_input(runner, db):
    from vocapp.models import StaffUser

    result = runner.invoke(args=["create-staff", "script@example.org", "--role", "analyst", "--password-stdin"],
                           input="a piped password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "script@example.org"))
    assert user.check_password("a piped password") and "a piped password" not in result.output
    short = runner.invoke(args=["create-staff", "s2@example.org", "--role", "analyst", "--password-stdin"],
                          input="short\n")
    assert short.exit_code == 1 and "Error: password: must be at least 10 characters" in short.output
