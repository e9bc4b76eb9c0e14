"""Webhook endpoints: register (the secret is shown once), list, enable and disable, rotate the secret,
allow a private address; every change is audited."""
from __future__ import annotations

import ipaddress
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import WEBHOOK_EVENT_TYPES, StaffUser, WebhookDelivery, WebhookEndpoint, utcnow
from vocapp.services.audit import record_action
from vocapp.services.webhooks.addresses import check_url, why_not_public
from vocapp.services.webhooks.signing import decrypt_secret, encrypt_secret, new_secret

MAX_DESCRIPTION = 300


class WebhookError(VocappError):
    """A webhook request that cannot be done; the message says why."""


def _event_types(event_types: list[str]) -> list[str]:
    chosen = [t.strip() for t in event_types if t and t.strip()]
    unknown = sorted(set(chosen) - set(WEBHOOK_EVENT_TYPES))
    if unknown:
        raise WebhookError(f"unknown event type(s) {', '.join(unknown)}; known: {', '.join(WEBHOOK_EVENT_TYPES)}")
    if not chosen:
        raise WebhookError(f"choose at least one event type: {', '.join(WEBHOOK_EVENT_TYPES)}")
    return [t for t in WEBHOOK_EVENT_TYPES if t in chosen]


def create_endpoint(url: str, event_types: list[str], description: str = "", allow_private_network: bool = False,
                    staff: StaffUser | None = None) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint after checking its URL (AddressRefused says why not); returns it and its
    secret, which is shown this once (only an encrypted copy is kept)."""
    types = _event_types(event_types)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise WebhookError(f"the description has {len(description)} characters; at most {MAX_DESCRIPTION}")
    target = check_url(url, allow_private_network)
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url.strip(), description=description, event_types=types,
                               secret_encrypted=encrypt_secret(secret), allow_private_network=allow_private_network,
                               created_by_id=staff.id if staff else None)
    db.session.add(endpoint)
    db.session.flush()
    private = [a for a in target.addresses if why_not_public(ipaddress.ip_address(a))]
    record_action(staff, "webhooks.endpoint_create", "webhook_endpoint", endpoint.id,
                  {"url": endpoint.url, "events": types, "addresses": list(target.addresses),
                   "allow_private_network": allow_private_network, "private_addresses": private,
                   "private_allowed_by": None if not private else "endpoint flag" if allow_private_network
                   else "VOCAPP_WEBHOOK_ALLOWED_HOSTS"})
    db.session.commit()
    return endpoint, secret


def list_endpoints() -> list[WebhookEndpoint]:
    """Every endpoint, newest first."""
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())))


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    """The endpoint; WebhookError when there is none."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise WebhookError(f"there is no webhook endpoint {endpoint_id}")
    return endpoint


def pending_counts() -> dict[int, int]:
    """Deliveries waiting (pending or sending) per endpoint id."""
    rows = db.session.execute(select(WebhookDelivery.endpoint_id, func.count()).where(
        WebhookDelivery.status.in_(("pending", "sending"))).group_by(WebhookDelivery.endpoint_id)).all()
    return dict(rows)


def set_enabled(endpoint_id: int, enabled: bool, staff: StaffUser | None = None) -> WebhookEndpoint:
    """Enable or disable an endpoint (audited). Enabling clears the failure streak; its waiting
    deliveries are then sent (they were kept while it was disabled)."""
    endpoint = get_endpoint(endpoint_id)
    if endpoint.enabled == enabled:
        return endpoint
    if enabled:
        check_url(endpoint.url, endpoint.allow_private_network)  # before any change: refused, nothing changes
    endpoint.enabled = enabled
    if enabled:
        endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
        pending = db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")).all()
        for delivery in pending:
            delivery.next_attempt_at = utcnow()
        from vocapp.services.webhooks.outbox import pending_after_commit

        pending_after_commit([endpoint.id])
    else:
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = f"disabled by {staff.email if staff else 'the command line'}"
    record_action(staff, "webhooks.endpoint_enable" if enabled else "webhooks.endpoint_disable",
                  "webhook_endpoint", endpoint.id, {"url": endpoint.url})
    db.session.commit()
    return endpoint


def rotate_secret(endpoint_id: int, staff: StaffUser | None = None) -> str:
    """Give the endpoint a new secret (returned, shown once). The old one keeps signing alongside for
    VOCAPP_WEBHOOK_SECRET_GRACE_HOURS, so the receiver can switch without rejecting deliveries."""
    endpoint = get_endpoint(endpoint_id)
    grace = timedelta(hours=float(current_app.config.get("WEBHOOK_SECRET_GRACE_HOURS", 24)))
    secret = new_secret()
    try:
        decrypt_secret(endpoint.secret_encrypted)
        endpoint.previous_secret_encrypted = endpoint.secret_encrypted if grace.total_seconds() > 0 else None
    except VocappError:  # unreadable (SECRET_KEY changed): nothing to keep
        endpoint.previous_secret_encrypted = None
    endpoint.previous_secret_expires_at = utcnow() + grace if endpoint.previous_secret_encrypted else None
    endpoint.secret_encrypted = encrypt_secret(secret)
    record_action(staff, "webhooks.secret_rotate", "webhook_endpoint", endpoint.id,
                  {"old_secret_signs_until": endpoint.previous_secret_expires_at.isoformat()
                   if endpoint.previous_secret_expires_at else None})
    db.session.commit()
    return secret


def set_allow_private(endpoint_id: int, allowed: bool, staff: StaffUser | None = None) -> WebhookEndpoint:
    """Allow (or stop allowing) the endpoint to reach private, loopback and link-local addresses (audited)."""
    endpoint = get_endpoint(endpoint_id)
    endpoint.allow_private_network = allowed  # withdrawn: deliveries to a private address are refused
    record_action(staff, "webhooks.allow_private_network", "webhook_endpoint", endpoint.id,
                  {"url": endpoint.url, "allowed": allowed})
    db.session.commit()
    return endpoint


def secrets_in_force(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one during its grace."""
    found = [decrypt_secret(endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_expires_at and \
            endpoint.previous_secret_expires_at > utcnow():
        try:
            found.append(decrypt_secret(endpoint.previous_secret_encrypted))
        except VocappError:
            pass
    return found
