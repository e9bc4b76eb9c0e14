"""A new user's mistakes on the command line end in one specific line and exit 1, never a traceback.

Run through the real ``vocapp`` entry point (``python -m vocapp``), which turns errors into one line.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vocapp import PROJECT_ROOT

DEFAULT_DEFINITION = PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml"


@pytest.fixture(scope="module")
def vocapp_cli(tmp_path_factory):
    """Run ``vocapp ARGS`` on an initialised SQLite database holding the default questionnaire."""
    folder = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "VOCAPP_DATABASE_URL": f"sqlite:///{folder / 'cli.db'}",
           "VOCAPP_INSTANCE_PATH": str(folder / "instance")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "vocapp", *args], capture_output=True, text=True, env=env,
                              timeout=120)

    for setup in (["init-db"], ["surveys", "load", str(DEFAULT_DEFINITION)]):
        assert run(*setup).returncode == 0
    run.folder = folder
    return run


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_canvas_definition_that_is_not_text(vocapp_cli):
    picture = Path(vocapp_cli.folder) / "canvas.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    line = _one_error_line(vocapp_cli("canvas", "place", "--definition", str(picture)))
    assert line.startswith("Error: canvas definition has 1 problem(s)") and "canvas.png" in line
    assert "not UTF-8 text" in line


@pytest.mark.parametrize("args", [
    ["surveys", "export", "b2b_relationship", "--version", "99999999999999999999"],
    ["canvas", "movements", "--from", "99999999999999999999", "--to", "1"],
])
def test_a_number_too_large_for_the_database(vocapp_cli, args):
    line = _one_error_line(vocapp_cli(*args))
    assert line.startswith("Error:")


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path):
    database = tmp_path / "from-dotenv.db"
    (tmp_path / ".env").write_text(f"VOCAPP_DATABASE_URL=sqlite:///{database}\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("VOCAPP_DATABASE_URL", "VOCAPP_INSTANCE_PATH")}
    env["VOCAPP_INSTANCE_PATH"] = str(tmp_path / "instance")
    result = subprocess.run([sys.executable, "-m", "vocapp", "init-db"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert str(database) in result.stdout and database.exists()


def test_writing_into_a_missing_folder(vocapp_cli):
    target = Path(vocapp_cli.folder) / "no-such-folder" / "survey.yaml"
    line = _one_error_line(vocapp_cli("surveys", "export", "b2b_relationship", "--out", str(target)))
    assert line == f"Error: {target}: No such file or directory"


@pytest.mark.parametrize("url, expected", [
    ("nonsense", "Error: VOCAPP_DATABASE_URL: Could not parse SQLAlchemy URL"),
    ("sqlite:////no/such/folder/vocapp.db", "(check VOCAPP_DATABASE_URL)"),
])
def test_a_database_url_that_cannot_work(tmp_path, url, expected):
    env = {**os.environ, "VOCAPP_DATABASE_URL": url, "VOCAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-m", "vocapp", "surveys", "list"], capture_output=True, text=True,
                            env=env, timeout=120)
    line = _one_error_line(result)
    assert expected in line and "init-db" not in line


def test_a_database_without_schema_points_to_init_db(tmp_path):
    (tmp_path / "empty.db").touch()  # exists, but was never initialised
    env = {**os.environ, "VOCAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
           "VOCAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-m", "vocapp", "surveys", "list"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert _one_error_line(result).endswith("(is the database initialised and up to date? run `vocapp init-db`)")


@pytest.mark.parametrize("args, expected", [
    (["contacts", "import"], "Error: Missing argument 'FILE'. (see `vocapp contacts import --help`)"),
    (["score"], "Error: Missing option '--survey'. (see `vocapp score --help`)"),
    (["nosuchcommand"], "Error: No such command 'nosuchcommand'. (see `vocapp --help`)"),
])
def test_usage_mistakes_are_one_line_naming_the_command(vocapp_cli, args, expected):
    result = vocapp_cli(*args)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [expected]


def test_a_group_without_a_command_shows_its_help(vocapp_cli):
    result = vocapp_cli("surveys")
    assert result.returncode == 2 and result.stdout.startswith("Usage: vocapp surveys")
