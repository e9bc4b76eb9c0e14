"""Sending invitations and reminders: at most one e-mail per invitation and step, also across crashes.

For each message the intent (a ``deliveries`` row with status ``sending``, the new link tokens) is
committed before the SMTP transaction and the outcome after it; the outcome rides on the next
message's intent commit (one commit per message). A re-run first turns intents without an outcome
into ``unconfirmed`` (never re-sent). See docs/campaigns.md.
"""
from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update

from vocapp.core.campaigns import ReminderPolicy, check_transition, frequency_held, invitation_expiry, reminder_due
from vocapp.core.campaigns.messages import choose_language
from vocapp.core.surveys.model import declared_languages, localise
from vocapp.core.tokens import new_token
from vocapp.extensions import db
from vocapp.models import Account, Campaign, Contact, Delivery, Invitation, InvitationToken, SurveyVersion, utcnow
from vocapp.services.campaigns.audience import CampaignError, get_campaign, reach
from vocapp.services.campaigns.deliveries import resolve_in_doubt, sync_invitations
from vocapp.services.progress import Progress
from vocapp.services.campaigns.mail import (PermanentFailure, TemporaryFailure, Throttle, UnknownOutcome,
                                            render_message, transport)

COUNTED = ("sending", "sent", "unconfirmed")  # deliveries that count against the frequency rule


def _claim(campaign_id: int, stale_seconds: int) -> str:
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


def _release(campaign_id: int, me: str) -> None:
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


def message_values(closes: dt.datetime | None, definition: dict, row: dict, language: str) -> dict[str, str]:
    """The placeholders of one contact's e-mail: names, organisation, survey title, closing date."""
    name = f"{row['first_name'] or ''} {row['last_name'] or ''}".strip()
    closing = "" if closes is None else (closes.strftime("%d %B %Y").lstrip("0") if language.startswith("en")
                                          else closes.date().isoformat())
    return {"first_name": row["first_name"] or "", "last_name": row["last_name"] or "",
            "name": row["first_name"] or name or row["organisation"], "organisation": row["organisation"],
            "survey_title": localise(definition.get("title"), language), "closing_date": closing}


