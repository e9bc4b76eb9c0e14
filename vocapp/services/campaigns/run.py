"""One send, remind or resend run: renders, records intents and outcomes, talks to the transport.

The intents of the next ``VOCAPP_MAIL_INTENT_BATCH`` messages (``deliveries`` rows in ``sending``)
are committed in one transaction before the first of them goes to SMTP; their outcomes are kept in
memory and committed with the next batch's intents (or at the end of the run, before a sleep, and
when the run stops). A crash leaves at most that many intents without an outcome: the next run makes
them ``unconfirmed`` (never re-sent by itself; staff decide, see resend.py). See docs/campaigns.md.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import bindparam, delete, insert, tuple_, update

from vocapp.core.tokens import new_token
from vocapp.extensions import db
from vocapp.models import Campaign, Delivery, InvitationToken, utcnow
from vocapp.services.campaigns.audience import CampaignError
from vocapp.services.campaigns.deliveries import sync_invitations
from vocapp.services.campaigns.mail import (MailSetupError, PermanentFailure, TemporaryFailure, Throttle,
                                            UnknownOutcome, render_message, transport)
from vocapp.services.progress import Progress


def message_values(closes: dt.datetime | None, definition: dict, row: dict, language: str) -> dict[str, str]:
    """The placeholders of one contact's e-mail: names, organisation, survey title, closing date."""
    from vocapp.core.surveys.model import localise

    name = f"{row['first_name'] or ''} {row['last_name'] or ''}".strip()
    closing = "" if closes is None else (closes.strftime("%d %B %Y").lstrip("0") if language.startswith("en")
                                          else closes.date().isoformat())
    return {"first_name": row["first_name"] or "", "last_name": row["last_name"] or "",
            "name": row["first_name"] or name or row["organisation"], "organisation": row["organisation"],
            "survey_title": localise(definition.get("title"), language), "closing_date": closing}


