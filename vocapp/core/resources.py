"""Where vocapp's top-level folders are at run time (templates, static, survey_definitions, migrations, docs).

In a checkout or an editable install they are the project's own folders beside the package. A regular
install (a wheel) has no project root, so the build copies them into the package as
``vocapp/_bundled/<name>`` (see setup.py); that copy wins when it exists.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
BUNDLED_DIR = PACKAGE_DIR / "_bundled"
#: the top-level folders the running code needs, bundled into a regular install
RUNTIME_FOLDERS = ("templates", "static", "survey_definitions", "migrations", "docs")


def resource_dir(name: str) -> Path:
    """The folder ``name`` (one of RUNTIME_FOLDERS): the installed copy, else the checkout's."""
    if name not in RUNTIME_FOLDERS:
        raise ValueError(f"unknown resource folder {name!r}; one of {', '.join(RUNTIME_FOLDERS)}")
    bundled = BUNDLED_DIR / name
    return bundled if bundled.is_dir() else PACKAGE_DIR.parent / name
