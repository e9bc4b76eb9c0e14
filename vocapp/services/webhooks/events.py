"""The four events and their payloads (``data``), built from the change they announce, in its transaction.

Payload shapes are documented with examples in docs/webhooks.md; keep the two in step.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from vocapp.extensions import db
from vocapp.models import Account, Campaign, Contact, Invitation, Placement, Response, Survey, SurveyVersion
from vocapp.services.webhooks.outbox import record_event, record_events, subscribers


def _when(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def response_completed(response_id: int) -> int:
    """Announce that a respondent submitted response ``response_id`` (call before the commit)."""
    if not subscribers("response.completed"):
        return 0
    row = db.session.execute(
        select(Response.id, Response.submitted_at, Response.duration_seconds, Response.source,
               Survey.slug, SurveyVersion.number, Invitation.id.label("invitation_id"), Campaign.id.label("campaign_id"),
               Campaign.name.label("campaign_name"), Contact.id.label("contact_id"), Contact.email,
               Account.id.label("account_id"), Account.external_id)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Campaign, Campaign.id == Invitation.campaign_id)
        .outerjoin(Contact, Contact.id == Response.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(Response.id == response_id)).one()
    return record_event("response.completed", {
        "response_id": row.id, "survey": row.slug, "survey_version": row.number, "source": row.source,
        "submitted_at": _when(row.submitted_at), "duration_seconds": row.duration_seconds,
        "campaign": None if row.campaign_id is None else {"id": row.campaign_id, "name": row.campaign_name},
        "invitation_id": row.invitation_id,
        "contact": None if row.contact_id is None else {"id": row.contact_id, "email": row.email},
        "account": None if row.account_id is None else {"id": row.account_id, "external_id": row.external_id},
    })


def placement_changes(run_id: int, previous_run_id: int | None, placed_at) -> dict[str, int]:
    """Announce each account whose zone or leave-alone flag differs between the previous placement run
    and run ``run_id`` (both in the session; call before the commit). Accounts placed in one of the two
    runs only are not announced. Returns the events written per type."""
    wanted = {kind: bool(subscribers(kind)) for kind in ("account.zone_changed", "account.leave_alone_changed")}
    if previous_run_id is None or not any(wanted.values()):
        return dict.fromkeys(wanted, 0)
    before, after = aliased(Placement), aliased(Placement)
    rows = db.session.execute(
        select(after.account_id, Account.external_id, Account.name, before.zone.label("from_zone"),
               after.zone.label("to_zone"), before.leave_alone.label("was_left_alone"), after.leave_alone,
               after.leave_alone_reason, before.leave_alone_reason.label("previous_reason"), after.readiness,
               after.opportunity)
        .join(before, and_(before.account_id == after.account_id, before.run_id == previous_run_id))
        .join(Account, Account.id == after.account_id)
        .where(after.run_id == run_id, or_(before.zone != after.zone, before.leave_alone != after.leave_alone))
        .order_by(after.account_id)).all()
    common = {"placement_run_id": run_id, "previous_placement_run_id": previous_run_id, "placed_at": _when(placed_at)}
    zones = [{"account": {"id": r.account_id, "external_id": r.external_id, "name": r.name},
              "from_zone": r.from_zone, "to_zone": r.to_zone, "readiness": r.readiness,
              "opportunity": r.opportunity, **common} for r in rows if r.from_zone != r.to_zone]
    flags = [{"account": {"id": r.account_id, "external_id": r.external_id, "name": r.name},
              "leave_alone": bool(r.leave_alone), "reason": r.leave_alone_reason if r.leave_alone else None,
              "previous_leave_alone": bool(r.was_left_alone),
              "previous_reason": r.previous_reason if r.was_left_alone else None, "zone": r.to_zone, **common}
             for r in rows if bool(r.was_left_alone) != bool(r.leave_alone)]
    return {"account.zone_changed": record_events("account.zone_changed", zones) if wanted["account.zone_changed"] else 0,
            "account.leave_alone_changed": record_events("account.leave_alone_changed", flags)
            if wanted["account.leave_alone_changed"] else 0}


def campaign_closed(campaign: Campaign, counts: dict[str, int]) -> int:
    """Announce that ``campaign`` closed, with its invitation counts by status (call before the commit)."""
    if not subscribers("campaign.closed"):
        return 0
    survey = db.session.execute(select(Survey.slug, SurveyVersion.number).join(
        SurveyVersion, SurveyVersion.survey_id == Survey.id).where(SurveyVersion.id == campaign.survey_version_id)).one()
    return record_event("campaign.closed", {
        "campaign": {"id": campaign.id, "name": campaign.name}, "survey": survey.slug,
        "survey_version": survey.number, "sent_at": _when(campaign.sent_at), "closed_at": _when(campaign.closed_at),
        "invitations": sum(counts.values()), "completed": counts.get("completed", 0), "by_status": counts,
    })
