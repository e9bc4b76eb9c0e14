"""The Celery side: a Celery app bound to the Flask app, its tasks, and the beat schedule.

``vocapp worker [--beat]`` runs Celery's own worker on it; ``celery -A vocapp.jobs.worker worker`` works
too (the module builds the Flask app from the ``VOCAPP_*`` settings on first use).
"""
from __future__ import annotations

from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init
from flask import Flask

from vocapp.extensions import db
from vocapp.jobs.queue import broker_url
from vocapp.jobs.registry import job_kinds

TASK_RUN = "vocapp.jobs.run"
TASK_PERIODIC = "vocapp.jobs.periodic"
_APP: Celery | None = None


def make_celery(flask_app: Flask) -> Celery:
    """A Celery app whose tasks run vocapp jobs inside ``flask_app``'s app context."""
    from vocapp.jobs.runner import execute
    from vocapp.jobs.schedule import create_due_job

    queue = flask_app.config.get("JOBS_QUEUE") or "vocapp"
    celery = Celery("vocapp", broker=broker_url(flask_app), set_as_current=False)
    celery.conf.update(
        task_default_queue=queue, task_ignore_result=True, worker_prefetch_multiplier=1, timezone="UTC",
        # a killed worker's job is not redelivered an hour later: its heartbeat stops, it shows as failed
        task_acks_late=False, broker_connection_retry_on_startup=True,
        broker_transport_options={"global_keyprefix": f"{queue}:"},
        beat_schedule={kind.name: {"task": TASK_PERIODIC, "schedule": kind.every, "args": [kind.name],
                                   "options": {"queue": queue}}
                       for kind in job_kinds().values() if kind.every is not None},
        beat_schedule_filename=str(Path(flask_app.instance_path) / f"celerybeat-schedule-{queue}"),
    )

    @celery.task(name=TASK_RUN)
    def run_job(job_id: int) -> None:
        with flask_app.app_context():
            execute(job_id)

    @celery.task(name=TASK_PERIODIC)
    def run_periodic(kind: str) -> None:
        with flask_app.app_context():
            job = create_due_job(kind)
            if job is not None:
                execute(job.id)

    def fresh_connections(**_kwargs) -> None:  # a forked pool process must not share its parent's sockets
        with flask_app.app_context():
            db.engine.dispose(close=False)

    worker_process_init.connect(fresh_connections, weak=False)
    return celery


def celery_for(flask_app: Flask) -> Celery:
    """The Celery app of ``flask_app`` (made once per Flask app)."""
    if "vocapp_celery" not in flask_app.extensions:
        flask_app.extensions["vocapp_celery"] = make_celery(flask_app)
    return flask_app.extensions["vocapp_celery"]


def send_job(flask_app: Flask, job_id: int) -> None:
    """Put job ``job_id`` on the Celery queue."""
    celery = celery_for(flask_app)
    celery.send_task(TASK_RUN, args=[job_id], queue=celery.conf.task_default_queue)


def __getattr__(name: str) -> Celery:
    """``celery -A vocapp.jobs.worker``: Celery looks up ``app`` here; build it from the settings."""
    global _APP
    if name not in ("app", "celery"):
        raise AttributeError(name)
    if _APP is None:
        from vocapp import create_app

        _APP = celery_for(create_app())
    return _APP
