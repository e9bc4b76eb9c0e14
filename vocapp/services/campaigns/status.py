"""What a campaign has done so far: counts per status, response rates, completions a day, held back."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from vocapp.core.campaigns.stats import completions_per_day, progress_counts, response_rates
from vocapp.extensions import db
from vocapp.models import AuditEntry, Campaign, Contact, Delivery, Invitation, Survey, SurveyVersion
from vocapp.services.campaigns.audience import get_campaign
from vocapp.services.canvas_queries import latest_placement_run, placement_zones

INVITATION_COLUMNS = ["invitation_id", "status", "opened_at", "started_at", "completed_at", "relationship",
                      "unsubscribed", "account_pk"]


def invitations_frame(campaign_id: int) -> pd.DataFrame:
    """The campaign's invitations with the contact's relationship, unsubscribe flag and account zone."""
    rows = db.session.execute(
        select(Invitation.id, Invitation.status, Invitation.opened_at, Invitation.started_at, Invitation.completed_at,
               Contact.relationship, Contact.unsubscribed_at.is_not(None), Contact.account_id)
        .join(Contact, Contact.id == Invitation.contact_id).where(Invitation.campaign_id == campaign_id)).all()
    frame = pd.DataFrame(rows, columns=INVITATION_COLUMNS)
    run = latest_placement_run()
    zones = placement_zones(run) if run is not None else pd.Series(dtype=object)
    frame["zone"] = frame["account_pk"].map(zones)
    return frame


def survey_of(campaign: Campaign) -> tuple[str, int, str]:
    """(survey slug, version number, title) of the campaign's pinned version."""
    return tuple(db.session.execute(select(Survey.slug, SurveyVersion.number, Survey.title)
                              .join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
                              .where(SurveyVersion.id == campaign.survey_version_id)).one())


def campaign_status(campaign_id: int) -> dict:
    """JSON-ready progress of one campaign: status, counts, e-mail steps, response rates, per day."""
    campaign = get_campaign(campaign_id)
    frame = invitations_frame(campaign.id)
    counts = progress_counts(frame)
    counts["unsubscribed"] = int(frame["unsubscribed"].sum())
    steps = dict(db.session.execute(
        select(Delivery.status, func.count()).join(Invitation, Invitation.id == Delivery.invitation_id)
        .where(Invitation.campaign_id == campaign.id).group_by(Delivery.status)).all())
    slug, number, title = survey_of(campaign)
    per_day = completions_per_day(frame["completed_at"])
    return {
        "id": campaign.id, "name": campaign.name, "status": campaign.status, "survey": slug, "version": number,
        "survey_title": title, "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None,
        "counts": counts, "emails": {k: int(v) for k, v in steps.items()},
        "response_rate": round(counts["completed"] / counts["sent"], 3) if counts["sent"] else None,
        "by_relationship": response_rates(frame, "relationship").to_dict("records"),
        "by_zone": response_rates(frame, "zone").to_dict("records"),
        "completions_per_day": [{"day": d.date().isoformat(), "count": int(c)}
                                for d, c in zip(per_day["day"], per_day["count"])],
        "leave_alone_override": campaign.leave_alone_reason, "close_result": campaign.close_result,
    }


def held_back(campaign_id: int, limit: int = 500) -> tuple[list[dict], int]:
    """Invitations the frequency rule held back (the latest step of each): email, step; and the total."""
    where = [Invitation.campaign_id == campaign_id, Delivery.status == "held"]
    total = db.session.scalar(select(func.count()).select_from(Delivery)
                              .join(Invitation, Invitation.id == Delivery.invitation_id).where(*where))
    rows = db.session.execute(select(Contact.email, Delivery.step, Delivery.created_at)
                              .join(Invitation, Invitation.id == Delivery.invitation_id)
                              .join(Contact, Contact.id == Delivery.contact_id)
                              .where(*where).order_by(Contact.email).limit(limit)).all()
    return [{"email": e, "step": s, "at": at} for e, s, at in rows], int(total or 0)


def campaign_audit(campaign_id: int) -> list[AuditEntry]:
    """The audit-log entries about this campaign, oldest first."""
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.target_type == "campaign", AuditEntry.target_id == str(campaign_id)).order_by(AuditEntry.id)))


def list_rows() -> list[dict]:
    """Every campaign with its survey and invitation counts, newest first (three queries)."""
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.id.desc())))
    surveys = dict(db.session.execute(select(SurveyVersion.id, Survey.slug)
                                      .join(Survey, Survey.id == SurveyVersion.survey_id)).all())
    counts: dict[int, dict[str, int]] = {}
    for campaign_id, status, n in db.session.execute(select(Invitation.campaign_id, Invitation.status, func.count())
                                                     .group_by(Invitation.campaign_id, Invitation.status)).all():
        counts.setdefault(campaign_id, {})[status] = n
    return [{"campaign": c, "survey": surveys.get(c.survey_version_id), "invited": sum(counts.get(c.id, {}).values()),
             "completed": counts.get(c.id, {}).get("completed", 0)} for c in campaigns]
