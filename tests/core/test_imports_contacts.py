"""Contacts validation: every located error, attributes, SQL-looking text kept verbatim."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from imports_corpus import build_corpus
from vocapp.core.imports import read_table
from vocapp.core.imports.contacts import validate_contacts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus")) / "contacts"


def validate(path: Path):
    return validate_contacts(read_table(path), path.name)


def test_valid_file_normalises_and_keeps_extra_columns_as_attributes(corpus):
    result = validate(corpus / "valid.csv")
    assert result.ok
    clean = result.clean
    assert list(clean.index) == [2, 3, 4, 5]
    assert clean.loc[3, "email"] == "bob.stone@acme.example"
    assert clean.loc[5, "account_id"] == "00042"
    assert clean.loc[2, "attributes"] == {"region": "North", "member_since": "2019"}
    assert clean.loc[3, "attributes"] == {"region": "North"}
    assert clean.loc[5, "attributes"] == {}
    assert pd.isna(clean.loc[5, "role"])


def test_every_bad_cell_is_located(corpus):
    result = validate(corpus / "bad_values.csv")
    assert [str(issue) for issue in result.errors] == [
        "bad_values.csv: row 3, column email: 'not-an-email' is not a valid email address: "
        "An email address must have an @-sign.",
        "bad_values.csv: row 4, column account_id: a value is required",
        "bad_values.csv: row 5, column relationship: 'partner' is not a valid relationship "
        "(allowed: member, customer, both)",
        "bad_values.csv: row 6, column email: email ann.lee@acme.example also appears on row 2 "
        "(emails must be unique, ignoring case)",
        "bad_values.csv: row 7, column account_name: account ACME is named 'Acme Ltd' on row 2 but 'ACME Limited' here",
        "bad_values.csv: row 7, column role: 'chief' is not a valid role (allowed: decision_maker, influencer, user)",
    ]
    assert list(result.clean.index) == [2]


def test_missing_column(corpus):
    result = validate(corpus / "missing_column.csv")
    assert [str(issue) for issue in result.errors] == [
        "missing_column.csv: row 1, column relationship: required column 'relationship' is missing "
        "(expected: email, first_name, last_name, account_id, account_name, relationship, role, language)"]


def test_headers_match_ignoring_case_spaces_and_hyphens(corpus):
    result = validate(corpus / "semicolon.csv")
    assert result.ok
    row = result.clean.loc[2]
    assert (row["relationship"], row["role"], row["last_name"]) == ("member", "decision_maker", "Lee")


def test_sql_looking_strings_are_plain_data(corpus):
    result = validate(corpus / "sql_strings.csv")
    assert result.ok
    row = result.clean.loc[2]
    assert row["first_name"] == "Robert'); DROP TABLE contacts;--"
    assert row["account_id"] == "1 OR 1=1"
    assert row["account_name"] == 'Little Bobby" Tables; DELETE FROM accounts'
    assert row["attributes"] == {"notes": '=HYPERLINK("http://x")'}


@pytest.mark.parametrize("name", ["utf8_bom.csv", "utf16.csv", "valid.xlsx", "cp1252.csv"])
def test_other_encodings_and_formats_validate(corpus, name):
    assert validate(corpus / name).ok


def test_language_codes():
    frame = pd.DataFrame({"email": ["a@x.example", "b@x.example"], "first_name": ["A", "B"], "last_name": ["A", "B"],
                          "account_id": ["1", "1"], "account_name": ["X", "X"], "relationship": ["member"] * 2,
                          "role": ["user"] * 2, "language": ["CY", "english"]}, index=pd.Index([2, 3], name="row"))
    result = validate_contacts(frame, "f.csv")
    assert result.clean.loc[2, "language"] == "cy"
    assert [str(issue) for issue in result.errors] == [
        "f.csv: row 3, column language: 'english' is not a valid language code (e.g. en, cy, en-GB)"]
