"""Invitations to the default questionnaire for respondent-page tests, made directly in the database.

Links are made with the shared ``vocapp.core.tokens.new_token()``; only the hash is stored, as the
campaigns service does.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from vocapp import PROJECT_ROOT
from vocapp.core.tokens import new_token
from vocapp.extensions import db
from vocapp.models import Account, Campaign, Contact, Invitation, Response
from vocapp.models.base import utcnow
from vocapp.services.surveys import load_definition_file

DEFINITION = PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SHOWN = re.compile(r'name="shown"[^>]*value="([^"]+)"')

#: answers that complete the default questionnaire, page by page (form field values)
DEFAULT_ANSWERS = {
    "about_you": {"decision_role": "decision_maker", "relationship_length": "4_to_10_years"},
    "how_you_see_us": {f"trust_{n}": str(n % 5 + 1) for n in range(1, 7)},
    "working_with_us": {**{f"appetite_{n}": "4" for n in range(1, 7)}, "contact_preference": "open_to_more",
                        "contact_topics": ["events", "research"]},
    "your_organisation": {**{f"innovation_{n}": "3" for n in range(1, 6)}, "innovation_6": "na"},
    "overall": {"nps": "5", "nps_reason": "Answer the phone <b>faster</b>.", "comment": "Keep going."},
}


@dataclass
class Link:
    token: str
    invitation_id: int
    campaign_id: int

    @property
    def path(self) -> str:
        return f"/s/{self.token}"

    def invitation(self) -> Invitation:
        db.session.expire_all()
        return db.session.get(Invitation, self.invitation_id)

    def response(self) -> Response | None:
        db.session.expire_all()
        return db.session.query(Response).filter_by(invitation_id=self.invitation_id).one_or_none()


def make_link(*, status: str = "sent", expires_in: timedelta = timedelta(days=30), language: str | None = None,
              campaign_status: str = "open", campaign: Campaign | None = None) -> Link:
    """A contact at a new account invited to the default questionnaire; returns its link."""
    if campaign is None:
        version, _ = load_definition_file(DEFINITION)
        campaign = Campaign(survey_version_id=version.id, name=f"Test wave {uuid.uuid4().hex[:6]}",
                            status=campaign_status, email_subject="Survey", email_body="Please answer.")
        db.session.add(campaign)
    tag = uuid.uuid4().hex[:10]
    account = Account(external_id=f"ACC-{tag}", name=f"Account {tag}")
    contact = Contact(account=account, email=f"{tag}@example.org", first_name="Ada", last_name="Lovelace",
                      relationship="member", language=language)
    db.session.add_all([account, contact])
    db.session.flush()
    token, token_hash = new_token()
    invitation = Invitation(campaign=campaign, contact_id=contact.id, token_hash=token_hash,
                            expires_at=utcnow() + expires_in, status=status, sent_at=utcnow())
    db.session.add(invitation)
    db.session.commit()
    return Link(token, invitation.id, campaign.id)


def form_fields(html: str) -> dict[str, str]:
    """The hidden csrf_token and shown fields of a respondent page."""
    fields = {"csrf_token": _CSRF.search(html).group(1)}
    shown = _SHOWN.search(html)
    if shown:
        fields["shown"] = shown.group(1)
    return fields


def page_form(html: str, answers: dict[str, object], nav: str = "next") -> dict[str, object]:
    """Form data posting ``answers`` ({item_id: value or list}) from the page ``html``."""
    data: dict[str, object] = {**form_fields(html), "nav": nav}
    for item_id, value in answers.items():
        data[f"answer-{item_id}"] = value
    return data


#: one page with every item type (the default questionnaire has no number item), for validation and axe
ALL_TYPES = """
id: all_types
title: Every kind of question
description: One page with one question of each type.
scales:
  - id: agree3
    min: 1
    max: 3
    labels: {1: Disagree, 2: Neutral, 3: Agree}
    not_applicable: Not applicable
constructs:
  - id: views
    label: Views
