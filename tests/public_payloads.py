"""HTML and script payloads brought in the public way, for the walks over respondent, unsubscribe,
campaign and contact pages and the e-mails.

A designer uploads and publishes a survey whose every text is a payload (``/surveys/upload``), the
contacts come from a CRM file with payload names and organisation (``vocapp contacts import``), a
campaign with a payload name, subject and body is created and sent from its pages through a real SMTP
server on loopback, and a reminder follows (``remind_campaign``). The payloads would mark the page
(``window.name``) if they ever ran.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

import yaml

from campaign_setup import LINK, UNSUBSCRIBE, smtp_server, text_part
from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job

SCRIPT = "<script>name='pwned'</script>"
IMAGE = "<img src=x onerror=name='pwned'>"
PAYLOAD = f'{SCRIPT}{IMAGE}"&'
#: what must never appear in a page or HTML part (the payload's markup, unescaped)
RAW = ["<script>name=", "<img src=x"]
ESCAPED = "&lt;script&gt;name="
SLUG = "xss_public"
#: CR/LF in a staff-written subject and a contact's name: no header may come of them
INJECTED = "\r\nBcc: evil@example.org"


def payload_survey() -> str:
    """A two-page survey (every item type) with a payload in every text a respondent reads."""
    text = f"{PAYLOAD} text"
    definition = {
        "id": SLUG, "title": f"Title {PAYLOAD}", "description": f"Description {PAYLOAD}",
        "thank_you": f"Thanks {PAYLOAD}", "languages": ["en"],
        "scales": [{"id": "agree3", "min": 1, "max": 3, "labels": {1: f"No {PAYLOAD}", 2: f"Maybe {PAYLOAD}",
                                                                     3: f"Yes {PAYLOAD}"},
                    "not_applicable": f"N/A {PAYLOAD}"}],
        "constructs": [{"id": "views", "label": f"Views {PAYLOAD}"}],
        "pages": [
            {"id": "everything", "title": f"Page {PAYLOAD}", "intro": f"Intro {PAYLOAD}", "items": [
                {"id": "staff", "type": "number", "text": f"Staff {text}", "help": f"Help {PAYLOAD}", "min": 1,
                 "max": 100000, "required": True},
                {"id": "agree", "type": "likert", "scale": "agree3", "construct": "views", "text": f"Agree {text}"},
                {"id": "score", "type": "nps", "text": f"NPS {text}"},
                {"id": "sector", "type": "single_choice", "text": f"Sector {text}",
                 "options": [{"value": "public", "label": f"Public {PAYLOAD}"},
                             {"value": "private", "label": f"Private {PAYLOAD}"}]},
                {"id": "channels", "type": "multi_choice", "text": f"Channels {text}",
                 "options": [{"value": "email", "label": f"E-mail {PAYLOAD}"},
                             {"value": "post", "label": f"Post {PAYLOAD}"}]},
                {"id": "notes", "type": "text", "text": f"Notes {text}"}]},
            {"id": "more", "title": f"More {PAYLOAD}", "items": [
                {"id": "more_notes", "type": "text", "text": f"More notes {text}"}]},
        ],
    }
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)


def contacts_csv(folder) -> str:
    """Two contacts at an organisation named with a payload; one's name carries CR/LF and a header."""
    import pandas as pd

    rows = [{"email": "ann@example.org", "first_name": f"Ann {PAYLOAD}"[:120], "last_name": f"Jones {IMAGE}",
             "account_id": "X1", "account_name": f"Org {PAYLOAD}", "relationship": "member", "role": "user",
             "notes": f"Note {PAYLOAD}"},
            {"email": "bob@example.org", "first_name": f"Bob{INJECTED}", "last_name": "Smith", "account_id": "X1",
             "account_name": f"Org {PAYLOAD}", "relationship": "member", "role": "user", "notes": ""}]
    path = folder / "xss_contacts.csv"
    pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\r\n")
    return str(path)


@dataclass
class Sent:
    """What the set-up made: the campaign, the e-mails (invitation, reminder) and their links by address."""

    campaign_id: int
    invitations: list = field(default_factory=list)
    reminders: list = field(default_factory=list)
    survey_links: dict[str, str] = field(default_factory=dict)
    unsubscribe_links: dict[str, str] = field(default_factory=dict)


def _post(client, url: str, data: dict, token_from: str, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, token_from), **data}, **kwargs)


def bring_in_payloads(app, client, runner, folder) -> Sent:
    """Everything above through the public pages and commands; ``client`` must be an admin's."""
    from vocapp.services.campaigns import remind_campaign

    uploaded = _post(client, "/surveys/upload", {"file": (io.BytesIO(payload_survey().encode()), f"{SLUG}.yaml")},
                     "/surveys/", content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:2000]
    assert _post(client, f"/surveys/{SLUG}/publish", {}, f"/surveys/{SLUG}/draft").status_code == 302
    result = runner.invoke(args=["contacts", "import", contacts_csv(folder)])
    assert result.exit_code == 0, result.output
    created = _post(client, "/campaigns/new", {"name": f"Wave {PAYLOAD}", "survey": SLUG, "max_reminders": "1",
                                               "reminder_days": "3", "action": "create"}, "/campaigns/new")
    assert created.status_code == 302, created.get_data(as_text=True)[:3000]
    url = created.headers["Location"]
    campaign_id = int(re.search(r"/campaigns/(\d+)", url).group(1))
    saved = _post(client, f"/campaigns/{campaign_id}/message", {
        "email_subject": f"Hi {{first_name}} {PAYLOAD}{INJECTED}",
        "email_body": f"Dear {{name}} of {{organisation}},\n\n{PAYLOAD}\n{{survey_title}}"}, f"/campaigns/{campaign_id}")
    assert saved.status_code == 302
    sent = Sent(campaign_id)
    with smtp_server(app) as server:
        # the request names another host: links must still be VOCAPP_BASE_URL's
        job = _post(client, f"/campaigns/{campaign_id}/send", {}, f"/campaigns/{campaign_id}",
                    headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
        status = wait_for_job(client, job_id_from(job))
        assert status["status"] == "done" and status["result"]["sent"] == 2, status
        sent.invitations = server.parsed()
        server.messages.clear()
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3, minutes=1)
        assert remind_campaign(campaign_id, now=later)["sent"] == 2
        sent.reminders = server.parsed()
    for message in sent.invitations:
        sent.survey_links[message["To"]] = LINK.search(text_part(message)).group(2)
        sent.unsubscribe_links[message["To"]] = UNSUBSCRIBE.search(text_part(message)).group(2)
    return sent
