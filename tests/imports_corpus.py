"""Shared helper: build the import test corpus (text files + generated binaries) in a temp dir."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

BUILDER = Path(__file__).resolve().parent / "data" / "imports" / "build_binary_corpus.py"


def build_corpus(target: Path) -> Path:
    spec = importlib.util.spec_from_file_location("build_binary_corpus", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_corpus(target)


def survey_definition(corpus: Path) -> dict:
    return yaml.safe_load((corpus / "responses" / "survey.yaml").read_text(encoding="utf-8"))


def data_snapshot(db) -> dict[str, list[tuple]]:
    """Every row of the tables an import may write (accounts, contacts, responses, transactions)."""
    from sqlalchemy import text

    tables = ("accounts", "contacts", "responses", "transactions")
    return {table: sorted(tuple(str(value) for value in row)
                          for row in db.session.execute(text(f"SELECT * FROM {table}")).all())
            for table in tables}


def load_test_survey(corpus: Path):
    """Store the corpus survey definition as a survey version; returns it."""
    from vocapp.services.surveys import store_definition

    version, _ = store_definition(survey_definition(corpus))
    return version
