"""The results report and the director summary: read a set of responses, hand them to the core.

The report takes any set of responses: ``where`` clauses on ``Response`` narrow the survey's
complete responses; ``campaign_report`` narrows them to a campaign's (``Response.invitation_id`` in its
invitations). Erased contacts' answers never appear.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd
from flask import current_app
from sqlalchemy import func, or_, select

from vocapp.core.canvas import CanvasDefinitionError
from vocapp.core.canvas.definition import build_canvas_definition
from vocapp.core.exports.codebook import merged_items
from vocapp.core.exports.report import DEFAULT_MIN_GROUP, ItemReport, build_report, histogram, reason_kinds
from vocapp.extensions import db
from vocapp.models import (Campaign, Contact, ContactScore, Invitation, Placement, PlacementRun, Response, Survey,
                           SurveyVersion)
from vocapp.services.canvas_queries import zone_movements, zone_totals

from .scope import ExportError, ExportScope, resolve_scope

GROUPINGS = ("relationship", "zone")


def min_group() -> int:
    """The smallest group the report shows (VOCAPP_REPORT_MIN_GROUP, default 5; at least 1)."""
    return max(1, int(current_app.config.get("REPORT_MIN_GROUP") or DEFAULT_MIN_GROUP))


def _not_erased():
    """Responses of no contact (anonymised by retention) or of a contact not erased (with Contact joined)."""
    return or_(Response.contact_id.is_(None), Contact.erased_at.is_(None))


def report_frame(scope: ExportScope, where: Sequence[Any] = ()) -> pd.DataFrame:
    """The scope's complete responses (narrowed by ``where``) as one row each: one column per
    answered item (raw answers), relationship, and the account's zone in the scope's placement run."""
    placement = scope.placement_run
    zone = (select(Placement.zone).where(Placement.run_id == placement.id, Placement.account_id == Contact.account_id)
            .scalar_subquery() if placement is not None else None)
    columns = [Response.id, Response.answers, Contact.relationship] + ([zone] if zone is not None else [])
    stmt = (select(*columns).outerjoin(Contact, Contact.id == Response.contact_id)
            .where(Response.survey_version_id.in_(scope.version_ids), Response.status == "complete",
                   _not_erased(), *where)
            .order_by(Response.id))
    rows = db.session.execute(stmt).all()
    answers = pd.DataFrame.from_records([row[1] or {} for row in rows])
    answers["relationship"] = [row[2] for row in rows]
    answers["zone"] = [row[3] for row in rows] if zone is not None else None
    answers.index = pd.Index([row[0] for row in rows], name="response_id")
    return answers


@dataclass
class ResultsReport:
    """The report of one set of responses: its scope, size, the minimum group and one entry per item;
    for a campaign's report the campaign and its number of invitations sent."""

    scope: ExportScope
    n_responses: int
    min_group: int
    items: list[ItemReport]
    campaign: Campaign | None = None
    invited: int | None = None


def results_report(survey: str | None = None, run_id: int | None = None, where: Sequence[Any] = ()) -> ResultsReport:
    """Per item: counts and percentages per answer, mean and SD for scales, by relationship and by zone."""
    return _report(resolve_scope(survey, run_id), where)


def _report(scope: ExportScope, where: Sequence[Any]) -> ResultsReport:
    frame = report_frame(scope, where)
    limit = min_group()
    groupings = [g for g in GROUPINGS if g != "zone" or scope.placement_run is not None]
    items = build_report(frame, merged_items(scope.definitions), groupings, limit)
    return ResultsReport(scope, len(frame), limit, items)