def preview_message(campaign_id: int, kind: str = "invitation") -> tuple[str, str, str]:
    """(subject, text part, HTML part) of the campaign's invitation or reminder as its first contact
    (or a made-up one) would get it; the links are placeholders that lead nowhere."""
    from email import message_from_bytes, policy as email_policy

    campaign = get_campaign(campaign_id)
    version = db.session.get(SurveyVersion, campaign.survey_version_id)
    audience = reach(version, campaign.audience, not campaign.exclude_leave_alone).included
    row = (audience.iloc[0].to_dict() if len(audience) else
           {"first_name": "Alex", "last_name": "Example", "organisation": "Example Ltd", "email": "alex@example.org",
            "language": None})
    language = choose_language(row.get("language"), declared_languages(version.definition))
    subject = campaign.email_subject if kind == "invitation" else campaign.reminder_subject
    body = campaign.email_body if kind == "invitation" else campaign.reminder_body
    base = current_app.config["BASE_URL"].rstrip("/")
    rendered = render_message(kind, message_values(campaign.closes_at, version.definition, row, language), language, subject,
                              body, f"{base}/s/preview", f"{base}/u/preview", "preview", row["email"],
                              {**current_app.config, "DKIM_KEY_FILE": None})
    message = message_from_bytes(rendered.data, policy=email_policy.default)
    return (str(message["Subject"]), message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


class _Run:
    """One send or remind run: renders, records intents and outcomes, talks to the transport."""

    HEARTBEAT_SECONDS = 5.0

    def __init__(self, campaign: Campaign, kind: str, me: str, progress: Progress | None) -> None:
        config = current_app.config
        self.config, self.kind, self.me, self.progress = config, kind, me, progress
        self.campaign_id, self.closes_at = campaign.id, campaign.closes_at
        version = db.session.get(SurveyVersion, campaign.survey_version_id)
        self.definition = version.definition
        self.transport = transport(config)
        self.throttle = Throttle(0 if config.get("MAIL_OUTBOX") else int(config.get("SEND_RATE_PER_MINUTE", 0)))
        self.retries = max(1, int(config.get("SEND_RETRIES", 4)))
        self.backoff = float(config.get("SEND_RETRY_SECONDS", 2))
        self.base_url = config["BASE_URL"].rstrip("/")
        self.unsubscribe_days = int(config.get("UNSUBSCRIBE_TTL_DAYS", 365))
        self.counts = {"sent": 0, "failed": 0, "unconfirmed": 0}
        self.subject = campaign.email_subject if kind == "invitation" else campaign.reminder_subject
        self.body = campaign.email_body if kind == "invitation" else campaign.reminder_body
        self.pending: dict | None = None  # the previous message's outcome, written with the next intent
        self.beat_at = 0.0
        table = Delivery.__table__  # Core statements, built once: the per-message path stays lean
        self.insert_intent = insert(table)
        self.update_held = update(table).where(table.c.invitation_id == bindparam("b_invitation"),
                                               table.c.step == bindparam("b_step"), table.c.status == "held")
        self.update_outcome = update(table).where(table.c.invitation_id == bindparam("b_invitation"),
                                                  table.c.step == bindparam("b_step"))

    def _tokens(self, rows: list[dict]) -> dict[int, tuple[str, str]]:
        """New survey and unsubscribe tokens for a batch, stored (hashes only) before any is e-mailed;
        a re-run deletes those of e-mails never attempted."""
        now, tokens, records = utcnow(), {}, []
        for row in rows:
            (survey, survey_hash), (unsub, unsub_hash) = new_token(), new_token()
            tokens[int(row["invitation_id"])] = (survey, unsub)
            common = {"invitation_id": int(row["invitation_id"]), "step": int(row["step"]), "created_at": now}
            records += [{**common, "token_hash": survey_hash, "purpose": "survey", "expires_at": row["expires_at"]},
                        {**common, "token_hash": unsub_hash, "purpose": "unsubscribe",
                         "expires_at": now + dt.timedelta(days=self.unsubscribe_days)}]
        if records:
            db.session.execute(insert(InvitationToken), records)
        db.session.commit()
        return tokens

    def _write_pending(self) -> None:
        if self.pending is not None:
            outcome, self.pending = self.pending, None
            db.session.connection().execute(self.update_outcome, outcome)

    def _intent(self, row: dict, message: Any) -> None:
        """Commit the intent of this message (with the previous message's outcome)."""
        self._write_pending()
        invitation_id, step = int(row["invitation_id"]), int(row["step"])
        values = {"status": "sending", "message_id": message.message_id, "created_at": utcnow(), "smtp_reply": None}
        connection = db.session.connection()
        if row.get("held"):
            connection.execute(self.update_held, {"b_invitation": invitation_id, "b_step": step, **values})
        else:
            connection.execute(self.insert_intent, {"invitation_id": invitation_id, "step": step, "attempts": 0,
                                                    "contact_id": int(row["contact_id"]), **values})
        if time.monotonic() - self.beat_at > self.HEARTBEAT_SECONDS:
            self._heartbeat()
        db.session.commit()

    def _heartbeat(self) -> None:
        self.beat_at = time.monotonic()
        db.session.execute(update(Campaign).where(Campaign.id == self.campaign_id, Campaign.sender == self.me)
                           .values(sender_seen_at=utcnow()))

    def _outcome(self, row: dict, status: str, reply: str, attempts: int) -> None:
        self.pending = {"b_invitation": int(row["invitation_id"]), "b_step": int(row["step"]), "status": status,
                        "smtp_reply": reply[:2000], "attempts": attempts, "finished_at": utcnow()}
        self.counts[status] += 1

    def _forget_intent(self, row: dict) -> None:
        """The server never took the message (4xx or no connection): drop the intent so a re-run sends it."""
        invitation_id, step = int(row["invitation_id"]), int(row["step"])
        db.session.execute(delete(InvitationToken).where(InvitationToken.invitation_id == invitation_id,
                                                         InvitationToken.step == step))
        db.session.execute(delete(Delivery).where(Delivery.invitation_id == invitation_id, Delivery.step == step))
        db.session.commit()

    def _sleep(self, seconds: float) -> None:
        self._write_pending()
        db.session.commit()  # never hold a write transaction while waiting
        time.sleep(seconds)

    def deliver(self, row: dict, tokens: tuple[str, str]) -> None:
        """E-mail one invitation for its step, retrying temporary failures with back-off."""
        delay = self.throttle.delay()
        if delay:
            self._sleep(delay)
        survey_token, unsub_token = tokens
        language = row["language"] or "en"
        message = render_message(self.kind, message_values(self.closes_at, self.definition, row, language), language,
                                 self.subject, self.body, f"{self.base_url}/s/{survey_token}",
                                 f"{self.base_url}/u/{unsub_token}", unsub_token, row["email"], self.config)
        self._intent(row, message)
        name = f"campaign{self.campaign_id}-invitation{row['invitation_id']}-step{row['step']}"
        for attempt in range(1, self.retries + 1):
            try:
                reply = self.transport.send(self.config["MAIL_FROM"], message, name)
            except TemporaryFailure as exc:
                if attempt == self.retries:
                    self._forget_intent(row)
                    raise CampaignError(f"the mail server keeps refusing for now ({exc}); {self.counts['sent']} "
                                        "e-mail(s) sent in this run; run it again to send the rest") from exc
                self.transport.close()
                self._sleep(self.backoff * 2 ** (attempt - 1))
                self._heartbeat()
                continue
            except PermanentFailure as exc:
                self._outcome(row, "failed", str(exc), attempt)
            except UnknownOutcome as exc:
                self._outcome(row, "unconfirmed", str(exc), attempt)
            else:
                self._outcome(row, "sent", reply, attempt)
            return

    def run(self, targets: pd.DataFrame) -> None:
        batch_size = max(1, int(self.config.get("SEND_BATCH_SIZE", 200)))
        records = targets.to_dict("records")
        total = len(records)
        for start in range(0, total, batch_size):
            batch = records[start:start + batch_size]
            tokens = self._tokens(batch)
            try:
                self.transport.open()
                for row in batch:
                    self.deliver(row, tokens[int(row["invitation_id"])])
            except TemporaryFailure as exc:
                raise CampaignError(f"cannot reach the mail server: {exc}; run again to send the rest") from exc
            finally:
                self._write_pending()
                sync_invitations(self.campaign_id, [int(row["invitation_id"]) for row in batch])
                db.session.commit()
                self.transport.close()
            if self.progress:
                done = min(start + batch_size, total)
                self.progress(int(100 * done / total), f"{self.kind}s: {done} of {total} done")


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
    me = _claim(campaign_id, int(config.get("SEND_CLAIM_SECONDS", 60)))
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
        run = _Run(campaign, kind, me, progress)
        run.run(targets)
        if kind == "invitation" and campaign.status == "sending":
            campaign.status = "open"
        db.session.commit()
        return {"invitations_created": created, **run.counts, "held_back": held,
                "unconfirmed": run.counts["unconfirmed"] + unconfirmed}
    finally:
        _release(campaign_id, me)


def send_campaign(campaign_id: int, progress: Progress | None = None, now: dt.datetime | None = None) -> dict:
    """Invite the campaign's audience (frozen into invitations at the first send); a later call only
    sends what is still due (held back before, or left by a run that stopped). Returns counts."""
    return _step(campaign_id, "invitation", progress, now)


def remind_campaign(campaign_id: int, progress: Progress | None = None, now: dt.datetime | None = None) -> dict:
    """Send the next reminder to every invitation the reminder policy says is due. Returns counts."""
    return _step(campaign_id, "reminder", progress, now)
