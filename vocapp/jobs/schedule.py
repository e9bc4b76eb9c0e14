"""Periodic jobs: which are due, and the embedded scheduler thread (no broker configured).

With a broker, Celery beat sends each periodic kind at its period (``vocapp worker --beat``); without
one, a daemon thread of the web process looks every ``POLL_SECONDS`` for due kinds, or cron runs
``vocapp jobs run-due``. Either way a kind is due when its latest job was created at least 0.9 of its
period ago, checked under a database lock, so two schedulers never start the same job twice.
"""
from __future__ import annotations

import logging
import os
import threading

from flask import Flask
from sqlalchemy import func, select

from vocapp.extensions import db
from vocapp.jobs.registry import job_kind, job_kinds
from vocapp.models import Job, utcnow
from vocapp.services.locks import hold_lock

log = logging.getLogger(__name__)
POLL_SECONDS = 30.0
_STARTED: dict[int, int] = {}  # id(app) -> pid that runs its scheduler thread
_STARTED_LOCK = threading.Lock()


def create_due_job(kind_name: str) -> Job | None:
    """A new queued job of the periodic kind if it is due (committed), else None."""
    kind = job_kind(kind_name)
    hold_lock(f"jobs.periodic:{kind_name}")
    last = db.session.scalar(select(func.max(Job.created_at)).where(Job.kind == kind_name))
    if last is not None and utcnow() - last < kind.every * 0.9:
        db.session.rollback()
        return None
    job = Job(kind=kind_name, params={}, status="queued")
    db.session.add(job)
    db.session.commit()
    return job


def due_jobs() -> list[Job]:
    """Queued jobs for every periodic kind that is due now (not started yet)."""
    return [job for kind in job_kinds().values() if kind.every is not None
            for job in [create_due_job(kind.name)] if job is not None]


class EmbeddedScheduler(threading.Thread):
    """Daemon thread: every ``poll_seconds``, queue the due periodic jobs and run each in a thread."""

    def __init__(self, app: Flask, poll_seconds: float) -> None:
        super().__init__(name="vocapp-job-scheduler", daemon=True)
        self.app, self.poll_seconds = app, poll_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        from vocapp.jobs.queue import dispatch

        while not self.stopped.is_set():
            try:
                with self.app.app_context():
                    for job in due_jobs():
                        dispatch(job)
            except Exception:  # noqa: BLE001 - keep scheduling; the log says what went wrong
                log.exception("embedded job scheduler")
            self.stopped.wait(self.poll_seconds)

    def stop(self) -> None:
        """Stop after the current round."""
        self.stopped.set()


def start_embedded_scheduler(app: Flask, poll_seconds: float = POLL_SECONDS) -> EmbeddedScheduler | None:
    """Start the embedded scheduler of ``app`` in this process, unless it runs already (then None)."""
    with _STARTED_LOCK:
        if _STARTED.get(id(app)) == os.getpid():
            return None
        _STARTED[id(app)] = os.getpid()
    scheduler = EmbeddedScheduler(app, poll_seconds)
    scheduler.start()
    return scheduler


def init_app(app: Flask) -> None:
    """In the embedded mode, start the scheduler thread with the first request a process serves
    (unless ``JOBS_EMBEDDED_SCHEDULER`` is false; tests leave it off)."""
    from vocapp.jobs.queue import broker_url

    if broker_url(app) or not app.config.get("JOBS_EMBEDDED_SCHEDULER", not app.testing):
        return

    @app.before_request
    def _scheduler() -> None:
        start_embedded_scheduler(app)
