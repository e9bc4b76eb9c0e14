"""Starting a scoring run or a placement through the API (background jobs, ``vocapp.jobs``) and reading
a job's status. A job's kind has a role (``vocapp.jobs.register``); the token's role must hold it."""
from __future__ import annotations

from typing import Any

from vocapp.jobs import JobError, enqueue, job_kinds
from vocapp.jobs import get_job as fetch_job
from vocapp.web.api.problems import ApiProblem
from vocapp.web.api.routes import api_route

JOB_LINK = {"Job": {"operationId": "get_job", "parameters": {"job_id": "$response.body#/id"}}}


def job_out(job) -> dict[str, Any]:
    """A job as the API shows it."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress, "step": job.step,
            "error": job.error, "result": job.result, "finished": job.finished, "created_at": job.created_at}


def _start(holder, kind: str, **params: Any) -> dict[str, Any]:
    role = job_kinds()[kind].role
    if not holder.has_role(role):
        raise ApiProblem(403, f"the token's role ({holder.role}) may not start {kind} jobs")
    try:
        job = enqueue(kind, started_by=holder.staff, **params)
    except JobError as error:
        raise ApiProblem(409, str(error)) from None
    from vocapp.services.api.tokens import audit_token_action

    audit_token_action(holder, "api.job_start", "job", job.id, {"kind": kind, "params": params})
    return job_out(job)


@api_route("/jobs/scoring", "POST", scope="write", roles=("analyst",), body="ScoringStart", response="JobOut",
           status=202, summary="Start a scoring run (a background job)", links=JOB_LINK)
def start_scoring(holder, body):
    """Queue a scoring run of the survey; follow it at `/jobs/{id}` (its result names the run)."""
    from vocapp.services.surveys import SurveyNotFound, get_survey

    try:
        get_survey(body.survey)
    except SurveyNotFound as error:
        raise ApiProblem(404, str(error)) from None
    return _start(holder, "scoring.run", survey_id=body.survey, refit=body.refit)


@api_route("/jobs/placement", "POST", scope="write", roles=("analyst",), body="PlacementStart", response="JobOut",
           status=202, summary="Place every account on the canvas (a background job)", links=JOB_LINK)
def start_placement(holder, body):
    """Queue a canvas placement as of a date (default: today); its result names the placement run."""
    return _start(holder, "canvas.place", as_of=body.as_of.isoformat() if body.as_of else None)


@api_route("/jobs/<int:job_id>", scope="read", roles=("designer", "analyst"), response="JobOut",
           summary="A job's status, progress and result")
def get_job(holder, job_id):
    """The job, if the token's role may follow jobs of its kind."""
    job = fetch_job(job_id)
    if job is None:
        raise ApiProblem(404, f"no job with id {job_id}")
    kind = job_kinds().get(job.kind)
    if not holder.has_role(kind.role if kind else "admin"):
        raise ApiProblem(403, f"the token's role ({holder.role}) may not follow {job.kind} jobs")
    return job_out(job)
