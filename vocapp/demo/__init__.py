"""The demo: the product's main job end to end on a throw-away SQLite database.

Each step is a module in this package with ``run(context) -> str`` returning a one-line summary.
Steps run in ``STEPS`` order and pass results to later steps through ``context.shared``.
"""
from __future__ import annotations

import importlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flask import Flask

#: step modules under vocapp.demo, in the order they run
STEPS = ["questionnaire", "base", "responses", "scoring", "canvas"]

DEMO_STAFF_EMAIL = "admin@example.org"


@dataclass
class DemoContext:
    """What every demo step may use: the app, a folder for generated files, and the shared results."""

    app: Flask
    workdir: Path
    seed: int = 7
    n_accounts: int = 300
    shared: dict[str, Any] = field(default_factory=dict)


def demo_steps() -> list[tuple[str, Callable[[DemoContext], str]]]:
    """The demo's steps, in order: (name, run function)."""
    return [(name, importlib.import_module(f"vocapp.demo.{name}").run) for name in STEPS]


def build_demo(context: DemoContext, echo: Callable[[str], None] = print) -> tuple[str, str]:
    """Reset the demo database, create an admin, run every step; return the admin's e-mail and password."""
    from vocapp.services.database import rebuild_database
    from vocapp.services.staff import create_staff

    context.workdir.mkdir(parents=True, exist_ok=True)
    with context.app.app_context():
        echo(f"database: fresh schema at revision {rebuild_database()}")
        password = secrets.token_urlsafe(12)
        create_staff(DEMO_STAFF_EMAIL, "admin", password)  # every service commits its own work
        for name, run in demo_steps():
            echo(f"{name}: {run(context)}")
    return DEMO_STAFF_EMAIL, password
