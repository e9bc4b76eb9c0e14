"""Sending deliveries: claim a batch of due ones, check their addresses, POST them signed (a few at
once, ``VOCAPP_WEBHOOK_CONCURRENCY``), log every attempt of the batch, schedule the retries or give up,
and disable an endpoint that has failed for too long.

No database transaction is open during the HTTP requests (SQLite has one writer): a batch is claimed,
read, and its outcomes recorded in three short transactions around the requests, one commit for up
to CLAIM attempts. A sender that dies mid-batch leaves its deliveries claimed; they are released as
pending after the stale limit and sent again (at least once, as Standard Webhooks allows). Every
attempt of a delivery, and every replay, carries the event's one webhook-id, so receivers can drop
duplicates.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update

from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import StaffUser, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent, utcnow
from vocapp.services.audit import record_action
from vocapp.services.progress import Progress, no_progress
from vocapp.services.webhooks.addresses import Target, check_url
from vocapp.services.webhooks.endpoints import WebhookError, get_endpoint, secrets_in_force
from vocapp.services.webhooks.outbox import pending_after_commit, write_events
from vocapp.services.webhooks.signing import signature_headers
from vocapp.services.webhooks.transport import Outcome, concurrency, new_client, post, timeout_seconds

log = logging.getLogger(__name__)
BATCH = 500
#: deliveries claimed at once: one transaction claims them, one records all their attempts
CLAIM = 50
INTERRUPTED = ("the sender stopped before it recorded how this attempt ended; the receiver may have had it "
               "(the next attempt carries the same webhook-id)")


@dataclass(frozen=True)
class Prepared:
    """A claimed delivery, read and checked, ready to sign and POST outside any transaction."""

    delivery_id: int
    message_id: str
    body: str
    keys: tuple[str, ...] = ()
    target: Target | None = None
    #: why it is not sent (the address check, an unreadable secret): recorded as a refused attempt
    refused: str | None = None


def claim(delivery_ids: list[int]) -> list[int]:
    """Take these deliveries for sending, those still pending and due (one short transaction); the ids
    taken, oldest first. Another sender gets none of them."""
    if not delivery_ids:
        return []
    taken = db.session.scalars(update(WebhookDelivery).where(
        WebhookDelivery.id.in_(delivery_ids), WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= utcnow()).values(status="sending", claimed_at=utcnow())
        .returning(WebhookDelivery.id).execution_options(synchronize_session=False)).all()
    db.session.commit()
    return sorted(taken)


def prepare(delivery_ids: list[int]) -> list[Prepared]:
    """Read the claimed deliveries, their messages and endpoints (one transaction), then check each
    endpoint's address once; deliveries whose endpoint was disabled meanwhile are pending again."""
    if not delivery_ids:
        return []
    rows = db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.endpoint_id, WebhookEvent.message_id, WebhookEvent.body)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(delivery_ids)).order_by(WebhookDelivery.id)).all()
    endpoints = {e.id: e for e in db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.id.in_({row.endpoint_id for row in rows})))}
    off = [row.id for row in rows if not endpoints[row.endpoint_id].enabled]
    if off:
        db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(off)).values(
            status="pending", claimed_at=None).execution_options(synchronize_session=False))
    keys: dict[int, tuple[str, ...] | str] = {}
    urls = {e.id: (e.url, e.allow_private_network) for e in endpoints.values() if e.enabled}
    for endpoint_id in urls:
        try:
            keys[endpoint_id] = tuple(secrets_in_force(endpoints[endpoint_id]))
        except VocappError as exc:  # an unreadable secret
            keys[endpoint_id] = str(exc)
    db.session.commit()  # no transaction stays open during the address checks and the requests
    targets: dict[int, Target | str] = {}
    for endpoint_id, (url, allow) in urls.items():
        try:
            targets[endpoint_id] = check_url(url, allow)
        except VocappError as exc:  # AddressRefused
            targets[endpoint_id] = str(exc)
    prepared = []
    for row in rows:
        if row.endpoint_id not in urls:
            continue
        key, target = keys[row.endpoint_id], targets[row.endpoint_id]
        refused = target if isinstance(target, str) else key if isinstance(key, str) else None
        prepared.append(Prepared(row.id, row.message_id, row.body, () if refused else key,
                                 None if refused else target, refused))
    return prepared


