"""The job registry: each job kind's function, the role that may start and see it, its period."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from vocapp.errors import VocappError
from vocapp.models import STAFF_ROLES


class JobError(VocappError):
    """A job cannot be queued or found; the message says why."""


@dataclass(frozen=True)
class JobKind:
    """A registered job function: ``function(job: JobContext, **params) -> dict | None``."""

    name: str
    function: Callable[..., dict[str, Any] | None]
    #: the staff role that may start the job and follow it (admins always may)
    role: str
    #: for periodic jobs, how often Celery beat (or the embedded scheduler) runs it with no parameters
    every: timedelta | None

    def check_params(self, params: dict[str, Any]) -> None:
        """Raise JobError unless ``params`` fit the function's keyword parameters."""
        try:
            inspect.signature(self.function).bind(None, **params)
        except TypeError as exc:
            raise JobError(f"job {self.name!r}: {exc}") from None


_KINDS: dict[str, JobKind] = {}


def register(kind: str, *, role: str = "admin", every: timedelta | None = None) -> Callable:
    """Decorator: make the function the body of jobs of ``kind`` (``enqueue(kind, **params)`` runs it).

    ``role`` may start and follow the job on the staff pages (admins always may); ``every`` makes it a
    periodic job, started with no parameters that often (Celery beat, or the embedded scheduler); a
    periodic function returns None when it found nothing to do, and such a run is kept only until the
    next idle one (``vocapp.jobs.runner``).
    """
    if role not in STAFF_ROLES:
        raise ValueError(f"register({kind!r}): role must be one of {', '.join(STAFF_ROLES)}, got {role!r}")
    if every is not None and every.total_seconds() <= 0:
        raise ValueError(f"register({kind!r}): every must be a positive timedelta")

    def decorator(function: Callable) -> Callable:
        known = _KINDS.get(kind)
        if known is not None and known.function.__qualname__ != function.__qualname__:
            raise ValueError(f"job kind {kind!r} is registered twice ({known.function.__module__} and "
                             f"{function.__module__})")
        _KINDS[kind] = JobKind(kind, function, role, every)
        return function

    return decorator


def job_kind(kind: str) -> JobKind:
    """The registered kind ``kind`` (job modules are imported on first use); JobError when unknown."""
    from vocapp.jobs import load_job_modules

    load_job_modules()
    try:
        return _KINDS[kind]
    except KeyError:
        raise JobError(f"no job kind {kind!r}; known: {', '.join(sorted(_KINDS)) or 'none'}") from None


def job_kinds() -> dict[str, JobKind]:
    """Every registered kind by name (job modules imported first)."""
    from vocapp.jobs import load_job_modules

    load_job_modules()
    return dict(_KINDS)
