"""Contacts who must get no more e-mail: one-click unsubscribe, a provider's suppression export, DSNs."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from vocapp.core.campaigns.dsn import dsn_recipients, read_messages
from vocapp.extensions import db
from vocapp.models import Contact, Delivery, Invitation, StaffUser, utcnow
from vocapp.services.campaigns.audience import CampaignError
from vocapp.services.campaigns.lifecycle import find_invitation
from vocapp.services.staff import record_action

SUPPRESSION_COLUMNS = {"bounced": "bounced_at", "unsubscribed": "unsubscribed_at", "complained": "complained_at"}


def unsubscribe(token: str, how: str = "page") -> bool:
    """Unsubscribe the contact an e-mailed unsubscribe link belongs to (from every campaign, at once).
    False when the token is unknown or expired; True also when already unsubscribed."""
    invitation = find_invitation(token, purpose="unsubscribe")
    if invitation is None:
        return False
    contact = db.session.get(Contact, invitation.contact_id)
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = utcnow()
        record_action(None, "contact.unsubscribe", "contact", contact.id,
                      {"campaign": invitation.campaign_id, "how": how})
    db.session.commit()
    return True


@dataclass
class SuppressReport:
    """What ``suppress_addresses`` did: addresses marked now, already marked, and not found."""

    marked: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)


def _addresses(path: Path) -> list[str]:
    """E-mail addresses from a CSV: the ``email`` column (any case), else the first column."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CampaignError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    rows = [row for row in csv.reader(io.StringIO(text)) if row and any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("email") if "email" in header else 0
    body = rows[1:] if ("email" in header or "@" not in rows[0][0]) else rows
    return [row[column].strip().lower() for row in body if len(row) > column and row[column].strip()]


def suppress_addresses(path: str | Path, reason: str, staff: StaffUser | None = None) -> SuppressReport:
    """Mark every contact whose address is in the CSV at ``path`` as bounced, unsubscribed or
    complained (all or nothing); unknown addresses are reported, not an error."""
    if reason not in SUPPRESSION_COLUMNS:
        raise CampaignError(f"--reason must be one of {', '.join(SUPPRESSION_COLUMNS)}, not {reason!r}")
    path = Path(path)
    addresses = list(dict.fromkeys(_addresses(path)))
    column = getattr(Contact, SUPPRESSION_COLUMNS[reason])
    report, found = SuppressReport(), {}
    for start in range(0, len(addresses), 500):
        chunk = addresses[start:start + 500]
        found.update(dict(db.session.execute(select(Contact.email, column).where(Contact.email.in_(chunk))).all()))
    report.unknown = [a for a in addresses if a not in found]
    fresh = [a for a, at in found.items() if at is None]
    report.already = len(found) - len(fresh)
    now = utcnow()
    for start in range(0, len(fresh), 500):
        db.session.execute(update(Contact).where(Contact.email.in_(fresh[start:start + 500]))
                           .values({SUPPRESSION_COLUMNS[reason]: now}))
    report.marked = len(fresh)
    record_action(staff, "contacts.suppress", "contact", None,
                  {"file": path.name, "reason": reason, "marked": report.marked, "unknown": len(report.unknown)})
    db.session.commit()
    return report


@dataclass
class BounceReport:
    """What ``read_bounces`` found: messages read, DSNs, hard bounces marked, soft ones, unknown addresses."""

    messages: int = 0
    reports: int = 0
    hard: int = 0
    soft: int = 0
    unknown: list[str] = field(default_factory=list)


def read_bounces(path: str | Path, staff: StaffUser | None = None) -> BounceReport:
    """Read RFC 3464 DSNs from a Maildir or mbox: a hard bounce (5.x.x) marks the contact bounced (no
    more e-mail) and its e-mailed invitations bounced; soft ones (4.x.x, delayed) are counted only."""
    path = Path(path)
    if not path.exists():
        raise CampaignError(f"{path}: no such Maildir or mbox")
    report, now = BounceReport(), utcnow()
    try:
        messages = list(read_messages(path))
    except Exception as exc:  # noqa: BLE001 - mailbox raises several kinds for a file that is not one
        raise CampaignError(f"{path}: cannot be read as a Maildir or mbox ({exc})") from exc
    for message in messages:
        report.messages += 1
        recipients = dsn_recipients(message)
        report.reports += bool(recipients)
        for recipient in recipients:
            if not recipient.hard:
                report.soft += recipient.soft
                continue
            contact = db.session.scalars(select(Contact).where(Contact.email == recipient.address)).first()
            if contact is None:
                report.unknown.append(recipient.address)
                continue
            report.hard += 1
            if contact.bounced_at is None:
                contact.bounced_at = now
            reply = f"{recipient.status} {recipient.diagnostic}".strip()
            emailed = select(Delivery.invitation_id).where(Delivery.contact_id == contact.id,
                                                          Delivery.status.in_(["sent", "unconfirmed"]))
            db.session.execute(update(Invitation).where(
                Invitation.id.in_(emailed), Invitation.status.in_(["sent", "opened"]))
                .values(status="bounced", bounced_at=now, last_error=reply[:2000]))
    record_action(staff, "campaigns.bounces", None, None,
                  {"path": path.name, "hard": report.hard, "soft": report.soft, "unknown": len(report.unknown)})
    db.session.commit()
    return report
