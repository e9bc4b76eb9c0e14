"""``vocapp worker`` (a Celery worker for background jobs) and ``vocapp jobs`` (list, run-due)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--beat", is_flag=True, help="Also run Celery beat in this worker (periodic jobs); run it in one "
                                           "worker only, or run `celery -A vocapp.jobs.worker beat` on its own.")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker(beat: bool, celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker for vocapp's jobs (needs VOCAPP_BROKER_URL). Further arguments go to
    `celery worker` unchanged, e.g. `vocapp worker --concurrency 4` or `--pool solo`."""
    from vocapp.jobs import broker_url
    from vocapp.jobs.worker import celery_for

    if not broker_url():
        raise click.ClickException("VOCAPP_BROKER_URL is not set: jobs run in a thread of the web process "
                                   "(embedded mode); set it to a Redis URL, e.g. redis://127.0.0.1:6379/0, "
                                   "to run them on workers")
    celery = celery_for(current_app._get_current_object())
    argv = ["worker", "--queues", celery.conf.task_default_queue, "--loglevel", "INFO"]
    celery.worker_main(argv + (["--beat"] if beat else []) + list(celery_args))


group = AppGroup("jobs", help="Background jobs: list them, run the periodic ones that are due.")


@group.command("list")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
def list_command(limit: int) -> None:
    """The newest jobs: id, kind, status, progress, step or error."""
    from vocapp.jobs import recent_jobs

    for job in recent_jobs(limit=limit):
        detail = job.error if job.status == "failed" else (job.step or "")
        click.echo(f"{job.id:>6}  {job.kind:<20} {job.status:<9} {job.progress:>3}%  {detail}")


@group.command("run-due")
def run_due_command() -> None:
    """Run every periodic job that is due, here and now (for cron in the embedded mode)."""
    from vocapp.jobs import execute
    from vocapp.jobs.schedule import due_jobs

    jobs = [(job.id, job.kind) for job in due_jobs()]  # read first: running a job ends the session
    for job_id, kind in jobs:
        click.echo(f"Job {job_id} ({kind}): {execute(job_id)}")
    if not jobs:
        click.echo("No periodic job is due.")


commands = [worker, group]
