"""Staff list pages (contacts, designer surveys) read a page in a fixed number of queries, and search literally."""
from __future__ import annotations

from helpers import get_recording_sql
from vocapp.models import Account, Contact


def _add_accounts(db, start: int, count: int) -> None:
    added = []
    for i in range(start, start + count):
        account = Account(external_id=f"ACC{i:03d}", name=f"Account {i:03d}")
        added += [account, Contact(account=account, email=f"person{i:03d}@example.org", first_name="Pat",
                                   last_name=f"Number {i}", relationship="member")]
    db.session.add_all(added)
    db.session.commit()
    for instance in added:  # the page must read them itself, not find them in this session
        db.session.expunge(instance)


def _select_count(db, client, url: str) -> tuple[int, str]:
    response, statements = get_recording_sql(db, client, url)
    assert response.status_code == 200
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    return len(selects), response.get_data(as_text=True)


def test_people_page_does_not_query_each_contacts_account(client_as, db):
    staff = client_as("designer")
    _add_accounts(db, 0, 2)
    few, _ = _select_count(db, staff, "/contacts/people")
    _add_accounts(db, 2, 10)
    many, html = _select_count(db, staff, "/contacts/people")
    assert many == few
    # Every row still names its own account, linked to the account page.
    for i in range(12):
        assert f">Account {i:03d}</a>" in html


def test_search_matches_percent_underscore_and_slash_literally(client_as, db):
    staff = client_as("analyst")
    for external_id, name in [("A1", "Fifty% Club"), ("A2", "Fifty Club"), ("A3", "Under_score Ltd"),
                              ("A4", "Underscore Ltd"), ("A5", "Either/Or plc"), ("A6", "EitherOr plc")]:
        db.session.add(Account(external_id=external_id, name=name))
    db.session.commit()

    def names(q: str) -> set[str]:
        html = staff.get("/contacts/", query_string={"q": q}).get_data(as_text=True)
        return {n for n in ("Fifty% Club", "Fifty Club", "Under_score Ltd", "Underscore Ltd", "Either/Or plc",
                            "EitherOr plc") if f">{n}<" in html}

    assert names("y%") == {"Fifty% Club"}
    assert names("r_s") == {"Under_score Ltd"}
    assert names("R/o") == {"Either/Or plc"}
    assert names("fifty") == {"Fifty% Club", "Fifty Club"}


def test_designer_survey_list_reads_versions_in_fixed_number_of_queries(client_as, db):
    from vocapp.models import Survey, SurveyVersion

    staff = client_as("designer")

    def add_surveys(start: int, count: int) -> None:
        added = []
        for i in range(start, start + count):
            survey = Survey(slug=f"survey_{i}", title=f"Survey {i}")
            added.append(survey)
            added += [SurveyVersion(survey=survey, number=n, definition={"id": f"survey_{i}"},
                                    content_hash=f"{i:04d}{n:060d}", source="test") for n in (1, 2)]
        db.session.add_all(added)
        db.session.commit()
        for instance in added:
            db.session.expunge(instance)

    add_surveys(0, 2)
    few, _ = _select_count(db, staff, "/surveys/")
    add_surveys(2, 8)
    many, html = _select_count(db, staff, "/surveys/")
    assert many == few
    for i in range(10):
        assert f">survey_{i}</a>" in html
    assert html.count("version 2, ") == 10


def test_recent_imports_list_leaves_stored_error_messages_unread(client_as, db):
    from vocapp.models import ImportRun

    staff = client_as("designer")
    db.session.add(ImportRun(kind="contacts", filename="members.csv", sha256="0" * 64, status="failed",
                             counts={"errors": 1000}, errors=[f"members.csv: row {i}, column email: bad"
                                                              for i in range(2, 1002)]))
    db.session.commit()
    response, statements = get_recording_sql(db, staff, "/imports/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<td>members.csv</td>" in html and "errors 1000" in html
    listing = [s for s in statements if "FROM import_runs" in s]
    assert listing and not any("import_runs.errors" in s for s in listing)
