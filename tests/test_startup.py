"""Start-up stays cheap: listing commands and serving the login page load no heavy library, and
`vocapp --help` shows vocapp's own commands only (bench/startup.py measures the time and memory)."""
from __future__ import annotations

import os
import subprocess
import sys

from vocapp import PROJECT_ROOT

#: libraries that cost most of a process's start-up time and memory; each is imported where it is used
HEAVY = ("pandas", "numpy", "scipy", "sklearn", "factor_analyzer", "matplotlib", "openpyxl", "pyarrow")
FLASK_INTERNALS = ("run", "shell", "routes", "db")


def python(code: str, tmp_path) -> str:
    env = {**os.environ, "VOCAPP_INSTANCE_PATH": str(tmp_path / "instance"),
           "VOCAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def listed_commands(help_text: str) -> set[str]:
    return {line.split()[0] for line in help_text.split("Commands:")[1].splitlines() if line.strip()}


def test_vocapp_help_loads_no_heavy_library_nor_sqlalchemy_nor_the_app(tmp_path):
    out = python("import sys\nfrom vocapp.cli import cli\ncli.main(['--help'], standalone_mode=False)\n"
                 f"print('LOADED', sorted(m for m in {HEAVY + ('sqlalchemy', 'vocapp.app', 'vocapp.web')!r}"
                 " if m in sys.modules))", tmp_path)
    assert out.splitlines()[-1] == "LOADED []"


def test_vocapp_help_lists_vocapp_commands_only(tmp_path):
    result = subprocess.run([sys.executable, "-m", "vocapp", "--help"], capture_output=True, text=True,
                            env={**os.environ, "VOCAPP_INSTANCE_PATH": str(tmp_path)}, timeout=120)
    assert result.returncode == 0, result.stderr
    commands = listed_commands(result.stdout)
    assert {"init-db", "demo", "surveys", "score", "canvas"} <= commands
    assert not commands & set(FLASK_INTERNALS)
    for flask_option in ("--app", "--env-file", "--debug", "--version"):
        assert flask_option not in result.stdout


def test_flask_keeps_its_developer_commands_beside_vocapps(tmp_path):
    env = {**os.environ, "VOCAPP_INSTANCE_PATH": str(tmp_path), "VOCAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "--help"], capture_output=True,
                            text=True, env=env, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert set(FLASK_INTERNALS) | {"init-db", "canvas"} <= listed_commands(result.stdout)


def test_serving_the_login_page_loads_no_heavy_library(tmp_path):
    out = python("import sys\nfrom vocapp import create_app\n"
                 "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
                 "assert app.test_client().get('/auth/login').status_code == 200\n"
                 f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))", tmp_path)
    assert out.splitlines()[-1] == "LOADED []"
