"""Editing contacts from staff pages: change their details, unsubscribe them (audited)."""
from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import RELATIONSHIPS, Contact, StaffUser, utcnow
from vocapp.services.staff import record_action

EDITABLE = ("email", "first_name", "last_name", "relationship", "role", "language")
LIMITS = {"email": 320, "first_name": 120, "last_name": 120, "role": 40, "language": 12}


class ContactError(VocappError, ValueError):
    """A contact cannot be changed; the message names the field."""


def _clean(contact: Contact, field: str, value: Any) -> Any:
    text = (value or "").strip()
    if len(text) > LIMITS.get(field, 10**6):
        raise ContactError(f"{field}: at most {LIMITS[field]} characters")
    if field == "email":
        try:
            text = validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ContactError(f"email: {exc}") from exc
        other = db.session.scalar(select(Contact.id).where(Contact.email == text, Contact.id != contact.id))
        if other is not None:
            raise ContactError(f"email: another contact already has {text}")
    if field == "relationship" and text not in RELATIONSHIPS:
        raise ContactError(f"relationship: {text!r} is not one of {', '.join(RELATIONSHIPS)}")
    if field in ("role", "language"):
        return text or None
    return text


def update_contact(contact: Contact, changes: dict[str, Any], staff: StaffUser | None = None) -> list[str]:
    """Apply ``changes`` (fields of EDITABLE) to a contact; returns the fields that changed. The audit
    entry names the fields, not their values (no personal data in the log)."""
    if contact.erased_at is not None:
        raise ContactError("this contact was erased and cannot be edited")
    cleaned = {field: _clean(contact, field, changes[field]) for field in EDITABLE if field in changes}
    changed = [field for field, value in cleaned.items() if getattr(contact, field) != value]
    for field in changed:
        setattr(contact, field, cleaned[field])
    if changed:
        record_action(staff, "contact.edit", "contact", contact.id, {"fields": changed})
    db.session.commit()
    return changed


def set_unsubscribed(contact: Contact, unsubscribed: bool, staff: StaffUser | None = None) -> None:
    """Unsubscribe a contact from invitations (or subscribe again); audited."""
    if contact.erased_at is not None:
        raise ContactError("this contact was erased; it stays unsubscribed")
    if unsubscribed == (contact.unsubscribed_at is not None):
        return
    contact.unsubscribed_at = utcnow() if unsubscribed else None
    record_action(staff, "contact.unsubscribe" if unsubscribed else "contact.resubscribe", "contact", contact.id)
    db.session.commit()
