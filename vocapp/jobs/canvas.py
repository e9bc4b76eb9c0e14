"""Canvas placement as a job: ``enqueue("canvas.place")``."""
from __future__ import annotations

import datetime as dt

from vocapp.jobs.registry import register
from vocapp.jobs.runner import JobContext


@register("canvas.place", role="analyst")
def place_accounts(job: JobContext, as_of: str | None = None) -> dict:
    """Place every account with the shipped canvas definition (``vocapp.services.canvas.place``);
    ``as_of`` is an ISO date (default today). Result: the placement run's id."""
    from vocapp.services.canvas import place

    run = place(staff=job.started_by, as_of=dt.date.fromisoformat(as_of) if as_of else None,
                progress=job.progress)
    return {"placement_run_id": run.id}
