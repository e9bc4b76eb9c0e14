"""Staff accounts: create, invite, change role, deactivate, one-time links that set a password."""
from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from vocapp.core.tokens import hash_token, new_token
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.core.constants import STAFF_ROLES
from vocapp.models import StaffUser, utcnow
from vocapp.services.audit import record_action
from vocapp.services.sessions import end_all_sessions

__all__ = ["MIN_PASSWORD_LENGTH", "MAX_PASSWORD_LENGTH", "PASSWORD_LINK_TTL", "StaffError", "create_staff",
           "invite_staff", "list_staff", "password_link", "password_link_user", "record_action", "set_active",
           "set_password_from_link", "set_role"]

MIN_PASSWORD_LENGTH = 10
#: longer passwords are refused before hashing (hashing megabytes would be a cheap denial of service)
MAX_PASSWORD_LENGTH = 1000
#: how long an invitation or password-reset link works
PASSWORD_LINK_TTL = timedelta(hours=72)


class StaffError(VocappError, ValueError):
    """A staff account could not be created or changed; the message says why."""


def _email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise StaffError(f"email: {exc}") from exc


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffError(f"password: must be at most {MAX_PASSWORD_LENGTH} characters")


def _new_user(email: str, role: str) -> StaffUser:
    email = _email(email)
    if role not in STAFF_ROLES:
        raise StaffError(f"role: {role!r} is not one of {', '.join(STAFF_ROLES)}")
    if db.session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise StaffError(f"email: a staff user {email} already exists")
    return StaffUser(email=email, role=role)


def create_staff(email: str, role: str, password: str, by: StaffUser | None = None) -> StaffUser:
    """Create a staff user with a password, or raise StaffError naming the field that is wrong."""
    user = _new_user(email, role)
    _check_password(password)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_action(by or user, "staff.create", "staff_user", user.id, {"role": role})
    db.session.commit()
    return user


def invite_staff(email: str, role: str, by: StaffUser) -> tuple[StaffUser, str]:
    """Create a staff user without a usable password; returns (user, token of the link that sets it)."""
    user = _new_user(email, role)
    user.set_password(new_token()[0])  # nobody knows it: the user sets their own through the link
    db.session.add(user)
    db.session.flush()
    token = _issue_link(user)
    record_action(by, "staff.invite", "staff_user", user.id, {"role": role})
    db.session.commit()
    return user, token


def _issue_link(user: StaffUser) -> str:
    token, token_hash = new_token()
    user.password_token_hash = token_hash
    user.password_token_expires_at = utcnow() + PASSWORD_LINK_TTL
    return token


def password_link(user: StaffUser, by: StaffUser) -> str:
    """Reset: the old password stops working, every session ends; returns the token of a new link."""
    user.set_password(new_token()[0])
    token = _issue_link(user)
    end_all_sessions(user, by, reason="password reset")
    record_action(by, "staff.password_reset", "staff_user", user.id)
    db.session.commit()
    return token


def password_link_user(token: str) -> StaffUser | None:
    """The active user whose unexpired invitation or reset link ``token`` is, or None."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.password_token_hash == hash_token(token)))
    if user is None or not user.active or user.password_token_expires_at <= utcnow():
        return None
    return user


def set_password_from_link(token: str, password: str) -> StaffUser:
    """Set the password of the link's user; the link then stops working and old sessions end."""
    user = password_link_user(token)
    if user is None:
        raise StaffError("this link has expired or was already used; ask an administrator for a new one")
    _check_password(password)
    user.set_password(password)
    user.password_token_hash = None
    user.password_token_expires_at = None
    end_all_sessions(user, user, reason="password set")
    record_action(user, "staff.password_set", "staff_user", user.id)
    db.session.commit()
    return user


def _other_active_admins(user: StaffUser) -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser).where(
        StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user.id))


def set_role(user: StaffUser, role: str, by: StaffUser) -> None:
    """Change ``user``'s role (never removing the last active administrator)."""
    if role not in STAFF_ROLES:
        raise StaffError(f"role: {role!r} is not one of {', '.join(STAFF_ROLES)}")
    if user.role == "admin" and role != "admin" and not _other_active_admins(user):
        raise StaffError(f"role: {user.email} is the only active administrator; make another one first")
    record_action(by, "staff.role", "staff_user", user.id, {"from": user.role, "to": role})
    user.role = role
    db.session.commit()


def set_active(user: StaffUser, active: bool, by: StaffUser) -> None:
    """Deactivate (ending every session at once) or reactivate ``user``."""
    if not active and user.role == "admin" and not _other_active_admins(user):
        raise StaffError(f"active: {user.email} is the only active administrator; make another one first")
    user.active = active
    if not active:
        end_all_sessions(user, by, reason="deactivated")
        user.password_token_hash = None
        user.password_token_expires_at = None
    record_action(by, "staff.activate" if active else "staff.deactivate", "staff_user", user.id)
    db.session.commit()


def list_staff() -> list[StaffUser]:
    """Every staff user, by e-mail."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def get_staff(user_id: int) -> StaffUser | None:
    """The staff user with this id, or None."""
    return db.session.get(StaffUser, user_id)
