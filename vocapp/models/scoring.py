"""Scoring runs (the fitted model and its evidence) and the scores they produce."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
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
    #: the figures the run page and its charts show about the scores, stored at scoring time
    #: (``vocapp.core.scoring.summary``); null for runs stored before summaries were kept
    summary: Mapped[dict[str, Any] | None]
    refit: Mapped[bool] = mapped_column(default=True)
    #: the run whose frozen model this run applied, or, for a refit, the run it replaces
    based_on_run_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_runs.id", ondelete="SET NULL"))
    n_responses: Mapped[int] = mapped_column(default=0)
    n_flagged: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="ok")
    message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))


class ContactScore(Base):
    """A response's scores in one run: one row per run and response, every construct in it.

    One row per response (not per response and construct) keeps a 100k-response run at 100k rows and
    100k foreign-key checks per referenced table; the per-construct values are small JSON objects.
    The contact is the response's (``responses.contact_id``).
    """

    __tablename__ = "contact_scores"

    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id", ondelete="CASCADE"), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    #: {construct: 0-100 score or null}, anchored to the response scale (50 = the scale's midpoint)
    scores: Mapped[dict[str, Any]]
    #: {construct: standardised factor score or null} (all null for a scale-means run)
    factor_scores: Mapped[dict[str, Any]]
    #: quality flags, comma-separated (straightlining, speeding, too_many_missing); flagged rows were not fitted
    flags: Mapped[str | None] = mapped_column(String(120))
    excluded: Mapped[bool] = mapped_column(default=False)


class AccountScore(Base):
    """An account's aggregated scores in one run: one row per run and account, every construct in it.

    Each column is a {construct: value} JSON object (null where the account has no valid respondent
    scored on that construct); ``vocapp.services.scoring_data.account_scores_frame`` reads them back as
    long rows (account, construct).
    """

    __tablename__ = "account_scores"

    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    #: {construct: empirical-Bayes (multilevel) estimate of the account's 0-100 score}
    scores: Mapped[dict[str, Any]]
    #: {construct: lower bound of the 90% posterior interval}
    low: Mapped[dict[str, Any]]
    #: {construct: upper bound of the 90% posterior interval}
    high: Mapped[dict[str, Any]]
    #: {construct: number of valid respondents behind the score}
    n_respondents: Mapped[dict[str, Any]]
    #: {construct: observed role-weighted mean of the respondents' scores}; null for runs before 0007
    observed: Mapped[dict[str, Any] | None]
    #: {construct: posterior SD of the estimate}; null for runs before 0007
    posterior_sd: Mapped[dict[str, Any] | None]
