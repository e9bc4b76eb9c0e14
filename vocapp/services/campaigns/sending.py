"""Sending invitations and reminders: at most one e-mail per invitation and step, also across crashes.

This module picks what is due (audience, reminder policy, frequency rule) and takes the campaign's
sender claim; run.py records intents before the SMTP transactions and outcomes after them. A run
first turns intents without an outcome into ``unconfirmed`` (never re-sent by itself). See
docs/campaigns.md.
"""
from __future__ import annotations

import datetime as dt
import secrets

import pandas as pd
from flask import current_app
from sqlalchemy import and_, func, insert, or_, select, update

from vocapp.core.campaigns import ReminderPolicy, check_transition, frequency_held, invitation_expiry, reminder_due
from vocapp.core.campaigns.messages import choose_language
from vocapp.core.surveys.model import declared_languages
from vocapp.core.tokens import new_token
from vocapp.extensions import db
from vocapp.models import Account, Campaign, Contact, Delivery, Invitation, SurveyVersion, utcnow
from vocapp.services.campaigns.audience import CampaignError, get_campaign, reach
from vocapp.services.campaigns.deliveries import resolve_in_doubt
from vocapp.services.progress import Progress
from vocapp.services.campaigns.mail import render_message
from vocapp.services.campaigns.run import SendRun, message_values

COUNTED = ("sending", "sent", "unconfirmed")  # deliveries that count against the frequency rule


def claim_sender(campaign_id: int, stale_seconds: int) -> str:
    """Make this run the campaign's only sender (a silent sender is presumed dead after
    ``stale_seconds``); returns the claim id."""
    me, now = secrets.token_hex(8), utcnow()
    result = db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id, or_(
            Campaign.sender.is_(None), Campaign.sender_seen_at < now - dt.timedelta(seconds=stale_seconds)))
        .values(sender=me, sender_seen_at=now))
    db.session.commit()
    if result.rowcount != 1:
        raise CampaignError(f"campaign {campaign_id} is being sent by another run right now; wait for it to "
                            f"finish (a run silent for {stale_seconds} s is taken over)")
    return me


def release_sender(campaign_id: int, me: str) -> None:
    """End this run's claim on the campaign (rolls back what it had not committed)."""
    db.session.rollback()
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.sender == me)
                       .values(sender=None, sender_seen_at=None))
    db.session.commit()


def _create_invitations(campaign: Campaign, version: SurveyVersion, now: dt.datetime) -> int:
    """The audience, frozen into queued invitations at the first send (one per contact)."""
    audience = reach(version, campaign.audience, include_leave_alone=not campaign.exclude_leave_alone).included
    languages = declared_languages(version.definition)
    expires = invitation_expiry(campaign.closes_at, now, int(current_app.config["INVITATION_TTL_DAYS"]))
    rows = [{"campaign_id": campaign.id, "contact_id": int(contact_id), "token_hash": new_token()[1],
             "expires_at": expires, "status": "queued", "language": choose_language(language, languages),
             "created_at": now, "reminder_count": 0}
            for contact_id, language in zip(audience["contact_id"], audience["language"].where(
                audience["language"].notna(), None))]
    if rows:
        db.session.execute(insert(Invitation), rows)
    campaign.sent_at = now
    return len(rows)


def _recent_emails(now: dt.datetime) -> pd.Series:
    """Survey e-mails per contact in the frequency window (every campaign, every step)."""
    since = now - dt.timedelta(days=int(current_app.config["CONTACT_WINDOW_DAYS"]))
    rows = db.session.execute(select(Delivery.contact_id, func.count()).where(
        Delivery.status.in_(COUNTED), Delivery.created_at >= since).group_by(Delivery.contact_id)).all()
    return pd.Series(dict(rows), dtype="int64")


