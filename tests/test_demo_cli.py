"""After `make demo` the README's command-line examples work on the demo database without any setting,
and a command that reads the database never creates an empty one."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vocapp import PROJECT_ROOT

MARKER = "<!-- demo-cli-examples"


def readme_examples() -> list[list[str]]:
    """The commands of the README block after the demo-cli-examples marker, without `.venv/bin/vocapp`."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(MARKER):], re.S).group(1)
    commands = [shlex.split(line) for line in block.splitlines() if line.strip()]
    assert commands and all(c[0] == ".venv/bin/vocapp" for c in commands)
    return [c[1:] for c in commands]


def vocapp_in(folder: Path):
    """Run ``vocapp ARGS`` as a new user would: in ``folder``, instance folder inside it, no database set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOCAPP_") or k == "VOCAPP_TEST_POSTGRES_URL"}
    env["VOCAPP_INSTANCE_PATH"] = str(folder / "instance")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "vocapp", *args], capture_output=True, text=True, env=env,
                              cwd=folder, timeout=600)

    return run


@pytest.mark.slow
def test_the_readme_examples_work_on_the_demo(tmp_path):
    shutil.copytree(PROJECT_ROOT / "survey_definitions", tmp_path / "survey_definitions")
    vocapp = vocapp_in(tmp_path)
    demo = vocapp("demo", "--no-serve", "--accounts", "40")  # what `make demo` runs, without serving
    assert demo.returncode == 0, demo.stderr
    assert "Command line on the demo: vocapp canvas show" in demo.stdout
    for args in readme_examples():
        result = vocapp(*args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "Error" not in result.stderr, (args, result.stderr)
    shown = vocapp("canvas", "show").stdout
    assert "leave_alone_reason" in shown.splitlines()[0] and "Not yet heard" in shown
    assert (tmp_path / "canvas.csv").read_text().startswith("account_id,account_name,")
    assert "Moved:" in vocapp("canvas", "movements").stdout
    assert not (tmp_path / "instance" / "vocapp.db").exists()  # the demo served every command
    # e-mail from commands on the demo goes to its outbox, as in the demo itself
    test_message = (tmp_path / "instance" / "demo-outbox" / "campaign1-test-invitation.eml").read_text()
    assert "Subject: [Test] " in test_message and "To: you@example.org" in test_message


def test_a_read_command_refuses_a_missing_database_and_creates_none(tmp_path):
    result = vocapp_in(tmp_path)("canvas", "show")
    database = tmp_path / "instance" / "vocapp.db"
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Error: no database at {database}: create it with `vocapp init-db` "
                                     "(or build the demo with `vocapp demo`)")
    assert not database.exists()


def test_init_db_makes_ones_own_database_beside_the_demo(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "demo.db").touch()  # only the demo exists: commands use it, init-db does not
    vocapp = vocapp_in(tmp_path)
    created = vocapp("init-db")
    assert created.returncode == 0, created.stderr
    assert str(instance / "vocapp.db") in created.stdout and (instance / "vocapp.db").stat().st_size > 0
    assert (instance / "demo.db").stat().st_size == 0
    listed = vocapp("surveys", "list")
    assert listed.returncode == 0 and "Note: using the demo" not in listed.stderr
