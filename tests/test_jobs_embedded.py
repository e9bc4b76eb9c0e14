"""Jobs in the embedded mode (no broker): threads of the process that queued them, their pages, roles,
cancel, re-run, dead jobs, periodic jobs, and the CLI's progress bar."""
from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from test_scoring_service import seed_survey
from vocapp.extensions import db
from vocapp.jobs import JobContext, JobError, enqueue, get_job, register, wait_for_threads
from vocapp.models import Job, ScoringRun, utcnow

RELEASE = threading.Event()


@register("tests.wait", role="analyst")
def wait_then_report(job: JobContext, seconds: float = 5.0) -> dict:
    """A test job: sits silent (no progress calls) until released or ``seconds`` pass, then reports."""
    RELEASE.wait(seconds)
    job.progress(50, "released")
    return {"waited": seconds}


@register("tests.tick", role="analyst", every=timedelta(hours=1))
def tick(job: JobContext) -> dict:
    """A periodic test job."""
    return {"ticked": True}


@pytest.fixture
def embedded(app):
    app.config.update(BROKER_URL=None, JOB_TIMEOUT_SECONDS=2)
    RELEASE.clear()
    yield app
    RELEASE.set()
    wait_for_threads(30)


def test_the_default_is_embedded_and_needs_no_redis():
    from vocapp.config import Config

    assert "BROKER_URL" not in Config.from_env({})
    assert Config.from_env({"VOCAPP_BROKER_URL": "redis://127.0.0.1:6379/5"})["BROKER_URL"].endswith("/5")


def test_celery_beat_sends_every_periodic_kind(app):
    from vocapp.jobs.worker import TASK_PERIODIC, celery_for

    app.config.update(BROKER_URL="redis://127.0.0.1:6379/0", JOBS_QUEUE="vocapp-test-beat")
    schedule = celery_for(app).conf.beat_schedule
    assert schedule["tests.tick"] == {"task": TASK_PERIODIC, "schedule": timedelta(hours=1), "args": ["tests.tick"],
                                      "options": {"queue": "vocapp-test-beat"}}
    assert "tests.wait" not in schedule and "scoring.run" not in schedule


def test_scoring_from_the_staff_page_runs_in_a_thread_and_links_to_its_run(embedded, client_as):
    seed_survey(300)
    client = client_as("analyst")
    token = csrf_token(client, "/scoring/")
    job_id = job_id_from(client.post("/scoring/run", data={"survey": "b2b_relationship", "csrf_token": token}))
    assert db.session.get(Job, job_id).params == {"survey_id": "b2b_relationship", "refit": False}
    status = wait_for_job(client, job_id)
    assert status["status"] == "done" and status["progress"] == 100, status
    run_id = db.session.scalar(select(ScoringRun.id))
    assert status["result"] == {"scoring_run_id": run_id}
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f'href="/scoring/runs/{run_id}"' in page and 'http-equiv="refresh"' not in page and "<script" not in page
    assert f"/jobs/{job_id}" in client.get("/jobs/").get_data(as_text=True)


def test_a_running_job_page_refreshes_itself_and_a_silent_job_stays_alive(embedded, client_as):
    client = client_as("analyst")
    job = enqueue("tests.wait", seconds=30)
    wait_for_job(client, job.id, until=lambda s: s["status"] == "running")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page and "Cancel" in page
    time.sleep(3)  # longer than the 2 s timeout: the heartbeat thread keeps the silent job alive
    assert client.get(f"/jobs/{job.id}.json").get_json()["status"] == "running"
    RELEASE.set()
    status = wait_for_job(client, job.id)
    assert (status["status"], status["result"]) == ("done", {"waited": 30})


def test_cancel_stops_a_running_job_at_its_next_step(embedded, client_as):
    client = client_as("analyst")
    job = enqueue("tests.wait", seconds=30)
    wait_for_job(client, job.id, until=lambda s: s["status"] == "running")
    token = csrf_token(client, f"/jobs/{job.id}")
    assert client.post(f"/jobs/{job.id}/cancel", data={"csrf_token": token}).status_code == 302
    RELEASE.set()
    wait_for_threads(30)
    status = client.get(f"/jobs/{job.id}.json").get_json()
    assert (status["status"], status["result"]) == ("cancelled", None)


def test_a_failed_job_says_why_and_runs_again_with_the_same_parameters(embedded, client_as):
    client = client_as("analyst")
    token = csrf_token(client, "/scoring/")
    job_id = job_id_from(client.post("/scoring/run", data={"survey": "no-such", "csrf_token": token}))
    status = wait_for_job(client, job_id)
    assert status["status"] == "failed" and "no survey with id 'no-such'" in status["error"]
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "no survey with id &#39;no-such&#39;" in page and "Run it again" in page
    again = job_id_from(client.post(f"/jobs/{job_id}/rerun", data={"csrf_token": token}))
    assert again != job_id and db.session.get(Job, again).params == db.session.get(Job, job_id).params
    assert wait_for_job(client, again)["status"] == "failed"


