"""The in-process rate-limit counters (``memory://``) without a thread per request.

limits' ``MemoryStorage`` frees expired counters from a ``threading.Timer`` that it starts again on
any hit made more than 10 ms after the last sweep: one new thread for almost every request of a busy
worker, which made a respondent page take twice as long (``bench/respondent_profile.py``: 223 ms of
wall time per respondent with it, 103 ms without rate limits, see docs/respondents.md). Counters are
checked for expiry when read anyway, so sweeping is only about memory: this subclass does it in the
calling thread, at most once a second. Registered for the ``memory`` scheme when the limiter is made
(``vocapp.extensions``), so ``VOCAPP_RATELIMIT_STORAGE_URL=memory://`` (the default) uses it.
"""
from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage


class SweptMemoryStorage(MemoryStorage):
    """``memory://`` counters whose expired entries are swept inline, at most every SWEEP_SECONDS."""

    STORAGE_SCHEME = ["memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        self._next_sweep = 0.0
        self._sweeping = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - replaces the base class's private hook
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()
        finally:
            self._sweeping.release()
