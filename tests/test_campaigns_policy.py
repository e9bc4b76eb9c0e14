"""Who is invited, who is held back, who gets reminders: leave-alone, frequency rule, unsubscribe."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from campaign_setup import UNSUBSCRIBE, add_contacts, load_survey, smtp_server, text_part
from canvas_setup import load_generated_base
from helpers import csrf_token
from vocapp.extensions import db
from vocapp.models import AuditEntry, Contact, Invitation
from vocapp.services.campaigns import (create_campaign, held_back, remind_campaign, send_campaign)
from vocapp.services.canvas import leave_alone_contact_ids, place


def test_leave_alone_contacts_are_never_invited_without_an_override_and_the_override_is_audited(app, tmp_path):
    load_generated_base(tmp_path, n_accounts=40)
    place()
    flagged = leave_alone_contact_ids()
    assert flagged, "the synthetic base has accounts flagged leave-alone"
    flagged_emails = set(db.session.scalars(select(Contact.email).where(Contact.id.in_(list(flagged)))))
    campaign, reach = create_campaign("b2b_relationship", "Default audience")
    assert reach.counts["leave_alone"] == len(flagged_emails - set(reach.left_out.loc[
        reach.left_out["reason"] != "leave_alone", "email"]))
    with smtp_server(app) as server:
        send_campaign(campaign.id)
        assert server.recipients() and not set(server.recipients()) & flagged_emails
        overridden, reach2 = create_campaign("b2b_relationship", "Everyone", include_leave_alone=True,
                                             reason="Annual regulatory consultation")
        assert "leave_alone" not in reach2.counts
        server.messages.clear()
        # the first campaign used one of the three e-mails the frequency rule allows; two are left
        send_campaign(overridden.id)
    assert set(server.recipients()) & flagged_emails
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.include_leave_alone")).one()
    assert entry.target_id == str(overridden.id) and entry.details["reason"] == "Annual regulatory consultation"
    assert db.session.get(type(overridden), overridden.id).leave_alone_reason == "Annual regulatory consultation"


def test_the_frequency_rule_holds_across_two_campaigns(app):
    load_survey()
    add_contacts(3, prefix="old")
    campaign, _ = create_campaign("b2b_relationship", "First", reminder_days=0)
    with smtp_server(app) as server:
        send_campaign(campaign.id)
        remind_campaign(campaign.id)
        remind_campaign(campaign.id)
        assert len(server.messages) == 9  # 3 contacts x (invitation + 2 reminders): 3 e-mails each in 90 days
        add_contacts(2, prefix="new")
        second, _ = create_campaign("b2b_relationship", "Second")
        server.messages.clear()
        result = send_campaign(second.id)
    assert result["held_back"] == 3 and result["sent"] == 2
    assert sorted(server.recipients()) == ["new0@example.org", "new1@example.org"]
    rows, total = held_back(second.id)
    assert total == 3 and [r["email"] for r in rows] == ["old0@example.org", "old1@example.org", "old2@example.org"]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=91)
    with smtp_server(app) as server:
        assert send_campaign(second.id, now=later)["sent"] == 3
    assert sorted(server.recipients()) == ["old0@example.org", "old1@example.org", "old2@example.org"]


def test_reminders_follow_the_policy_and_skip_completed_and_unsubscribed(app, client):
    load_survey()
    add_contacts(4)
    campaign, _ = create_campaign("b2b_relationship", "Reminders", max_reminders=1, reminder_days=3)
    with smtp_server(app) as server:
        send_campaign(campaign.id)
        links = {to: UNSUBSCRIBE.search(text_part(m)).group(2) for to, m in zip(server.recipients(), server.parsed())}
        assert remind_campaign(campaign.id)["sent"] == 0  # too early
        # c0 unsubscribes by the page's button, c1 by an RFC 8058 one-click POST, c2 completes
        page = client.get(f"/u/{links['c0@example.org']}")
        assert page.status_code == 200 and b"Unsubscribe</button>" in page.data
        assert db.session.scalar(select(Contact.unsubscribed_at).where(Contact.email == "c0@example.org")) is None
        token = csrf_token(client, f"/u/{links['c0@example.org']}")
        assert client.post(f"/u/{links['c0@example.org']}", data={"csrf_token": token}).status_code == 200
        one_click = client.post(f"/u/{links['c1@example.org']}", data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200 and one_click.headers["Cache-Control"] == "no-store"
        invitation = db.session.scalars(select(Invitation).join(Contact).where(Contact.email == "c2@example.org")).one()
        invitation.status = "completed"
        db.session.commit()
        server.messages.clear()
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3, minutes=1)
        assert remind_campaign(campaign.id, now=later)["sent"] == 1
        assert server.recipients() == ["c3@example.org"]
        assert "Reminder:" in server.parsed()[0]["Subject"]
        assert remind_campaign(campaign.id, now=later + dt.timedelta(days=30))["sent"] == 0  # max_reminders=1
    unsubscribed = set(db.session.scalars(select(Contact.email).where(Contact.unsubscribed_at.is_not(None))))
    assert unsubscribed == {"c0@example.org", "c1@example.org"}


def test_unsubscribe_without_a_csrf_token_other_than_one_click_is_refused(app, client):
    load_survey()
    add_contacts(1)
    campaign, _ = create_campaign("b2b_relationship", "CSRF")
    with smtp_server(app) as server:
        send_campaign(campaign.id)
    token = UNSUBSCRIBE.search(text_part(server.parsed()[0])).group(2)
    assert client.post(f"/u/{token}", data={}).status_code == 400
    assert client.post(f"/u/{token}", data={"List-Unsubscribe": "Yes"}).status_code == 400
    assert db.session.scalar(select(Contact.unsubscribed_at)) is None
    unknown = client.get("/u/" + "x" * 43)
    assert unknown.status_code == 404 and client.post("/u/" + "x" * 43, data={
        "List-Unsubscribe": "One-Click"}).status_code == 404


def test_the_periodic_check_starts_scheduled_campaigns_and_closes_expired_ones(app, tmp_path):
    from vocapp.services.campaigns import due_work, get_campaign

    load_survey()
    add_contacts(2)
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    now = dt.datetime.now(dt.timezone.utc)
    campaign, _ = create_campaign("b2b_relationship", "Later", opens=now + dt.timedelta(days=1),
                                  closes=(now + dt.timedelta(days=10)).date())
    assert send_campaign(campaign.id) == {"scheduled": campaign.opens_at.isoformat(), "sent": 0}
    assert get_campaign(campaign.id).status == "scheduled" and not list((tmp_path / "outbox").glob("*.eml"))
    assert due_work(now) == {"started": [], "closed": []}
    assert due_work(now + dt.timedelta(days=1, minutes=1)) == {"started": [campaign.id], "closed": []}
    assert get_campaign(campaign.id).status == "open" and len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    assert due_work(now + dt.timedelta(days=11)) == {"started": [], "closed": [campaign.id]}
    closed = get_campaign(campaign.id)
    assert closed.status == "closed" and closed.close_result is None  # the periodic job starts the closing job
