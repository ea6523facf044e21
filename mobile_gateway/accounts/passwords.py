"""Passwords: the rules a new one keeps, and scrypt hashes that carry their own cost.

Passwords are hashed with scrypt and stored as ``scrypt$n$r$p$salt$hash`` (salt and hash
in unpadded URL-safe base64), so the cost can be raised later without breaking old hashes
(:func:`needs_rehash`). No Flask, no database here.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

__all__ = [
    "MAX_PASSWORD_CHARS",
    "MIN_PASSWORD_CHARS",
    "check_password",
    "dummy_hash",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

#: Shortest password accepted at sign-up.
MIN_PASSWORD_CHARS = 8
#: Longest password accepted at sign-up.
MAX_PASSWORD_CHARS = 128
#: scrypt CPU/memory cost for new hashes (16 MiB of memory with r=8).
SCRYPT_N = 2**14
#: scrypt block size for new hashes.
SCRYPT_R = 8
#: scrypt parallelism for new hashes.
SCRYPT_P = 1
#: Bytes of random salt per hash.
SALT_BYTES = 16
#: Bytes of derived key stored.
HASH_BYTES = 32
#: Memory ceiling handed to OpenSSL; hashes asking for more are treated as invalid.
SCRYPT_MAXMEM = 128 * 1024 * 1024


def check_password(password: str) -> str | None:
    """Return an error message for an unacceptable new password, else None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        return f"パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"パスワードは{MAX_PASSWORD_CHARS}文字以内にしてください"
    return None


def _b64(data: bytes) -> str:
    """Encode *data* as unpadded URL-safe base64."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Decode unpadded URL-safe base64."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    """Derive the key for *password*."""
    return hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=dklen,
        maxmem=SCRYPT_MAXMEM,
    )


def hash_password(password: str) -> str:
    """Return the storable ``scrypt$n$r$p$salt$hash`` string for *password*."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(stored: str, password: str) -> bool:
    """Return whether *password* matches the *stored* hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(key)
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError, AttributeError):
        # A malformed or absurdly expensive stored hash matches nothing.
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """Return whether *stored* was made with other parameters than today's."""
    return not stored.startswith(f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")


@functools.lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Return a hash to check when the user does not exist, so timing reveals no names."""
    return hash_password(secrets.token_urlsafe(16))