def send_one(client: Any, item: Prepared, timeout: float) -> tuple[int, datetime, Outcome]:
    """Sign and POST one prepared delivery (no database, no app context: runs in worker threads)."""
    started_at = utcnow()
    if item.refused is not None:
        return item.delivery_id, started_at, Outcome("refused", error=item.refused)
    headers = signature_headers(item.message_id, started_at, item.body, list(item.keys))
    return item.delivery_id, started_at, post(client, item.target, headers, item.body.encode("utf-8"), timeout)


def record(results: list[tuple[int, datetime, Outcome]]) -> None:
    """Store a batch's attempts, move each delivery on and track the endpoints' failures (one commit)."""
    if not results:
        return
    deliveries = {d.id: d for d in db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.id.in_([delivery_id for delivery_id, _, _ in results])))}
    attempts = [_record_one(deliveries[delivery_id], started_at, outcome) for delivery_id, started_at, outcome in results]
    db.session.execute(insert(WebhookAttempt), attempts)
    db.session.commit()


def _record_one(delivery: WebhookDelivery, started_at: datetime, outcome: Outcome) -> dict[str, Any]:
    """Move the delivery and its endpoint on after one attempt; the attempt's row (for one INSERT)."""
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    now = utcnow()
    delivery.attempts += 1
    attempt = {"delivery_id": delivery.id, "number": delivery.attempts, "started_at": started_at,
               "duration_ms": round(outcome.duration_ms, 1), "outcome": outcome.outcome,
               "status_code": outcome.status_code, "address": outcome.address,
               "response_excerpt": outcome.excerpt, "error": outcome.error}
    delivery.last_status_code, delivery.claimed_at = outcome.status_code, None
    if outcome.outcome == "ok":
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "delivered", now, None
        endpoint.last_success_at, endpoint.failing_since = now, None
    else:
        schedule = list(delivery.retry_schedule or [])
        if delivery.attempts <= len(schedule):
            delivery.status = "pending"
            delivery.next_attempt_at = now + timedelta(seconds=float(schedule[delivery.attempts - 1]))
        else:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = "failed", now, None
        endpoint.last_failure_at = now
        endpoint.failing_since = endpoint.failing_since or started_at
        _disable_if_failing_too_long(endpoint, outcome, now)
    return attempt


