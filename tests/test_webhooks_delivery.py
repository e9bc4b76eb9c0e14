"""Webhook deliveries end to end: real events from the respondent pages, the canvas and campaign
closing, sent signed to a real receiver on loopback that verifies them with ``standardwebhooks``."""
from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from respondent_setup import make_link
from test_respondent_web import _complete
from vocapp.extensions import db
from vocapp.jobs import enqueue, wait_for_threads
from vocapp.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from vocapp.services import webhooks
from webhook_receiver import Receiver

BACKOFF = 0.4  # seconds: the first retry's wait in these tests (doubling, capped at 1 s)


@pytest.fixture
def hooks(app):
    """The test app with fast retries and plain HTTP allowed to the loopback receivers."""
    app.config.update(WEBHOOK_ALLOW_HTTP_LOOPBACK=True, WEBHOOK_RETRY_BASE_SECONDS=BACKOFF,
                      WEBHOOK_RETRY_MAX_SECONDS=1.0, WEBHOOK_TIMEOUT_SECONDS=3, WEBHOOK_MAX_ATTEMPTS=4)
    return app


def register(receiver: Receiver, *events: str):
    """Register the receiver (loopback, allowed for this endpoint) and give it its secret."""
    endpoint, secret = webhooks.create_endpoint(receiver.url, list(events), "test receiver",
                                                allow_private_network=True)
    assert secret.startswith("whsec_")
    receiver.secret = secret
    return endpoint


