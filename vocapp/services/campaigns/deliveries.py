"""The deliveries ledger: one row per invitation and e-mail step, written as an intent before the SMTP
transaction and given its outcome after it. Invitation statuses are derived from it in bulk."""
from __future__ import annotations

from sqlalchemy import and_, delete, exists, func, select, update

from vocapp.extensions import db
from vocapp.models import Delivery, Invitation, InvitationToken, utcnow

#: outcomes that count as e-mailed (an unconfirmed one may have been; it is never sent again)
EMAILED = ("sent", "unconfirmed")


def resolve_in_doubt(campaign_id: int) -> int:
    """Intents without an outcome (their sender died during the SMTP transaction) become
    ``unconfirmed`` and count as e-mailed: at most once wins. Link tokens made for e-mails that were
    never attempted are deleted, and the invitations brought up to date. Returns how many were in
    doubt. The caller holds the campaign's sender claim and commits."""
    mine = select(Invitation.id).where(Invitation.campaign_id == campaign_id)
    doubtful = db.session.execute(update(Delivery).where(Delivery.invitation_id.in_(mine), Delivery.status == "sending")
                                  .values(status="unconfirmed", finished_at=utcnow(),
                                          smtp_reply="the sender stopped during the SMTP transaction; not sent again"))
    attempted = exists().where(Delivery.invitation_id == InvitationToken.invitation_id,
                               Delivery.step == InvitationToken.step, Delivery.status != "held")
    db.session.execute(delete(InvitationToken).where(InvitationToken.invitation_id.in_(mine), ~attempted))
    sync_invitations(campaign_id)
    return int(doubtful.rowcount or 0)


def sync_invitations(campaign_id: int, invitation_ids: list[int] | None = None) -> None:
    """Set invitation status, timestamps, reminder count and latest link from their deliveries (set-based
    statements, for the given invitations or the whole campaign). The caller commits."""
    scope = [Invitation.campaign_id == campaign_id]
    if invitation_ids is not None:
        scope.append(Invitation.id.in_(invitation_ids))
    own = Delivery.invitation_id == Invitation.id
    first = and_(own, Delivery.step == 0)
    emailed_first = exists().where(first, Delivery.status.in_(EMAILED))
    db.session.execute(update(Invitation).where(*scope, Invitation.status == "queued", emailed_first).values(
        status="sent", sent_at=select(Delivery.created_at).where(first).scalar_subquery()))
    failed_first = exists().where(first, Delivery.status == "failed")
    db.session.execute(update(Invitation).where(*scope, Invitation.status == "queued", failed_first).values(
        status="failed", failed_at=select(Delivery.finished_at).where(first).scalar_subquery(),
        last_error=select(Delivery.smtp_reply).where(first).scalar_subquery()))
    reminders = and_(own, Delivery.step > 0, Delivery.status.in_(EMAILED))
    last_step = select(func.max(Delivery.step)).where(reminders).scalar_subquery()
    db.session.execute(update(Invitation).where(*scope, last_step > Invitation.reminder_count).values(
        reminder_count=last_step, last_reminder_at=select(func.max(Delivery.created_at)).where(reminders)
        .scalar_subquery()))
    latest = (select(InvitationToken.token_hash)
              .join(Delivery, and_(Delivery.invitation_id == InvitationToken.invitation_id,
                                   Delivery.step == InvitationToken.step))
              .where(InvitationToken.invitation_id == Invitation.id, InvitationToken.purpose == "survey",
                     Delivery.status.in_(EMAILED))
              .order_by(InvitationToken.step.desc(), InvitationToken.id.desc()).limit(1).scalar_subquery())
    db.session.execute(update(Invitation).where(*scope, latest.is_not(None), latest != Invitation.token_hash)
                       .values(token_hash=latest))