def _disable_if_failing_too_long(endpoint: WebhookEndpoint, outcome: Outcome, now) -> None:
    window = timedelta(hours=float(current_app.config.get("WEBHOOK_DISABLE_AFTER_HOURS", 24)))
    if not endpoint.enabled or now - endpoint.failing_since < window:
        return
    endpoint.enabled, endpoint.disabled_at = False, now
    endpoint.disabled_reason = (f"disabled automatically: every attempt failed since "
                                f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC (last: {outcome.error or outcome.outcome})")
    record_action(None, "webhooks.endpoint_auto_disable", "webhook_endpoint", endpoint.id,
                  {"url": endpoint.url, "failing_since": endpoint.failing_since.isoformat(),
                   "last_error": outcome.error})
    log.warning("webhook endpoint %s disabled: failing since %s", endpoint.id, endpoint.failing_since)


def release_stale_claims() -> int:
    """Put deliveries back to pending whose sender died mid-batch (claimed long ago, no outcome), each
    with an ``interrupted`` attempt in the log: it may or may not have reached the receiver (one commit)."""
    waves = -(-CLAIM // concurrency())  # a batch is sent in this many rounds of concurrent attempts
    limit = utcnow() - timedelta(seconds=(waves + 2) * 2 * timeout_seconds() + 60)
    stale = dict(db.session.execute(select(WebhookDelivery.id, WebhookDelivery.claimed_at).where(
        WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < limit)).all())
    if not stale:
        db.session.rollback()
        return 0
    released = db.session.execute(update(WebhookDelivery).where(  # a late sender's own outcome wins
        WebhookDelivery.id.in_(stale), WebhookDelivery.status == "sending").values(
        status="pending", claimed_at=None, attempts=WebhookDelivery.attempts + 1)
        .returning(WebhookDelivery.id, WebhookDelivery.attempts).execution_options(synchronize_session=False)).all()
    if released:
        db.session.execute(insert(WebhookAttempt), [
            {"delivery_id": delivery_id, "number": number, "started_at": stale[delivery_id], "duration_ms": 0.0,
             "outcome": "interrupted", "error": INTERRUPTED} for delivery_id, number in released])
    db.session.commit()
    return len(released)


def due_deliveries(endpoint_ids: list[int] | None = None, limit: int = BATCH) -> list[int]:
    """Ids of pending deliveries whose time came, to enabled endpoints (oldest first)."""
    stmt = (select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow(),
                   WebhookEndpoint.enabled.is_(True)).order_by(WebhookDelivery.id).limit(limit))
    if endpoint_ids is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
    return list(db.session.scalars(stmt))


def send_due(endpoint_ids: list[int] | None = None, progress: Progress = no_progress) -> dict[str, int]:
    """Attempt every due delivery (of ``endpoint_ids``, or all); counts of attempts by outcome."""
    from concurrent.futures import ThreadPoolExecutor

    release_stale_claims()
    counts: dict[str, int] = {}
    timeout = timeout_seconds()
    with new_client() as client, ThreadPoolExecutor(concurrency(), thread_name_prefix="vocapp-webhook") as pool:
        while batch := due_deliveries(endpoint_ids):
            for start in range(0, len(batch), CLAIM):
                prepared = prepare(claim(batch[start:start + CLAIM]))
                results = list(pool.map(lambda item: send_one(client, item, timeout), prepared))
                record(results)
                for _delivery_id, _started_at, outcome in results:
                    counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
            progress(50, f"{sum(counts.values())} attempt(s) made")
    return counts


def replay(delivery_id: int, staff: StaffUser | None = None) -> WebhookDelivery:
    """Send a delivery's event to its endpoint again, as a new delivery with the same webhook-id and a
    fresh retry schedule (audited); sent once the caller's commit is done."""
    from vocapp.services.webhooks.outbox import retry_schedule

    original = db.session.get(WebhookDelivery, delivery_id)
    if original is None:
        raise WebhookError(f"there is no webhook delivery {delivery_id}")
    endpoint = get_endpoint(original.endpoint_id)
    if not endpoint.enabled:
        raise WebhookError(f"endpoint {endpoint.id} is disabled; enable it before replaying its deliveries")
    copy = WebhookDelivery(event_id=original.event_id, endpoint_id=endpoint.id, status="pending",
                           retry_schedule=retry_schedule(), next_attempt_at=utcnow(), replay_of_id=original.id)
    db.session.add(copy)
    db.session.flush()
    record_action(staff, "webhooks.replay", "webhook_delivery", original.id, {"new_delivery": copy.id})
    pending_after_commit([endpoint.id])
    db.session.commit()
    return copy


#: the type of the event an admin sends to check an endpoint; it announces no change and cannot be subscribed
TEST_EVENT_TYPE = "webhook.test"


def send_test_event(endpoint_id: int, staff: StaffUser | None = None) -> WebhookDelivery:
    """A ``webhook.test`` event to this one endpoint, whatever types it receives: signed, retried and
    logged like any delivery, so an admin can check the receiver (audited); sent once committed."""
    endpoint = get_endpoint(endpoint_id)
    if not endpoint.enabled:
        raise WebhookError(f"endpoint {endpoint.id} is disabled; enable it before sending it a test event")
    data = {"endpoint": {"id": endpoint.id, "url": endpoint.url},
            "sent_by": staff.email if staff is not None else "vocapp webhooks test",
            "message": "A test event from vocapp: it announces no change."}
    event_id, = write_events(TEST_EVENT_TYPE, [data], [endpoint.id])
    delivery = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)).one()
    record_action(staff, "webhooks.test_event", "webhook_endpoint", endpoint.id,
                  {"delivery": delivery.id, "webhook_id": db.session.get(WebhookEvent, event_id).message_id})
    db.session.commit()
    return delivery
