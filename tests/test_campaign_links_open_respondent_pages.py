"""A link from a real e-mail (invitation, then a reminder) opens the respondent pages, and the
contact's progress shows on the campaign: the two areas meet at the invitation."""
from __future__ import annotations

import datetime as dt

from campaign_setup import LINK, add_contacts, load_survey, smtp_server, text_part
from vocapp.extensions import db
from vocapp.models import Invitation
from vocapp.services.campaigns import create_campaign, remind_campaign, send_campaign
from vocapp.services.respondent import campaign_progress


def _links(server) -> dict[str, str]:
    return {message["To"]: LINK.findall(text_part(message))[0][1] for message in server.parsed()}


def test_invitation_and_reminder_links_both_open_the_survey(app, client):
    load_survey()
    add_contacts(2)
    campaign, _ = create_campaign("b2b_relationship", "Links")
    with smtp_server(app) as server:
        assert send_campaign(campaign.id)["sent"] == 2
    first = _links(server)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    with smtp_server(app) as server:
        assert remind_campaign(campaign.id, now=later)["sent"] == 2
    second = _links(server)
    for to in first:
        assert first[to] != second[to]  # every e-mail carries its own link
        for token in (first[to], second[to]):
            page = client.get(f"/s/{token}")
            assert page.status_code == 200, (to, token)
            assert page.headers["Referrer-Policy"] == "no-referrer"
    invitation = db.session.query(Invitation).filter_by(campaign_id=campaign.id).first()
    db.session.refresh(invitation)
    assert invitation.opened_at is not None and invitation.status == "opened"
    progress = campaign_progress(campaign.id)
    assert progress.opened == 2 and progress.total == 2
    assert client.get("/s/" + "x" * 43).status_code == 404
