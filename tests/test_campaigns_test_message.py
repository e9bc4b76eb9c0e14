"""A designer e-mails the previewed invitation or reminder to themself before sending: marked [Test],
DKIM-signed like the real ones, with links that open nothing, counted for no contact, audited; a mail
server that refuses it is a failed job that says so."""
from __future__ import annotations

import dkim
from sqlalchemy import func, select

from campaign_setup import add_contacts, html_part, load_survey, smtp_server, text_part
from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from test_campaigns_mail import _rsa_key
from vocapp.extensions import db
from vocapp.models import AuditEntry, Delivery, Invitation, InvitationToken
from vocapp.services.campaigns import create_campaign, update_message


def test_a_designer_sends_the_preview_to_themself_signed_and_inert(app, client_as, make_staff, tmp_path):
    key, record = _rsa_key(tmp_path)
    app.config.update(DKIM_KEY_FILE=str(key), DKIM_SELECTOR="vocapp1", DKIM_DOMAIN="vocapp.invalid")
    load_survey()
    add_contacts(2, account_name="Jones <Partners>")
    campaign, _ = create_campaign("b2b_relationship", "Spring")
    designer = make_staff("designer")
    update_message(campaign, designer, email_subject="Hello {first_name}", email_body="<b>Dear</b> {organisation}",
                   reminder_subject="", reminder_body="")
    client = client_as("designer")
    url = f"/campaigns/{campaign.id}"
    preview = client.get(f"{url}/preview").get_data(as_text=True)
    assert "Send this invitation to me" in preview
    with smtp_server(app) as server:
        for kind in ("", "?kind=reminder"):
            posted = client.post(f"{url}/test-message{kind}", data={"csrf_token": csrf_token(client, f"{url}/preview")})
            status = wait_for_job(client, job_id_from(posted))
            assert status["status"] == "done", status
            assert status["result"]["reply"].startswith("250")
    me = status["result"]["to"]
    assert server.recipients() == [me, me]
    invitation, reminder = server.parsed()
    assert invitation["Subject"] == "[Test] Hello Name0" and reminder["Subject"].startswith("[Test] ")
    assert "<b>" not in html_part(invitation)
    assert "&lt;b&gt;Dear&lt;/b&gt; Jones &lt;Partners&gt;" in html_part(invitation)
    assert "/s/preview" in text_part(invitation) and "/u/preview" in invitation["List-Unsubscribe"]
    for _, data in server.messages:  # signed as a contact's e-mail would be
        assert dkim.verify(data, dnsfunc=lambda name, timeout=5: record)
    assert client.get("/s/preview").status_code == 404  # the link opens nothing
    # nothing was sent to a contact, and the frequency rule has nothing to count
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Invitation, Delivery, InvitationToken)]
    assert counts == [0, 0, 0]
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaigns.test_message")).all()
    assert [(a.details["to"], a.details["kind"]) for a in audit] == [(me, "invitation"), (me, "reminder")]


def test_a_refused_test_message_fails_its_job_with_the_reply_and_analysts_cannot_send_one(app, client_as, runner):
    load_survey()
    add_contacts(1)
    campaign, _ = create_campaign("b2b_relationship", "Refused")
    client = client_as("designer")
    url = f"/campaigns/{campaign.id}"
    with smtp_server(app, script={1: "550 5.7.1 sender not allowed"}):
        posted = client.post(f"{url}/test-message", data={"csrf_token": csrf_token(client, f"{url}/preview")})
        status = wait_for_job(client, job_id_from(posted))
    assert status["status"] == "failed"
    assert "not confirmed by the mail server: 550 5.7.1 sender not allowed" in status["error"]
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaigns.test_message")).all()
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    analyst = client_as("analyst")  # may read the preview, may not send (the route walk checks the 403)
    assert "Send this invitation to me" not in analyst.get(f"{url}/preview").get_data(as_text=True)
    with smtp_server(app) as server:
        result = runner.invoke(args=["campaigns", "test-message", str(campaign.id), "--to", "ops@example.org"])
        assert result.exit_code == 0, result.output
        assert "test invitation sent to ops@example.org: 250" in result.output
        bad = runner.invoke(args=["campaigns", "test-message", str(campaign.id), "--to", "not an address"])
        assert bad.exit_code == 1 and "cannot go to 'not an address'" in bad.output
    assert server.recipients() == ["ops@example.org"]
