"""Canvas placement runs and each account's placement in them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vocapp.models.base import Base, utcnow


class CanvasDefinitionVersion(Base):
    """One saved version of the canvas definition (category mapping, cuts, zones), edited by staff.

    Placements use the newest version; with none stored they use the shipped default file. Like
    survey versions, a saved version is never changed: an edit saves a new one.
    """

    __tablename__ = "canvas_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    definition: Mapped[dict[str, Any]]
    #: sha256 of the canonical JSON of ``definition``
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))


class PlacementRun(Base):
    """One placement of every account on the Customer Segmentation Canvas."""

    __tablename__ = "placement_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scoring_run_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_runs.id", ondelete="SET NULL"))
    previous_run_id: Mapped[int | None] = mapped_column(ForeignKey("placement_runs.id", ondelete="SET NULL"))
    #: the canvas definition used, as loaded (so a run can be explained later)
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    as_of: Mapped[datetime]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))


class Placement(Base):
    """Where one account sits in one placement run, and whether outreach must leave it alone."""

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("run_id", "account_id"),
        Index("ix_placements_account_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("placement_runs.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    opportunity: Mapped[float] = mapped_column(Float)
    readiness: Mapped[float | None] = mapped_column(Float)
    #: readiness estimated from behaviour for accounts not yet heard (never used for leave-alone)
    estimated_readiness: Mapped[float | None] = mapped_column(Float)
    zone: Mapped[str] = mapped_column(String(40))
    co_creation: Mapped[bool] = mapped_column(default=False)
    leave_alone: Mapped[bool] = mapped_column(default=False, index=True)
    leave_alone_reason: Mapped[str | None] = mapped_column(Text)
    cluster: Mapped[int | None]
    #: construct scores with intervals and metrics used, for the account page
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
