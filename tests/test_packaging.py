"""Every Python package under vocapp/ is found by setup.cfg's ``packages = find:`` and so gets installed.

A folder without ``__init__.py`` hides itself and everything below it from ``find:``: an install that
is not editable then lacks that code (vocapp.core was missing that way).
"""
from __future__ import annotations

import configparser
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent


def test_every_folder_with_python_code_is_an_installed_package():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    include = config["options.packages.find"]["include"].replace(",", " ").split()
    found = set(find_packages(where=str(ROOT), include=include))
    with_code = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "vocapp").rglob("*.py") if "__pycache__" not in path.parts
    }
    assert with_code - found == set()
