"""Historical responses validated against a survey definition."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from imports_corpus import build_corpus, survey_definition
from vocapp.core.imports import ImportFileError, read_table
from vocapp.core.imports.responses import validate_responses


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def validate(corpus: Path, name: str, **kwargs):
    path = corpus / "responses" / name
    return validate_responses(read_table(path), name, survey_definition(corpus), **kwargs)


def test_valid_answers_are_parsed(corpus):
    result = validate(corpus, "valid.csv")
    assert result.ok
    clean = result.clean
    assert clean.loc[2, "submitted_at"] == pd.Timestamp("2024-03-01 08:30:00")  # +01:00 converted to UTC
    assert clean.loc[3, "submitted_at"] == pd.Timestamp("2024-03-02 00:00:00")
    assert clean.loc[2, "trust_1"] == 5 and clean.loc[4, "nps"] == 0
    assert pd.isna(clean.loc[3, "trust_1"])  # "Not applicable" label -> missing
    assert clean.loc[2, "decision_role"] == "decision_maker"  # label accepted, value stored
    assert clean.loc[2, "topics"] == ["events", "policy"]
    assert clean.loc[4, "staff"] == 12.5
    assert clean.loc[3, "comment"] == "Robert'); DROP TABLE contacts;--"
    assert clean.loc[3, "email"] == "bob.stone@acme.example"


def test_off_scale_bad_dates_and_missing_email(corpus):
    result = validate(corpus, "bad_values.csv")
    assert [str(issue) for issue in result.errors] == [
        "bad_values.csv: row 2, column trust_1: '6' is off the scale of item trust_1 (scale agree5) "
        "(allowed: whole numbers 1 to 5, or blank, or 'Not applicable')",
        "bad_values.csv: row 3, column email: a value is required",
        "bad_values.csv: row 3, column nps: '11' is off the scale of item nps (allowed: whole numbers 0 to 10, or blank)",
        "bad_values.csv: row 4, column submitted_at: '03/03/2024' is not a valid date or date-time "
        "(expected ISO 8601, e.g. 2024-03-31 or 2024-03-31T14:05:00+01:00)",
        "bad_values.csv: row 4, column trust_2: '2.5' is off the scale of item trust_2 (scale agree5) "
        "(allowed: whole numbers 1 to 5, or blank, or 'Not applicable')",
        "bad_values.csv: row 4, column decision_role: 'chief' is not a valid option of decision_role "
        "(allowed: decision_maker, influencer, user)",
        "bad_values.csv: row 4, column topics: 'golf' is not a valid option of topics (allowed: events, training, policy)",
        "bad_values.csv: row 4, column staff: 'many' is not a valid number for staff "
        "(use digits with '.' for decimals, no thousands separators, e.g. -1234.50)",
    ]


def test_unknown_item_column(corpus):
    result = validate(corpus, "unknown_item.csv")
    assert [str(issue) for issue in result.errors] == [
        "unknown_item.csv: row 1, column trust_9: 'trust_9' is not an item of survey import_test version 1 "
        "(items: trust_1, trust_2, trust_3, nps, decision_role, topics, staff, comment)"]


def test_missing_submitted_at_column(corpus):
    errors = [str(issue) for issue in validate(corpus, "missing_column.csv").errors]
    assert errors == ["missing_column.csv: row 1, column submitted_at: required column 'submitted_at' is missing "
                      "(expected: email, submitted_at, trust_1, trust_2, trust_3, nps, decision_role, topics, staff, comment)"]


def test_known_emails_hook_reports_unknown_contacts(corpus):
    result = validate(corpus, "valid.csv", known_emails={"ann.lee@acme.example", "carys@bryn.example"})
    assert [str(issue) for issue in result.errors] == [
        "valid.csv: row 3, column email: no contact has the email bob.stone@acme.example; import the contacts first"]


def test_same_contact_and_time_twice_is_an_error():
    frame = pd.DataFrame({"email": ["a@x.example", "A@x.example"],
                          "submitted_at": ["2024-01-01T10:00:00+00:00", "2024-01-01T11:00:00+01:00"]},
                         index=pd.Index([2, 3], name="row"))
    definition = {"id": "s", "pages": [{"id": "p", "items": []}]}
    result = validate_responses(frame, "r.csv", definition)
    assert [str(issue) for issue in result.errors] == [
        "r.csv: row 3, column submitted_at: a@x.example already has a response submitted at 2024-01-01T10:00:00 on row 2"]


def test_cp1252_and_bom_files(corpus):
    assert validate(corpus, "cp1252.csv").clean.loc[2, "comment"] == "Très bien – merci"
    assert validate(corpus, "utf8_bom.csv").ok


def test_formula_in_answers(corpus):
    with pytest.raises(ImportFileError) as caught:
        read_table(corpus / "responses" / "formulas.xlsx")
    assert str(caught.value) == ("formulas.xlsx: row 2, column nps: cell Answers!D2 holds a formula (=SUM(1,2)); "
                                 "only values can be imported - copy the cells and paste them as values")
