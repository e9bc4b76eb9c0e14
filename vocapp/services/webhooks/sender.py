"""Sending deliveries: claim a due one, check its address, POST it signed (httpx), log the attempt,
schedule the retry or give up, and disable an endpoint that has failed for too long.

No database transaction is open during the HTTP request (SQLite has one writer): the claim, the read
and the outcome are three short transactions. Every attempt of a delivery, and every replay, carries
the event's one webhook-id, so receivers can drop duplicates.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import StaffUser, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent, utcnow
from vocapp.services.audit import record_action
from vocapp.services.progress import Progress, no_progress
from vocapp.services.webhooks.addresses import Target, check_url
from vocapp.services.webhooks.endpoints import WebhookError, get_endpoint, secrets_in_force
from vocapp.services.webhooks.outbox import pending_after_commit
from vocapp.services.webhooks.signing import signature_headers

log = logging.getLogger(__name__)
#: bytes of a response read (the rest is not waited for) and characters of it kept
READ_BYTES = 4096
EXCERPT_CHARS = 1000
BATCH = 100
#: deliveries claimed at once (one transaction for the lot); all are attempted well within the stale limit
CLAIM = 10
USER_AGENT = "vocapp-webhooks/1"


@dataclass
class Outcome:
    """What one attempt gave."""

    outcome: str
    status_code: int | None = None
    excerpt: str | None = None
    error: str | None = None
    address: str | None = None
    duration_ms: float = 0.0


def _timeout() -> float:
    return max(0.1, float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", 5)))


def post(client: Any, target: Target, headers: dict[str, str], body: bytes) -> Outcome:
    """POST ``body`` to the checked address of ``target`` (TLS checked against the host name, no
    redirects followed); reads at most READ_BYTES of the answer."""
    import httpx

    started = time.monotonic()
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    request_headers = {**headers, "host": target.host_header, "content-type": "application/json",
                       "user-agent": USER_AGENT}
    for address in target.addresses[:-1]:  # a name with several addresses: the next one if one refuses
        try:
            return _post_to(client, target, address, request_headers, extensions, body, started)
        except httpx.ConnectError:
            continue
    try:
        return _post_to(client, target, target.addresses[-1], request_headers, extensions, body, started)
    except httpx.TimeoutException as exc:
        return Outcome("timeout", error=f"no answer within {_timeout():g} s ({type(exc).__name__})",
                       address=target.addresses[-1], duration_ms=(time.monotonic() - started) * 1000)
    except httpx.HTTPError as exc:
        return Outcome("connection_error", error=f"{type(exc).__name__}: {exc}"[:500], address=target.addresses[-1],
                       duration_ms=(time.monotonic() - started) * 1000)


def _post_to(client: Any, target: Target, address: str, headers: dict[str, str], extensions: dict, body: bytes,
             started: float) -> Outcome:
    """One POST to one checked address; the outcome (connection errors raised, for the caller)."""
    import httpx

    with client.stream("POST", target.connect_url(address), content=body, headers=headers,
                       extensions=extensions) as response:
        chunks, size = [], 0
        try:
            for chunk in response.iter_raw():
                chunks.append(chunk)
                size += len(chunk)
                if size >= READ_BYTES or time.monotonic() - started > 2 * _timeout():
                    break
        except httpx.HTTPError:
            pass  # the status counts; the body is only an excerpt
        text = b"".join(chunks)[:READ_BYTES].decode("utf-8", "replace")[:EXCERPT_CHARS]
        ok = 200 <= response.status_code < 300
        return Outcome("ok" if ok else "http_error", response.status_code, text,
                       None if ok else f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                       address, (time.monotonic() - started) * 1000)


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


def attempt(client: Any, delivery_id: int) -> str | None:
    """Make the next attempt of a delivery this sender claimed; its outcome, or None when its endpoint
    was disabled meanwhile (the delivery is pending again)."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if not endpoint.enabled:
        delivery.status, delivery.claimed_at = "pending", None
        db.session.commit()
        return None
    event = db.session.get(WebhookEvent, delivery.event_id)
    url, allow, body, message_id = endpoint.url, endpoint.allow_private_network, event.body, event.message_id
    started_at = utcnow()
    try:
        keys = secrets_in_force(endpoint)
        db.session.commit()  # no transaction stays open during the request
        target = check_url(url, allow)
        outcome = post(client, target, signature_headers(message_id, started_at, body, keys), body.encode("utf-8"))
    except VocappError as exc:  # the address check (AddressRefused) or an unreadable secret
        db.session.rollback()
        outcome = Outcome("refused", error=str(exc))
    _record(delivery_id, started_at, outcome)
    return outcome.outcome


def _record(delivery_id: int, started_at, outcome: Outcome) -> None:
    """Store the attempt, move the delivery on and track the endpoint's failures (one transaction)."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    now = utcnow()
    delivery.attempts += 1
    db.session.add(WebhookAttempt(delivery_id=delivery.id, number=delivery.attempts, started_at=started_at,
                                  duration_ms=round(outcome.duration_ms, 1), outcome=outcome.outcome,
                                  status_code=outcome.status_code, address=outcome.address,
                                  response_excerpt=outcome.excerpt, error=outcome.error))
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
    db.session.commit()


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
    """Put deliveries back to pending whose sender died mid-attempt (claimed long ago, no outcome)."""
    limit = utcnow() - timedelta(seconds=(CLAIM + 2) * 2 * _timeout() + 60)
    result = db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < limit).values(
        status="pending", claimed_at=None).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def due_deliveries(endpoint_ids: list[int] | None = None, limit: int = BATCH) -> list[int]:
    """Ids of pending deliveries whose time came, to enabled endpoints (oldest first)."""
    stmt = (select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow(),
                   WebhookEndpoint.enabled.is_(True)).order_by(WebhookDelivery.id).limit(limit))
    if endpoint_ids is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
    return list(db.session.scalars(stmt))


def _tls_context():
    """Certificate checks: the certifi bundle, plus VOCAPP_WEBHOOK_CA_FILE's authorities when set."""
    import ssl

    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    extra = current_app.config.get("WEBHOOK_CA_FILE")
    if extra:
        context.load_verify_locations(cafile=str(extra))
    return context


def send_due(endpoint_ids: list[int] | None = None, progress: Progress = no_progress) -> dict[str, int]:
    """Attempt every due delivery (of ``endpoint_ids``, or all); counts of attempts by outcome."""
    import httpx

    release_stale_claims()
    counts: dict[str, int] = {}
    with httpx.Client(timeout=httpx.Timeout(_timeout()), follow_redirects=False, trust_env=False,
                      verify=_tls_context()) as client:
        while batch := due_deliveries(endpoint_ids):
            for start in range(0, len(batch), CLAIM):
                for delivery_id in claim(batch[start:start + CLAIM]):
                    outcome = attempt(client, delivery_id)
                    if outcome is not None:
                        counts[outcome] = counts.get(outcome, 0) + 1
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
