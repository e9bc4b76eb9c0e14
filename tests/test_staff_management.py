"""Administrators invite staff, change roles, deactivate and reset passwords from the staff pages (audited)."""
from __future__ import annotations

import re

from sqlalchemy import select

from conftest import STAFF_PASSWORD
from helpers import csrf_token, login
from vocapp.models import AuditEntry, StaffUser

NEW_PASSWORD = "a brand new passphrase"


def _link(page: str) -> str:
    match = re.search(r"http://127\.0\.0\.1(/auth/set-password/[A-Za-z0-9_-]+)", page)
    assert match, page
    return match.group(1)


def _set_password(client, path, password=NEW_PASSWORD, confirm=None):
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirm": confirm or password, "csrf_token": token},
                       follow_redirects=True)


def test_invitation_link_lets_the_new_user_choose_a_password_once(app, client_as, db):
    admin = client_as("admin")
    token = csrf_token(admin, "/staff")
    page = admin.post("/staff/invite", data={"email": "New.Person@Example.org", "role": "designer",
                                             "csrf_token": token}).get_data(as_text=True)
    assert "new.person@example.org" in page and "works once, for 72 hours" in page
    path = _link(page)
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.person@example.org"))
    assert user.role == "designer" and user.password_token_hash and path.rsplit("/", 1)[1] not in user.password_token_hash
    newcomer = app.test_client()
    assert "The two passwords differ." in _set_password(newcomer, path, confirm="something else entirely").get_data(as_text=True)
    assert "Password set for new.person@example.org" in _set_password(newcomer, path).get_data(as_text=True)
    assert newcomer.get(path).status_code == 410
    login(newcomer, "new.person@example.org", NEW_PASSWORD)
    assert newcomer.get("/surveys/").status_code == 200
    assert "staff.invite" in db.session.scalars(select(AuditEntry.action)).all()


def test_invitation_errors_are_shown(client_as, make_staff):
    existing = make_staff("analyst")
    admin = client_as("admin")
    token = csrf_token(admin, "/staff")
    page = admin.post("/staff/invite", data={"email": existing.email, "role": "analyst", "csrf_token": token},
                      follow_redirects=True).get_data(as_text=True)
    assert "already exists" in page
    page = admin.post("/staff/invite", data={"email": "not an address", "role": "analyst", "csrf_token": token},
                      follow_redirects=True).get_data(as_text=True)
    assert "Invitation: email:" in page


def test_role_change_is_audited_and_the_last_admin_stays(client, make_staff, db):
    admin = make_staff("admin")
    analyst = make_staff("analyst")
    login(client, admin.email, STAFF_PASSWORD)
    token = csrf_token(client, "/staff")
    page = client.post(f"/staff/{analyst.id}/role", data={"role": "designer", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{analyst.email} is now designer." in page
    page = client.post(f"/staff/{admin.id}/role", data={"role": "analyst", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "is the only active administrator" in page
    page = client.post(f"/staff/{admin.id}/deactivate", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "is the only active administrator" in page
    db.session.expire_all()
    assert db.session.get(StaffUser, admin.id).role == "admin" and db.session.get(StaffUser, admin.id).active
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.role")).one()
    assert entry.details == {"from": "analyst", "to": "designer"} and entry.staff_user_id == admin.id
    assert client.post(f"/staff/{analyst.id}/role", data={"role": "boss", "csrf_token": token}).status_code == 400


def test_reset_password_stops_the_old_one_and_every_session(app, client, make_staff, db):
    admin, analyst = make_staff("admin"), make_staff("analyst")
    device = app.test_client()
    login(device, analyst.email, STAFF_PASSWORD)
    login(client, admin.email, STAFF_PASSWORD)
    page = client.post(f"/staff/{analyst.id}/reset-password",
                       data={"csrf_token": csrf_token(client, "/staff")}).get_data(as_text=True)
    path = _link(page)
    assert device.get("/canvas/").status_code == 302
    other = app.test_client()
    token = csrf_token(other, "/auth/login")
    refused = other.post("/auth/login", data={"email": analyst.email, "password": STAFF_PASSWORD, "csrf_token": token})
    assert "E-mail or password is not right." in refused.get_data(as_text=True)
    _set_password(other, path)
    login(other, analyst.email, NEW_PASSWORD)
    assert other.get("/canvas/").status_code == 200


def test_deactivated_user_can_be_reactivated_and_unknown_ids_are_404(client, make_staff, db):
    admin, analyst = make_staff("admin"), make_staff("analyst")
    login(client, admin.email, STAFF_PASSWORD)
    token = csrf_token(client, "/staff")
    client.post(f"/staff/{analyst.id}/deactivate", data={"csrf_token": token})
    db.session.expire_all()
    assert not db.session.get(StaffUser, analyst.id).active
    client.post(f"/staff/{analyst.id}/activate", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(StaffUser, analyst.id).active
    assert client.post("/staff/999999/deactivate", data={"csrf_token": token}).status_code == 404
