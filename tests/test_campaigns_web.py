"""Campaign staff pages: create with reach, message preview (escaped), send, progress with its chart."""
from __future__ import annotations

import re

from sqlalchemy import select

from campaign_setup import add_contacts, load_survey, smtp_server
from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from vocapp.extensions import db
from vocapp.models import Campaign, Invitation, utcnow


def _create(client, **extra):
    token = csrf_token(client, "/campaigns/new")
    data = {"csrf_token": token, "name": "Web wave", "survey": "b2b_relationship", "max_reminders": "2",
            "reminder_days": "7", **extra}
    return client.post("/campaigns/new", data=data)


def test_designer_checks_reach_creates_previews_and_sends(app, client_as):
    load_survey()
    add_contacts(3, account_name="Jones <Partners>")
    add_contacts(2, prefix="cust", relationship="customer")
    client = client_as("designer")
    page = _create(client, action="reach", relationship="customer").get_data(as_text=True)
    assert "<strong>2</strong> contact(s) would be invited, of 2 matching" in page
    assert db.session.scalar(select(Campaign.id)) is None
    refused = _create(client, action="create", include_leave_alone="y").get_data(as_text=True)
    assert "needs a written reason" in refused and db.session.scalar(select(Campaign.id)) is None
    created = _create(client, action="create", relationship="member")
    assert created.status_code == 302
    campaign_id = db.session.scalar(select(Campaign.id))
    url = f"/campaigns/{campaign_id}"
    token = csrf_token(client, url)
    saved = client.post(f"{url}/message", data={"csrf_token": token, "email_subject": "Hi {first_name}",
                                                "email_body": "<img src=x onerror=alert(1)> for {organisation}"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"{url}/preview")
    preview = client.get(f"{url}/preview").get_data(as_text=True)
    assert "Hi Name0" in preview and "&lt;img src=x onerror=alert(1)&gt; for Jones &lt;Partners&gt;" in preview
    framed = client.get(f"{url}/preview.html")
    assert "sandbox" in framed.headers["Content-Security-Policy"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in framed.get_data(as_text=True)
    assert "<img" not in framed.get_data(as_text=True)
    with smtp_server(app) as server:
        status = wait_for_job(client, job_id_from(client.post(f"{url}/send", data={"csrf_token": token})))
    assert status["status"] == "done" and status["result"]["sent"] == 3 and len(server.messages) == 3
    assert {"url": url, "text": f"Campaign {campaign_id}"} in status["links"]
    assert client.post(f"{url}/send", data={}).status_code == 400  # no CSRF token


def test_progress_page_counts_and_draws_completions_per_day(app, client_as):
    load_survey()
    add_contacts(4)
    client = client_as("designer")
    _create(client, action="create")
    campaign_id = db.session.scalar(select(Campaign.id))
    with smtp_server(app):
        token = csrf_token(client, f"/campaigns/{campaign_id}")
        wait_for_job(client, job_id_from(client.post(f"/campaigns/{campaign_id}/send", data={"csrf_token": token})))
    invitations = list(db.session.scalars(select(Invitation).order_by(Invitation.id)))
    for invitation in invitations[:2]:
        invitation.status, invitation.completed_at = "completed", utcnow()
    db.session.commit()
    page = client.get(f"/campaigns/{campaign_id}/progress").get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">completed</th><td class=\"num\">2</td>", page)
    assert re.search(r"<th scope=\"row\">response rate</th><td class=\"num\">50.0%</td>", page)
    assert "<svg" in page and "<rect" in page and "style=" not in page and "<style" not in page
    assert "Completed responses per day: 2 in all" in page


def test_analysts_read_campaigns_but_cannot_create_or_send(app, client_as):
    load_survey()
    add_contacts(1)
    from vocapp.services.campaigns import create_campaign
    campaign, _ = create_campaign("b2b_relationship", "Read only")
    client = client_as("analyst")
    assert client.get("/campaigns/").status_code == 200
    page = client.get(f"/campaigns/{campaign.id}")
    assert page.status_code == 200 and b"Send invitations" not in page.data
    token = csrf_token(client, "/")
    assert client.post(f"/campaigns/{campaign.id}/send", data={"csrf_token": token}).status_code == 403
    assert client.get("/campaigns/new").status_code == 403


def test_the_reach_fragment_counts_for_the_live_form(app, client_as):
    load_survey()
    add_contacts(3)
    add_contacts(1, prefix="cust", relationship="customer")
    client = client_as("designer")
    token = csrf_token(client, "/campaigns/new")
    page = client.get("/campaigns/new").get_data(as_text=True)
    assert 'data-reach-url="/campaigns/reach"' in page and "js/campaigns.js" in page
    fragment = client.post("/campaigns/reach", data={"csrf_token": token, "name": "x", "survey": "b2b_relationship",
                                                     "max_reminders": "2", "reminder_days": "7",
                                                     "relationship": "member"}).get_data(as_text=True)
    assert fragment.startswith('<section id="reach"') and "<strong>3</strong> contact(s) would be invited" in fragment
    assert client.post("/campaigns/reach", data={"name": "x"}).status_code == 400  # CSRF
