"""Keeping the webhook tables small and free of erased personal data: old messages are deleted, an
erased contact's e-mail is removed from stored messages."""
from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, select

from vocapp.extensions import db
from vocapp.models import WebhookDelivery, WebhookEvent, utcnow

ERASED = "[erased]"


def prune_events() -> int:
    """Delete messages older than VOCAPP_WEBHOOK_KEEP_DAYS whose every delivery has ended (delivered or
    failed), with their deliveries and attempts; the number deleted (the caller commits)."""
    cutoff = utcnow() - timedelta(days=float(current_app.config.get("WEBHOOK_KEEP_DAYS", 30)))
    waiting = exists().where(WebhookDelivery.event_id == WebhookEvent.id,
                             WebhookDelivery.status.in_(("pending", "sending")))
    old = select(WebhookEvent.id).where(WebhookEvent.created_at < cutoff, ~waiting)
    ids = list(db.session.scalars(old))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(chunk)))
        db.session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(chunk)))
    return len(ids)


def forget_address(address: str) -> int:
    """Replace an erased contact's e-mail address in stored messages, those still to be sent included
    (they are signed again at each attempt); the number of messages changed. The caller commits."""
    needle = json.dumps(address)[1:-1]
    events = db.session.scalars(select(WebhookEvent).where(WebhookEvent.body.contains(needle, autoescape=True)))
    changed = 0
    for event in events:
        event.body = event.body.replace(needle, ERASED)
        changed += 1
    return changed
