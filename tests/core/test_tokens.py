"""Link tokens are long, random and stored only as their SHA-256."""
from __future__ import annotations

import hashlib

from vocapp.core.tokens import hash_token, new_token


def test_new_tokens_are_unique_urlsafe_and_hashed():
    pairs = [new_token() for _ in range(1000)]
    tokens = {token for token, _ in pairs}
    assert len(tokens) == 1000
    for token, digest in pairs[:20]:
        assert len(token) >= 43 and all(c.isalnum() or c in "-_" for c in token)
        assert digest == hashlib.sha256(token.encode()).hexdigest() == hash_token(token)
        assert token not in digest
