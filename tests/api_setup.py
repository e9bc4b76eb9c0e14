"""An app with a scored, placed synthetic base and API tokens, for the API tests."""
from __future__ import annotations

from vocapp.services.api.tokens import create_token
from vocapp.services.staff import create_staff


def make_token(role: str = "admin", scopes=("read", "write"), email: str | None = None, days: int = 30) -> str:
    """A new staff user of ``role`` and a token for them; returns the token."""
    import uuid

    admin = create_staff(f"admin-{uuid.uuid4().hex[:6]}@example.org", "admin", "correct horse battery staple")
    user = admin if role == "admin" else create_staff(email or f"{role}-{uuid.uuid4().hex[:6]}@example.org", role,
                                                      "correct horse battery staple")
    _, secret = create_token(f"{role} token", list(scopes), admin, staff_email=user.email, days=days)
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seed_placed_base(folder, n_accounts: int = 30) -> None:
    """A scored and twice-placed synthetic base (the second placement has movements)."""
    from canvas_setup import load_generated_base
    from vocapp.services.canvas import place

    load_generated_base(folder, n_accounts=n_accounts)
    place()
    place()