class SendRun:
    """E-mails a list of due rows (invitation, contact, step; ``held``/``resend`` rows already have a
    delivery row) for one campaign and kind ("invitation" or "reminder")."""

    HEARTBEAT_SECONDS = 5.0

    def __init__(self, campaign: Campaign, definition: dict, kind: str, me: str, progress: Progress | None) -> None:
        config = current_app.config
        self.config, self.kind, self.me, self.progress = config, kind, me, progress
        self.campaign_id, self.closes_at, self.definition = campaign.id, campaign.closes_at, definition
        self.transport = transport(config)
        self.throttle = Throttle(0 if config.get("MAIL_OUTBOX") else int(config.get("SEND_RATE_PER_MINUTE", 0)))
        self.retries = max(1, int(config.get("SEND_RETRIES", 4)))
        self.backoff = float(config.get("SEND_RETRY_SECONDS", 2))
        self.intent_batch = max(1, int(config.get("MAIL_INTENT_BATCH", 1)))
        self.base_url = config["BASE_URL"].rstrip("/")
        self.unsubscribe_days = int(config.get("UNSUBSCRIBE_TTL_DAYS", 365))
        self.counts = {"sent": 0, "failed": 0, "unconfirmed": 0}
        self.subject = campaign.email_subject if kind == "invitation" else campaign.reminder_subject
        self.body = campaign.email_body if kind == "invitation" else campaign.reminder_body
        self.pending: list[dict] = []  # outcomes not yet committed (written with the next intents)
        self.hashes: dict[int, tuple[str, str]] = {}  # token hashes of e-mails not yet attempted
        self.token_rows: list[dict] = []  # token rows to insert with the next intents
        self.beat_at = 0.0
        table = Delivery.__table__  # Core statements, built once: the per-message path stays lean
        self.insert_intent = insert(table)
        self.insert_token = insert(InvitationToken.__table__)
        key = (table.c.invitation_id == bindparam("b_invitation"), table.c.step == bindparam("b_step"))
        self.update_held = update(table).where(*key, table.c.status == "held")
        self.update_resend = update(table).where(*key, table.c.status == "unconfirmed")
        self.update_outcome = update(table).where(*key)

    def _tokens(self, rows: list[dict]) -> dict[int, tuple[str, str]]:
        """New survey and unsubscribe tokens for these rows; their hashes are inserted with the intents
        (in the same commit), before any of them is e-mailed."""
        now, tokens = utcnow(), {}
        for row in rows:
            (survey, survey_hash), (unsub, unsub_hash) = new_token(), new_token()
            tokens[int(row["invitation_id"])] = (survey, unsub)
            self.hashes[int(row["invitation_id"])] = (survey_hash, unsub_hash)
            common = {"invitation_id": int(row["invitation_id"]), "step": int(row["step"]), "created_at": now}
            self.token_rows += [
                {**common, "token_hash": survey_hash, "purpose": "survey", "expires_at": row["expires_at"]},
                {**common, "token_hash": unsub_hash, "purpose": "unsubscribe",
                 "expires_at": now + dt.timedelta(days=self.unsubscribe_days)}]
        return tokens

    def _write_pending(self) -> None:
        if self.pending:
            outcomes, self.pending = self.pending, []
            db.session.connection().execute(self.update_outcome, outcomes)

    def _intents(self, rows: list[dict], messages: list[Any]) -> None:
        """Commit the intents of these messages and their links (with the outcomes of the messages
        before them)."""
        self._write_pending()
        if self.token_rows:
            links, self.token_rows = self.token_rows, []
            db.session.execute(self.insert_token, links)
        now = utcnow()
        new, held, resend = [], [], []
        for row, message in zip(rows, messages):
            values = {"b_invitation": int(row["invitation_id"]), "b_step": int(row["step"]), "status": "sending",
                      "message_id": message.message_id, "created_at": now, "smtp_reply": None}
            if row.get("resend"):
                resend.append(values)
            elif row.get("held"):
                held.append(values)
            else:
                new.append({"invitation_id": values.pop("b_invitation"), "step": values.pop("b_step"),
                            "attempts": 0, "contact_id": int(row["contact_id"]), **values})
        connection = db.session.connection()
        for statement, values in ((self.insert_intent, new), (self.update_held, held), (self.update_resend, resend)):
            if values:
                connection.execute(statement, values)
        if time.monotonic() - self.beat_at > self.HEARTBEAT_SECONDS:
            self._heartbeat()
        db.session.commit()

    def _heartbeat(self) -> None:
        self.beat_at = time.monotonic()
        db.session.execute(update(Campaign).where(Campaign.id == self.campaign_id, Campaign.sender == self.me)
                           .values(sender_seen_at=utcnow()))

    def _outcome(self, row: dict, status: str, reply: str, attempts: int) -> None:
        self.pending.append({"b_invitation": int(row["invitation_id"]), "b_step": int(row["step"]), "status": status,
                             "smtp_reply": reply[:2000], "attempts": attempts, "finished_at": utcnow()})
        self.counts[status] += 1

    def _forget_intents(self, rows: list[dict], why: str) -> None:
        """These messages were never taken by the server (4xx, no connection, unusable settings): drop
        their intents and new links so that a re-run sends them (a resend goes back to unconfirmed)."""
        self._write_pending()
        hashes = [h for row in rows for h in self.hashes.pop(int(row["invitation_id"]), ())]
        if hashes:
            db.session.execute(delete(InvitationToken).where(InvitationToken.token_hash.in_(hashes)))
        keys = [(int(row["invitation_id"]), int(row["step"])) for row in rows if not row.get("resend")]
        if keys:
            db.session.execute(delete(Delivery).where(tuple_(Delivery.invitation_id, Delivery.step).in_(keys)))
        for row in rows:
            if row.get("resend"):
                db.session.execute(update(Delivery).where(
                    Delivery.invitation_id == int(row["invitation_id"]), Delivery.step == int(row["step"]))
                    .values(status="unconfirmed", smtp_reply=f"resend not attempted: {why}"[:2000]))
        db.session.commit()

    def _sleep(self, seconds: float) -> None:
        self._write_pending()
        self._heartbeat()
        db.session.commit()  # never hold a write transaction while waiting
        time.sleep(seconds)

    def _render(self, row: dict, tokens: tuple[str, str]) -> Any:
        survey_token, unsub_token = tokens
        language = row["language"] or "en"
        return render_message(self.kind, message_values(self.closes_at, self.definition, row, language), language,
                              self.subject, self.body, f"{self.base_url}/s/{survey_token}",
                              f"{self.base_url}/u/{unsub_token}", unsub_token, row["email"], self.config,
                              message_id=row.get("message_id") or None)

    def deliver(self, row: dict, message: Any) -> None:
        """E-mail one message whose intent is committed, retrying temporary failures with back-off."""
        delay = self.throttle.delay()
        if delay:
            self._sleep(delay)
        name = f"campaign{self.campaign_id}-invitation{row['invitation_id']}-step{row['step']}"
        for attempt in range(1, self.retries + 1):
            try:
                reply = self.transport.send(self.config["MAIL_FROM"], message, name)
            except TemporaryFailure as exc:
                if attempt == self.retries:
                    raise CampaignError(f"the mail server keeps refusing for now ({exc}); {self.counts['sent']} "
                                        "e-mail(s) sent in this run; run it again to send the rest") from exc
                self.transport.close()
                self._sleep(self.backoff * 2 ** (attempt - 1))
                continue
            except PermanentFailure as exc:
                self._outcome(row, "failed", str(exc), attempt)
            except UnknownOutcome as exc:
                self._outcome(row, "unconfirmed", str(exc), attempt)
            else:
                self._outcome(row, "sent", reply, attempt)
            return

    def _deliver_batch(self, rows: list[dict]) -> None:
        """Links, render, one commit of the intents, then the SMTP transactions of ``rows``."""
        tokens = self._tokens(rows)
        messages = [self._render(row, tokens[int(row["invitation_id"])]) for row in rows]
        self._intents(rows, messages)
        for index, (row, message) in enumerate(zip(rows, messages)):
            try:
                self.deliver(row, message)
                self.hashes.pop(int(row["invitation_id"]), None)  # e-mailed (or tried): its links stay
            except (CampaignError, MailSetupError) as exc:  # this message and the rest were never sent
                self._forget_intents(rows[index:], str(exc))
                raise

    def run(self, targets: pd.DataFrame | list[dict]) -> None:
        """Send every row: one SMTP connection per ``VOCAPP_SEND_BATCH_SIZE``, intents committed per
        ``VOCAPP_MAIL_INTENT_BATCH``."""
        batch_size = max(1, int(self.config.get("SEND_BATCH_SIZE", 200)))
        records = targets.to_dict("records") if isinstance(targets, pd.DataFrame) else list(targets)
        total = len(records)
        for start in range(0, total, batch_size):
            batch = records[start:start + batch_size]
            try:
                self.transport.open()
                for first in range(0, len(batch), self.intent_batch):
                    self._deliver_batch(batch[first:first + self.intent_batch])
            except TemporaryFailure as exc:  # from open(): nothing of this batch was attempted
                raise CampaignError(f"cannot reach the mail server: {exc}; run again to send the rest") from exc
            finally:
                self._write_pending()
                sync_invitations(self.campaign_id, [int(row["invitation_id"]) for row in batch])
                db.session.commit()
                self.transport.close()
            if self.progress:
                done = min(start + batch_size, total)
                self.progress(int(100 * done / total), f"{self.kind}s: {done} of {total} done")