def _targets(campaign: Campaign, kind: str, now: dt.datetime) -> pd.DataFrame:
    """Invitations due an e-mail of ``kind`` now, with the contact's details and the step number."""
    reachable = and_(Contact.erased_at.is_(None), Contact.unsubscribed_at.is_(None), Contact.bounced_at.is_(None),
                     Contact.complained_at.is_(None))
    stmt = (select(Invitation.id, Invitation.contact_id, Invitation.status, Invitation.reminder_count,
                   func.coalesce(Invitation.last_reminder_at, Invitation.sent_at), Invitation.expires_at,
                   Invitation.language, Contact.email, Contact.first_name, Contact.last_name, Account.name, reachable)
            .join(Contact, Contact.id == Invitation.contact_id).join(Account, Account.id == Contact.account_id)
            .where(Invitation.campaign_id == campaign.id).order_by(Invitation.id))
    columns = ["invitation_id", "contact_id", "status", "reminder_count", "last_email_at", "expires_at", "language",
               "email", "first_name", "last_name", "organisation", "reachable"]
    frame = pd.DataFrame(db.session.execute(stmt).all(), columns=columns)
    if kind == "invitation":
        frame = frame[(frame["status"] == "queued") & frame["reachable"].astype(bool)].assign(step=0)
    else:
        policy = ReminderPolicy(campaign.max_reminders, campaign.reminder_interval_days)
        frame = frame[reminder_due(frame, policy, now)] if len(frame) else frame
        frame = frame.assign(step=frame["reminder_count"] + 1)
    steps = pd.DataFrame(db.session.execute(
        select(Delivery.invitation_id, Delivery.step, Delivery.status)
        .join(Invitation, Invitation.id == Delivery.invitation_id).where(Invitation.campaign_id == campaign.id)).all(),
        columns=["invitation_id", "step", "status"])
    keys = steps["invitation_id"].astype(str) + ":" + steps["step"].astype(str)
    key = frame["invitation_id"].astype(str) + ":" + frame["step"].astype(str)
    frame = frame.assign(held=key.isin(keys[steps["status"] == "held"]))
    return frame[~key.isin(keys[steps["status"] != "held"])]


def _sample_message(campaign_id: int, kind: str, to: str | None, signed: bool, subject_prefix: str = ""):
    """The campaign's invitation or reminder as its first contact (or a made-up one) would get it,
    addressed to ``to`` (default: that contact); its links are placeholders that lead nowhere."""
    campaign = get_campaign(campaign_id)
    version = db.session.get(SurveyVersion, campaign.survey_version_id)
    audience = reach(version, campaign.audience, not campaign.exclude_leave_alone).included
    row = (audience.iloc[0].to_dict() if len(audience) else
           {"first_name": "Alex", "last_name": "Example", "organisation": "Example Ltd", "email": "alex@example.org",
            "language": None})
    language = choose_language(row.get("language"), declared_languages(version.definition))
    subject = campaign.email_subject if kind == "invitation" else campaign.reminder_subject
    body = campaign.email_body if kind == "invitation" else campaign.reminder_body
    values = message_values(campaign.closes_at, version.definition, row, language)
    base = current_app.config["BASE_URL"].rstrip("/")
    config = current_app.config if signed else {**current_app.config, "DKIM_KEY_FILE": None}
    return render_message(kind, values, language, subject, body, f"{base}/s/preview", f"{base}/u/preview",
                          "preview", to or row["email"], config, subject_prefix=subject_prefix)


