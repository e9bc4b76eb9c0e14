"""Running one job: claim it, keep its heartbeat, call its function, record the outcome.

Status writes (claim, progress, heartbeat, finish) go through their own short transactions on the
engine, never through the job's ``db.session``: the job's own writes stay in its transaction until
it commits at the end, so a job killed half-way leaves nothing half-written.

A scheduled run of a periodic job whose function returns None found nothing to do: it ends as done
with the step ``nothing to do`` and replaces the previous such run of its kind, so the jobs list keeps
one idle run per periodic kind (when it last looked, and the anchor of its schedule) instead of one
per period.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Job, StaffUser, utcnow

log = logging.getLogger(__name__)
#: the step of a scheduled periodic run that found nothing to do (only the latest such run is kept)
IDLE_STEP = "nothing to do"


class JobCancelled(Exception):
    """Raised inside a job by ``JobContext.progress`` once the job was cancelled or declared dead."""


def timeout_seconds() -> int:
    """Seconds without a heartbeat after which a running job counts as dead."""
    return max(2, int(current_app.config.get("JOB_TIMEOUT_SECONDS", 60)))


def _set(engine: Engine, job_id: int, only_if: tuple[str, ...], **values: Any) -> bool:
    """Update the job row in a transaction of its own if its status is in ``only_if``; True if it was."""
    with engine.begin() as connection:
        result = connection.execute(update(Job).where(Job.id == job_id, Job.status.in_(only_if)).values(**values))
        return result.rowcount == 1


class JobContext:
    """What a job function gets as its first argument: its id, who started it, and ``progress``."""

    def __init__(self, job: Job, engine: Engine) -> None:
        self.id = job.id
        self.kind = job.kind
        self._engine = engine
        self._started_by_id = job.started_by_id

    @property
    def started_by(self) -> StaffUser | None:
        """The staff user who started the job (in the job's session), or None (CLI, schedule)."""
        return None if self._started_by_id is None else db.session.get(StaffUser, self._started_by_id)

    def progress(self, percent: int, step: str) -> None:
        """Record progress (0-100) and a short step text; also a heartbeat. Raises JobCancelled when the
        job was cancelled. Call it when the job's session holds no uncommitted writes (SQLite has one
        writer at a time)."""
        values = {"progress": max(0, min(100, int(percent))), "step": step[:200], "heartbeat_at": utcnow()}
        try:
            running = _set(self._engine, self.id, ("running",), **values)
        except OperationalError as exc:  # SQLite busy past its timeout: progress is best effort
            log.warning("job %s: progress not recorded: %s", self.id, exc)
            return
        if not running:
            raise JobCancelled(f"job {self.id} was cancelled")


class _Heartbeat(threading.Thread):
    """Refreshes a running job's heartbeat every few seconds, so long steps do not look dead."""

    def __init__(self, engine: Engine, job_id: int, interval: float) -> None:
        super().__init__(name=f"vocapp-job-{job_id}-heartbeat", daemon=True)
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                if not _set(self.engine, self.job_id, ("running",), heartbeat_at=utcnow()):
                    return
            except OperationalError as exc:  # e.g. SQLite busy while the job writes: try again next beat
                log.info("job %s: heartbeat skipped: %s", self.job_id, exc)


def execute(job_id: int) -> str:
    """Run queued job ``job_id`` here, in the current app context; returns its final status.

    A job that is no longer queued (cancelled, or already taken) is left alone. The function's writes
    are committed when it returns; any exception rolls them back and marks the job failed.
    """
    from vocapp.jobs.registry import job_kind

    engine = db.engine
    now = utcnow()
    if not _set(engine, job_id, ("queued",), status="running", started_at=now, heartbeat_at=now, step="starting"):
        return "skipped"
    job = db.session.get(Job, job_id)
    kind = job.kind
    scheduled = job_kind(kind).every is not None and job.started_by_id is None
    beat = _Heartbeat(engine, job_id, max(0.5, timeout_seconds() / 6))
    beat.start()
    try:
        result = job_kind(kind).function(JobContext(job, engine), **job.params)
        if result is not None and not isinstance(result, dict):
            raise TypeError(f"job function returned {type(result).__name__}, expected a dict or None")
        db.session.commit()
        idle = scheduled and result is None
        status, values = "done", {"result": result, "progress": 100, "step": IDLE_STEP if idle else "done"}
    except JobCancelled:
        db.session.rollback()
        return "cancelled"
    except VocappError as exc:
        db.session.rollback()
        status, values = "failed", {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - any failure must end as a failed job, with its log
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        first_line = (str(exc).strip().splitlines() or [""])[0][:300]
        status, values = "failed", {"error": f"internal error ({type(exc).__name__}: {first_line}); see the log"}
    finally:
        beat.stopped.set()
        db.session.remove()
    finished = _set(engine, job_id, ("running",), status=status, finished_at=utcnow(), heartbeat_at=utcnow(),
                    **values)
    if finished and values.get("step") == IDLE_STEP:
        _forget_older_idle_runs(engine, kind, job_id)
    return status


def _forget_older_idle_runs(engine: Engine, kind: str, job_id: int) -> None:
    """Delete the scheduled runs of ``kind`` before ``job_id`` that found nothing to do."""
    try:
        with engine.begin() as connection:
            connection.execute(delete(Job).where(Job.kind == kind, Job.id < job_id, Job.status == "done",
                                                 Job.step == IDLE_STEP, Job.started_by_id.is_(None)))
    except OperationalError as exc:  # SQLite busy: the next idle run deletes them
        log.info("job %s: older idle %s runs kept for now: %s", job_id, kind, exc)


def fail_stale_jobs(embedded: bool) -> int:
    """Mark running jobs whose heartbeat is older than the timeout as failed (their worker died); in the
    embedded mode also queued jobs that never started (the process that queued them ended)."""
    limit = utcnow() - timedelta(seconds=timeout_seconds())
    stale = (Job.status == "running") & (Job.heartbeat_at < limit)
    if embedded:
        stale = stale | ((Job.status == "queued") & (Job.created_at < limit))
    with db.engine.begin() as connection:
        if connection.execute(select(Job.id).where(stale).limit(1)).first() is None:
            return 0  # a read only: on SQLite a write would wait for any job's long write transaction
        result = connection.execute(update(Job).where(stale).values(
            status="failed", finished_at=utcnow(),
            error=f"worker died: no sign of life for over {timeout_seconds()} s; start it again"))
    return result.rowcount
