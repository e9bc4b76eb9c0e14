"""Reading deliveries back for the staff pages and the command line."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from vocapp.extensions import db
from vocapp.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from vocapp.services.webhooks.endpoints import WebhookError


@dataclass
class DeliveryRow:
    """One delivery with its event's type and webhook-id, for lists."""

    delivery: WebhookDelivery
    event_type: str
    message_id: str


def recent_deliveries(endpoint_id: int | None = None, limit: int = 50) -> list[DeliveryRow]:
    """The newest deliveries (of one endpoint, when given)."""
    stmt = (select(WebhookDelivery, WebhookEvent.type, WebhookEvent.message_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .order_by(WebhookDelivery.id.desc()).limit(limit))
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    return [DeliveryRow(*row) for row in db.session.execute(stmt).all()]


@dataclass
class DeliveryDetail:
    """A delivery, its event (with the exact body sent), its endpoint and every attempt."""

    delivery: WebhookDelivery
    event: WebhookEvent
    endpoint: WebhookEndpoint
    attempts: list[WebhookAttempt]


def delivery_detail(delivery_id: int) -> DeliveryDetail:
    """Everything about one delivery; WebhookError when there is none."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise WebhookError(f"there is no webhook delivery {delivery_id}")
    attempts = list(db.session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
                                       .order_by(WebhookAttempt.number)))
    return DeliveryDetail(delivery, db.session.get(WebhookEvent, delivery.event_id),
                          db.session.get(WebhookEndpoint, delivery.endpoint_id), attempts)
