"""Personal API tokens: created by an admin for a staff user or a named integration, shown once, stored
as their SHA-256 (``vocapp.core.tokens``), scoped, expiring, revocable, last use recorded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from vocapp.core.constants import STAFF_ROLES
from vocapp.core.tokens import hash_token, new_token
from vocapp.errors import VocappError
from vocapp.extensions import csrf, db, limiter  # noqa: F401 - csrf, limiter: for the API views (web may not import extensions)
from vocapp.models import API_SCOPES, ApiToken, StaffUser, utcnow
from vocapp.services.audit import record_action

#: every API token starts with this, so a leaked one is recognisable (secret scanners, logs)
TOKEN_PREFIX = "vocapp_"
MAX_DAYS = 366
DEFAULT_DAYS = 90
#: the last use is written at most this often per token (a read per request would be a write per request)
LAST_USE_EVERY = timedelta(seconds=60)
MAX_TOKEN_CHARS = 100


class TokenError(VocappError):
    """An API token cannot be created or revoked; the message names the field."""


@dataclass(frozen=True)
class TokenHolder:
    """Who an authenticated request speaks for: the token, its scopes, the role it acts with, and the
    staff user (None for an integration)."""

    token_id: int
    name: str
    scopes: tuple[str, ...]
    role: str
    staff: StaffUser | None

    def has_role(self, *roles: str) -> bool:
        """Admins pass every role check, as on the staff pages."""
        return self.role == "admin" or self.role in roles


def create_token(name: str, scopes: list[str], by: StaffUser, staff_email: str | None = None,
                 integration_role: str | None = None, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """Create a token for the staff user ``staff_email`` or for an integration acting as
    ``integration_role``; returns (the row, the secret, shown once). Committed and audited."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise TokenError("name: give a name of 1 to 120 characters (what the token is for)")
    scopes = sorted(set(scopes or []))
    if not scopes or any(scope not in API_SCOPES for scope in scopes):
        raise TokenError(f"scopes: choose one or more of {', '.join(API_SCOPES)}")
    if not 1 <= int(days) <= MAX_DAYS:
        raise TokenError(f"days: a token lives 1 to {MAX_DAYS} days")
    if (staff_email is None) == (integration_role is None):
        raise TokenError("owner: give either a staff user's e-mail or an integration role, not both")
    staff = None
    if staff_email is not None:
        staff = db.session.scalar(select(StaffUser).where(StaffUser.email == staff_email.strip().lower()))
        if staff is None or not staff.active:
            raise TokenError(f"staff: no active staff user {staff_email.strip().lower()}")
    elif integration_role not in STAFF_ROLES:
        raise TokenError(f"role: choose one of {', '.join(STAFF_ROLES)}")
    secret, _ = new_token()
    secret = TOKEN_PREFIX + secret
    token = ApiToken(name=name, token_hash=hash_token(secret), prefix=secret[:12], scopes=scopes,
                     staff_user_id=staff.id if staff else None, integration_role=integration_role,
                     created_by_id=by.id if by else None, expires_at=utcnow() + timedelta(days=int(days)))
    db.session.add(token)
    db.session.flush()
    record_action(by, "api.token_create", "api_token", token.id,
                  {"name": name, "scopes": scopes, "staff_user_id": token.staff_user_id,
                   "integration_role": integration_role, "expires_at": token.expires_at.isoformat()})
    db.session.commit()
    return token, secret


def list_tokens() -> list[tuple[ApiToken, str | None]]:
    """Every token, newest first, with its staff user's e-mail (None for integrations)."""
    rows = db.session.execute(select(ApiToken, StaffUser.email).outerjoin(
        StaffUser, StaffUser.id == ApiToken.staff_user_id).order_by(ApiToken.id.desc()))
    return [(token, email) for token, email in rows.all()]


def revoke_token(token_id: int, by: StaffUser | None) -> ApiToken:
    """Revoke a token at once (committed, audited); revoking twice keeps the first time."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise TokenError(f"token: no API token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_action(by, "api.token_revoke", "api_token", token.id, {"name": token.name})
        db.session.commit()
    return token


def token_state(token: ApiToken) -> str:
    """'revoked', 'expired' or 'active'."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= utcnow() else "active"


def authenticate_token(secret: str, client: str | None = None) -> TokenHolder | None:
    """The holder of an active token, or None (unknown, revoked, expired, or its user deactivated).
    Records the last use (at most once a minute per token)."""
    if not secret or len(secret) > MAX_TOKEN_CHARS:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token_state(token) != "active":
        return None
    staff = db.session.get(StaffUser, token.staff_user_id) if token.staff_user_id is not None else None
    if token.staff_user_id is not None and (staff is None or not staff.active):
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        token.last_used_at, token.last_used_from = now, (client or "")[:64] or None
        db.session.commit()
    role = staff.role if staff is not None else token.integration_role
    return TokenHolder(token.id, token.name, tuple(token.scopes or ()), role, staff)


__all__ = ["TokenError", "TokenHolder", "audit_token_action", "authenticate_token", "create_token", "csrf", "limiter", "list_tokens",
           "revoke_token", "token_state"]


def audit_token_action(holder: TokenHolder, action: str, target_type: str, target_id: object,
                       details: dict | None = None) -> None:
    """Audit a write made with a token (its user, or the integration named in the details); committed."""
    record_action(holder.staff, action, target_type, target_id,
                  {"token_id": holder.token_id, "token": holder.name, **(details or {})})
    db.session.commit()
