"""Retention as a periodic job: once a day, anonymise responses older than VOCAPP_RETENTION_MONTHS."""
from __future__ import annotations

from datetime import timedelta

from vocapp.jobs.registry import register
from vocapp.jobs.runner import JobContext


@register("retention.apply", role="admin", every=timedelta(days=1))
def apply_retention_job(job: JobContext) -> dict | None:
    """``vocapp.services.rights.apply_retention`` (nothing to do while the setting is unset); None (an
    idle run) when no response was anonymised."""
    from vocapp.services.rights import apply_retention

    job.progress(10, "finding responses past the retention period")
    result = apply_retention(staff=job.started_by)
    if not result.n_responses:
        return None
    return {"months": result.months, "n_responses": result.n_responses,
            "cutoff": result.cutoff.isoformat() if result.cutoff else None}
