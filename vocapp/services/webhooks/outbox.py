"""The outbox: events and their deliveries are added to the session of the change they announce, and
the senders are started only once that transaction has committed.

``record_events`` writes the rows (nothing when no enabled endpoint wants the type) and remembers the
endpoints in ``session.info``; a session ``after_commit`` listener hands them to the dispatcher the
job layer installs (``set_dispatcher``), a rollback forgets them. Whatever the dispatcher misses (the
process died right after the commit) the periodic ``webhooks.due`` job sends, so nothing is lost.
"""
from __future__ import annotations

import json
import logging
import secrets
from typing import Any, Callable

from flask import current_app
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from vocapp.extensions import db
from vocapp.models import WEBHOOK_EVENT_TYPES, WebhookDelivery, WebhookEndpoint, WebhookEvent, utcnow

log = logging.getLogger(__name__)
_PENDING = "vocapp.webhooks.pending_endpoints"
_DISPATCHER: list[Callable[[list[int]], None]] = []


def retry_schedule() -> list[float]:
    """Seconds to wait after each failed attempt: base, 2 x base, 4 x base, ... capped; one entry fewer
    than the attempts allowed (VOCAPP_WEBHOOK_RETRY_BASE_SECONDS, _RETRY_MAX_SECONDS, _MAX_ATTEMPTS)."""
    config = current_app.config
    base = max(0.0, float(config.get("WEBHOOK_RETRY_BASE_SECONDS", 60)))
    cap = max(base, float(config.get("WEBHOOK_RETRY_MAX_SECONDS", 28800)))
    attempts = max(1, int(config.get("WEBHOOK_MAX_ATTEMPTS", 12)))
    return [min(cap, base * 2 ** n) for n in range(attempts - 1)]


def new_message_id() -> str:
    """A Standard Webhooks message id: ``msg_`` and 26 random URL-safe characters."""
    return "msg_" + secrets.token_urlsafe(20)


def subscribers(event_type: str) -> list[int]:
    """Ids of the enabled endpoints that receive ``event_type``."""
    rows = db.session.execute(select(WebhookEndpoint.id, WebhookEndpoint.event_types)
                              .where(WebhookEndpoint.enabled.is_(True))).all()
    return [endpoint_id for endpoint_id, types in rows if event_type in (types or [])]


def body_of(event_type: str, data: dict[str, Any], at=None) -> str:
    """The JSON body of an event: ``{"type", "timestamp", "data"}`` (the signed bytes)."""
    timestamp = (at or utcnow()).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": event_type, "timestamp": timestamp, "data": data}, separators=(",", ":"),
                      ensure_ascii=False, sort_keys=False)


def record_events(event_type: str, datas: list[dict[str, Any]]) -> int:
    """Add one event per ``data`` and its deliveries to the session (the caller commits); the number
    of events written (0 when no enabled endpoint receives the type)."""
    if event_type not in WEBHOOK_EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoint_ids = subscribers(event_type) if datas else []
    return len(write_events(event_type, datas, endpoint_ids)) if endpoint_ids else 0


def write_events(event_type: str, datas: list[dict[str, Any]], endpoint_ids: list[int]) -> list[int]:
    """Add one event per ``data``, each with a delivery to every endpoint of ``endpoint_ids``, to the
    session, and start their senders after the commit; the event ids."""
    now = utcnow()
    rows = [{"message_id": new_message_id(), "type": event_type, "body": body_of(event_type, data, now),
             "created_at": now} for data in datas]
    event_ids = db.session.scalars(insert(WebhookEvent).returning(WebhookEvent.id, sort_by_parameter_order=True),
                                   rows).all()
    schedule = retry_schedule()
    db.session.execute(insert(WebhookDelivery), [
        {"event_id": event_id, "endpoint_id": endpoint_id, "status": "pending", "attempts": 0,
         "retry_schedule": schedule, "next_attempt_at": now, "created_at": now}
        for event_id in event_ids for endpoint_id in endpoint_ids])
    pending_after_commit(endpoint_ids)
    return list(event_ids)


def record_event(event_type: str, data: dict[str, Any]) -> int:
    """``record_events`` for one event."""
    return record_events(event_type, [data])


def pending_after_commit(endpoint_ids: list[int]) -> None:
    """Start the senders of these endpoints once the session's transaction commits."""
    db.session.info.setdefault(_PENDING, set()).update(endpoint_ids)


def set_dispatcher(dispatcher: Callable[[list[int]], None]) -> None:
    """Install the function that starts the senders of some endpoints (the job layer's)."""
    _DISPATCHER[:] = [dispatcher]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    endpoint_ids = session.info.pop(_PENDING, None)
    if not endpoint_ids or not _DISPATCHER:
        return
    try:
        _DISPATCHER[0](sorted(endpoint_ids))
    except Exception:  # noqa: BLE001 - the commit stands; the periodic job sends what is due
        log.exception("webhooks: could not start the senders of endpoints %s", sorted(endpoint_ids))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
