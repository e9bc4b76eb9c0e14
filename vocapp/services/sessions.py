"""Staff log-in sessions kept on the server: log in, look up on every request, log out, end them all.

A login creates a ``StaffSession`` row holding the SHA-256 of a fresh random token; the browser holds only
the token (in Flask's signed session cookie and, with "keep me logged in", in the remember cookie). So a
new login always gets a new remember token, logging out deletes the row (a copied cookie no longer
works), and an administrator can end every session of a user at once.
"""
from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from vocapp.core.tokens import hash_token, new_token
from vocapp.extensions import db, limiter  # noqa: F401 - limiter: the login page's throttle (web may not import extensions)
from vocapp.models import StaffSession, StaffUser, utcnow
from vocapp.services.audit import record_action

#: longest e-mail kept in an audit entry of a failed login (the longest valid address)
MAX_AUDITED_EMAIL = 320


@cache
def _dummy_hash() -> str:
    """A password hash of nothing, checked for unknown e-mails so they take as long as known ones."""
    return generate_password_hash("vocapp-dummy-password-never-matches")


def authenticate(email: str, password: str, client: str | None = None) -> StaffUser | None:
    """The active staff user with this e-mail and password, or None (the failure is audited).

    The password is checked against a hash whatever the e-mail, so the answer takes the same time
    for an unknown e-mail, an inactive user and a wrong password. The password is never recorded.
    """
    address = email.strip().lower()
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == address))
    matches = check_password_hash(user.password_hash if user is not None else _dummy_hash(), password)
    if user is not None and user.active and matches:
        user.last_login_at = utcnow()
        record_action(user, "staff.login", "staff_user", user.id, {"client": client})
        db.session.commit()
        return user
    reason = "unknown e-mail" if user is None else ("inactive user" if not user.active else "wrong password")
    record_action(None, "staff.login_failed", "staff_user", user.id if user is not None else None,
                  {"email": address[:MAX_AUDITED_EMAIL], "reason": reason, "client": client})
    db.session.commit()
    return None


def start_session(user: StaffUser, remember: bool, lifetime: timedelta) -> str:
    """Record a new login session of ``user`` and return its token (also set as ``user.session_token``)."""
    now = utcnow()
    db.session.execute(delete(StaffSession).where(StaffSession.staff_user_id == user.id,
                                                  StaffSession.expires_at < now))
    token, token_hash = new_token()
    db.session.add(StaffSession(staff_user_id=user.id, token_hash=token_hash, remember=remember,
                                created_at=now, expires_at=now + lifetime))
    db.session.commit()
    user.session_token = token
    return token


def session_user(token: str) -> StaffUser | None:
    """The active user of the unexpired session ``token``, or None (called on every request)."""
    row = db.session.execute(
        select(StaffUser, StaffSession.expires_at).join(StaffSession, StaffSession.staff_user_id == StaffUser.id)
        .where(StaffSession.token_hash == hash_token(token))).first()
    if row is None or row.expires_at <= utcnow() or not row.StaffUser.active:
        return None
    row.StaffUser.session_token = token
    return row.StaffUser


def end_session(user: StaffUser) -> None:
    """Log out: delete the session ``user`` was loaded for, and audit it."""
    if user.session_token:
        db.session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(user.session_token)))
    record_action(user, "staff.logout", "staff_user", user.id)
    db.session.commit()


def end_all_sessions(user: StaffUser, by: StaffUser | None, reason: str = "ended by an administrator") -> int:
    """Delete every session of ``user`` (the caller commits); returns how many there were."""
    count = db.session.execute(delete(StaffSession).where(StaffSession.staff_user_id == user.id)).rowcount
    record_action(by, "staff.sessions_ended", "staff_user", user.id, {"sessions": count, "reason": reason})
    return count


def end_sessions_now(user: StaffUser, by: StaffUser | None) -> int:
    """An administrator ends every session of ``user`` (committed); returns how many there were."""
    count = end_all_sessions(user, by)
    db.session.commit()
    return count


def open_session_counts() -> dict[int, int]:
    """Unexpired sessions per staff user id."""
    rows = db.session.execute(select(StaffSession.staff_user_id, func.count()).where(
        StaffSession.expires_at > utcnow()).group_by(StaffSession.staff_user_id))
    return dict(rows.all())
