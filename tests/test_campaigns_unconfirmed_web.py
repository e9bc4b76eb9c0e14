"""Unconfirmed e-mails on the campaign page: listed with their Message-ID, re-sent only when a designer
ticks them (a job), never by a later send; analysts see the list without the form."""
from __future__ import annotations

import re

from campaign_setup import add_contacts, load_survey, smtp_server
from conftest import STAFF_PASSWORD
from helpers import csrf_token, login
from jobs_helpers import job_id_from, wait_for_job
from vocapp.services.campaigns import create_campaign, send_campaign, unconfirmed_emails


def test_a_reply_never_heard_is_listed_and_resent_on_request_with_its_message_id(app, client_as, make_staff):
    load_survey()
    add_contacts(3)
    campaign, _ = create_campaign("b2b_relationship", "Lost reply")
    url = f"/campaigns/{campaign.id}"
    with smtp_server(app, script={2: "DROP"}) as server:  # takes c1's message, hangs up before its reply
        result = send_campaign(campaign.id)
        assert result["sent"] == 2 and result["unconfirmed"] == 1 and len(server.messages) == 3
        assert send_campaign(campaign.id)["sent"] == 0 and len(server.messages) == 3
        (row,), total = unconfirmed_emails(campaign.id)
        assert total == 1 and row["email"] == "c1@example.org"
        assert server.parsed()[1]["Message-ID"] == row["message_id"]

        analyst = app.test_client()
        login(analyst, make_staff("analyst").email, STAFF_PASSWORD)
        page = analyst.get(url).get_data(as_text=True)
        assert "1 e-mail(s) may or may not have reached the mail server" in page
        assert row["message_id"].replace("<", "&lt;").replace(">", "&gt;") in page
        assert "Re-send ticked" not in page

        client = client_as("designer")
        page = client.get(url).get_data(as_text=True)
        assert re.search(rf'name="invitation" value="{row["invitation_id"]}"', page) and "Re-send all 1" in page
        assert client.post(f"{url}/resend", data={"all": "1"}).status_code == 400  # no CSRF token
        token = csrf_token(client, url)
        refused = client.post(f"{url}/resend", data={"csrf_token": token}, follow_redirects=True)
        assert "Tick the e-mails to re-send" in refused.get_data(as_text=True) and len(server.messages) == 3
        job = wait_for_job(client, job_id_from(client.post(
            f"{url}/resend", data={"csrf_token": token, "invitation": str(row["invitation_id"])})))
    assert job["status"] == "done" and job["result"]["resent"] == 1, job
    assert len(server.messages) == 4 and server.recipients()[3] == "c1@example.org"
    assert server.parsed()[3]["Message-ID"] == row["message_id"]
    assert unconfirmed_emails(campaign.id) == ([], 0)
    page = client.get(url).get_data(as_text=True)
    assert "may or may not have reached" not in page and "campaign.resend_unconfirmed" in page
