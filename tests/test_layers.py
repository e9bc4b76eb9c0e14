"""The layer rules (.importlinter, docs/architecture.md) hold, and the check really fails on a breach."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vocapp import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = PROJECT_ROOT / ".importlinter"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts on the ``vocapp`` package found in ``cwd``."""
    return subprocess.run([str(LINT_IMPORTS), "--config", str(CONFIG), "--no-cache"], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_the_layer_contracts_are_kept():
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A copy of the vocapp package (sources only) in a folder of its own."""
    shutil.copytree(PROJECT_ROOT / "vocapp", tmp_path / "vocapp",
                    ignore=shutil.ignore_patterns("__pycache__", "_bundled", "*.yaml", "*.json"))
    return tmp_path


@pytest.mark.parametrize("module, bad_import, contract", [
    ("web/home.py", "from vocapp.extensions import db", "web pages reach the database only through services"),
    ("cli/score.py", "from sqlalchemy import select", "commands and the demo reach the database only through"),
    ("services/staff.py", "from vocapp.web.security import role_required", "services and models import neither"),
    ("core/contacts.py", "from flask import current_app", "core is pure Python"),
])
def test_the_check_fails_on_a_deliberate_violation(package_copy, module, bad_import, contract):
    path = package_copy / "vocapp" / module
    path.write_text(path.read_text() + f"\n{bad_import}  # deliberate violation\n")
    result = lint_imports(package_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 broken" not in result.stdout  # (a breach low down may break a contract above it too)
    broken = result.stdout.split("Broken contracts")[1]
    assert contract in broken
    assert f"vocapp.{module[:-3].replace('/', '.')} -> " in broken


def test_no_module_uses_pyplot():
    """Charts are matplotlib Figure objects: pyplot's global figure state is not thread-safe."""
    users = []
    for path in (PROJECT_ROOT / "vocapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) and node.module
                else [])
            users += [f"{path.name}: {n}" for n in names if n.startswith(("matplotlib.pyplot", "pylab"))]
    assert users == []
