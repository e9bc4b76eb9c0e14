"""Personal API tokens: who a token speaks for, what it may do, until when, and when it was last used."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vocapp.core.constants import STAFF_ROLES
from vocapp.models.base import Base, utcnow

#: what a token may do: ``read`` (GET) and ``write`` (imports, starting runs)
API_SCOPES = ("read", "write")


class ApiToken(Base):
    """One API token, stored as the SHA-256 of the secret shown once at creation.

    A token speaks either for a staff user (``staff_user_id``; it carries that user's current role and
    stops working when the user is deactivated) or for a named integration (``integration_role``)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the secret, shown in lists so a holder can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    integration_role: Mapped[str | None] = mapped_column(
        Enum(*STAFF_ROLES, name="api_token_role", native_enum=False, create_constraint=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    last_used_from: Mapped[str | None] = mapped_column(String(64))
