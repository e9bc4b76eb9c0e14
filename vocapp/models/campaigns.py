"""Invitation campaigns and the personal invitations they send."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocapp.models.base import Base, utcnow

CAMPAIGN_STATUSES = ("draft", "sending", "open", "closed")
INVITATION_STATUSES = ("pending", "sent", "opened", "started", "completed", "bounced", "failed", "revoked")


class Campaign(Base):
    """A wave of invitations to one survey version, with its reminder policy."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(
        Enum(*CAMPAIGN_STATUSES, name="campaign_status", native_enum=False, create_constraint=True),
        default="draft",
    )
    email_subject: Mapped[str] = mapped_column(String(300), default="")
    email_body: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    max_reminders: Mapped[int] = mapped_column(default=2)
    reminder_interval_days: Mapped[int] = mapped_column(default=7)
    #: outreach respects the canvas: accounts flagged leave-alone are left out unless staff opt them in
    exclude_leave_alone: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    invitations: Mapped[list[Invitation]] = relationship(back_populates="campaign")


class Invitation(Base):
    """A contact's personal link to one campaign. Only a hash of the token is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id"),
        Index("ix_invitations_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    #: sha256 hex of the random token sent by e-mail
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(
        Enum(*INVITATION_STATUSES, name="invitation_status", native_enum=False, create_constraint=True),
        default="pending",
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="invitations")
