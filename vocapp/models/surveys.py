"""Surveys and their immutable versions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, event, func, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocapp.errors import VocappError
from vocapp.models.base import Base, utcnow


class Survey(Base):
    """A questionnaire identified by its definition ``id`` (``slug`` here); content lives in versions."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: the designer's working copy, not yet published; publishing stores it as a new version
    draft_definition: Mapped[dict[str, Any] | None]
    draft_updated_at: Mapped[datetime | None]
    #: set when staff archive a survey that has responses (kept, but out of lists and pickers)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number"
    )


class SurveyVersion(Base):
    """One published, immutable definition of a survey. Responses pin to a version."""

    __tablename__ = "survey_versions"
    __table_args__ = (
        UniqueConstraint("survey_id", "number"),
        UniqueConstraint("survey_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"))
    number: Mapped[int]
    definition: Mapped[dict[str, Any]]
    #: sha256 of the canonical JSON of ``definition``
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20), default="file")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    survey: Mapped[Survey] = relationship(back_populates="versions")


class ImmutableVersionError(VocappError):
    """Raised when code tries to change a stored survey version, or delete one that has responses."""


#: what a stored version consists of; none of it may change once written
IMMUTABLE_VERSION_FIELDS = ("survey_id", "number", "definition", "content_hash")


@event.listens_for(SurveyVersion, "before_update")
def _refuse_version_changes(mapper: Any, connection: Any, version: SurveyVersion) -> None:
    state = inspect(version)
    changed = [name for name in IMMUTABLE_VERSION_FIELDS if state.attrs[name].history.has_changes()]
    if changed:
        raise ImmutableVersionError(
            f"survey version {version.number} is immutable ({', '.join(changed)} cannot change); "
            "load or publish a new version instead")


@event.listens_for(SurveyVersion, "before_delete")
def _refuse_deleting_answered_version(mapper: Any, connection: Any, version: SurveyVersion) -> None:
    responses = Base.metadata.tables["responses"]
    count = connection.scalar(
        select(func.count()).select_from(responses).where(responses.c.survey_version_id == version.id))
    if count:
        raise ImmutableVersionError(
            f"survey version {version.number} has {count} response(s) and can never be deleted")
