"""Pages opened by a token in the URL (survey, unsubscribe and set-password links), walked from the URL map.

Every public route with a ``<token>`` is found automatically and must be described in BAD_TOKENS (a new
token route fails here until it is). For each route and method: unknown, over-long, expired and revoked
(or used) tokens get one and the same answer (status, body, headers, no cookie), so a page cannot tell
them apart; every answer, good or bad, says ``Referrer-Policy: no-referrer`` and ``Cache-Control:
no-store``; and token guessing is rate-limited per client.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from campaign_setup import LINK, UNSUBSCRIBE, add_contacts, load_survey, smtp_server, text_part
from vocapp.core.tokens import new_token
from vocapp.extensions import db
from vocapp.models import Invitation, InvitationToken, StaffUser
from vocapp.models.base import utcnow

PUBLIC_BLUEPRINTS = {"auth", "respondent", "unsubscribe"}
#: the kinds of unusable token each token blueprint must treat alike (a missing blueprint fails the walk);
#: an unsubscribe link keeps working after its invitation is revoked (anyone can always opt out), so
#: "revoked" does not apply there
BAD_TOKENS = {"respondent": ("unknown", "overlong", "expired", "revoked"),
              "unsubscribe": ("unknown", "overlong", "expired"),
              "auth": ("unknown", "overlong", "expired", "used")}
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
SAME_HEADERS = ("Content-Type", "Content-Security-Policy", "Referrer-Policy", "Cache-Control", "X-Frame-Options",
                "X-Robots-Tag")  # (not Retry-After: the rate limiter's count-down changes by the second)


def token_rules(app):
    """Every public route whose URL carries a token (new ones are picked up automatically)."""
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS and "token" in rule.arguments]
    for rule in rules:
        assert rule.endpoint.split(".")[0] in BAD_TOKENS, f"{rule.endpoint}: say in BAD_TOKENS which tokens it refuses"
    return rules


def _url(app, rule, token: str) -> str:
    from flask import url_for

    values = {name: ("about_you" if name == "page_id" else "x") for name in rule.arguments if name != "token"}
    with app.test_request_context():
        return url_for(rule.endpoint, token=token, **values)


@pytest.fixture
def tokens(app):
    """Good and bad tokens of each kind, from real e-mails (a campaign sent through loopback SMTP) and a
    real staff invitation: {blueprint: {kind: token}}."""
    from vocapp.services.campaigns import create_campaign, revoke_invitation, send_campaign
    from vocapp.services.staff import create_staff, invite_staff, set_password_from_link

    load_survey()
    contacts = add_contacts(3, prefix=f"t{uuid.uuid4().hex[:4]}-")
    campaign, _ = create_campaign("b2b_relationship", "Token walk")
    with smtp_server(app) as server:
        send_campaign(campaign.id)
    links = {message["To"]: (LINK.search(text_part(message)).group(2), UNSUBSCRIBE.search(text_part(message)).group(2))
             for message in server.parsed()}
    good, expired, revoked = (links[contact.email] for contact in contacts)
    past = utcnow() - timedelta(minutes=1)
    expired_id = db.session.query(Invitation.id).filter(Invitation.contact_id == contacts[1].id).scalar()
    db.session.execute(update(Invitation).where(Invitation.id == expired_id).values(expires_at=past))
    db.session.execute(update(InvitationToken).where(InvitationToken.invitation_id == expired_id).values(expires_at=past))
    db.session.commit()
    revoke_invitation(campaign.id, contacts[2].email)
    admin = create_staff(f"admin-{uuid.uuid4().hex[:6]}@example.org", "admin", "a long enough password")
    _, staff_good = invite_staff("new-analyst@example.org", "analyst", admin)
    _, staff_used = invite_staff("used@example.org", "analyst", admin)
    set_password_from_link(staff_used, "another long enough password")
    _, staff_expired = invite_staff("late@example.org", "analyst", admin)
    db.session.execute(update(StaffUser).where(StaffUser.email == "late@example.org")
                       .values(password_token_expires_at=past))
    db.session.commit()
    common = {"unknown": new_token()[0], "overlong": "x" * 500}
    return {"respondent": {"good": good[0], "expired": expired[0], "revoked": revoked[0], **common},
            "unsubscribe": {"good": good[1], "expired": expired[1], **common},
            "auth": {"good": staff_good, "used": staff_used, "expired": staff_expired, **common}}


def _answer(response) -> tuple:
    body = response.get_data(as_text=True)
    return (response.status_code, body, tuple(response.headers.get(name) for name in SAME_HEADERS),
            "Set-Cookie" in response.headers)


def test_every_token_route_answers_unusable_tokens_alike_and_privately(app, tokens):
    from respondent_setup import form_fields

    app.config.update(RESPONDENT_BAD_TOKEN_LIMIT="1000 per minute", RESPONDENT_RATE_LIMIT="1000 per minute")
    client = app.test_client()
    csrf = form_fields(client.get(f"/s/{tokens['respondent']['good']}").get_data(as_text=True))["csrf_token"]
    walked = []
    for rule in token_rules(app):
        blueprint = rule.endpoint.split(".")[0]
        for method in sorted(rule.methods & {"GET", "POST"}):
            answers = {}
            client.open(_url(app, rule, new_token()[0]), method=method)  # the session's first answer may refresh it
            for kind in BAD_TOKENS[blueprint]:
                url = _url(app, rule, tokens[blueprint][kind])
                response = client.open(url, method=method, data={"csrf_token": csrf} if method == "POST" else None)
                answers[kind] = _answer(response)
                if method == "GET":
                    fresh = app.test_client().get(url)
                    assert "Set-Cookie" not in fresh.headers, f"{rule.endpoint} {kind}: a refused token started a session"
                assert response.status_code in (404, 410), (rule.endpoint, method, kind, response.status_code)
                for name, value in PRIVATE_HEADERS.items():
                    assert response.headers.get(name) == value, (rule.endpoint, method, kind, name)
            first = answers[BAD_TOKENS[blueprint][0]]
            differ = [kind for kind, answer in answers.items() if answer != first]
            assert not differ, (f"{rule.endpoint} {method}: {differ} answered differently from an unknown token",
                                {kind: answer[:1] + answer[2:] for kind, answer in answers.items()})
            good = client.get(_url(app, rule, tokens[blueprint]["good"])) if method == "GET" else None
            if good is not None:
                assert good.status_code < 400 or good.status_code == 303, (rule.endpoint, good.status_code)
                for name, value in PRIVATE_HEADERS.items():
                    assert good.headers.get(name) == value, (rule.endpoint, "good token", name)
            walked.append(f"{rule.endpoint} {method}")
    one_click = {kind: _answer(client.post(f"/u/{tokens['unsubscribe'][kind]}", data={"List-Unsubscribe": "One-Click"}))
                 for kind in BAD_TOKENS["unsubscribe"]}  # a mail client's RFC 8058 POST, without CSRF token
    assert {answer[0] for answer in one_click.values()} == {404} and len(set(one_click.values())) == 1, one_click
    assert {"respondent.welcome GET", "respondent.page GET", "respondent.page POST", "respondent.start POST",
            "respondent.thanks GET", "unsubscribe.page GET", "unsubscribe.confirm POST",
            "auth.set_password GET", "auth.set_password POST"} <= set(walked), walked


@pytest.mark.parametrize("blueprint", sorted(BAD_TOKENS))
def test_guessing_tokens_is_rate_limited_per_client(app, tokens, blueprint):
    app.config.update(RESPONDENT_BAD_TOKEN_LIMIT="5 per minute")
    rule = next(rule for rule in token_rules(app) if rule.endpoint.split(".")[0] == blueprint and "GET" in rule.methods)
    guesser = {"REMOTE_ADDR": f"198.51.100.{uuid.uuid4().int % 250 + 1}"}
    client = app.test_client()
    statuses = [client.get(_url(app, rule, new_token()[0]), environ_base=guesser).status_code for _ in range(40)]
    assert 429 in statuses, f"{rule.endpoint}: 40 guesses from one client were all answered: {set(statuses)}"
    blocked = statuses.index(429)
    assert set(statuses[:blocked]) <= {404, 410} and set(statuses[blocked:]) == {429}, statuses
    refused = client.get(_url(app, rule, new_token()[0]), environ_base=guesser)
    assert refused.headers["Retry-After"].isdigit()
    for name, value in PRIVATE_HEADERS.items():
        assert refused.headers.get(name) == value, (rule.endpoint, "429", name)
    other = app.test_client().get(_url(app, rule, tokens[blueprint]["good"]),
                                  environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code in (200, 303), f"{rule.endpoint}: another client was blocked too ({other.status_code})"
