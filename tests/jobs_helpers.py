"""Helpers for the job tests: follow a job over HTTP until it ends."""
from __future__ import annotations

import time


def wait_for_job(client, job_id: int, timeout: float = 90.0, until=None) -> dict:
    """Poll ``/jobs/<id>.json`` until the job has ended (or ``until(status)`` holds); the last status."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/jobs/{job_id}.json")
        assert response.status_code == 200, response.status_code
        status = response.get_json()
        if (until(status) if until else status["finished"]):
            return status
        assert not status["finished"], f"job {job_id} ended ({status['status']}) before the awaited state"
        assert time.monotonic() < deadline, f"job {job_id} still {status['status']} ({status['step']})"
        time.sleep(0.05)


def job_id_from(response) -> int:
    """The job id of a POST that answered with a redirect to its job page."""
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/jobs/"), location
    return int(location.rsplit("/", 1)[1])
