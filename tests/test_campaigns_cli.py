"""``vocapp campaigns`` commands end to end through the CLI runner."""
from __future__ import annotations

import json

from campaign_setup import LINK, add_contacts, load_survey, smtp_server, text_part
from vocapp.services.campaigns import find_invitation


def test_create_send_status_revoke_list_close(app, runner):
    load_survey()
    add_contacts(3, relationship="member")
    add_contacts(2, prefix="cust", relationship="customer", role="finance")
    add_contacts(1, prefix="gone", relationship="member")
    from vocapp.extensions import db
    from vocapp.models import Contact, utcnow
    db.session.query(Contact).filter(Contact.email == "gone0@example.org").update({"unsubscribed_at": utcnow()})
    db.session.commit()

    created = runner.invoke(args=["campaigns", "create", "--survey", "b2b_relationship", "--name", "Members",
                                  "--relationship", "member", "--closes", "2099-01-31", "--max-reminders", "1"])
    assert created.exit_code == 0, created.output
    assert "campaign 1 created (draft): Members" in created.output
    assert "reach: 3 contact(s) invited of 4 matching the filters" in created.output
    assert "left out, unsubscribed: 1" in created.output
    refused = runner.invoke(args=["campaigns", "create", "--survey", "b2b_relationship", "--name", "X",
                                  "--include-leave-alone"])
    assert refused.exit_code == 1 and "needs a written reason" in refused.output

    with smtp_server(app) as server:
        sent = runner.invoke(args=["campaigns", "send", "1"])
        assert sent.exit_code == 0, sent.output
        assert "sent: 3" in sent.output and len(server.messages) == 3
        assert "sent: 0" in runner.invoke(args=["campaigns", "send", "1"]).output
    token = LINK.search(text_part(server.parsed()[0])).group(2)
    email = server.recipients()[0]
    revoked = runner.invoke(args=["campaigns", "revoke", "1", email.upper()])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert find_invitation(token) is None

    status = json.loads(runner.invoke(args=["campaigns", "status", "1", "--format", "json"]).output)
    assert status["counts"]["invited"] == 3 and status["counts"]["sent"] == 2 and status["counts"]["revoked"] == 1
    assert status["by_relationship"] == [{"relationship": "member", "emailed": 2, "completed": 0, "rate": 0.0}]
    table = runner.invoke(args=["campaigns", "status", "1"]).output
    assert "by relationship:" in table and "member" in table and "by zone:" in table
    listing = runner.invoke(args=["campaigns", "list"]).output
    assert "open" in listing and "Members" in listing and "b2b_relationship" in listing

    closed = runner.invoke(args=["campaigns", "close", "1"])
    assert closed.exit_code == 0, closed.output
    assert "campaign 1 closed" in closed.output and "re-scoring did not run: survey 'b2b_relationship' has no " \
        "complete responses" in closed.output
    again = runner.invoke(args=["campaigns", "remind", "1"])
    assert again.exit_code == 1 and "cannot remind a campaign that is closed" in again.output
    missing = runner.invoke(args=["campaigns", "send", "99"])
    assert missing.exit_code == 1 and "no campaign with id 99" in missing.output


def test_create_filters_on_contact_and_account_attributes(app, runner, client_as):
    from helpers import csrf_token

    load_survey()
    add_contacts(2, prefix="big")  # accounts of add_contacts have attributes {"size": "large"}
    from vocapp.extensions import db
    from vocapp.models import Account, Contact
    small = Account(external_id="small", name="Small Ltd", attributes={"size": "small"})
    db.session.add(small)
    db.session.flush()
    db.session.add_all([Contact(account_id=small.id, email=f"s{i}@example.org", relationship="member",
                                attributes={"region": "north" if i else "south"}) for i in range(3)])
    db.session.commit()
    result = runner.invoke(args=["campaigns", "create", "--survey", "b2b_relationship", "--name", "Small north",
                                 "--account-attribute", "size=small", "--contact-attribute", "region=north"])
    assert result.exit_code == 0, result.output
    assert "reach: 2 contact(s) invited of 2 matching" in result.output
    bad = runner.invoke(args=["campaigns", "create", "--survey", "b2b_relationship", "--name", "X",
                              "--account-attribute", "size"])
    assert bad.exit_code == 1 and "--account-attribute: 'size' is not NAME=VALUE" in bad.output
    client = client_as("designer")
    token = csrf_token(client, "/campaigns/new")
    fragment = client.post("/campaigns/reach", data={
        "csrf_token": token, "name": "x", "survey": "b2b_relationship", "max_reminders": "2", "reminder_days": "7",
        "account_attributes": "size=large"}).get_data(as_text=True)
    assert "<strong>2</strong> contact(s) would be invited" in fragment
