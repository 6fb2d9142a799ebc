"""Bearer tokens: 256 random bits, shown once, stored as their SHA-256.

A token carries 256 bits of randomness, so a plain SHA-256 is enough to make the stored
hash useless to a reader of the database (no dictionary to try); looking it up by hash
takes the same path for a known and an unknown token.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "opv_"  # lets secret scanners recognise a leaked Opvang token
TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    """A fresh random bearer token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
