"""The invitation's MIME (written without the email package's generator) reads back exactly with the
standard library's parser and survives SMTP: non-ASCII subject and names, long lines, a line that
starts with a dot, long headers folded."""
from __future__ import annotations

from email import message_from_bytes, policy

from campaign_setup import LINK, add_contacts, load_survey, smtp_server, text_part, html_part
from vocapp.services.campaigns import create_campaign, send_campaign, update_message
from vocapp.services.campaigns.mail import render_message

BODY = ("Annwyl {first_name} — ŵyr, ça va? " + "word " * 40 + "\n.a line that starts with a dot\n"
        "..and two\n\n=3D is not an escape, nor is =\n")


def test_rendered_mime_parses_back_exactly(app):
    app.config["MAIL_FROM"] = "Arolygon Siân <surveys@vocapp.invalid>"
    subject = "Eich barn, {first_name}: " + "ŵ" * 30 + " and a long tail of words " * 3
    with app.test_request_context():
        rendered = render_message("invitation", {"first_name": "Siôn", "organisation": "Café & Co"}, "cy", subject,
                                  BODY, "https://example.org/s/abc", "https://example.org/u/def", "def",
                                  "sion@example.org", app.config, message_id="<fixed@vocapp.invalid>")
    data = rendered.data
    assert data.isascii() and all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    message = message_from_bytes(data, policy=policy.default)
    assert message["Subject"] == " ".join(subject.replace("{first_name}", "Siôn").split())  # one line
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Arolygon Siân", "surveys@vocapp.invalid")
    assert message["Message-ID"] == "<fixed@vocapp.invalid>" and message.defects == []
    assert message["List-Unsubscribe"] == ("<https://example.org/u/def>, "
                                           "<mailto:surveys@vocapp.invalid?subject=unsubscribe%20def>")
    text = text_part(message).replace("\r\n", "\n")
    assert BODY.replace("{first_name}", "Siôn").strip() in text and "https://example.org/s/abc" in text
    html = html_part(message)
    assert "Annwyl Siôn — ŵyr, ça va?" in html and '<a href="https://example.org/s/abc">' in html
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]


def test_dots_and_non_ascii_survive_smtp(app):
    load_survey()
    add_contacts(1)
    campaign, _ = create_campaign("b2b_relationship", "Dots")
    update_message(campaign, None, email_subject="Ça va, {first_name}?", email_body=BODY)
    with smtp_server(app) as server:
        assert send_campaign(campaign.id)["sent"] == 1
    (message,) = server.parsed()
    assert message["Subject"] == "Ça va, Name0?"
    text = text_part(message).replace("\r\n", "\n")
    assert ".a line that starts with a dot\n..and two\n" in text and "=3D is not an escape, nor is =" in text
    assert len(LINK.findall(text)) == 1
