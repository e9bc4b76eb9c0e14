"""Campaign lifecycle after sending: revoke, close (and re-score and re-place), the look-up of a link's
invitation, and the periodic check that starts scheduled campaigns and closes expired ones."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from vocapp.core.campaigns import check_transition
from vocapp.core.tokens import hash_token
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Campaign, Contact, Invitation, InvitationToken, StaffUser, Survey, SurveyVersion, utcnow
from vocapp.services.campaigns.audience import CampaignError, get_campaign
from vocapp.services.progress import Progress
from vocapp.services.staff import record_action
from vocapp.services.webhooks.events import campaign_closed



def find_invitation(token: str, purpose: str = "survey", now: dt.datetime | None = None) -> Invitation | None:
    """The invitation a link token belongs to, or None when the token is unknown, expired or revoked
    (one answer for all three, so a page cannot tell them apart). Any survey link ever e-mailed for
    the invitation works until it expires."""
    now = now or utcnow()
    token_hash = hash_token(token or "")
    row = db.session.execute(select(InvitationToken.invitation_id, InvitationToken.expires_at).where(
        InvitationToken.token_hash == token_hash, InvitationToken.purpose == purpose)).first()
    if row is None or row[1] <= now:
        return None
    invitation = db.session.get(Invitation, row[0])
    if invitation is None or (purpose == "survey" and (invitation.status == "revoked" or invitation.expires_at <= now)):
        return None
    return invitation


def revoke_invitation(campaign_id: int, email: str, staff: StaffUser | None = None) -> Invitation:
    """Revoke one contact's invitation: its links stop working and it gets no reminder."""
    campaign = get_campaign(campaign_id)
    invitation = db.session.scalars(select(Invitation).join(Contact, Contact.id == Invitation.contact_id).where(
        Invitation.campaign_id == campaign.id, Contact.email == (email or "").strip().lower())).first()
    if invitation is None:
        raise CampaignError(f"campaign {campaign_id} has no invitation for {email}")
    if invitation.status == "completed":
        raise CampaignError(f"{email} has already completed the survey; nothing to revoke")
    if invitation.status != "revoked":
        invitation.status, invitation.revoked_at = "revoked", utcnow()
        record_action(staff, "campaign.revoke", "invitation", invitation.id,
                      {"campaign": campaign.id, "email": email.strip().lower()})
    db.session.commit()
    return invitation


def close_campaign(campaign_id: int, staff: StaffUser | None = None) -> Campaign:
    """Close the campaign (links expire now). The caller then runs ``run_closing`` (re-score, re-place):
    the command in the terminal, the staff page and the periodic job as the ``campaigns.close`` job."""
    campaign = get_campaign(campaign_id)
    check_transition(campaign.status, "close")
    now = utcnow()
    campaign.status, campaign.closed_at = "closed", now
    db.session.execute(update(Invitation).where(Invitation.campaign_id == campaign.id, Invitation.expires_at > now)
                       .values(expires_at=now))
    record_action(staff, "campaign.close", "campaign", campaign.id)
    from vocapp.services.respondent import campaign_progress

    campaign_closed(campaign, campaign_progress(campaign.id).counts)  # in this transaction (outbox)
    db.session.commit()
    return campaign


def run_closing(campaign_id: int, staff: StaffUser | None = None, progress: Progress | None = None) -> dict:
    """Closing the loop: score the survey with its frozen model (not refitted), place every account on
    the canvas (stated essential-contact-only preferences apply at once) and count zone movements since
    the previous placement. The result is kept on the campaign."""
    from vocapp.services.canvas import place
    from vocapp.services.canvas_queries import get_placement_run, zone_movements
    from vocapp.services.scoring import run_scoring

    campaign = get_campaign(campaign_id)
    slug = db.session.scalar(select(Survey.slug).join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
                             .where(SurveyVersion.id == campaign.survey_version_id))
    result: dict[str, Any] = {}
    try:
        if progress:
            progress(10, f"scoring {slug}")
        scoring = run_scoring(slug, refit=False, staff=staff)
        if progress:
            progress(60, "placing accounts on the canvas")
        placement = place(staff=staff)
        moved = None
        if placement.previous_run_id is not None:
            table = zone_movements(get_placement_run(placement.previous_run_id), placement)
            moved = int(table.loc[table["moved"], "count"].sum())
        result.update(status="done", scoring_run_id=scoring.id, applied_model_from_run=scoring.based_on_run_id
                      if not scoring.refit else None, refit=bool(scoring.refit), placement_run_id=placement.id,
                      previous_placement_run_id=placement.previous_run_id, moved=moved, error=None)
    except VocappError as exc:
        db.session.rollback()
        result.update(status="failed", error=str(exc))
    campaign = get_campaign(campaign_id)
    campaign.close_result = result
    db.session.commit()
    if progress:
        progress(100, "closed")
    return result


def due_work(now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Periodic check: start scheduled campaigns whose time came, close open ones past their closing
    date (the caller starts their closing work). Returns the campaign ids of each."""
    from vocapp.services.campaigns.sending import send_campaign

    now = now or utcnow()
    started, closed = [], []
    for campaign_id in db.session.scalars(select(Campaign.id).where(
            Campaign.status == "scheduled", Campaign.opens_at <= now)).all():
        send_campaign(campaign_id, now=now)
        started.append(campaign_id)
    for campaign_id in db.session.scalars(select(Campaign.id).where(
            Campaign.status.in_(["open", "sending", "scheduled"]), Campaign.closes_at <= now)).all():
        try:
            close_campaign(campaign_id)
        except CampaignError:
            continue
        closed.append(campaign_id)
    return {"started": started, "closed": closed}
