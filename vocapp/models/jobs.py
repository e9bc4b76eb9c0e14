"""Background jobs (scoring, placement, campaign sending, ...) and the named locks that serialise them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vocapp.models.base import Base, utcnow

#: queued -> running -> done | failed | cancelled (a running job whose heartbeat stopped is failed later)
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINISHED_STATUSES = ("done", "failed", "cancelled")


class Job(Base):
    """One run of a registered job function: its parameters, progress and outcome."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_kind_created_at", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the registered name of the job function, e.g. 'scoring.run'
    kind: Mapped[str] = mapped_column(String(80))
    #: keyword arguments of the job function (JSON)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(
        Enum(*JOB_STATUSES, name="job_status", native_enum=False, create_constraint=True), default="queued",
        index=True)
    #: 0-100 and a short text naming the current step
    progress: Mapped[int] = mapped_column(default=0)
    step: Mapped[str | None] = mapped_column(String(200))
    #: what the job produced, as a JSON reference, e.g. {"scoring_run_id": 5}
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: refreshed every few seconds while the job runs; a stale one means its worker died
    heartbeat_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        """Whether the job has ended (done, failed or cancelled)."""
        return self.status in FINISHED_STATUSES


class Lock(Base):
    """A named lock row: updating it inside a transaction makes other writers of the same name wait.

    PostgreSQL locks the row until the transaction ends; SQLite's single writer lock does the same for
    the whole database. Used so two runs of the same history (a survey's scoring, the canvas) never
    both build on the same previous run.
    """

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
