"""The campaign send job on a real Celery worker (a `vocapp worker` subprocess) against Redis, with its
own queue; the worker e-mails through a real SMTP server on loopback."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from campaign_setup import add_contacts, load_survey, smtp_server
from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from test_jobs_celery import _clean_redis, broker_app, start_worker  # noqa: F401 (fixtures: one queue per session)
from vocapp.extensions import db
from vocapp.models import Delivery
from vocapp.services.campaigns import create_campaign

pytestmark = pytest.mark.slow


@pytest.fixture
def smtp_for_worker(app, monkeypatch):
    """A loopback SMTP server, its address in the environment the worker starts with."""
    with smtp_server(app) as server:
        monkeypatch.setenv("VOCAPP_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("VOCAPP_SMTP_PORT", str(app.config["SMTP_PORT"]))
        monkeypatch.setenv("VOCAPP_SEND_RATE_PER_MINUTE", "0")
        monkeypatch.setenv("VOCAPP_BASE_URL", "http://127.0.0.1")
        monkeypatch.delenv("VOCAPP_MAIL_OUTBOX", raising=False)
        yield server


def test_the_send_job_runs_on_a_celery_worker(smtp_for_worker, broker_app, start_worker, client_as):
    load_survey()
    add_contacts(5)
    campaign, _ = create_campaign("b2b_relationship", "On a worker")
    worker = start_worker()
    client = client_as("designer")
    token = csrf_token(client, f"/campaigns/{campaign.id}")
    job_id = job_id_from(client.post(f"/campaigns/{campaign.id}/send", data={"csrf_token": token}))
    status = wait_for_job(client, job_id)
    assert status["status"] == "done", status
    assert status["result"]["sent"] == 5 and len(smtp_for_worker.messages) == 5
    assert "vocapp.jobs.run" in worker.log.read_text()  # the worker ran it, not a thread of this process
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent")) == 5
