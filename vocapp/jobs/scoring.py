"""Scoring as a job: ``enqueue("scoring.run", survey_id=..., refit=...)``."""
from __future__ import annotations

from vocapp.jobs.registry import register
from vocapp.jobs.runner import JobContext


@register("scoring.run", role="analyst")
def score_survey(job: JobContext, survey_id: str, refit: bool = False, method: str | None = None,
                 rotation: str | None = None, role_weights: dict | None = None) -> dict:
    """Score a survey's responses (``vocapp.services.scoring.run_scoring``); result: the run's id."""
    from vocapp.services.scoring import run_scoring

    run = run_scoring(survey_id, refit=refit, method=method, rotation=rotation, staff=job.started_by,
                      role_weights=role_weights, progress=job.progress)
    return {"scoring_run_id": run.id}
