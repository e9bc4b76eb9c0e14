"""E-mails whose outcome is unknown (``unconfirmed``: the sender stopped between intent and outcome,
or the connection dropped before the server's reply): listed for staff, re-sent only when staff say
so, with the Message-ID of the first attempt so that the receiving side can tell a duplicate."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import and_, func, select

from vocapp.extensions import db
from vocapp.models import Account, Contact, Delivery, Invitation, StaffUser, SurveyVersion
from vocapp.services.audit import record_action
from vocapp.services.campaigns.audience import CampaignError, get_campaign
from vocapp.services.campaigns.deliveries import resolve_in_doubt
from vocapp.services.campaigns.run import SendRun
from vocapp.services.campaigns.sending import claim_sender, release_sender
from vocapp.services.progress import Progress

#: invitations whose unconfirmed e-mail may be re-sent (not completed, revoked, bounced)
RESENDABLE = ("sent", "opened", "started", "queued")


def unconfirmed_emails(campaign_id: int, limit: int = 500) -> tuple[list[dict], int]:
    """The campaign's unconfirmed e-mails (address, step, Message-ID, intent time, why) and their total."""
    where = [Invitation.campaign_id == campaign_id, Delivery.status == "unconfirmed"]
    base = select(func.count()).select_from(Delivery).join(Invitation, Invitation.id == Delivery.invitation_id)
    total = db.session.scalar(base.where(*where))
    rows = db.session.execute(
        select(Delivery.invitation_id, Contact.email, Delivery.step, Delivery.message_id, Delivery.created_at,
               Delivery.smtp_reply)
        .join(Invitation, Invitation.id == Delivery.invitation_id).join(Contact, Contact.id == Delivery.contact_id)
        .where(*where).order_by(Delivery.created_at, Delivery.invitation_id).limit(limit)).all()
    keys = ("invitation_id", "email", "step", "message_id", "at", "reason")
    return [dict(zip(keys, row)) for row in rows], int(total or 0)


def _resend_rows(campaign_id: int, invitation_ids: list[int] | None) -> tuple[list[dict], int]:
    reachable = and_(Contact.erased_at.is_(None), Contact.unsubscribed_at.is_(None), Contact.bounced_at.is_(None),
                     Contact.complained_at.is_(None), Invitation.status.in_(RESENDABLE))
    where = [Invitation.campaign_id == campaign_id, Delivery.status == "unconfirmed"]
    if invitation_ids is not None:
        where.append(Invitation.id.in_([int(i) for i in invitation_ids]))
    stmt = (select(Invitation.id, Invitation.contact_id, Delivery.step, Delivery.message_id, Invitation.expires_at,
                   Invitation.language, Contact.email, Contact.first_name, Contact.last_name, Account.name, reachable)
            .join(Invitation, Invitation.id == Delivery.invitation_id).join(Contact, Contact.id == Invitation.contact_id)
            .join(Account, Account.id == Contact.account_id).where(*where).order_by(Delivery.step, Invitation.id))
    keys = ("invitation_id", "contact_id", "step", "message_id", "expires_at", "language", "email", "first_name",
            "last_name", "organisation", "reachable")
    rows = [dict(zip(keys, row), resend=True) for row in db.session.execute(stmt).all()]
    return [row for row in rows if row["reachable"]], sum(1 for row in rows if not row["reachable"])


def resend_unconfirmed(campaign_id: int, invitation_ids: list[int] | None = None, staff: StaffUser | None = None,
                       progress: Progress | None = None) -> dict:
    """Send the unconfirmed e-mails of these invitations (None: all of the campaign's) once more, same
    Message-ID, new links (the first e-mail's links keep working). Contacts who unsubscribed, bounced
    or completed meanwhile are skipped. Recorded in the audit log. Returns counts."""
    campaign = get_campaign(campaign_id)
    if campaign.status == "closed":
        raise CampaignError(f"campaign {campaign_id} is closed: its links have expired, nothing to re-send")
    me = claim_sender(campaign_id, int(current_app.config.get("SEND_CLAIM_SECONDS", 60)))
    try:
        db.session.refresh(campaign)
        resolve_in_doubt(campaign_id)
        db.session.commit()
        rows, skipped = _resend_rows(campaign_id, invitation_ids)
        record_action(staff, "campaign.resend_unconfirmed", "campaign", campaign_id,
                      {"emails": len(rows), "skipped": skipped,
                       "invitation_ids": sorted({int(row["invitation_id"]) for row in rows})[:1000]})
        db.session.commit()
        definition = db.session.get(SurveyVersion, campaign.survey_version_id).definition
        counts = {"sent": 0, "failed": 0, "unconfirmed": 0}
        for kind, part in (("invitation", [r for r in rows if r["step"] == 0]),
                           ("reminder", [r for r in rows if r["step"] > 0])):
            if part:
                run = SendRun(campaign, definition, kind, me, progress)
                run.run(part)
                counts = {key: counts[key] + run.counts[key] for key in counts}
        return {"resent": counts["sent"], **counts, "skipped": skipped}
    finally:
        release_sender(campaign_id, me)
