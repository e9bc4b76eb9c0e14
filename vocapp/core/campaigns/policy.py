"""Campaign lifecycle, invitation expiry, the organisation's contact-frequency rule and reminder policy."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from vocapp.errors import VocappError

#: action -> campaign statuses it may start from
TRANSITIONS = {
    "send": ("draft", "scheduled", "sending", "open"),  # sending: a re-run; open: held-back ones only
    "schedule": ("draft",),
    "remind": ("open",),
    "close": ("draft", "scheduled", "sending", "open"),
    "edit": ("draft", "scheduled"),
}
#: invitation statuses a reminder may go to (e-mailed, not completed, not revoked, failed or bounced)
REMINDABLE = ("sent", "opened", "started")


class LifecycleError(VocappError):
    """An action the campaign's status does not allow."""


def check_transition(status: str, action: str) -> None:
    """Raise LifecycleError unless ``action`` may be taken on a campaign in ``status``."""
    allowed = TRANSITIONS[action]
    if status not in allowed:
        raise LifecycleError(f"cannot {action} a campaign that is {status} (only when {' or '.join(allowed)})")


def invitation_expiry(closes_at: dt.datetime | None, now: dt.datetime, ttl_days: int) -> dt.datetime:
    """When a link stops working: the campaign's closing time, else ``ttl_days`` from now."""
    return closes_at if closes_at is not None else now + dt.timedelta(days=ttl_days)


def frequency_held(recent: pd.Series, contact_ids: pd.Series, max_emails: int) -> pd.Series:
    """Which of ``contact_ids`` the frequency rule holds back: those already sent ``max_emails`` survey
    e-mails in the window. ``recent``: e-mails per contact id in the window. Boolean, aligned with
    ``contact_ids``."""
    counts = contact_ids.map(recent).fillna(0).astype(int)
    return counts >= max_emails


@dataclass(frozen=True)
class ReminderPolicy:
    """At most ``max_reminders`` reminders, at least ``min_days`` after the previous e-mail, only to
    contacts who have not completed."""

    max_reminders: int
    min_days: int


def reminder_due(invitations: pd.DataFrame, policy: ReminderPolicy, now: dt.datetime) -> pd.Series:
    """Which invitations get the next reminder now. Columns: status, reminder_count, last_email_at
    (the latest e-mail of the invitation), reachable (contact not unsubscribed, bounced, ...),
    expires_at."""
    last = pd.to_datetime(invitations["last_email_at"], utc=True)
    waited = (pd.Timestamp(now) - last) >= pd.Timedelta(days=policy.min_days)
    return (invitations["status"].isin(REMINDABLE) & (invitations["reminder_count"] < policy.max_reminders)
            & waited.fillna(False) & invitations["reachable"].astype(bool)
            & (pd.to_datetime(invitations["expires_at"], utc=True) > pd.Timestamp(now)))
