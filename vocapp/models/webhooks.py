"""Webhooks: endpoints admins register, the events vocapp announces, each delivery and each attempt.

Events and their deliveries are written in the transaction of the change they announce (an outbox):
a change that rolls back announces nothing, a committed one is delivered even if the process dies
right after the commit (the periodic job picks up what is due). See docs/webhooks.md.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vocapp.models.base import Base, utcnow

WEBHOOK_EVENT_TYPES = ("response.completed", "account.zone_changed", "account.leave_alone_changed",
                       "campaign.closed")
#: pending (waiting for its next attempt) -> sending (claimed by a sender) -> delivered | failed (gave up)
WEBHOOK_DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed")
#: ok: 2xx; http_error: another status (3xx too: redirects are not followed); refused: the address check;
#: interrupted: the sender stopped before it recorded the outcome (the receiver may have had it)
WEBHOOK_ATTEMPT_OUTCOMES = ("ok", "http_error", "timeout", "connection_error", "refused", "interrupted")


class WebhookEndpoint(Base):
    """An HTTPS URL an admin registered to receive some event types, with its signing secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(300), default="")
    #: the event types it receives (a subset of WEBHOOK_EVENT_TYPES)
    event_types: Mapped[list[Any]] = mapped_column(default=list)
    #: the whsec_ secret, encrypted with a key derived from SECRET_KEY (docs/security.md)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    #: after a rotation the old secret also signs, until this time (receivers switch without a gap)
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[datetime | None]
    #: an admin allowed this endpoint to reach private, loopback or link-local addresses (audited)
    allow_private_network: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]
    #: why it was disabled: by whom, or the failures that disabled it automatically
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    #: the first failed attempt since the last success (None while it succeeds)
    failing_since: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))


class WebhookEvent(Base):
    """One announced event: its Standard Webhooks message id and the exact JSON body that is signed."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_type_created_at", "type", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the webhook-id header, the same on every attempt and replay (receivers dedupe on it)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    #: the JSON body as sent: {"type", "timestamp", "data"}
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event to one endpoint: its status, attempt count and retry schedule."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id", "endpoint_id", "id"),
        Index("ix_webhook_deliveries_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(
        Enum(*WEBHOOK_DELIVERY_STATUSES, name="webhook_delivery_status", native_enum=False, create_constraint=True),
        default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: seconds to wait after the 1st, 2nd, ... failed attempt (fixed when the delivery is made)
    retry_schedule: Mapped[list[Any]] = mapped_column(default=list)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    #: when a sender claimed it (a claim much older than the timeout means the sender died)
    claimed_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: a replay is a new delivery of the same event (same webhook-id) to the same endpoint
    replay_of_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="SET NULL"))


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: outcome, response code, duration and the start of the response."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(
        Enum(*WEBHOOK_ATTEMPT_OUTCOMES, name="webhook_attempt_outcome", native_enum=False, create_constraint=True))
    status_code: Mapped[int | None]
    #: the address connected to (the one the address check accepted)
    address: Mapped[str | None] = mapped_column(String(64))
    #: the first characters of the response body (bounded)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
