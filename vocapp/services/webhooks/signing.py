"""Endpoint secrets: made in the Standard Webhooks format (``whsec_`` + base64), kept encrypted, used
to sign each delivery with the ``standardwebhooks`` library.

A signing secret cannot be stored as a hash (the sender needs it), so it is encrypted (Fernet:
AES-128-CBC with HMAC-SHA256) under a key derived from the app's SECRET_KEY with HKDF: a copy of
the database alone does not reveal the secrets (docs/security.md).
"""
from __future__ import annotations

import base64
import secrets
from datetime import datetime

from flask import current_app

from vocapp.errors import VocappError

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
_HKDF_INFO = b"vocapp webhook endpoint secrets v1"


class SecretUnreadable(VocappError):
    """A stored secret cannot be decrypted (SECRET_KEY changed since): rotate the endpoint's secret."""


def new_secret() -> str:
    """A fresh random endpoint secret, ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _fernet():
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(secret: str) -> str:
    """The secret encrypted for storage (text)."""
    return _fernet().encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(stored: str) -> str:
    """The secret from its stored form; SecretUnreadable when SECRET_KEY changed since it was stored."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(stored.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise SecretUnreadable("the endpoint's secret cannot be decrypted (was SECRET_KEY changed?); "
                               "rotate the secret and give the new one to the receiver") from None


def signature_headers(message_id: str, timestamp: datetime, body: str, secrets_in_force: list[str]) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: webhook-id, webhook-timestamp and webhook-signature
    (one ``v1,`` signature per secret in force, space-separated, as the specification allows)."""
    from standardwebhooks.webhooks import Webhook

    signatures = [Webhook(secret).sign(message_id, timestamp, body) for secret in secrets_in_force]
    return {"webhook-id": message_id, "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": " ".join(signatures)}
