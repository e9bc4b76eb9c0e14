"""Shared helper: build the import test corpus (text files + generated binaries) in a temp dir."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

BUILDER = Path(__file__).resolve().parent / "data" / "imports" / "build_binary_corpus.py"


def _builder():
    spec = importlib.util.spec_from_file_location("build_binary_corpus", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_corpus(target: Path) -> Path:
    """Copy the text corpus and generate the binary files into ``target``."""
    return _builder().build_corpus(target)


FORMULA_ADVICE = "only values can be imported - copy the cells and paste them as values"
# the damaged file is the valid UTF-8 accented file plus a row holding a lone cp1252 byte 0xE9 ("Caf\xe9")
_DAMAGED_OFFSET = len(_builder().ACCENTED_CONTACTS.encode("utf-8")) + len(b"bad@acme.example,Caf")

#: kind -> bad corpus file -> the first located message it must produce (read from what each file holds)
BAD_FILES: dict[str, dict[str, str]] = {
    "contacts": {
        "bad_values.csv": "bad_values.csv: row 3, column email: 'not-an-email' is not a valid email address: "
                          "An email address must have an @-sign.",
        "missing_column.csv": "missing_column.csv: row 1, column relationship: required column 'relationship' is "
                              "missing (expected: email, first_name, last_name, account_id, account_name, "
                              "relationship, role, language)",
        "empty.csv": "empty.csv: the file is empty",
        "header_only.csv": "header_only.csv: the file has a header row but no data rows",
        "formulas.xlsx": "formulas.xlsx: row 3, column account_name: cell Contacts!E3 holds a formula "
                         f'(=UPPER("acme ltd")); {FORMULA_ADVICE}',
        "contacts.xls": "contacts.xls: the old Excel .xls format is not supported; save the workbook as .xlsx or CSV",
        "damaged_utf8.csv": f"damaged_utf8.csv: row 4: the file is UTF-8 but byte(s) e9 at byte {_DAMAGED_OFFSET} "
                            "are not valid UTF-8; re-save the file as UTF-8",
    },
    "responses": {
        "bad_values.csv": "bad_values.csv: row 2, column trust_1: '6' is off the scale of item trust_1 (scale agree5) "
                          "(allowed: whole numbers 1 to 5, or blank, or 'Not applicable')",
        "unknown_item.csv": "unknown_item.csv: row 1, column trust_9: 'trust_9' is not an item of survey import_test "
                            "version 1 (items: trust_1, trust_2, trust_3, nps, decision_role, topics, staff, comment)",
        "missing_column.csv": "missing_column.csv: row 1, column submitted_at: required column 'submitted_at' is "
                              "missing (expected: email, submitted_at, trust_1, trust_2, trust_3, nps, "
                              "decision_role, topics, staff, comment)",
        "empty.csv": "empty.csv: the file is empty",
        "header_only.csv": "header_only.csv: the file has a header row but no data rows",
        "formulas.xlsx": f"formulas.xlsx: row 2, column nps: cell Answers!D2 holds a formula (=SUM(1,2)); {FORMULA_ADVICE}",
    },
    "transactions": {
        "bad_values.csv": "bad_values.csv: row 2, column date: '2024-13-01' is not a valid date "
                          "(expected YYYY-MM-DD, e.g. 2024-03-31)",
        "bad_values.parquet": "bad_values.parquet: row 3, column account_id: a value is required",
        "extra_column.csv": "extra_column.csv: row 1, column vat: unexpected column; transactions files have "
                            "account_id, date, amount, category and optionally currency, description, reference",
        "missing_column.csv": "missing_column.csv: row 1, column amount: required column 'amount' is missing "
                              "(expected: account_id, date, amount, category, currency, description, reference)",
        "empty.csv": "empty.csv: the file is empty",
        "header_only.csv": "header_only.csv: the file has a header row but no data rows",
        "header_only.parquet": "header_only.parquet: the file has a header row but no data rows",
        "formulas.xlsx": f"formulas.xlsx: row 2, column amount: cell Ledger!C2 holds a formula (=100*1.2); {FORMULA_ADVICE}",
        "parquet_named.csv": "parquet_named.csv: the file is a Parquet file but its name ends like a CSV file; "
                             "rename it",
    },
}
BAD_CASES = [(kind, name) for kind, files in BAD_FILES.items() for name in sorted(files)]


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
