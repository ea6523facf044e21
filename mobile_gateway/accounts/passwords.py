"""Passwords: the rules a new one keeps, and scrypt hashes that carry their own cost.

A new password has 8 to 128 characters and is not easy to guess: ``zxcvbn`` (Dropbox's
strength estimator; its lists of common passwords, words, names, keyboard patterns,
dates and repeats ship with it, nothing is fetched) must rate it at least
:data:`MIN_STRENGTH` of 4, i.e. it takes over 10^6 guesses, given the user name too.
A refusal says why in Japanese (:func:`check_password`).

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
from collections.abc import Iterable

from zxcvbn import zxcvbn

__all__ = [
    "MAX_PASSWORD_CHARS",
    "MIN_PASSWORD_CHARS",
    "MIN_STRENGTH",
    "check_password",
    "dummy_hash",
    "weakness",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

#: Shortest password accepted at sign-up.
MIN_PASSWORD_CHARS = 8
#: Lowest zxcvbn score (0-4) of a new password: 2 is "somewhat guessable", over 10^6
#: guesses, which the sign-in rate limits make an online attacker pay for.
MIN_STRENGTH = 2
#: Characters of a password zxcvbn looks at (it refuses longer input, and slows down).
STRENGTH_CHARS = 64
#: Why a password is weak, by the kind of its weakest part (zxcvbn's match patterns).
WEAKNESS_MESSAGES = {
    "user_inputs": "ユーザー名やサービス名を含むパスワードは使えません",
    "passwords": "よく使われているパスワードは使えません",
    "dictionary": "辞書にある単語や名前だけのパスワードは使えません",
    "repeat": "同じ文字や同じ並びの繰り返しは使えません",
    "sequence": "「1234」「abcd」「あいうえ」のような連続した文字は使えません",
    "spatial": "「qwerty」のようなキーボードの並びは使えません",
    "date": "日付や年だけのパスワードは使えません",
    "regex": "日付や年だけのパスワードは使えません",
    "bruteforce": "推測されやすいパスワードです",
}
#: Words of this service that make a password easier to guess.
SERVICE_WORDS = ("echo", "mixi", "mobile", "gateway", "エコー")
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


def check_password(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Return an error message (Japanese) for an unacceptable new password, else None.

    :param user_inputs: what the password must not lean on: the user name, say.
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        return f"パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"パスワードは{MAX_PASSWORD_CHARS}文字以内にしてください"
    return weakness(password, user_inputs)


def _guesses_per_char(match: dict) -> float:
    """Return how many guesses each character of a zxcvbn match costs (lower: weaker)."""
    return float(match["guesses"]) ** (1 / max(1, len(match["token"])))


def weakness(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Say (in Japanese) why *password* is easy to guess, or return None when it is not."""
    inputs = [str(word) for word in user_inputs if word] + list(SERVICE_WORDS)
    result = zxcvbn(password[:STRENGTH_CHARS], user_inputs=inputs)
    if result["score"] >= MIN_STRENGTH:
        return None
    # The weakest part: the match that needs the fewest guesses of its length.
    worst = min(result["sequence"], key=lambda match: _guesses_per_char(match))
    kind = worst.get("dictionary_name") if worst["pattern"] == "dictionary" else worst["pattern"]
    if kind not in ("user_inputs", "passwords") and worst["pattern"] == "dictionary":
        kind = "dictionary"
    reason = WEAKNESS_MESSAGES.get(kind, WEAKNESS_MESSAGES["bruteforce"])
    return f"{reason}。言葉をいくつか組み合わせ、数字や記号も入れてください"


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
