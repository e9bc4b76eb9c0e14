"""Every Python package under vocapp/ is found by setup.cfg's ``packages = find:`` and so gets installed.

A folder without ``__init__.py`` hides itself and everything below it from ``find:``: an install that
is not editable then lacks that code (vocapp.core was missing that way).
"""
from __future__ import annotations

import configparser
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_a_regular_install_runs_without_the_checkout(tmp_path):
    """A wheel built from the checkout, installed into a folder of its own and run from elsewhere,
    migrates a database, loads the bundled questionnaire and serves a page: the top-level folders
    (templates, static, survey_definitions, migrations) travel inside the package."""
    wheels, target, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
                   check=True, cwd=tmp_path, capture_output=True)
    wheel = next(wheels.glob("vocapp-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for needed in ("vocapp/_bundled/templates/base.html", "vocapp/_bundled/static/css/vocapp.css",
                   "vocapp/_bundled/survey_definitions/schema.json",
                   "vocapp/_bundled/migrations/versions/0001_initial_schema.py",
                   "vocapp/translations/fr/LC_MESSAGES/messages.mo", "vocapp/translations/de/LC_MESSAGES/messages.mo"):
        assert needed in names, needed
    subprocess.run(pip + ["install", "--no-deps", "--target", str(target), str(wheel)], check=True,
                   capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "VOCAPP_INSTANCE_PATH": str(work / "instance"),
           "VOCAPP_DATABASE_URL": f"sqlite:///{work / 'installed.db'}"}
    script = textwrap.dedent("""
        import vocapp
        from vocapp import create_app
        from vocapp.core.resources import resource_dir
        from vocapp.services.database import upgrade_database
        from vocapp.services.surveys import load_definition_file
        assert vocapp.__file__.startswith(TARGET), vocapp.__file__
        app = create_app()
        with app.app_context():
            upgrade_database()
            version, _ = load_definition_file(resource_dir("survey_definitions") / "b2b_relationship.yaml")
            print("loaded", version.survey.slug)
        page = app.test_client().get("/auth/login")
        assert page.status_code == 200 and b"<form" in page.data, page.status_code
        css = app.test_client().get("/static/css/vocapp.css")
        assert css.status_code == 200, css.status_code
        from flask_babel import force_locale, gettext
        with app.test_request_context(), force_locale("fr"):
            assert gettext("Next") == "Suivant", gettext("Next")  # the compiled catalogues travel too
        print("served")
    """).replace("TARGET", repr(str(target)))
    done = subprocess.run([sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "loaded b2b_relationship" in done.stdout and "served" in done.stdout
