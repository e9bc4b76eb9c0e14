"""Webhook senders work in batches: a few requests in flight at once (bounded), every attempt of a batch
logged in one transaction, and a sender killed mid-batch costs at most a resend with the same webhook-id
(its batch's attempts logged as interrupted)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from vocapp.extensions import db
from vocapp.jobs import wait_for_threads
from vocapp.jobs.webhooks import start_senders
from vocapp.models import WebhookAttempt, WebhookDelivery, utcnow
from vocapp.services import webhooks
from webhook_receiver import Receiver

VOCAPP = Path(sys.executable).parent / "vocapp"


@pytest.fixture
def hooks(app):
    app.config.update(BROKER_URL=None, WEBHOOK_ALLOW_HTTP_LOOPBACK=True, WEBHOOK_RETRY_BASE_SECONDS=0.0,
                      WEBHOOK_RETRY_MAX_SECONDS=0.0, WEBHOOK_TIMEOUT_SECONDS=5, WEBHOOK_MAX_ATTEMPTS=3,
                      WEBHOOK_CONCURRENCY=3)
    yield app
    wait_for_threads(30)
    webhooks.set_dispatcher(start_senders)


def announce(receiver: Receiver, n: int) -> None:
    """Register the receiver and record ``n`` campaign.closed events for it in one commit."""
    _endpoint, receiver.secret = webhooks.create_endpoint(receiver.url, ["campaign.closed"],
                                                          allow_private_network=True)
    webhooks.record_events("campaign.closed", [{"campaign": {"id": i, "name": f"C{i}"}} for i in range(n)])
    db.session.commit()


def test_a_batch_goes_out_a_few_at_a_time_and_every_attempt_is_logged(hooks):
    with Receiver(statuses=[500, 503], delay=0.3) as receiver:
        announce(receiver, 9)  # the commit starts a sender; two of its nine attempts fail and are retried
        wait_for_threads(60)
        webhooks.send_due()
    assert 2 <= receiver.max_in_flight <= 3  # concurrent, and no more than VOCAPP_WEBHOOK_CONCURRENCY
    db.session.expire_all()
    deliveries = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [d.status for d in deliveries] == ["delivered"] * 9
    assert sorted(d.attempts for d in deliveries) == [1] * 7 + [2] * 2
    attempts = db.session.scalars(select(WebhookAttempt)).all()
    assert len(attempts) == len(receiver.received) == 11  # each request the receiver saw is logged once
    assert Counter(a.outcome for a in attempts) == {"ok": 9, "http_error": 2}
    for delivery in deliveries:
        numbers = sorted(a.number for a in attempts if a.delivery_id == delivery.id)
        assert numbers == list(range(1, delivery.attempts + 1))
    ids = Counter(r["headers"]["webhook-id"] for r in receiver.received)
    assert len(ids) == 9 and sorted(ids.values()) == [1] * 7 + [2] * 2  # a retry repeats its webhook-id


@pytest.mark.slow
def test_a_sender_killed_mid_batch_resends_with_the_same_webhook_ids_once_its_claim_is_stale(hooks, tmp_path):
    webhooks.set_dispatcher(lambda endpoint_ids: None)  # the subprocess below is the only sender
    with Receiver(delay=0.5) as receiver:
        announce(receiver, 6)
        env = {**os.environ, "VOCAPP_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
               "VOCAPP_INSTANCE_PATH": str(tmp_path), "VOCAPP_SECRET_KEY": hooks.config["SECRET_KEY"],
               "VOCAPP_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true", "VOCAPP_WEBHOOK_CONCURRENCY": "2"}
        env.pop("VOCAPP_BROKER_URL", None)
        sender = subprocess.Popen([str(VOCAPP), "webhooks", "send-due"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        receiver.on_request = lambda count: count == 2 and os.kill(sender.pid, signal.SIGKILL)
        sender.wait(timeout=120)
        assert sender.returncode == -signal.SIGKILL, sender.stderr.read()
        receiver.on_request = None
        seen = [r["headers"]["webhook-id"] for r in receiver.received]
        assert len(seen) == 2
        db.session.expire_all()
        assert {d.status for d in db.session.scalars(select(WebhookDelivery))} == {"sending"}
        assert webhooks.send_due() == {}  # the dead sender's claim is still fresh: nobody sends twice now
        db.session.execute(update(WebhookDelivery).values(claimed_at=utcnow() - timedelta(hours=1)))
        db.session.commit()  # as if the stale limit had passed
        assert webhooks.send_due() == {"ok": 6}
    ids = Counter(r["headers"]["webhook-id"] for r in receiver.received)
    assert len(ids) == 6 and all(ids[message_id] == 2 for message_id in seen)  # at least once, same id
    assert all(r["verified"] for r in receiver.received)
    db.session.expire_all()
    assert {(d.status, d.attempts) for d in db.session.scalars(select(WebhookDelivery))} == {("delivered", 2)}
    # the log keeps the lost batch: every claimed delivery's first attempt is interrupted, its second ok
    log = Counter((a.number, a.outcome) for a in db.session.scalars(select(WebhookAttempt)))
    assert log == {(1, "interrupted"): 6, (2, "ok"): 6}
