"""Payloads brought in the public way (tests/public_payloads.py) are text everywhere outside the staff
pages too: in the invitation and reminder e-mails, on every respondent page (welcome, each question
page, validation errors, resume, thank-you), on the unsubscribe pages, and on the campaign and contact
pages; no header can be injected and every link points at VOCAPP_BASE_URL."""
from __future__ import annotations

import re

import pytest

from campaign_setup import html_part, text_part
from conftest import STAFF_PASSWORD
from helpers import csrf_token, login
from public_payloads import ESCAPED, IMAGE, INJECTED, PAYLOAD, RAW, SCRIPT, SLUG, bring_in_payloads
from respondent_setup import form_fields, page_form
from url_walk import fetch, get_urls

BASE_URL = "http://127.0.0.1"  # the test app's VOCAPP_BASE_URL; requests come to http://localhost
HEADERS = {"subject", "from", "to", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post",
           "auto-submitted", "mime-version", "content-type", "dkim-signature"}


#: all the markup an e-mail's HTML part may hold: the template's own (no script, image, form or style)
MAIL_TAGS = {"html", "head", "meta", "title", "body", "p", "br", "a", "hr", "small"}
MAIL_ATTRIBUTES = {"lang", "charset", "name", "content", "href"}


def _tags(html: str) -> list[tuple[str, list[str]]]:
    """Every start tag of ``html`` with its attribute names, as a browser's parser sees them."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, [name for name, _ in attrs]))

    Parser().feed(html)
    return found


@pytest.fixture
def sent(app, client, runner, make_staff, tmp_path):
    login(client, make_staff("admin").email, STAFF_PASSWORD)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return bring_in_payloads(app, client, runner, tmp_path)


def assert_escaped(where: str, body: str, expect_payload: bool = True) -> None:
    for raw in RAW:
        assert raw not in body, f"{where}: unescaped {raw!r}"
    if expect_payload:
        assert ESCAPED in body, f"{where}: the payload is not on the page (escaped)"


def test_e_mails_escape_payloads_carry_no_injected_header_and_link_only_to_the_base_url(sent):
    messages = sent.invitations + sent.reminders
    assert len(sent.invitations) == 2 and len(sent.reminders) == 2
    for message in messages:
        to = message["To"]
        assert to in {"ann@example.org", "bob@example.org"}
        assert {name.lower() for name in message.keys()} <= HEADERS, message.keys()
        assert message["Bcc"] is None and "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
        assert len(message.get_all("To")) == 1 and len(message.get_all("Subject")) == 1
        html, text = html_part(message), text_part(message)
        assert message.get_body(("plain",)).get_content_type() == "text/plain"
        assert_escaped(f"{to} HTML part", html)
        assert "Org &lt;script&gt;name=&#39;pwned&#39;&lt;/script&gt;&lt;img src=x onerror=name=&#39;pwned&#39;&gt;" in html
        assert "Org " + PAYLOAD in text  # the text part shows the name as written: plain text runs nothing
        assert "&lt;" not in text and "&amp;" not in text
        links = re.findall(r'href="([^"]*)"', html) + re.findall(r"https?://\S+", text) + re.findall(
            r"<(https?://[^>]+)>", message["List-Unsubscribe"])
        assert links and all(link.startswith(BASE_URL + "/") for link in links), links
        tags = _tags(html)
        assert {tag for tag, _ in tags} <= MAIL_TAGS and {a for _, attrs in tags for a in attrs} <= MAIL_ATTRIBUTES, tags
    bob = next(m for m in sent.invitations if m["To"] == "bob@example.org")
    assert str(bob["Subject"]).startswith("Hi Bob Bcc: evil@example.org")  # CR/LF folded into the subject line
    assert "Dear Bob" in text_part(bob)
    assert "Title " + PAYLOAD in text_part(bob)  # {survey_title}: the designer's title, as written


def test_addresses_with_cr_lf_are_refused_on_import_and_on_the_contact_page(sent, app, client, runner, tmp_path, db):
    from vocapp.models import Contact

    path = tmp_path / "inject.csv"
    path.write_text('email,first_name,last_name,account_id,account_name,relationship,role\r\n'
                    f'"eve@example.org{INJECTED}",Eve,Doe,X2,Other,member,user\r\n', encoding="utf-8")
    result = runner.invoke(args=["contacts", "import", str(path)])
    assert result.exit_code == 1 and "row 2, column email" in result.output, result.output
    ann = db.session.query(Contact).filter_by(email="ann@example.org").one()
    url = f"/contacts/people/{ann.id}/edit"
    refused = client.post(url, data={"csrf_token": csrf_token(client, url), "email": f"ann@example.org{INJECTED}",
                                     "first_name": "Ann", "relationship": "member"})
    assert refused.status_code == 200 and "email:" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Contact).filter(Contact.email.contains("evil")).count() == 0


def test_every_respondent_page_shows_staff_and_contact_text_as_text(sent, app):
    respondent = app.test_client()
    path = f"/s/{sent.survey_links['ann@example.org']}"
    welcome = respondent.get(path)
    assert_escaped("welcome", welcome.get_data(as_text=True))
    started = respondent.post(f"{path}/start", data=form_fields(welcome.get_data(as_text=True)))
    first = respondent.get(started.headers["Location"]).get_data(as_text=True)
    assert_escaped("question page", first)
    assert first.count(ESCAPED) >= 10  # title, intro, help, item texts, scale and option labels
    typed = {"staff": PAYLOAD, "agree": "2", "score": "7", "sector": "public", "channels": ["email"], "notes": PAYLOAD}
    invalid = respondent.post(f"{path}/page/everything", data=page_form(first, typed))
    body = invalid.get_data(as_text=True)
    assert invalid.status_code == 200 and 'class="error"' in body
    assert_escaped("validation errors (the typed number shown again)", body)
    assert body.count(ESCAPED) > first.count(ESCAPED)  # the two typed answers are shown back, escaped
    moved = respondent.post(f"{path}/page/everything", data=page_form(body, {**typed, "staff": "12"}))
    assert moved.status_code == 303
    resumed = respondent.get(f"{path}/page/everything").get_data(as_text=True)  # back later: typed text again
    assert_escaped("resumed page", resumed)
    assert resumed.count(ESCAPED) == first.count(ESCAPED) + 1
    second = respondent.get(f"{path}/page/more").get_data(as_text=True)
    assert_escaped("second page", second)
    done = respondent.post(f"{path}/page/more", data=page_form(second, {"more_notes": PAYLOAD}))
    thanks = respondent.get(done.headers["Location"]).get_data(as_text=True)
    assert_escaped("thank-you page", thanks)
    assert_escaped("already answered", respondent.get(path).get_data(as_text=True), expect_payload=False)


def test_unsubscribe_pages_show_no_markup(sent, app):
    visitor = app.test_client()
    path = f"/u/{sent.unsubscribe_links['ann@example.org']}"
    page = visitor.get(path)
    assert page.status_code == 200
    assert_escaped("unsubscribe page", page.get_data(as_text=True), expect_payload=False)
    done = visitor.post(path, data=form_fields(page.get_data(as_text=True)))
    assert done.status_code == 200
    assert_escaped("unsubscribed page", done.get_data(as_text=True), expect_payload=False)


def test_campaign_and_contact_pages_show_the_payloads_as_text(sent, app, client, db):
    from vocapp.models import Account, Contact

    ann = db.session.query(Contact).filter_by(email="ann@example.org").one()
    ids = {"campaign": sent.campaign_id, "contact": ann.id, "account": db.session.query(Account.id).scalar(),
           "slugs": [SLUG]}
    escaped = set()
    for url in get_urls(app, ids, skip={"auth.set_password"}) + ["/contacts/people?q=Ann", "/contacts/?q=Org"]:
        response, data = fetch(client, url)
        assert response.status_code < 500, url
        if response.mimetype in {"text/html", "image/svg+xml"}:
            body = data.decode("utf-8", "replace")
            assert_escaped(url, body, expect_payload=False)
            if ESCAPED in body:
                escaped.add(url.split("?")[0])
    campaign = f"/campaigns/{sent.campaign_id}"
    expected = {"/campaigns/", campaign, f"{campaign}/preview", f"{campaign}/preview.html", f"{campaign}/progress",
                "/contacts/", "/contacts/people", f"/contacts/people/{ann.id}", f"/contacts/people/{ann.id}/edit",
                f"/contacts/people/{ann.id}/data", f"/contacts/accounts/{ids['account']}", f"/surveys/{SLUG}",
                f"/surveys/{SLUG}/preview"}
    assert expected <= escaped, expected - escaped


def test_import_preview_and_its_error_list_show_the_file_as_text(app, client, make_staff, db):
    """An uploaded file's name, its values and the errors quoting them are text on the preview page."""
    import io

    from vocapp.models import Contact

    login(client, make_staff("designer").email, STAFF_PASSWORD)
    rows = ("email,first_name,last_name,account_id,account_name,relationship,role\r\n"
            f'ann@example.org,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",Jones,X1,Org,"{SCRIPT}",user\r\n'
            f'bob@example.org,Bob,"{IMAGE}",X1,Org,member,"{IMAGE}"\r\n')
    response = client.post("/imports/contacts", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/imports/"), "file": (io.BytesIO(rows.encode()), f"{IMAGE}.csv")})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "nothing will be imported" in body
    assert_escaped("import preview", body)
    assert "column relationship: &#39;&lt;script&gt;name=" in body  # the error quotes the value, escaped
    assert db.session.query(Contact).count() == 0
