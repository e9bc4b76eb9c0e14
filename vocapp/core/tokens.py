"""Personal link tokens: unguessable, sent once, stored only as their SHA-256.

Survey links (``/s/<token>``), unsubscribe links (``/u/<token>``) and API tokens all use these two
functions, so every token in vocapp has the same strength and the database never holds one in clear.
"""
from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits


def new_token() -> tuple[str, str]:
    """A fresh random token and its hash: ``(token to send, sha256 hex to store)``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which ``token`` is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
