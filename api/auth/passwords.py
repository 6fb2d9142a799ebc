"""Dashboard passwords: salted scrypt hashes, checked in constant time.

A password, unlike a bearer token, may be guessable, so it is stored as a salted scrypt
hash (memory-hard: about 16 MiB and some 50 ms per check). Signing in with an unknown
user name checks the password against a dummy hash, so the answer takes as long as for
a known user and says the same thing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

SCHEME = "scrypt"
SCRYPT_N = 2**14  # CPU/memory cost: 128 * N * r bytes = 16 MiB
SCRYPT_R = 8  # block size
SCRYPT_P = 1  # parallelism
KEY_BYTES = 32  # length of the derived key
SALT_BYTES = 16  # 128-bit random salt per password
MIN_LENGTH = 12  # characters
MAX_LENGTH = 1024  # characters; longer input is refused rather than hashed
_MAX_MEM = 64 * 1024 * 1024  # bytes scrypt may use (OpenSSL's default is 32 MiB)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=_MAX_MEM,
        dklen=KEY_BYTES,
    )


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or ``None`` when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if not password.strip():
        return "must not be only spaces"
    return None


def hash_password(password: str) -> str:
    """The stored form: ``scrypt$N$r$p$salt$key`` (salt and key in URL-safe base64)."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


Parsed = tuple[int, int, int, bytes, bytes]  # N, r, p, salt, key


def _parse(stored: str) -> Parsed | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    sane = 2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16
    return (n, r, p, salt, key) if sane and salt and key else None


@cache
def _dummy() -> Parsed:
    # A random key is as good as one derived from a random password, and costs no
    # derivation: the first unknown user name then takes as long as every later one.
    return (
        SCRYPT_N,
        SCRYPT_R,
        SCRYPT_P,
        secrets.token_bytes(SALT_BYTES),
        secrets.token_bytes(KEY_BYTES),
    )


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches the stored hash.

    Without a usable hash (unknown user, no password set) the password is still checked
    against a dummy hash and ``False`` returned, so timing does not tell the cases apart.
    """
    parsed = _parse(stored) if stored is not None else None
    usable = parsed is not None and len(password) <= MAX_LENGTH
    n, r, p, salt, key = parsed if parsed is not None and usable else _dummy()
    candidate = _derive(password[:MAX_LENGTH], salt, n, r, p)
    return hmac.compare_digest(candidate, key) and usable
