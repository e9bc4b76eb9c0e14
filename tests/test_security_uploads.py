"""Uploads waiting for confirmation in instance/uploads are bounded per user, expire, and belong to their uploader."""
from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

from conftest import STAFF_PASSWORD
from helpers import csrf_token, login
from hostile_files import CONTACT_HEADER, CONTACT_ROW

CSV = (",".join(CONTACT_HEADER) + "\n" + ",".join(CONTACT_ROW) + "\n").encode()


def _upload(client) -> str:
    response = client.post("/imports/contacts", data={"file": (io.BytesIO(CSV), "contacts.csv"),
                                                      "csrf_token": csrf_token(client, "/imports/")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return re.search(r'name="token" value="([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)


def _waiting(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "uploads").iterdir())


def test_each_user_keeps_a_bounded_number_of_waiting_uploads(app, client, make_staff):
    designer = make_staff("designer")
    login(client, designer.email, STAFF_PASSWORD)
    tokens = [_upload(client) for _ in range(7)]
    waiting = _waiting(app)
    assert len(waiting) == app.config["UPLOAD_PREVIEWS_PER_USER"] == 5
    assert {path.stem.split("-", 1)[1] for path in waiting} == set(tokens[2:])  # the two oldest went first
    other = app.test_client()
    login(other, make_staff("designer").email, STAFF_PASSWORD)
    _upload(other)
    assert len(_waiting(app)) == 6  # another user's uploads do not push these out


def test_uploads_older_than_the_preview_time_are_removed(app, client_as):
    client = client_as("designer")
    _upload(client)
    old = _waiting(app)[0]
    past = time.time() - 3600 * (app.config["UPLOAD_PREVIEW_HOURS"] + 1)
    os.utime(old, (past, past))
    _upload(client)
    assert old not in _waiting(app) and len(_waiting(app)) == 1


def test_another_user_cannot_confirm_someone_elses_upload(app, client, make_staff):
    first, second = make_staff("designer"), make_staff("designer")
    login(client, first.email, STAFF_PASSWORD)
    token = _upload(client)
    intruder = app.test_client()
    login(intruder, second.email, STAFF_PASSWORD)
    response = intruder.post("/imports/contacts/confirm", data={
        "token": token, "suffix": ".csv", "filename": "contacts.csv", "csrf_token": csrf_token(intruder, "/imports/")})
    assert response.status_code == 410
    assert len(_waiting(app)) == 1