def preview_message(campaign_id: int, kind: str = "invitation") -> tuple[str, str, str]:
    """(subject, text part, HTML part) of the campaign's invitation or reminder as its first contact
    (or a made-up one) would get it; the links are placeholders that lead nowhere."""
    from email import message_from_bytes, policy as email_policy

    message = message_from_bytes(_sample_message(campaign_id, kind, None, signed=False).data,
                                 policy=email_policy.default)
    return (str(message["Subject"]), message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def send_test_message(campaign_id: int, to: str, kind: str = "invitation", staff=None) -> dict:
    """E-mail the preview (subject marked "[Test]", DKIM-signed when configured, inert links) to ``to``
    through the campaign's mail settings, so staff see it as a mail client shows it (audited); the
    server's reply. Counts for no contact and no frequency rule."""
    from email_validator import EmailNotValidError, validate_email

    from vocapp.services.audit import record_action
    from vocapp.services.campaigns.mail import PermanentFailure, TemporaryFailure, UnknownOutcome, transport

    try:
        to = validate_email(to, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise CampaignError(f"the test {kind} cannot go to {to!r}: {exc}") from exc
    message = _sample_message(campaign_id, kind, to, signed=True, subject_prefix="[Test] ")
    sender = transport(current_app.config)
    try:
        reply = sender.send(current_app.config["MAIL_FROM"], message, f"campaign{campaign_id}-test-{kind}")
    except (TemporaryFailure, PermanentFailure, UnknownOutcome) as exc:
        raise CampaignError(f"the test {kind} to {to} was not confirmed by the mail server: {exc}") from exc
    finally:
        sender.close()
    record_action(staff, "campaigns.test_message", "campaign", campaign_id,
                  {"to": to, "kind": kind, "message_id": message.message_id})
    db.session.commit()
    return {"campaign_id": campaign_id, "to": to, "kind": kind, "reply": reply}


def _hold_back(targets: pd.DataFrame, now: dt.datetime) -> tuple[pd.DataFrame, int]:
    """Apply the frequency rule: held invitations get a ``held`` delivery row (listed on the campaign)."""
    held = frequency_held(_recent_emails(now), targets["contact_id"], int(current_app.config["CONTACT_MAX_EMAILS"]))
    for row in targets[held].to_dict("records"):
        exists = db.session.scalar(select(Delivery.id).where(Delivery.invitation_id == int(row["invitation_id"]),
                                                             Delivery.step == int(row["step"])))
        if exists is None:
            db.session.execute(insert(Delivery).values(
                invitation_id=int(row["invitation_id"]), contact_id=int(row["contact_id"]), step=int(row["step"]),
                status="held", attempts=0, created_at=now,
                smtp_reply="held back by the contact frequency rule"))
    db.session.commit()
    return targets[~held], int(held.sum())


def _step(campaign_id: int, kind: str, progress: Progress | None, now: dt.datetime | None) -> dict:
    now = now or utcnow()
    config = current_app.config
    get_campaign(campaign_id)
    me = claim_sender(campaign_id, int(config.get("SEND_CLAIM_SECONDS", 60)))
    try:
        campaign = get_campaign(campaign_id)
        db.session.refresh(campaign)
        created = 0
        if kind == "invitation":
            check_transition(campaign.status, "send")
            if campaign.opens_at is not None and campaign.opens_at > now:
                campaign.status = "scheduled"
                db.session.commit()
                return {"scheduled": campaign.opens_at.isoformat(), "sent": 0}
            if campaign.sent_at is None:
                created = _create_invitations(campaign, db.session.get(SurveyVersion, campaign.survey_version_id), now)
            if campaign.status != "open":
                campaign.status = "sending"
            db.session.commit()
        else:
            check_transition(campaign.status, "remind")
            if campaign.closes_at is not None and campaign.closes_at <= now:
                raise CampaignError(f"campaign {campaign_id} closed on {campaign.closes_at.date()}; no reminders")
        unconfirmed = resolve_in_doubt(campaign_id)
        db.session.commit()
        targets, held = _hold_back(_targets(campaign, kind, now), now)
        definition = db.session.get(SurveyVersion, campaign.survey_version_id).definition
        run = SendRun(campaign, definition, kind, me, progress)
        run.run(targets)
        if kind == "invitation" and campaign.status == "sending":
            campaign.status = "open"
        db.session.commit()
        return {"invitations_created": created, **run.counts, "held_back": held,
                "unconfirmed": run.counts["unconfirmed"] + unconfirmed}
    finally:
        release_sender(campaign_id, me)


def send_campaign(campaign_id: int, progress: Progress | None = None, now: dt.datetime | None = None) -> dict:
    """Invite the campaign's audience (frozen into invitations at the first send); a later call only
    sends what is still due (held back before, or left by a run that stopped). Returns counts."""
    return _step(campaign_id, "invitation", progress, now)


def remind_campaign(campaign_id: int, progress: Progress | None = None, now: dt.datetime | None = None) -> dict:
    """Send the next reminder to every invitation the reminder policy says is due. Returns counts."""
    return _step(campaign_id, "reminder", progress, now)
