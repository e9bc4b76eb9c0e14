"""Jobs on a real Celery worker (a `vocapp worker` subprocess) with Redis on 127.0.0.1:6379.

Each test session uses its own queue name, which also prefixes every Redis key, so parallel runs on
the same Redis never see each other's messages. The worker reaches the test's database (an SQLite
file or a PostgreSQL database), started jobs come from the staff pages over HTTP.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, func, select, text

from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from test_scoring_service import seed_survey
from vocapp.extensions import db
from vocapp.models import AccountScore, ContactScore, ScoringRun

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/0"
QUEUE = f"vocapp-test-{uuid.uuid4().hex[:10]}"
VOCAPP = str(Path(sys.executable).with_name("vocapp"))
TIMEOUT = 3  # seconds without a heartbeat before a running job counts as dead


@pytest.fixture(scope="module", autouse=True)
def _clean_redis():
    yield
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"{QUEUE}:*"))
    if keys:
        connection.delete(*keys)


@pytest.fixture
def broker_app(app):
    """The test app with jobs sent to Celery on this session's queue."""
    app.config.update(BROKER_URL=REDIS_URL, JOBS_QUEUE=QUEUE, JOB_TIMEOUT_SECONDS=TIMEOUT)
    return app


@pytest.fixture
def start_worker(broker_app, tmp_path):
    """Factory: start a `vocapp worker` on the test database; every worker is killed at the end."""
    started: list[subprocess.Popen] = []
    env = {**os.environ, "VOCAPP_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "VOCAPP_BROKER_URL": REDIS_URL, "VOCAPP_JOBS_QUEUE": QUEUE, "VOCAPP_JOB_TIMEOUT_SECONDS": str(TIMEOUT),
           "VOCAPP_INSTANCE_PATH": str(tmp_path / "worker"), "VOCAPP_SECRET_KEY": "test-secret"}

    def start() -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        process = subprocess.Popen(
            [VOCAPP, "worker", "--pool", "solo", "--without-mingle", "--without-gossip", "--without-heartbeat"],
            env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        started.append(process)
        deadline = time.monotonic() + 90
        while " ready." not in log.read_text():
            assert process.poll() is None, f"worker exited {process.returncode}: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"worker not ready: {log.read_text()[-2000:]}"
            time.sleep(0.1)
        process.log = log
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _start_scoring(client) -> int:
    token = csrf_token(client, "/scoring/")
    return job_id_from(client.post("/scoring/run", data={"survey": "b2b_relationship", "csrf_token": token}))


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_scoring_job_started_from_the_staff_page_runs_on_a_celery_worker(broker_app, start_worker, client_as):
    seed_survey(300)
    worker = start_worker()
    client = client_as("analyst")
    job_id = _start_scoring(client)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "scoring.run" in page
    status = wait_for_job(client, job_id)
    assert status["status"] == "done", status
    run_id = status["result"]["scoring_run_id"]
    assert status["links"] == [{"url": f"/scoring/runs/{run_id}", "text": f"Scoring run {run_id}"}]
    assert f'href="/scoring/runs/{run_id}"' in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert client.get(f"/scoring/runs/{run_id}").status_code == 200
    assert _count(ContactScore) == 300
    assert "vocapp.jobs.run" in worker.log.read_text()  # the worker ran it, not a thread of this process


def _hold_the_job_inside_its_write_transaction(backend: str, url: str, client, job_id: int):
    """Wait until the job is half-way through writing its run, and keep it there; returns a release()."""
    wait_for_job(client, job_id, until=lambda s: s["step"] == "writing the run")
    if backend == "postgresql":
        # the job has written its run and scores when it records the audit entry: block that insert
        engine = create_engine(url)
        connection = engine.connect()
        connection.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
        watcher = engine.connect()
        deadline = time.monotonic() + 60
        while not watcher.execute(text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'audit_log' AND NOT l.granted")).scalar():
            assert time.monotonic() < deadline, "the job never reached its audit entry"
            time.sleep(0.02)
        watcher.close()

        def release():
            connection.rollback()
            connection.close()
            engine.dispose()
        return release
    # SQLite: the job's audit entry, written after its run and scores, fires a slow trigger (a big count),
    # so the job sits inside its write transaction, holding the write lock, for seconds (see slow_audit_entries)
    path = url.removeprefix("sqlite:///")
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    held_since = None
    deadline = time.monotonic() + 60
    while held_since is None or time.monotonic() - held_since < 0.3:
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            held_since = None
        except sqlite3.OperationalError:  # someone holds the write lock
            held_since = held_since or time.monotonic()
        assert time.monotonic() < deadline, "the job never started writing"
        time.sleep(0.01)
    probe.close()
    journal = Path(path + "-journal")
    assert journal.exists() and journal.stat().st_size > 0, "the job is not inside a write transaction"
    return lambda: None


@pytest.fixture
def slow_audit_entries(backend):
    """SQLite: a trigger that makes each audit-log insert take seconds (dropped afterwards).

    The count runs over 3000 x 3000 x 30 rows: 2.7 s on the development machine, so even a machine several
    times faster holds the write lock well past the 0.3 s the test waits for (4 rows took 0.36 s here,
    which a faster CI machine undercut)."""
    if backend != "sqlite":
        yield
        return
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER slow_audit AFTER INSERT ON audit_log BEGIN SELECT count(*) FROM contact_scores a, "
            "contact_scores b, contact_scores c WHERE c.rowid <= 30; END")
    yield
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS slow_audit")


def test_a_worker_killed_mid_job_leaves_no_partial_run_and_the_job_runs_again_cleanly(
        backend, broker_app, start_worker, client_as, slow_audit_entries):
    seed_survey(3000, n_accounts=200)
    worker = start_worker()
    client = client_as("analyst")
    job_id = _start_scoring(client)
    release = _hold_the_job_inside_its_write_transaction(backend, str(db.engine.url.render_as_string(
        hide_password=False)), client, job_id)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    release()

    assert (_count(ScoringRun), _count(ContactScore), _count(AccountScore)) == (0, 0, 0)
    if backend == "sqlite":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER slow_audit")
    status = wait_for_job(client, job_id, timeout=TIMEOUT * 10)
    assert status["status"] == "failed" and "worker died" in status["error"], status
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "worker died" in page and "Run it again" in page

    start_worker()
    token = csrf_token(client, f"/jobs/{job_id}")
    again = job_id_from(client.post(f"/jobs/{job_id}/rerun", data={"csrf_token": token}))
    assert again != job_id
    status = wait_for_job(client, again)
    assert status["status"] == "done", status
    assert _count(ScoringRun) == 1 and _count(ContactScore) == 3000
    assert db.session.get(ScoringRun, status["result"]["scoring_run_id"]).n_responses == 3000
