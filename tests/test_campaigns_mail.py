"""E-mail features: DKIM signature verified by dkimpy, the .eml outbox, the contact's language,
suppression lists and RFC 3464 bounces (CLI)."""
from __future__ import annotations

import base64
import mailbox
import subprocess
from email import message_from_bytes, policy

import dkim
from sqlalchemy import select

from campaign_setup import LINK, add_contacts, load_survey, smtp_server, text_part
from vocapp.extensions import db
from vocapp.models import Contact, Invitation
from vocapp.services.campaigns import create_campaign, send_campaign


def _rsa_key(tmp_path):
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return key, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def test_messages_are_dkim_signed_and_verify_against_the_published_key(app, tmp_path):
    key, record = _rsa_key(tmp_path)
    app.config.update(DKIM_KEY_FILE=str(key), DKIM_SELECTOR="vocapp1", DKIM_DOMAIN="vocapp.invalid")
    load_survey()
    add_contacts(2)
    campaign, _ = create_campaign("b2b_relationship", "Signed")
    with smtp_server(app) as server:
        send_campaign(campaign.id)
    looked_up = []

    def dns(name, timeout=5):
        looked_up.append(name)
        return record if name == b"vocapp1._domainkey.vocapp.invalid." else None

    for _, data in server.messages:
        assert data.startswith(b"DKIM-Signature:")
        assert dkim.verify(data, dnsfunc=dns)
        assert not dkim.verify(data.replace(b"Name0", b"Name9").replace(b"Name1", b"Name8"), dnsfunc=dns)
    assert looked_up and set(looked_up) == {b"vocapp1._domainkey.vocapp.invalid."}


def test_the_outbox_gets_one_eml_per_invitation_in_the_contacts_language(app, tmp_path):
    version = load_survey()
    definition = dict(version.definition)
    add_contacts(1, prefix="en", language="en")
    add_contacts(1, prefix="fr", language="fr-CA")  # the survey has only English: English it is
    outbox = tmp_path / "outbox"
    app.config["MAIL_OUTBOX"] = str(outbox)
    campaign, _ = create_campaign("b2b_relationship", "Offline")
    result = send_campaign(campaign.id)
    files = sorted(outbox.glob("*.eml"))
    assert result["sent"] == 2 and len(files) == 2 and not list(outbox.glob("*.part"))
    for path in files:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert "Start the survey" in text_part(message) and LINK.search(text_part(message))
    assert definition["languages"] == ["en"]
    languages = set(db.session.scalars(select(Invitation.language)))
    assert languages == {"en"}


def test_a_welsh_contact_gets_the_welsh_wording_when_the_survey_has_welsh(app, tmp_path):
    from vocapp.services.campaigns.mail import render_message
    from vocapp.core.campaigns.messages import choose_language

    assert choose_language("cy-GB", ["en", "cy"]) == "cy" and choose_language("de", ["en", "cy"]) == "en"
    with app.test_request_context():
        rendered = render_message("invitation", {"name": "Siân", "organisation": "Cwmni", "survey_title": "Arolwg",
                                                 "closing_date": ""}, "cy", "", "", "https://x/s/t", "https://x/u/t",
                                  "t", "sian@example.org")
    message = message_from_bytes(rendered.data, policy=policy.default)
    assert message["Subject"] == "Arolwg: hoffem glywed eich barn" and "Annwyl Siân" in text_part(message)


def test_suppress_marks_known_addresses_and_reports_unknown_ones(app, runner, tmp_path):
    add_contacts(3)
    export = tmp_path / "provider.csv"
    export.write_text("Email,Reason\nC0@example.org,hard\nnobody@example.org,hard\nc1@example.org,hard\n")
    result = runner.invoke(args=["contacts", "suppress", str(export), "--reason", "complained"])
    assert result.exit_code == 0, result.output
    assert "2 contact(s) marked complained" in result.output and "not a contact: nobody@example.org" in result.output
    marked = set(db.session.scalars(select(Contact.email).where(Contact.complained_at.is_not(None))))
    assert marked == {"c0@example.org", "c1@example.org"}
    bad = runner.invoke(args=["contacts", "suppress", str(export), "--reason", "spam"])
    assert bad.exit_code == 2


def _dsn(recipient: str, status: str, action: str) -> bytes:
    """An RFC 3464 delivery status notification as a mail server writes it."""
    return (f"From: MAILER-DAEMON@mx.example.org\nTo: surveys@vocapp.invalid\nSubject: Delivery Status Notification\n"
            f"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n"
            f"--b1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
            f"--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
            f"Final-Recipient: rfc822; {recipient}\nAction: {action}\nStatus: {status}\n"
            f"Diagnostic-Code: smtp; {status} mailbox problem\n\n"
            f"--b1\nContent-Type: text/rfc822-headers\n\nTo: {recipient}\nSubject: survey\n\n--b1--\n").encode()


def test_bounces_reads_dsns_from_mbox_and_maildir(app, runner, tmp_path):
    load_survey()
    add_contacts(3)
    campaign, _ = create_campaign("b2b_relationship", "Bouncy")
    with smtp_server(app):
        send_campaign(campaign.id)
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    box.add(_dsn("c0@example.org", "5.1.1", "failed"))
    box.add(_dsn("c1@example.org", "4.2.2", "delayed"))
    box.add(_dsn("stranger@example.org", "5.1.1", "failed"))
    box.flush()
    box.close()
    result = runner.invoke(args=["campaigns", "bounces", str(tmp_path / "bounces.mbox")])
    assert result.exit_code == 0, result.output
    assert "3 delivery report(s): 1 hard bounce(s) marked, 1 soft bounce(s) counted" in result.output
    assert "not a contact: stranger@example.org" in result.output
    statuses = dict(db.session.execute(select(Contact.email, Invitation.status).join(Invitation)).all())
    assert statuses == {"c0@example.org": "bounced", "c1@example.org": "sent", "c2@example.org": "sent"}
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(_dsn("c2@example.org", "5.2.1", "failed"))
    maildir.close()
    assert "1 hard bounce(s)" in runner.invoke(args=["campaigns", "bounces", str(tmp_path / "Maildir")]).output
    assert set(db.session.scalars(select(Contact.email).where(Contact.bounced_at.is_not(None)))) == {
        "c0@example.org", "c2@example.org"}
