"""Accounts (member or customer organisations) and their contacts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as orm_relationship

from vocapp.core.constants import RELATIONSHIPS
from vocapp.models.base import Base, utcnow



class Account(Base):
    """An organisation: a member paying a subscription, a customer buying services, or both."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = orm_relationship(back_populates="account", order_by="Contact.email")


class Contact(Base):
    """A person at an account who may be invited to surveys."""

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_account_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    #: stored lower-cased; unique case-insensitively by construction
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    relationship: Mapped[str] = mapped_column(
        Enum(*RELATIONSHIPS, name="relationship_kind", native_enum=False, create_constraint=True)
    )
    role: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(12))
    consent_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    #: personal data removed on request; the row stays so scores and counts keep their integrity
    erased_at: Mapped[datetime | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = orm_relationship(back_populates="contacts")

    @property
    def display_name(self) -> str:
        """First and last name, or the e-mail when both are empty."""
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def reachable(self) -> bool:
        """False once the contact unsubscribed or was erased."""
        return self.unsubscribed_at is None and self.erased_at is None


__all__ = ["Account", "Contact", "RELATIONSHIPS"]