def run_due_until(condition, timeout: float = 30.0) -> None:
    """Let the senders started by commits finish, then run the periodic webhooks.due job (as the
    scheduler would) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    wait_for_threads(20)
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)
        enqueue("webhooks.due")
        wait_for_threads(20)


def test_a_completed_response_is_delivered_signed_and_a_receiver_failing_twice_gets_it_three_times(hooks, client):
    with Receiver(statuses=[500, 503]) as receiver:
        endpoint = register(receiver, "response.completed")
        link = make_link()
        _complete(client, link)
        run_due_until(lambda: receiver.accepted())
        time.sleep(2 * BACKOFF)
        enqueue("webhooks.due")
        wait_for_threads(20)

    assert [r["status"] for r in receiver.received] == [500, 503, 200]  # once more each time, once accepted
    assert all(r["verified"] for r in receiver.received)
    ids = {r["headers"]["webhook-id"] for r in receiver.received}
    assert len(ids) == 1 and ids.pop().startswith("msg_")  # one webhook-id for every attempt
    assert len({r["body"] for r in receiver.received}) == 1
    payload = receiver.received[-1]["payload"]
    response = link.response()
    invitation = link.invitation()
    assert payload["type"] == "response.completed"
    assert payload["timestamp"].endswith("Z")
    data = payload["data"]
    assert data["response_id"] == response.id and data["survey"] == "b2b_relationship" and data["survey_version"] == 1
    assert data["invitation_id"] == invitation.id and data["campaign"]["id"] == link.campaign_id
    assert data["contact"]["id"] == response.contact_id and data["contact"]["email"].endswith("@example.org")
    assert data["account"]["external_id"].startswith("ACC-") and data["source"] == "web"
    assert data["submitted_at"].startswith(response.submitted_at.strftime("%Y-%m-%dT%H:%M"))

    delivery = db.session.scalars(select(WebhookDelivery)).one()
    attempts = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.number)).all()
    assert (delivery.status, delivery.attempts, delivery.endpoint_id) == ("delivered", 3, endpoint.id)
    assert [(a.outcome, a.status_code) for a in attempts] == [("http_error", 500), ("http_error", 503), ("ok", 200)]
    assert all(a.duration_ms > 0 and a.address == "127.0.0.1" for a in attempts)
    assert attempts[0].response_excerpt == "rejected: busy" and attempts[2].response_excerpt == "accepted"
    # exponential backoff: the second wait is at least twice the first
    waits = [(b.started_at - a.started_at).total_seconds() for a, b in zip(attempts, attempts[1:])]
    assert waits[0] >= BACKOFF and waits[1] >= 2 * BACKOFF, waits
    assert delivery.retry_schedule == [BACKOFF, 2 * BACKOFF, 1.0]


def test_a_tampered_body_or_a_wrong_secret_is_rejected_by_the_receiver(hooks, client):
    with Receiver() as receiver:
        register(receiver, "response.completed")
        _complete(client, make_link())
        run_due_until(lambda: receiver.accepted())
        genuine = receiver.received[0]
        tampered = genuine["body"].replace(b'"source":"web"', b'"source":"import"')
        assert tampered != genuine["body"]
        signed = {k: v for k, v in genuine["headers"].items() if k.startswith("webhook-")}
        answer = httpx.post(receiver.url, content=tampered, headers=signed)
        assert answer.status_code == 400 and receiver.received[-1]["verified"] is False
        with pytest.raises(WebhookVerificationError):
            Webhook(webhooks.signing.new_secret()).verify(genuine["body"], genuine["headers"])
    assert Webhook(receiver.secret).verify(genuine["body"], genuine["headers"])["type"] == "response.completed"


def test_an_event_recorded_in_a_transaction_that_rolls_back_is_never_sent(hooks):
    with Receiver() as receiver:
        register(receiver, "campaign.closed")
        assert webhooks.record_event("campaign.closed", {"campaign": {"id": 1}}) == 1
        db.session.rollback()
        enqueue("webhooks.due")
        wait_for_threads(20)
        assert receiver.received == []
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_replay_sends_the_same_webhook_id_again_as_a_new_delivery(hooks, client):
    with Receiver() as receiver:
        register(receiver, "response.completed")
        _complete(client, make_link())
        run_due_until(lambda: receiver.accepted())
        first = db.session.scalars(select(WebhookDelivery)).one()
        copy = webhooks.replay(first.id)
        run_due_until(lambda: len(receiver.accepted()) == 2)
    assert copy.replay_of_id == first.id
    assert receiver.received[0]["headers"]["webhook-id"] == receiver.received[1]["headers"]["webhook-id"]
    assert receiver.received[0]["body"] == receiver.received[1]["body"]


def test_erasing_a_contact_removes_its_address_from_stored_messages(hooks, client):
    from vocapp.services.rights import erase_contact

    with Receiver() as receiver:
        register(receiver, "response.completed")
        link = make_link()
        _complete(client, link)
        run_due_until(lambda: receiver.accepted())
        email = receiver.received[0]["payload"]["data"]["contact"]["email"]
        erase_contact(email)
        event = db.session.scalars(select(WebhookEvent)).one()
        assert email not in event.body and '"email":"[erased]"' in event.body
        webhooks.replay(db.session.scalars(select(WebhookDelivery.id)).one())
        run_due_until(lambda: len(receiver.accepted()) == 2)
    assert receiver.received[1]["payload"]["data"]["contact"]["email"] == "[erased]"


def test_messages_past_the_keep_period_are_deleted_once_every_delivery_ended(hooks):
    from datetime import timedelta

    from sqlalchemy import update

    from vocapp.models import utcnow

    hooks.config["WEBHOOK_KEEP_DAYS"] = 30
    with Receiver() as receiver:
        register(receiver, "campaign.closed")
        for n in range(3):
            webhooks.record_event("campaign.closed", {"campaign": {"id": n}})
            db.session.commit()
        run_due_until(lambda: len(receiver.accepted()) == 3)
    old, waiting, recent = db.session.scalars(select(WebhookEvent.id).order_by(WebhookEvent.id)).all()
    db.session.execute(update(WebhookEvent).where(WebhookEvent.id.in_([old, waiting]))
                       .values(created_at=utcnow() - timedelta(days=31)))
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.event_id == waiting)
                       .values(status="pending", next_attempt_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    enqueue("webhooks.due")
    wait_for_threads(20)
    db.session.expire_all()
    assert db.session.scalars(select(WebhookEvent.id).order_by(WebhookEvent.id)).all() == [waiting, recent]
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 2  # the old one's went with it
