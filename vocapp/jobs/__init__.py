"""Background jobs: one API for long work that leaves the request path.

```python
from vocapp.jobs import register, enqueue, JobContext

@register("campaigns.send", role="designer")
def send_campaign(job: JobContext, campaign_id: int) -> dict | None:
    job.progress(40, "batch 2 of 5")      # 0-100 and a step text; a heartbeat; raises JobCancelled if cancelled
    return {"campaign_id": campaign_id}   # stored as the job's result

job = enqueue("campaigns.send", campaign_id=3, started_by=user_or_None)   # -> vocapp.models.Job
```

``register(kind, every=timedelta(hours=1))`` makes a periodic job. Job functions live in the modules
listed in ``JOB_MODULES`` (imported on first use by the web app and the worker alike) and run inside
an app context with the normal ``db.session``. See docs/architecture.md (Jobs).
"""
from __future__ import annotations

import importlib

from vocapp.jobs.queue import broker_url, cancel, enqueue, get_job, recent_jobs, rerun, wait_for_threads
from vocapp.jobs.registry import JobError, JobKind, job_kind, job_kinds, register
from vocapp.jobs.runner import JobCancelled, JobContext, execute

#: modules that declare job functions with @register; add an area's module here
JOB_MODULES = ["vocapp.jobs.scoring", "vocapp.jobs.canvas", "vocapp.jobs.retention", "vocapp.jobs.campaigns",
               "vocapp.jobs.webhooks"]

__all__ = ["JOB_MODULES", "JobCancelled", "JobContext", "JobError", "JobKind", "broker_url", "cancel", "enqueue",
           "execute", "get_job", "job_kind", "job_kinds", "load_job_modules", "recent_jobs", "register", "rerun",
           "wait_for_threads"]


def load_job_modules() -> None:
    """Import every module in JOB_MODULES (once), so their @register calls have run."""
    for name in JOB_MODULES:
        importlib.import_module(name)
