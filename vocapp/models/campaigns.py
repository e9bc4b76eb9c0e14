"""Invitation campaigns, the personal invitations they send, every e-mail step and every link."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocapp.models.base import Base, utcnow

CAMPAIGN_STATUSES = ("draft", "scheduled", "sending", "open", "closed")
INVITATION_STATUSES = ("queued", "sent", "failed", "bounced", "opened", "started", "completed", "revoked")
#: sending: intent recorded, SMTP outcome not yet; unconfirmed: a re-run found an intent without outcome
DELIVERY_STATUSES = ("sending", "sent", "failed", "held", "unconfirmed")
TOKEN_PURPOSES = ("survey", "unsubscribe")


class Campaign(Base):
    """A wave of invitations to one survey version: audience, e-mail text, schedule, reminder policy."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(
        Enum(*CAMPAIGN_STATUSES, name="campaign_status", native_enum=False, create_constraint=True),
        default="draft",
    )
    #: audience filters: relationship, role, zone (lists), contact/account attribute {name: [values]},
    #: not_answered_since (ISO date); see vocapp.core.campaigns.audience
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: empty: the default text in the contact's language (vocapp.core.campaigns.messages)
    email_subject: Mapped[str] = mapped_column(String(300), default="")
    email_body: Mapped[str] = mapped_column(Text, default="")
    reminder_subject: Mapped[str] = mapped_column(String(300), default="")
    reminder_body: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    max_reminders: Mapped[int] = mapped_column(default=2)
    reminder_interval_days: Mapped[int] = mapped_column(default=7)
    #: outreach respects the canvas: accounts flagged leave-alone are left out unless staff opt them in
    exclude_leave_alone: Mapped[bool] = mapped_column(default=True)
    #: the written reason staff gave for including leave-alone accounts (also in the audit log)
    leave_alone_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: the worker sending or reminding now (a random id) and its latest heartbeat: one sender at a time
    sender: Mapped[str | None] = mapped_column(String(40))
    sender_seen_at: Mapped[datetime | None]
    #: what closing did: scoring_run_id, placement_run_id, previous_placement_run_id, moved (or error)
    close_result: Mapped[dict[str, Any] | None]

    invitations: Mapped[list[Invitation]] = relationship(back_populates="campaign")


class Invitation(Base):
    """A contact's personal link to one campaign. Only hashes of its tokens are stored.

    ``token_hash`` is the hash of the survey link in the latest e-mail; every link ever e-mailed
    stays valid until expiry and is in ``invitation_tokens`` (``services.campaigns.find_invitation``).
    """

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id"),
        Index("ix_invitations_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    #: sha256 hex of the random token of the latest e-mailed survey link
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(
        Enum(*INVITATION_STATUSES, name="invitation_status", native_enum=False, create_constraint=True),
        default="queued",
    )
    language: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None]
    #: the SMTP server's reply to a failed (or bounced) e-mail
    last_error: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="invitations")


class Delivery(Base):
    """One e-mail step of one invitation (step 0: the invitation, n: the n-th reminder).

    Written before the SMTP transaction (status ``sending``: the intent) and updated after it (the
    outcome), so a re-run never e-mails an invitation twice for one step (docs/campaigns.md).
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("invitation_id", "step"), Index("ix_deliveries_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    #: the contact, so the frequency rule counts e-mails per contact in one indexed query
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    step: Mapped[int]
    status: Mapped[str] = mapped_column(
        Enum(*DELIVERY_STATUSES, name="delivery_status", native_enum=False, create_constraint=True))
    message_id: Mapped[str | None] = mapped_column(String(250))
    smtp_reply: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class InvitationToken(Base):
    """A token e-mailed for an invitation: its survey link or its unsubscribe link (hash only)."""

    __tablename__ = "invitation_tokens"
    __table_args__ = (Index("ix_invitation_tokens_invitation_id", "invitation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(
        Enum(*TOKEN_PURPOSES, name="token_purpose", native_enum=False, create_constraint=True))
    step: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
