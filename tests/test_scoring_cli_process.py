"""`vocapp score` run as the real process: it closes its database connections before it exits."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_scoring_service import seed_survey


@pytest.mark.slow
def test_vocapp_score_leaves_no_connection_open_at_exit(app, tmp_path):
    seed_survey(300)
    env = {**os.environ, "VOCAPP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "VOCAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-m", "vocapp", "score",
                             "--survey", "b2b_relationship"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Run id:" in result.stdout
    assert "ResourceWarning" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