pages:
  - id: everything
    title: Everything
    items:
      - id: staff
        type: number
        text: How many people work at your organisation?
        min: 1
        max: 100000
        required: true
      - id: agree
        type: likert
        scale: agree3
        construct: views
        text: We are easy to work with.
      - id: score
        type: nps
        text: How likely are you to recommend us?
      - id: sector
        type: single_choice
        text: Which sector are you in?
        options: [{value: public, label: Public}, {value: private, label: Private}]
      - id: channels
        type: multi_choice
        text: How do you hear from us?
        options: [{value: email, label: E-mail}, {value: post, label: Post}, {value: events, label: Events}]
      - id: notes
        type: text
        text: Anything else?
"""


def make_all_types_link() -> Link:
    """A link to the one-page survey with every item type."""
    from vocapp.services.surveys import get_version, load_definition_text

    load_definition_text(ALL_TYPES, "all_types.yaml")
    campaign = Campaign(survey_version_id=get_version("all_types").id, name="All types", status="open")
    db.session.add(campaign)
    db.session.commit()
    return make_link(campaign=campaign)


def emailed_links(app, base_url: str, name: str = "Browser wave", survey: str = "b2b_relationship") -> dict[str, Link]:
    """Invite every contact through the real send job (``campaigns.send``) to a loopback SMTP server and
    return ``{recipient: Link}`` with the link parsed from each received e-mail (text and HTML parts agree)."""
    from campaign_setup import LINK, html_part, smtp_server, text_part
    from vocapp.core.tokens import hash_token
    from vocapp.jobs import enqueue, wait_for_threads
    from vocapp.models import Job
    from vocapp.services.campaigns import create_campaign

    app.config["BASE_URL"] = base_url
    campaign, _ = create_campaign(survey, name)
    with smtp_server(app) as server:
        job_id = enqueue("campaigns.send", campaign_id=campaign.id).id
        wait_for_threads()
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "done", (job.status, job.error)
    links: dict[str, Link] = {}
    for (recipient, _), message in zip(server.messages, server.parsed()):
        (found_base, token), = set(LINK.findall(text_part(message)))
        assert found_base == base_url and f"{base_url}/s/{token}" in html_part(message)
        invitation = db.session.query(Invitation).filter_by(token_hash=hash_token(token)).one()
        links[recipient] = Link(token, invitation.id, campaign.id)
    return links


def enthusiastic_answers(essential: bool = False) -> dict[str, dict]:
    """DEFAULT_ANSWERS with every scale item at its most favourable point (reverse-keyed ones at 1);
    ``essential``: the contact wants essential contact only (and so is not asked for topics)."""
    from vocapp.core.surveys import iter_items, load_definition_file as read_definition

    definition, _ = read_definition(DEFINITION)
    best = {ref.item["id"]: "1" if ref.item.get("reverse") else "5" for ref in iter_items(definition)
            if ref.item["type"] == "likert"}
    answers = {page: {item: best.get(item, value) for item, value in page_answers.items()}
               for page, page_answers in DEFAULT_ANSWERS.items()}
    if essential:
        answers["working_with_us"]["contact_preference"] = "essential_only"
        answers["working_with_us"].pop("contact_topics")  # only asked of contacts open to more
    return answers


def answer_through_the_pages(app, link: Link, answers: dict[str, dict]) -> None:
    """One contact in their own browser session (a fresh cookie jar): welcome, start, every page, thank-you."""
    respondent = app.test_client()
    welcome = respondent.get(link.path)
    assert welcome.status_code == 200
    started = respondent.post(f"{link.path}/start", data=form_fields(welcome.get_data(as_text=True)))
    assert started.status_code == 303
    for page_id in DEFAULT_ANSWERS:
        url = f"{link.path}/page/{page_id}"
        saved = respondent.post(url, data=page_form(respondent.get(url).get_data(as_text=True), answers[page_id]))
        assert saved.status_code == 303, (page_id, saved.get_data(as_text=True)[:2000])
    assert saved.headers["Location"].endswith("/thanks")
