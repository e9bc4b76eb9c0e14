"""Periodic runs that find nothing to do leave no clutter: the jobs list keeps the latest idle run of
each periodic kind (when it last looked; the anchor of its schedule), every run that did work, and
every run a person started."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from vocapp.extensions import db
from vocapp.jobs import enqueue, wait_for_threads
from vocapp.models import Job, StaffUser, WebhookDelivery
from vocapp.services import webhooks
from webhook_receiver import Receiver

PERIODIC = ["campaigns.due", "retention.apply", "webhooks.due"]


@pytest.fixture
def embedded(app):
    app.config.update(BROKER_URL=None, WEBHOOK_ALLOW_HTTP_LOOPBACK=True, WEBHOOK_RETRY_BASE_SECONDS=0.2,
                      WEBHOOK_RETRY_MAX_SECONDS=0.2, WEBHOOK_TIMEOUT_SECONDS=3, WEBHOOK_MAX_ATTEMPTS=3)
    yield app
    wait_for_threads(30)


def run_due(runner) -> str:
    result = runner.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def later(days: float = 2) -> None:
    """Make every job look ``days`` older, as if that much time had passed since."""
    db.session.expire_all()
    for job in db.session.scalars(select(Job)):
        job.created_at -= timedelta(days=days)
    db.session.commit()


def jobs() -> list[tuple[str, str, str | None]]:
    db.session.expire_all()
    return [(job.kind, job.status, job.step) for job in db.session.scalars(select(Job).order_by(Job.id))]


def test_idle_periodic_runs_replace_each_other_and_keep_the_schedule(embedded, runner, client_as):
    first = run_due(runner)
    assert all(f"({kind}): done" in first for kind in PERIODIC), first
    assert "No periodic job is due." in run_due(runner)  # the kept idle run still anchors the schedule
    for _ in range(3):
        later()
        run_due(runner)
    assert sorted(job for job in jobs() if job[0] in PERIODIC) == [(kind, "done", "nothing to do") for kind in PERIODIC]
    listed = runner.invoke(args=["jobs", "list"]).output
    assert listed.count("nothing to do") == 3, listed
    page = client_as("admin").get("/jobs/").get_data(as_text=True)
    assert page.count("nothing to do") == 3 and page.count("webhooks.due") == 1


def test_runs_that_did_work_or_were_started_by_a_person_are_kept(embedded, runner, make_staff):
    admin_id = make_staff("admin").id
    with Receiver(statuses=[500]) as receiver:
        _endpoint, receiver.secret = webhooks.create_endpoint(receiver.url, ["campaign.closed"],
                                                             allow_private_network=True)
        webhooks.record_event("campaign.closed", {"campaign": {"id": 1, "name": "Spring"}})
        db.session.commit()  # starts a webhooks.send job: its attempt fails, a retry is due 0.2 s later
        wait_for_threads(30)
        time.sleep(0.3)
        run_due(runner)  # webhooks.due sends the retry: a run that did work
        assert [r["status"] for r in receiver.received] == [500, 200]
    assert db.session.scalars(select(WebhookDelivery)).one().status == "delivered"
    working = db.session.scalars(select(Job).where(Job.kind == "webhooks.due")).one()
    assert (working.step, working.result) == ("done", {"attempts": {"ok": 1}, "pruned": 0})
    manual_id = enqueue("webhooks.due", started_by=db.session.get(StaffUser, admin_id)).id
    wait_for_threads(30)
    for _ in range(3):
        later()
        run_due(runner)
    kept = [(kind, step) for kind, _status, step in jobs() if kind == "webhooks.due"]
    assert kept == [("webhooks.due", "done"), ("webhooks.due", "done"), ("webhooks.due", "nothing to do")]
    assert db.session.get(Job, manual_id).started_by_id == admin_id  # the person's run, although idle
    assert [kind for kind, _status, _step in jobs()].count("webhooks.send") == 1
