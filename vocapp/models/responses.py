"""Responses to a survey version. Answers are one JSON object per response (see docs/architecture.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from vocapp.core.constants import RESPONSE_STATUSES
from vocapp.models.base import Base, utcnow

RESPONSE_SOURCES = ("web", "import", "demo")


class Response(Base):
    """One contact's answers to one survey version, partial until submitted."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_survey_version_id", "survey_version_id"),
        Index("ix_responses_contact_submitted", "contact_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="RESTRICT"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), unique=True
    )
    source: Mapped[str] = mapped_column(
        Enum(*RESPONSE_SOURCES, name="response_source", native_enum=False, create_constraint=True), default="web"
    )
    status: Mapped[str] = mapped_column(
        Enum(*RESPONSE_STATUSES, name="response_status", native_enum=False, create_constraint=True),
        default="partial",
    )
    #: {item_id: value}; value is an int/float for scales and numbers, a str or a list of str for choices
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: {page_id: seconds spent on the page}
    page_timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    #: the page the respondent reached, to resume where they stopped
    last_page: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    #: when free text and the link to the person were removed (erasure keeps the link to the erased
    #: contact row, so account aggregates keep their integrity; retention removes it)
    anonymised_at: Mapped[datetime | None]
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"))
