"""Staff pages for background jobs: a job's progress and result, the jobs list, cancel and re-run.

A job page refreshes itself every few seconds while the job runs (a meta refresh: no script needed);
``/jobs/<id>.json`` gives the same status for scripts. Each job kind's role may see and start it.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from vocapp.jobs import JobError, broker_url, cancel, get_job, job_kinds, recent_jobs, rerun
from vocapp.models import Job
from vocapp.web.security import role_required

bp = Blueprint("jobs", __name__)
ALL_STAFF = ("admin", "designer", "analyst")
REFRESH_SECONDS = 2
#: result key -> (endpoint, its argument, link text): where a finished job's result is shown
RESULT_LINKS = {
    "scoring_run_id": ("scoring.run", "run_id", "Scoring run {}"),
    "placement_run_id": ("canvas.index", "run", "Placement run {}"),
}


def _visible_kinds() -> list[str]:
    """The job kinds the current user's role may see (admins: all)."""
    return [name for name, kind in job_kinds().items() if current_user.has_role(kind.role)]


def _job_or_abort(job_id: int) -> Job:
    """The job (404 if none), if the current user's role may see its kind (403 otherwise)."""
    job = get_job(job_id)
    if job is None:
        abort(404)
    kind = job_kinds().get(job.kind)
    if not current_user.has_role(kind.role if kind else "admin"):
        abort(403)
    return job


def result_links(job: Job) -> list[tuple[str, str]]:
    """(URL, text) for each part of the job's result that has a page."""
    links = []
    for key, value in (job.result or {}).items():
        if key in RESULT_LINKS and value is not None:
            endpoint, argument, text = RESULT_LINKS[key]
            links.append((url_for(endpoint, **{argument: value}), text.format(value)))
    return links


@bp.route("/")
@role_required(*ALL_STAFF)
def index():
    """The newest jobs of the kinds this user may see."""
    return render_template("jobs/index.html", jobs=recent_jobs(_visible_kinds()))


@bp.route("/<int:job_id>")
@role_required(*ALL_STAFF)
def job(job_id: int):
    """A job's status and progress; refreshes until it ends, then links to its result."""
    job = _job_or_abort(job_id)
    return render_template("jobs/job.html", job=job, links=result_links(job), on_workers=broker_url() is not None,
                           refresh=None if job.finished else REFRESH_SECONDS)


@bp.route("/<int:job_id>.json")
@role_required(*ALL_STAFF)
def status(job_id: int):
    """The job's status as JSON (for scripts and polling)."""
    job = _job_or_abort(job_id)
    return jsonify(id=job.id, kind=job.kind, status=job.status, progress=job.progress, step=job.step,
                   error=job.error, result=job.result, finished=job.finished,
                   links=[{"url": url, "text": text} for url, text in result_links(job)])


@bp.route("/<int:job_id>/cancel", methods=["POST"])
@role_required(*ALL_STAFF)
def cancel_job(job_id: int):
    """Cancel a queued or running job (a running one stops at its next step)."""
    job = _job_or_abort(job_id)
    if cancel(job):
        flash(f"Job {job.id} cancelled.", "success")
    else:
        flash(f"Job {job.id} had already ended ({job.status}).", "info")
    return redirect(url_for("jobs.job", job_id=job.id))


@bp.route("/<int:job_id>/rerun", methods=["POST"])
@role_required(*ALL_STAFF)
def rerun_job(job_id: int):
    """Start an ended job again with the same parameters."""
    job = _job_or_abort(job_id)
    try:
        new = rerun(job, started_by=current_user)
    except JobError as exc:
        flash(str(exc), "error")
        return redirect(url_for("jobs.job", job_id=job.id))
    return redirect(url_for("jobs.job", job_id=new.id))
