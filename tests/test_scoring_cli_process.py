"""`vocapp score` run as the real process: it starts without the web layer and closes its database
connections before it exits."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from test_scoring_service import seed_survey

#: what only pages use; `vocapp score` must not import any of it
PAGE_ONLY = ("vocapp.web", "matplotlib", "openpyxl", "flask_wtf", "flask_limiter", "flask_migrate", "alembic",
             "jsonschema")


@pytest.mark.slow
def test_vocapp_score_starts_lean_and_leaves_no_connection_open_at_exit(app, tmp_path):
    seed_survey(300)
    env = {**os.environ, "VOCAPP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "VOCAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-X", "dev", "-X", "importtime", "-W", "error::ResourceWarning",
                             "-m", "vocapp", "score", "--survey", "b2b_relationship"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Run id:" in result.stdout
    imported = set(re.findall(r"^import time:.*\|\s*(\S+)$", result.stderr, flags=re.M))
    assert "factor_analyzer" in imported and "vocapp.services.scoring" in imported
    assert sorted(m for m in imported if m.split(".")[0] in PAGE_ONLY or m.startswith("vocapp.web")) == []
    problems = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert not [line for line in problems if "ResourceWarning" in line or "Exception ignored" in line], problems
