"""Staff accounts and the audit log."""
from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.core.constants import STAFF_ROLES
from vocapp.models import AuditEntry, StaffUser, utcnow

MIN_PASSWORD_LENGTH = 10


class StaffError(VocappError, ValueError):
    """A staff account could not be created or changed; the message says why."""


def create_staff(email: str, role: str, password: str) -> StaffUser:
    """Create a staff user, or raise StaffError naming the field that is wrong."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise StaffError(f"email: {exc}") from exc
    if role not in STAFF_ROLES:
        raise StaffError(f"role: {role!r} is not one of {', '.join(STAFF_ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise StaffError(f"email: a staff user {email} already exists")
    user = StaffUser(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_action(user, "staff.create", "staff_user", user.id, {"role": role})
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active staff user with this e-mail and password, or None."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    record_action(user, "staff.login", "staff_user", user.id)
    db.session.commit()
    return user


def record_action(
    staff: StaffUser | None, action: str, target_type: str | None = None,
    target_id: object = None, details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit-log entry to the current session (the caller commits)."""
    entry = AuditEntry(
        staff_user_id=staff.id if staff is not None else None, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), details=details or {},
    )
    db.session.add(entry)
    return entry


def list_staff() -> list[StaffUser]:
    """Every staff user, by e-mail."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))
