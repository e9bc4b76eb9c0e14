"""Staff upload pages (preview then confirm), browsing accounts and contacts, roles and CSRF."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from helpers import csrf_token
from imports_corpus import build_corpus, data_snapshot, load_test_survey
from vocapp.services.imports import import_contacts, import_responses


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def upload(client, kind: str, path: Path, **fields):
    token = csrf_token(client, "/imports/")
    data = {"csrf_token": token, "file": (io.BytesIO(path.read_bytes()), path.name), **fields}
    return client.post(f"/imports/{kind}", data=data, content_type="multipart/form-data")


def uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_pages_need_login_and_the_right_role(client, client_as, corpus):
    assert client.get("/contacts/").status_code == 302
    assert client.get("/imports/").status_code == 302
    analyst = client_as("analyst")
    assert analyst.get("/contacts/").status_code == 200
    page = analyst.get("/imports/").get_data(as_text=True)
    assert 'action="/imports/transactions"' in page and 'action="/imports/contacts"' not in page
    assert upload(analyst, "contacts", corpus / "contacts" / "valid.csv").status_code == 403


def test_designer_cannot_import_transactions(client_as, corpus):
    designer = client_as("designer")
    assert upload(designer, "transactions", corpus / "transactions" / "valid.csv").status_code == 403


def test_upload_without_csrf_token_is_refused(client_as, db, corpus):
    designer = client_as("designer")
    path = corpus / "contacts" / "valid.csv"
    response = designer.post("/imports/contacts", data={"file": (io.BytesIO(path.read_bytes()), path.name)},
                             content_type="multipart/form-data")
    assert response.status_code == 400
    assert data_snapshot(db)["contacts"] == []


def test_bad_file_preview_lists_errors_and_writes_nothing(app, client_as, db, corpus):
    designer = client_as("designer")
    response = upload(designer, "contacts", corpus / "contacts" / "bad_values.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "6 error(s): nothing will be imported" in page
    assert "bad_values.csv: row 5, column relationship: &#39;partner&#39; is not a valid relationship" in page
    assert "not-an-email" in page  # the first rows are previewed
    assert 'action="/imports/contacts/confirm"' not in page
    assert data_snapshot(db)["contacts"] == [] and uploads(app) == []


def test_preview_then_confirm_imports_and_deletes_the_upload(app, client_as, db, corpus):
    designer = client_as("designer")
    page = upload(designer, "contacts", corpus / "contacts" / "valid.csv").get_data(as_text=True)
    assert "No errors. contacts import of valid.csv (dry run): would create 4" in page
    assert "<td>Bob.Stone@Acme.example</td>" in page
    assert data_snapshot(db)["contacts"] == []
    stored = uploads(app)
    assert len(stored) == 1 and re.fullmatch(r"[0-9]+-[0-9a-f]{32}\.csv", stored[0].name)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                             page.split('action="/imports/contacts/confirm"')[1]))
    done = designer.post("/imports/contacts/confirm", data=fields, follow_redirects=True)
    assert "contacts import of valid.csv: created 4" in done.get_data(as_text=True)
    assert len(data_snapshot(db)["contacts"]) == 4 and uploads(app) == []
    again = designer.post("/imports/contacts/confirm", data=fields)
    assert again.status_code == 410


def test_tampered_token_is_refused(client_as, corpus):
    designer = client_as("designer")
    token = csrf_token(designer, "/imports/")
    response = designer.post("/imports/contacts/confirm",
                             data={"csrf_token": token, "token": "../../etc/passwd", "suffix": ".csv"})
    assert response.status_code == 400


def test_responses_and_transactions_uploads(client_as, make_staff, db, corpus, client):
    load_test_survey(corpus)
    import_contacts(corpus / "contacts" / "valid.csv")
    admin = client_as("admin")
    page = upload(admin, "responses", corpus / "responses" / "unknown_item.csv", survey="import_test").get_data(
        as_text=True)
    assert "unknown_item.csv: row 1, column trust_9: &#39;trust_9&#39; is not an item of survey import_test" in page
    page = upload(admin, "transactions", corpus / "transactions" / "valid.parquet").get_data(as_text=True)
    assert "No errors. transactions import of valid.parquet (dry run): would create 3" in page
    assert data_snapshot(db)["transactions"] == []


def test_browse_search_account_and_contact_pages(client_as, db, corpus, tmp_path):
    load_test_survey(corpus)
    import_contacts(corpus / "contacts" / "valid.csv")
    import_responses(corpus / "responses" / "valid.csv", "import_test")
    html = tmp_path / "html.csv"
    html.write_text("email,first_name,last_name,account_id,account_name,relationship,role\n"
                    "x@evil.example,<script>alert(1)</script>,X,EVIL,<b>Evil</b> Ltd,member,user\n")
    import_contacts(html)
    staff = client_as("designer")
    accounts = staff.get("/contacts/?q=acme").get_data(as_text=True)
    assert "Acme Ltd" in accounts and "Bryn Engineering" not in accounts
    everyone = staff.get("/contacts/").get_data(as_text=True)
    assert "&lt;b&gt;Evil&lt;/b&gt; Ltd" in everyone and "<b>Evil</b>" not in everyone
    link = re.search(r'href="(/contacts/accounts/\d+)">Acme Ltd<', accounts).group(1)
    account_page = staff.get(link).get_data(as_text=True)
    assert "ann.lee@acme.example" in account_page and "bob.stone@acme.example" in account_page
    assert "carys@bryn.example" not in account_page
    people = staff.get("/contacts/people?q=carys").get_data(as_text=True)
    contact_link = re.search(r'href="(/contacts/people/\d+)">carys@bryn.example<', people).group(1)
    contact_page = staff.get(contact_link).get_data(as_text=True)
    assert "<th scope=\"row\">region</th><td>Wales</td>" in contact_page
    assert "import_test version 1" in contact_page and "source import" in contact_page
    assert "<th scope=\"row\">topics</th><td>training</td>" in contact_page
    evil = staff.get("/contacts/people?q=evil").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in evil


def test_pagination(client_as, db, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("email,first_name,last_name,account_id,account_name,relationship,role\n" + "".join(
        f"p{i:03d}@x.example,P,{i},A{i:03d},Account {i:03d},member,user\n" for i in range(60)))
    assert import_contacts(path).ok
    staff = client_as("analyst")
    first = staff.get("/contacts/").get_data(as_text=True)
    assert "Page 1 of 2 (60 in all)" in first and "Account 049" in first and "Account 050" not in first
    second = staff.get("/contacts/?page=2").get_data(as_text=True)
    assert "Account 050" in second and "Account 059" in second


def test_account_page_panels_extension_point(app, client_as, db, corpus):
    from vocapp.web.contacts import ACCOUNT_PANELS

    import_contacts(corpus / "contacts" / "valid.csv")
    template = app.jinja_env.from_string("<section><h2>Scores</h2><p>Panel for {{ panel.name }}</p></section>")
    ACCOUNT_PANELS.append(lambda account: (template, {"name": account.name}) if account.external_id == "ACME" else None)
    try:
        staff = client_as("analyst")
        listing = staff.get("/contacts/?q=acme").get_data(as_text=True)
        acme = re.search(r'href="(/contacts/accounts/\d+)">Acme Ltd<', listing).group(1)
        assert "<p>Panel for Acme Ltd</p>" in staff.get(acme).get_data(as_text=True)
        listing = staff.get("/contacts/?q=bryn").get_data(as_text=True)
        bryn = re.search(r'href="(/contacts/accounts/\d+)">Bryn Engineering<', listing).group(1)
        assert "Panel for" not in staff.get(bryn).get_data(as_text=True)
    finally:
        ACCOUNT_PANELS.pop()
