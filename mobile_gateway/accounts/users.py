"""Accounts: sign-up, password sign-in, Echo on/off and the operator role.

Passwords are hashed with scrypt and stored as ``scrypt$n$r$p$salt$hash`` (salt and hash
in unpadded URL-safe base64), so the cost can be raised later without breaking old hashes.
No Flask here: every function takes a SQLAlchemy session first.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..storage.models import DomainError, User

__all__ = [
    "AccountError",
    "InvalidName",
    "InvalidPassword",
    "NameTaken",
    "UnknownUser",
    "authenticate",
    "check_name",
    "check_password",
    "find_user",
    "get_user",
    "grant_operator",
    "hash_password",
    "revoke_operator",
    "set_echo_enabled",
    "signup",
    "verify_password",
]

#: User names: ASCII letters, digits, "_" and "-" (URL-safe, encodable in every carrier charset).
NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,20}", re.ASCII)
#: Longest user name.
MAX_NAME_CHARS = 20
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


class AccountError(DomainError):
    """Sign-up or an account change was refused."""


class InvalidName(AccountError):
    """The user name breaks the naming rules."""


class InvalidPassword(AccountError):
    """The password is too short or too long."""


class NameTaken(AccountError):
    """Someone already has this name (in any letter case)."""


class UnknownUser(AccountError, LookupError):
    """No user has this name."""


def check_name(name: str) -> str | None:
    """Return an error message for an unacceptable user name, else None."""
    if not isinstance(name, str) or not name:
        return "ユーザー名を入力してください"
    if len(name) > MAX_NAME_CHARS or not NAME_RE.fullmatch(name):
        return f"ユーザー名は{MAX_NAME_CHARS}文字以内の半角英数字・「_」・「-」で入力してください"
    return None


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


def _needs_rehash(stored: str) -> bool:
    """Return whether *stored* was made with other parameters than today's."""
    return not stored.startswith(f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Return a hash to check when the user does not exist, so timing reveals no names."""
    return hash_password(secrets.token_urlsafe(16))


def find_user(session: Session, name: str) -> User | None:
    """Return the user called *name* (any letter case), or None."""
    if not isinstance(name, str) or check_name(name) is not None:
        return None
    return session.scalar(sa.select(User).where(User.name_key == name.lower()))


def get_user(session: Session, name: str) -> User:
    """Return the user called *name*, or raise :class:`UnknownUser`."""
    user = find_user(session, name)
    if user is None:
        raise UnknownUser("ユーザーが見つかりません")
    return user


def signup(session: Session, name: str, password: str, display_name: str | None = None) -> User:
    """Create and commit a user, or raise an :class:`AccountError` subclass."""
    error = check_name(name)
    if error is not None:
        raise InvalidName(error)
    error = check_password(password)
    if error is not None:
        raise InvalidPassword(error)
    if find_user(session, name) is not None:
        raise NameTaken("このユーザー名は既に使われています")
    display_name = (display_name or "").strip() or None
    if display_name is not None and len(display_name) > 40:
        raise AccountError("表示名は40文字以内で入力してください")
    user = User(name=name, display_name=display_name, password_hash=hash_password(password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        # Someone took the name between our check and our insert.
        session.rollback()
        raise NameTaken("このユーザー名は既に使われています") from None
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """Return the user if *name* and *password* match, else None."""
    user = find_user(session, name)
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        return None
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


def set_echo_enabled(session: Session, user: User, enabled: bool) -> None:
    """Turn Echo on or off on the user's home page and commit."""
    user.echo_enabled = bool(enabled)
    session.commit()


def grant_operator(session: Session, user: User | str) -> User:
    """Make *user* (a user or a name) an operator and commit."""
    if isinstance(user, str):
        user = get_user(session, user)
    user.role = "operator"
    session.commit()
    return user


def revoke_operator(session: Session, user: User | str) -> User:
    """Make *user* (a user or a name) an ordinary user again and commit."""
    if isinstance(user, str):
        user = get_user(session, user)
    user.role = "user"
    session.commit()
    return user
