"""Webhook deliveries as jobs: the senders started after a commit that recorded events, and the
periodic job that sends due retries (and anything a sender missed)."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from vocapp.jobs.registry import register
from vocapp.jobs.runner import JobContext


@register("webhooks.send", role="admin")
def send(job: JobContext, endpoint_ids: list[int]) -> dict:
    """Attempt the due deliveries of these endpoints (``vocapp.services.webhooks.send_due``)."""
    from vocapp.services.webhooks import send_due

    return {"endpoint_ids": endpoint_ids, "attempts": send_due(endpoint_ids, progress=job.progress)}


@register("webhooks.due", role="admin", every=timedelta(minutes=1))
def due(job: JobContext) -> dict:
    """Attempt every due delivery (retries whose time came, any a sender missed); delete messages past
    VOCAPP_WEBHOOK_KEEP_DAYS."""
    from vocapp.services.webhooks import prune_events, send_due

    attempts = send_due(progress=job.progress)
    return {"attempts": attempts, "pruned": prune_events()}


def start_senders(endpoint_ids: list[int]) -> None:
    """After a commit that recorded webhook events: queue and start one ``webhooks.send`` job.

    Runs inside the committing session's ``after_commit``, where that session cannot write: the job
    row goes through a session of its own.
    """
    from sqlalchemy.orm import Session

    from vocapp.extensions import db
    from vocapp.jobs.queue import dispatch
    from vocapp.models import Job

    with Session(db.engine, expire_on_commit=False) as session:
        job = Job(kind="webhooks.send", params={"endpoint_ids": list(endpoint_ids)}, status="queued")
        session.add(job)
        session.commit()
    dispatch(job)


def init_app(app: Flask) -> None:
    """Make commits that record webhook events start their senders (``services.webhooks.outbox``)."""
    from vocapp.services.webhooks.outbox import set_dispatcher

    set_dispatcher(start_senders)
