"""A NUL character typed or pasted into any form or query is a 400 with a reason, never a server error.

PostgreSQL text cannot hold NUL, so the same input that SQLite stored ended in a 500 there.
"""
from __future__ import annotations

from helpers import csrf_token


def test_nul_in_forms_queries_and_paths_is_a_bad_request(client_as, db):
    client = client_as("admin")
    token = csrf_token(client, "/surveys/new")
    responses = {
        "search": client.get("/contacts/?q=a%00b"),
        "canvas filter": client.get("/canvas/?zone=%00"),
        "survey path": client.get("/surveys/a%00b"),
        "new survey": client.post("/surveys/new", data={"slug": "nul", "title": "T\x00", "csrf_token": token}),
        "score": client.post("/scoring/run", data={"survey": "a\x00", "csrf_token": token}),
    }
    for what, response in responses.items():
        assert response.status_code == 400, what
        assert "NUL character" in response.get_data(as_text=True), what
    from vocapp.models import Survey
    assert db.session.query(Survey).count() == 0


def test_ordinary_unicode_still_passes(client_as):
    client = client_as("admin")
    token = csrf_token(client, "/surveys/new")
    response = client.post("/surveys/new", data={"slug": "uni", "title": "Ünïcødé ✓ 日本語", "csrf_token": token})
    assert response.status_code == 302
    assert "Ünïcødé ✓ 日本語" in client.get("/surveys/uni").get_data(as_text=True)
