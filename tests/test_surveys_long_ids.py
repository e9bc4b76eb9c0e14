"""A survey id longer than the format allows is refused with a reason, never stored (a 500 on PostgreSQL)."""
from __future__ import annotations

import io

import pytest

from helpers import csrf_token
from vocapp.errors import VocappError
from vocapp.models import Survey
from vocapp.services.surveys import create_survey


def test_uploading_a_definition_with_an_overlong_id_is_refused(client_as, db):
    client = client_as("designer")
    token = csrf_token(client, "/surveys/new")
    text = ("id: " + "a" * 500 + "\ntitle: Long\npages: []\n").encode()
    response = client.post("/surveys/upload", data={"csrf_token": token, "file": (io.BytesIO(text), "long.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "is longer than 64 characters" in response.get_data(as_text=True)
    assert db.session.query(Survey).count() == 0


def test_create_survey_names_the_length_limit(db):
    with pytest.raises(VocappError, match="longer than 64 characters"):
        create_survey("b" * 65, "Title")
    assert create_survey("c" * 64, "Title").slug == "c" * 64