def campaign_report(campaign_id: int, run_id: int | None = None) -> ResultsReport:
    """The results report of the responses collected through one campaign's invitations. Zones come
    from ``run_id``, else the scoring run made when the campaign closed, else the survey's latest."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise ExportError(f"campaign: no campaign with id {campaign_id}")
    version = db.session.get(SurveyVersion, campaign.survey_version_id)
    survey = db.session.get(Survey, version.survey_id)
    if run_id is None and (campaign.close_result or {}).get("status") == "done":
        run_id = campaign.close_result.get("scoring_run_id")
    report = _report(resolve_scope(survey.slug, run_id),
                     [Response.invitation_id.in_(select(Invitation.id).where(Invitation.campaign_id == campaign.id))])
    report.campaign = campaign
    report.invited = int(db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.campaign_id == campaign.id, Invitation.sent_at.is_not(None))) or 0)
    return report


@dataclass
class DirectorSummary:
    """The one-page summary: response rate (None before any campaign), zones, movements, leave-alone
    count and main reasons, the distribution of each construct's scores."""

    scope: ExportScope
    n_responses: int
    invited: int | None
    completed: int | None
    zones: list[dict[str, Any]] = field(default_factory=list)
    movements: pd.DataFrame | None = None
    previous_run_id: int | None = None
    n_left_alone: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    distributions: dict[str, list[tuple[float, int]]] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.completed / self.invited if self.invited else None


def _invitations(scope: ExportScope) -> tuple[int | None, int | None]:
    stmt = (select(func.count(Invitation.id), func.count(Invitation.completed_at))
            .join(Campaign, Campaign.id == Invitation.campaign_id)
            .where(Campaign.survey_version_id.in_(scope.version_ids), Invitation.sent_at.is_not(None)))
    invited, completed = db.session.execute(stmt).one()
    return (int(invited), int(completed)) if invited else (None, None)


def _zones(run: PlacementRun) -> list[dict[str, Any]]:
    """Accounts and accounts left alone per zone, in the run's canvas definition's zone order."""
    totals = zone_totals(run)
    try:
        order = [zone.name for zone in build_canvas_definition(run.definition, f"placement run {run.id}").zones]
    except CanvasDefinitionError:  # a run stored without a usable definition: zones by name
        order = []
    names = [z for z in order if z in totals] + sorted(z for z in totals if z not in order)
    return [{"zone": z, "accounts": totals[z][0], "leave_alone": totals[z][1]} for z in names]


def director_summary(survey: str | None = None, run_id: int | None = None) -> DirectorSummary:
    """Everything the one-page summary shows, for the scope's scoring run and placement."""
    scope = resolve_scope(survey, run_id)
    n_responses = int(db.session.scalar(
        select(func.count(Response.id)).outerjoin(Contact, Contact.id == Response.contact_id)
        .where(Response.survey_version_id.in_(scope.version_ids), Response.status == "complete",
               _not_erased())) or 0)
    summary = DirectorSummary(scope, n_responses, *_invitations(scope))
    run = scope.placement_run
    if run is not None:
        summary.zones = _zones(run)
        reasons = db.session.scalars(select(Placement.leave_alone_reason).where(
            Placement.run_id == run.id, Placement.leave_alone.is_(True))).all()
        summary.n_left_alone, summary.reasons = len(reasons), reason_kinds(pd.Series(reasons, dtype=object))[:5]
        if run.previous_run_id is not None:
            previous = db.session.get(PlacementRun, run.previous_run_id)
            if previous is not None:
                summary.movements, summary.previous_run_id = zone_movements(previous, run), previous.id
    if scope.scoring_run is not None:
        scores = db.session.scalars(
            select(ContactScore.scores).join(Response, Response.id == ContactScore.response_id)
            .outerjoin(Contact, Contact.id == Response.contact_id)
            .where(ContactScore.run_id == scope.scoring_run.id, ContactScore.excluded.is_(False),
                   _not_erased())).all()
        frame = pd.DataFrame.from_records(list(scores)) if scores else pd.DataFrame()
        summary.distributions = {c: histogram(frame[c]) if c in frame else histogram(pd.Series(dtype=float))
                                 for c in scope.constructs}
    return summary
