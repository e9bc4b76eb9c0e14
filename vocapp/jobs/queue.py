"""Queueing jobs and reading them back: ``enqueue`` writes the job row, then hands it to a Celery
worker (``VOCAPP_BROKER_URL`` set) or to a thread of this process (the embedded default)."""
from __future__ import annotations

import json
import logging
import threading
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from vocapp.extensions import db
from vocapp.jobs.registry import JobError, job_kind
from vocapp.jobs.runner import execute, fail_stale_jobs
from vocapp.models import Job, StaffUser, utcnow

log = logging.getLogger(__name__)
#: embedded-mode job threads of this process (tests and shutdown join them)
_THREADS: list[threading.Thread] = []
_THREADS_LOCK = threading.Lock()


def broker_url(app: Flask | None = None) -> str | None:
    """The Celery broker URL, or None in the embedded mode (jobs in a thread of this process)."""
    return (app or current_app).config.get("BROKER_URL") or None


def create_job(kind: str, params: dict[str, Any], started_by: StaffUser | None = None) -> Job:
    """Check ``params`` against the kind's function and store a queued job (committed)."""
    job_kind(kind).check_params(params)
    try:
        params = json.loads(json.dumps(params))
    except (TypeError, ValueError) as exc:
        raise JobError(f"job {kind!r}: parameters must be JSON values: {exc}") from None
    job = Job(kind=kind, params=params, status="queued", started_by_id=started_by.id if started_by else None)
    db.session.add(job)
    db.session.commit()
    return job


def dispatch(job: Job) -> None:
    """Start ``job``: send it to the Celery queue, or run it in a new thread of this process."""
    app = current_app._get_current_object()
    if broker_url(app):
        from vocapp.jobs.worker import send_job

        try:
            send_job(app, job.id)
        except Exception as exc:  # noqa: BLE001 - broker down: the job page says so
            log.exception("job %s: cannot reach the broker", job.id)
            _fail_queued(job.id, f"could not reach the job broker ({type(exc).__name__}: {exc}); "
                                 "is Redis running? see VOCAPP_BROKER_URL")
        return
    thread = threading.Thread(target=_run_in_thread, args=(app, job.id), name=f"vocapp-job-{job.id}", daemon=True)
    with _THREADS_LOCK:
        _THREADS[:] = [t for t in _THREADS if t.is_alive()] + [thread]
    thread.start()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        execute(job_id)


def _fail_queued(job_id: int, message: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id, Job.status == "queued")
                           .values(status="failed", error=message, finished_at=utcnow()))


def enqueue(kind: str, started_by: StaffUser | None = None, **params: Any) -> Job:
    """Queue a job of ``kind`` with keyword ``params`` (JSON values) and start it; returns its row.

    Commits the session. The job function runs later (a worker, or a thread here) in its own app
    context with the normal ``db.session``.
    """
    job = create_job(kind, params, started_by)
    dispatch(job)
    return job


def wait_for_threads(timeout: float | None = None) -> None:
    """Join this process's embedded job threads (tests; a command that queued jobs before it exits)."""
    with _THREADS_LOCK:
        threads = list(_THREADS)
    for thread in threads:
        thread.join(timeout)


def get_job(job_id: int) -> Job | None:
    """The job, fresh from the database (a running job whose worker died is marked failed first)."""
    fail_stale_jobs(embedded=broker_url() is None)
    db.session.expire_all()
    return db.session.get(Job, job_id)


def recent_jobs(kinds: list[str] | None = None, limit: int = 100) -> list[Job]:
    """The newest jobs (of ``kinds`` only, when given), dead ones marked failed first."""
    fail_stale_jobs(embedded=broker_url() is None)
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if kinds is not None:
        stmt = stmt.where(Job.kind.in_(kinds))
    return list(db.session.scalars(stmt))


def cancel(job: Job) -> bool:
    """Cancel a queued or running job (a running one stops at its next progress report); True if it was."""
    with db.engine.begin() as connection:
        result = connection.execute(update(Job).where(Job.id == job.id, Job.status.in_(("queued", "running")))
                                    .values(status="cancelled", finished_at=utcnow(), step="cancelled"))
    db.session.expire(job)
    return result.rowcount == 1


def rerun(job: Job, started_by: StaffUser | None = None) -> Job:
    """Queue a new job with the same kind and parameters as a finished one."""
    if not job.finished:
        raise JobError(f"job {job.id} is still {job.status}; wait for it or cancel it first")
    return enqueue(job.kind, started_by=started_by, **job.params)