def test_a_job_whose_worker_died_is_shown_failed_and_can_run_again(embedded, client_as, make_staff):
    stale = utcnow() - timedelta(seconds=10)
    dead = Job(kind="tests.wait", params={"seconds": 0}, status="running", started_at=stale, heartbeat_at=stale)
    never = Job(kind="tests.wait", params={"seconds": 0}, status="queued", created_at=stale)
    db.session.add_all([dead, never])
    db.session.commit()
    client = client_as("analyst")
    for job in (dead, never):
        status = client.get(f"/jobs/{job.id}.json").get_json()
        assert status["status"] == "failed" and "worker died" in status["error"], status
    token = csrf_token(client, f"/jobs/{dead.id}")
    again = job_id_from(client.post(f"/jobs/{dead.id}/rerun", data={"csrf_token": token}))
    assert wait_for_job(client, again)["status"] == "done"


def test_job_pages_need_the_role_of_the_job_kind(embedded, client, client_as):
    job = enqueue("tests.wait", seconds=0)
    wait_for_threads(30)
    assert client.get(f"/jobs/{job.id}").status_code == 302  # to the login page
    designer = client_as("designer")
    for url in (f"/jobs/{job.id}", f"/jobs/{job.id}.json"):
        assert designer.get(url).status_code == 403, url
    token = csrf_token(designer, "/jobs/")
    assert designer.post(f"/jobs/{job.id}/rerun", data={"csrf_token": token}).status_code == 403
    assert f"/jobs/{job.id}" not in designer.get("/jobs/").get_data(as_text=True)
    assert designer.get("/jobs/999").status_code == 404


def test_enqueue_refuses_unknown_kinds_and_parameters(embedded):
    with pytest.raises(JobError, match="no job kind 'nope'"):
        enqueue("nope")
    with pytest.raises(JobError, match="missing a required argument: 'survey_id'"):
        enqueue("scoring.run", survey="b2b_relationship")
    with pytest.raises(JobError, match="JSON"):
        enqueue("tests.wait", seconds=object())
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_periodic_jobs_run_when_due_from_the_cli_and_the_embedded_scheduler(embedded, runner):
    from vocapp.jobs.schedule import start_embedded_scheduler

    first = runner.invoke(args=["jobs", "run-due"])
    assert first.exit_code == 0 and "(tests.tick): done" in first.output, first.output
    assert "tests.tick" not in runner.invoke(args=["jobs", "run-due"]).output  # not due again for an hour
    listed = runner.invoke(args=["jobs", "list"]).output
    assert "tests.tick" in listed and "done" in listed and "100%" in listed
    no_broker = runner.invoke(args=["worker"])
    assert no_broker.exit_code == 1 and "VOCAPP_BROKER_URL is not set" in no_broker.output
    db.session.execute(Job.__table__.delete())
    db.session.commit()
    scheduler = start_embedded_scheduler(embedded, poll_seconds=0.1)
    try:
        deadline = time.monotonic() + 30
        while True:
            job = db.session.scalars(select(Job).where(Job.kind == "tests.tick")).first()
            if job is not None and get_job(job.id).status == "done":
                break
            assert time.monotonic() < deadline, "the scheduler never ran the due job"
            time.sleep(0.1)
        assert start_embedded_scheduler(embedded) is None  # one scheduler per process
    finally:
        scheduler.stop()
        scheduler.join(5)
        wait_for_threads(30)
    assert db.session.scalar(select(func.count()).where(Job.kind == "tests.tick")) == 1


def test_the_cli_progress_bar_shows_steps_on_a_terminal_only(app, runner):
    from vocapp.cli.progress import TerminalProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    with TerminalProgress("Scoring demo", delay=0, file=terminal) as progress:
        progress(40, "fitting the model")
        progress(85, "writing the run")
    shown = terminal.getvalue()
    assert "Scoring demo" in shown and "fitting the model" in shown and "85%" in shown
    piped = io.StringIO()
    with TerminalProgress("Scoring demo", delay=0, file=piped) as progress:
        progress(40, "fitting the model")
    assert piped.getvalue() == ""
    seed_survey(300)
    result = runner.invoke(args=["score", "--survey", "b2b_relationship"])
    assert result.exit_code == 0 and "Run id: 1" in result.output and "fitting the model" not in result.output
