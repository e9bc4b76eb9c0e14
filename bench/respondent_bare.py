"""The floor for bench/respondent_load.py: a bare Flask view doing a respondent page's database work.

Per request: find the invitation by its token hash (with its response), update the response's answers
JSON, commit. No forms, templates, sessions, CSRF or rate limits. Served by gunicorn with the same
settings as vocapp (``gunicorn bench.respondent_bare:app``); reads VOCAPP_DATABASE_URL.
"""
from __future__ import annotations

import json
import os

from flask import Flask, request
from sqlalchemy import create_engine, text

from vocapp.core.tokens import hash_token

app = Flask(__name__)
engine = create_engine(os.environ["VOCAPP_DATABASE_URL"])
FIND = text("SELECT i.id, r.id AS response_id, r.answers FROM invitations i JOIN responses r ON r.invitation_id = i.id "
            "WHERE i.token_hash = :hash")
UPDATE = text("UPDATE responses SET answers = CAST(:answers AS JSONB), updated_at = now() WHERE id = :id")


@app.post("/bare/<token>")
def bare(token: str):
    with engine.begin() as connection:
        row = connection.execute(FIND, {"hash": hash_token(token)}).one_or_none()
        if row is None:
            return "unknown", 404
        answers = dict(row.answers or {})
        answers.update(request.form.to_dict())
        connection.execute(UPDATE, {"answers": json.dumps(answers), "id": row.response_id})
    return "ok"
