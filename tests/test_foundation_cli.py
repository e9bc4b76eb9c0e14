"""The command line: the command tree, init-db, create-staff and one-line errors."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from vocapp.models import AuditEntry, StaffUser

VOCAPP = [sys.executable, "-m", "vocapp"]


def run_vocapp(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*VOCAPP, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          cwd=cwd, timeout=120)


def test_help_lists_the_command_tree(tmp_path):
    result = run_vocapp("--help", env={"VOCAPP_INSTANCE_PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    expected = {"init-db", "create-staff", "demo", "surveys", "contacts", "responses", "transactions",
                "campaigns", "score", "canvas", "export"}
    assert expected <= listed


def test_init_db_creates_the_schema_on_a_new_sqlite_file(tmp_path):
    database = tmp_path / "fresh.db"
    env = {"VOCAPP_DATABASE_URL": f"sqlite:///{database}", "VOCAPP_INSTANCE_PATH": str(tmp_path)}
    result = run_vocapp("init-db", env=env)
    assert result.returncode == 0, result.stderr
    assert "at revision" in result.stdout
    again = run_vocapp("init-db", env=env)
    assert again.returncode == 0, again.stderr
    created = run_vocapp("create-staff", "ann@example.org", "--role", "analyst", "--password", "a long password",
                         env=env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created analyst ann@example.org."


def test_unreachable_database_gives_one_line_error(tmp_path):
    env = {"VOCAPP_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "VOCAPP_INSTANCE_PATH": str(tmp_path)}
    result = run_vocapp("create-staff", "ann@example.org", "--role", "analyst", "--password", "a long password",
                        env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: database:"), result.stderr


def test_create_staff_stores_a_hashed_password_and_audits(runner, db):
    result = runner.invoke(args=["create-staff", "Bea@Example.org", "--role", "designer"],
                           input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(StaffUser))
    assert user.email == "bea@example.org" and user.role == "designer"
    assert "a long password" not in user.password_hash and user.check_password("a long password")
    assert db.session.scalar(select(AuditEntry.action)) == "staff.create"


def test_create_staff_errors_are_specific(runner, make_staff):
    make_staff("admin", email="taken@example.org")
    cases = [
        (["create-staff", "not-an-email", "--role", "admin", "--password", "a long password"], "email:"),
        (["create-staff", "x@example.org", "--role", "admin", "--password", "short"], "password: must be at least"),
        (["create-staff", "taken@example.org", "--role", "admin", "--password", "a long password"], "already exists"),
        (["create-staff", "x@example.org", "--role", "boss", "--password", "a long password"], "'boss' is not one of"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
