"""Webhook deliveries on a real Celery worker (a `vocapp worker` subprocess) with Redis: the commit
that records the event queues the sender, the worker signs and sends, a retry goes through the
periodic job on the worker too. The queue (and Redis key prefix) is this session's own."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from respondent_setup import make_link
from test_jobs_celery import _clean_redis, broker_app, start_worker  # noqa: F401 (fixtures)
from test_respondent_web import _complete
from test_webhooks_delivery import register
from vocapp.extensions import db
from vocapp.jobs import enqueue
from vocapp.models import Job, WebhookDelivery
from webhook_receiver import Receiver

pytestmark = pytest.mark.slow
SETTINGS = {"WEBHOOK_ALLOW_HTTP_LOOPBACK": "true", "WEBHOOK_RETRY_BASE_SECONDS": "0.3",
            "WEBHOOK_TIMEOUT_SECONDS": "3", "WEBHOOK_MAX_ATTEMPTS": "3"}


@pytest.fixture
def webhook_settings(monkeypatch, app):
    """The same webhook settings in the test app and (through the environment) in the worker."""
    for name, value in SETTINGS.items():
        monkeypatch.setenv(f"VOCAPP_{name}", value)
    app.config.update(WEBHOOK_ALLOW_HTTP_LOOPBACK=True, WEBHOOK_RETRY_BASE_SECONDS=0.3, WEBHOOK_TIMEOUT_SECONDS=3,
                      WEBHOOK_MAX_ATTEMPTS=3)


def _wait(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_delivery_and_its_retry_run_on_a_celery_worker(webhook_settings, broker_app, start_worker, client):
    worker = start_worker()
    with Receiver(statuses=[500]) as receiver:
        register(receiver, "response.completed")
        _complete(client, make_link())
        _wait(lambda: len(receiver.received) == 1)
        time.sleep(0.5)  # past the first retry's wait
        _wait(lambda: db.session.rollback() or db.session.scalars(select(WebhookDelivery)).one().status == "pending")
        enqueue("webhooks.due")  # what Celery beat sends every minute
        _wait(lambda: receiver.accepted())
    assert [r["status"] for r in receiver.received] == [500, 200] and all(r["verified"] for r in receiver.received)
    db.session.rollback()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    _wait(lambda: db.session.rollback() or all(job.status == "done" for job in db.session.scalars(select(Job))))
    kinds = sorted(job.kind for job in db.session.scalars(select(Job)))
    assert kinds == ["webhooks.due", "webhooks.send"]
    assert worker.log.read_text().count("vocapp.jobs.run") >= 2  # the worker ran both, not this process
