"""Historical responses import: pinned version, source 'import', idempotent, all-or-nothing."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from imports_corpus import BAD_FILES, build_corpus, data_snapshot, load_test_survey
from vocapp.errors import VocappError
from vocapp.models import Contact, Response
from vocapp.services.imports import import_contacts, import_responses

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def survey(db, corpus):
    version = load_test_survey(corpus)
    assert import_contacts(corpus / "contacts" / "valid.csv").ok
    return version


def test_responses_are_pinned_marked_and_parsed(db, corpus, survey):
    report = import_responses(corpus / "responses" / "valid.csv", "import_test")
    assert report.ok and report.created == 3
    responses = {db.session.get(Contact, r.contact_id).email: r for r in db.session.scalars(select(Response))}
    ann = responses["ann.lee@acme.example"]
    assert (ann.survey_version_id, ann.source, ann.status) == (survey.id, "import", "complete")
    assert ann.submitted_at == dt.datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    assert ann.answers == {"trust_1": 5, "trust_2": 1, "nps": 9, "decision_role": "decision_maker",
                           "topics": ["events", "policy"], "staff": 250.0, "comment": "Great"}
    bob = responses["bob.stone@acme.example"]
    assert bob.answers == {"trust_2": 2, "decision_role": "influencer", "comment": "Robert'); DROP TABLE contacts;--"}
    assert ann.import_run_id == report.run_id


def test_reimport_creates_no_duplicates(db, corpus, survey):
    assert import_responses(corpus / "responses" / "valid.csv", "import_test").created == 3
    before = data_snapshot(db)
    again = import_responses(corpus / "responses" / "valid.csv", "import_test", version=1)
    assert (again.created, again.skipped) == (0, 3)
    assert str(again.skipped_rows[0]) == ("valid.csv: row 2, column submitted_at: ann.lee@acme.example already has a "
                                          "response submitted at 2024-03-01T08:30:00+00:00; this row is skipped")
    assert data_snapshot(db) == before


def test_dry_run_writes_nothing(db, corpus, survey):
    before = data_snapshot(db)
    report = import_responses(corpus / "responses" / "valid.csv", "import_test", dry_run=True)
    assert report.ok and report.created == 3
    assert data_snapshot(db) == before


def test_unknown_contact_is_located(db, corpus, survey, tmp_path):
    path = tmp_path / "unknown.csv"
    path.write_text("email,submitted_at,trust_1\nann.lee@acme.example,2024-01-01,4\nnobody@x.example,2024-01-02,3\n")
    before = data_snapshot(db)
    report = import_responses(path, "import_test")
    assert [str(issue) for issue in report.errors] == [
        "unknown.csv: row 3, column email: no contact has the email nobody@x.example; import the contacts first"]
    assert data_snapshot(db) == before


def test_unknown_survey_or_version(db, corpus, survey):
    with pytest.raises(VocappError, match="no survey with id 'nope'"):
        import_responses(corpus / "responses" / "valid.csv", "nope")
    with pytest.raises(VocappError, match="survey 'import_test' has no version 9"):
        import_responses(corpus / "responses" / "valid.csv", "import_test", version=9)




@pytest.mark.parametrize("name", sorted(BAD_FILES["responses"]))
def test_bad_files_leave_the_database_unchanged(db, corpus, survey, name):
    before = data_snapshot(db)
    report = import_responses(corpus / "responses" / name, "import_test")
    assert str(report.errors[0]) == BAD_FILES["responses"][name]
    assert data_snapshot(db) == before


@pytest.mark.parametrize("name", ["utf8_bom.csv", "cp1252.csv"])
def test_other_encodings_import(db, corpus, survey, name):
    assert import_responses(corpus / "responses" / name, "import_test").ok
    comments = {response.answers.get("comment") for response in db.session.scalars(select(Response))}
    assert "Très bien – merci" in comments or "Great" in comments


def test_capitalised_item_ids_through_the_cli(runner, db, corpus, tmp_path):
    from vocapp.services.surveys import store_definition

    scale = {"id": "six", "min": 1, "max": 6, "labels": {1: "Very inaccurate", 6: "Very accurate"}}
    items = [{"id": item_id, "type": "likert", "text": f"Item {item_id}", "scale": "six", "construct": "big"}
             for item_id in ("A1", "A2", "N1", "N2")]
    store_definition({"id": "caps", "title": "Capitals", "languages": ["en"],
                      "constructs": [{"id": "big", "label": "Big"}], "scales": [scale],
                      "pages": [{"id": "p", "title": "P", "items": items}]})
    assert import_contacts(corpus / "contacts" / "valid.csv").ok
    path = tmp_path / "caps.csv"
    path.write_text("Email,Submitted At,A1,a2,N1\nann.lee@acme.example,2024-03-01,6,2,\n")
    result = runner.invoke(args=["responses", "import", str(path), "--survey", "caps"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("responses import of caps.csv: created 1,")
    assert db.session.scalar(select(Response)).answers == {"A1": 6, "A2": 2}
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("email,submitted_at,A9\nann.lee@acme.example,2024-03-02,1\n")
    refused = runner.invoke(args=["responses", "import", str(unknown), "--survey", "caps"])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[1] == (
        "  unknown.csv: row 1, column A9: 'A9' is not an item of survey caps version 1 (items: A1, A2, N1, N2)")
