"""Scoring runs (the fitted model and its evidence) and the scores they produce."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vocapp.models.base import Base, utcnow


class ScoringRun(Base):
    """One scoring of a survey's responses: method, parameters, frozen model and diagnostics."""

    __tablename__ = "scoring_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: 'efa' for a fitted factor model, 'scale_means' when data were too few to fit
    method: Mapped[str] = mapped_column(String(40))
    rotation: Mapped[str | None] = mapped_column(String(40))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: everything needed to score new responses identically (JSON; see docs/scoring.md)
    model: Mapped[dict[str, Any]] = mapped_column(default=dict)
    diagnostics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    refit: Mapped[bool] = mapped_column(default=True)
    #: the run whose frozen model this run applied, or, for a refit, the run it replaces
    based_on_run_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_runs.id", ondelete="SET NULL"))
    n_responses: Mapped[int] = mapped_column(default=0)
    n_flagged: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="ok")
    message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))


class ContactScore(Base):
    """A response's score on one construct in one run (long rows: one per response and construct)."""

    __tablename__ = "contact_scores"
    __table_args__ = (
        UniqueConstraint("run_id", "response_id", "construct"),
        Index("ix_contact_scores_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    construct: Mapped[str] = mapped_column(String(80))
    #: 0-100, anchored to the response scale (50 = the scale's midpoint)
    score: Mapped[float | None] = mapped_column(Float)
    #: standardised factor score
    factor_score: Mapped[float | None] = mapped_column(Float)
    #: quality flags, comma-separated (straightlining, speeding, too_many_missing); flagged rows were not fitted
    flags: Mapped[str | None] = mapped_column(String(120))
    excluded: Mapped[bool] = mapped_column(default=False)


class AccountScore(Base):
    """An account's aggregated score on one construct in one run, with its interval."""

    __tablename__ = "account_scores"
    __table_args__ = (UniqueConstraint("run_id", "account_id", "construct"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    construct: Mapped[str] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    n_respondents: Mapped[int]
