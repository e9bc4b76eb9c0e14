"""Sending invitations through a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select

from campaign_setup import LINK, UNSUBSCRIBE, add_contacts, html_part, load_survey, smtp_server, text_part
from vocapp.core.tokens import hash_token
from vocapp.extensions import db
from vocapp.models import Delivery, Invitation, InvitationToken
from vocapp.services.campaigns import CampaignError, create_campaign, find_invitation, send_campaign, update_message


def test_invitations_are_personal_escaped_and_carry_the_list_headers(app):
    load_survey()
    add_contacts(3, account_name='Smith & <b>Sons</b>')
    campaign, reach = create_campaign("b2b_relationship", "Spring wave")
    assert reach.summary()["included"] == 3
    update_message(campaign, None, email_subject="Hello {first_name}\r\nBcc: evil@example.org",
                   email_body="Dear {first_name} of {organisation},\n\n<script>alert(1)</script> {{ config }}")
    with smtp_server(app) as server:
        result = send_campaign(campaign.id)
    assert result["sent"] == 3 and result["failed"] == 0
    messages = server.parsed()
    assert sorted(server.recipients()) == [f"c{i}@example.org" for i in range(3)]
    tokens = set()
    for message in messages:
        to = message["To"]
        i = int(to[1])
        assert message["Subject"] == f"Hello Name{i} Bcc: evil@example.org" and message["Bcc"] is None
        assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@vocapp.invalid>")
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"]
        assert "<http://127.0.0.1/u/" in unsubscribe and "<mailto:surveys@vocapp.invalid?subject=" in unsubscribe
        text, html = text_part(message), html_part(message)
        assert f"Dear Name{i} of Smith & <b>Sons</b>," in text and "<script>alert(1)</script> {{ config }}" in text
        assert "Smith &amp; &lt;b&gt;Sons&lt;/b&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>" not in html and "<b>Sons" not in html
        (base, token), = set(LINK.findall(text))
        assert (base, token) in set(LINK.findall(html)) and base == "http://127.0.0.1"
        assert UNSUBSCRIBE.search(text).group(2) in unsubscribe
        invitation = find_invitation(token)
        assert invitation is not None and invitation.status == "sent"
        assert db.session.get(type(invitation), invitation.id).contact_id == invitation.contact_id
        assert invitation.token_hash == hash_token(token)
        tokens.add(token)
    assert len(tokens) == 3
    stored = set(db.session.scalars(select(InvitationToken.token_hash))) | set(db.session.scalars(
        select(Invitation.token_hash)))
    assert not stored & tokens and {hash_token(t) for t in tokens} <= stored


def test_a_second_send_sends_nothing(app):
    load_survey()
    add_contacts(4)
    campaign, _ = create_campaign("b2b_relationship", "Once")
    with smtp_server(app) as server:
        assert send_campaign(campaign.id)["sent"] == 4
        again = send_campaign(campaign.id)
    assert again["sent"] == 0 and again["invitations_created"] == 0
    assert len(server.messages) == 4
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 4


def test_a_421_on_the_third_message_is_retried_and_none_is_sent_twice(app):
    load_survey()
    add_contacts(10)
    campaign, _ = create_campaign("b2b_relationship", "Flaky server")
    with smtp_server(app, script={3: "421 4.3.0 Service busy, try later"}) as server:
        result = send_campaign(campaign.id)
    assert result["sent"] == 10 and server.attempts == 11
    assert sorted(server.recipients()) == sorted(f"c{i}@example.org" for i in range(10))
    attempts = dict(db.session.execute(select(Delivery.attempts, func.count()).group_by(Delivery.attempts)).all())
    assert attempts == {1: 9, 2: 1}


def test_a_permanent_failure_marks_the_invitation_failed_with_the_reply(app):
    load_survey()
    add_contacts(3)
    campaign, _ = create_campaign("b2b_relationship", "Refused")
    with smtp_server(app, script={2: "550 5.1.1 No such user here"}) as server:
        result = send_campaign(campaign.id)
    assert result["sent"] == 2 and result["failed"] == 1 and len(server.messages) == 2
    failed = db.session.scalars(select(Invitation).where(Invitation.status == "failed")).one()
    assert failed.last_error == "550 5.1.1 No such user here" and failed.failed_at is not None


def test_a_server_refusing_for_now_mid_intent_batch_leaves_nothing_unconfirmed_and_a_rerun_sends_the_rest(app):
    load_survey()
    add_contacts(6)
    campaign, _ = create_campaign("b2b_relationship", "Busy server")
    app.config.update(MAIL_INTENT_BATCH=5, SEND_RETRIES=2)
    with smtp_server(app, script={3: "421 4.3.0 busy", 4: "421 4.3.0 still busy"}) as server:
        with pytest.raises(CampaignError, match="keeps refusing for now"):
            send_campaign(campaign.id)
        assert len(server.messages) == 2
        statuses = dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        assert statuses == {"sent": 2}  # the 3rd to 5th were never taken: no intent left, no link
        assert db.session.scalar(select(func.count()).select_from(InvitationToken)) == 4
        result = send_campaign(campaign.id)
    assert result["sent"] == 4 and result["unconfirmed"] == 0
    assert sorted(server.recipients()) == sorted(f"c{i}@example.org" for i in range(6))
