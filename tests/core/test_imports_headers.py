"""Header matching: standard columns ignore case and spaces; survey item ids match as defined."""
from __future__ import annotations

from vocapp.core.imports import read_table
from vocapp.core.imports.contacts import validate_contacts
from vocapp.core.imports.responses import validate_responses

SCALE = {"id": "six", "min": 1, "max": 6}
CONTACT_HEADER = "email,first_name,last_name,account_id,account_name,relationship,role"


def survey(*item_ids: str) -> dict:
    items = [{"id": item_id, "type": "likert", "text": item_id, "scale": "six", "construct": "c"}
             for item_id in item_ids]
    return {"id": "caps", "version": 1, "scales": [SCALE], "pages": [{"id": "p", "items": items}]}


def responses(csv: str, definition: dict):
    return validate_responses(read_table(csv.encode(), "r.csv"), "r.csv", definition)


def errors(result) -> list[str]:
    return [str(issue) for issue in result.errors]


def test_capitalised_item_ids_match_exactly_and_standard_columns_ignore_case():
    result = responses(" EMAIL ,Submitted At,A1,N2\nann@x.example,2024-01-01,6,1\n", survey("A1", "N2"))
    assert errors(result) == []
    row = result.clean.loc[2]
    assert (row["email"], int(row["A1"]), int(row["N2"])) == ("ann@x.example", 6, 1)


def test_item_header_in_another_case_matches_when_only_one_item_fits():
    result = responses("email,submitted_at,a1,n2\nann@x.example,2024-01-01,2,3\n", survey("A1", "N2"))
    assert errors(result) == []
    assert (int(result.clean.loc[2, "A1"]), int(result.clean.loc[2, "N2"])) == (2, 3)


def test_items_differing_only_in_case_need_exact_headers():
    definition = survey("ab", "AB")
    exact = responses("email,submitted_at,ab,AB\nann@x.example,2024-01-01,1,5\n", definition)
    assert errors(exact) == []
    assert (int(exact.clean.loc[2, "ab"]), int(exact.clean.loc[2, "AB"])) == (1, 5)
    ambiguous = responses("email,submitted_at,Ab\nann@x.example,2024-01-01,1\n", definition)
    assert errors(ambiguous) == [
        "r.csv: row 1, column Ab: 'Ab' matches AB, ab when case is ignored; write the column name exactly as defined"]


def test_one_item_written_twice_in_different_cases_is_an_error():
    result = responses("email,submitted_at,A1,a1\nann@x.example,2024-01-01,1,2\n", survey("A1"))
    assert errors(result) == [
        "r.csv: row 1, column a1: column D repeats the header of column C ('A1'); each column may appear once"]


def test_unknown_item_still_names_the_items():
    result = responses("email,submitted_at,A9\nann@x.example,2024-01-01,1\n", survey("A1", "N2"))
    assert errors(result) == ["r.csv: row 1, column A9: 'A9' is not an item of survey caps version 1 (items: A1, N2)"]


def test_standard_and_attribute_columns_repeated_in_another_spelling_are_errors():
    csv = (f"{CONTACT_HEADER},Member Since, EMAIL,member-since\n"
           "ann@x.example,Ann,Lee,A,Acme,member,user,2019,ann@x.example,2020\n")
    result = validate_contacts(read_table(csv.encode(), "c.csv"), "c.csv")
    assert errors(result) == [
        "c.csv: row 1, column EMAIL: column I repeats the header of column A ('email'); each column may appear once",
        "c.csv: row 1, column member-since: column J repeats the header of column H ('Member Since'); "
        "each column may appear once",
    ]
