"""vocapp: survey and Voice-of-Customer platform for B2B membership organisations.

Importing the package is cheap (the command line starts from it): the application factory lives in
``vocapp.app`` and is loaded on first use of ``vocapp.create_app``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from vocapp.core.resources import resource_dir

if TYPE_CHECKING:
    from vocapp.app import create_app

#: the project checkout (tests and benchmarks use its folders; running code uses resource_dir)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = resource_dir("migrations")

__all__ = ["MIGRATIONS_DIR", "PROJECT_ROOT", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":  # PEP 562: Flask, SQLAlchemy and the extensions load only when an app is built
        from vocapp.app import create_app

        return create_app
    raise AttributeError(f"module 'vocapp' has no attribute {name!r}")
