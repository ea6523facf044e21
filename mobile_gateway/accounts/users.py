"""Users: names, sign-up, password sign-in, Echo on/off and the operator role.

Passwords are checked and hashed by :mod:`.passwords`. No Flask here: every function takes
a SQLAlchemy session first.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..phone.invisible import remove_invisible
from ..storage.models import DomainError, User
from . import passwords, user_search

__all__ = [
    "AccountError",
    "InvalidName",
    "InvalidPassword",
    "NameTaken",
    "UnknownUser",
    "authenticate",
    "check_name",
    "find_user",
    "get_user",
    "grant_operator",
    "revoke_operator",
    "set_echo_enabled",
    "signup",
]

#: User names: ASCII letters, digits, "_" and "-" (URL-safe, encodable in every carrier charset).
NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,20}", re.ASCII)
#: Longest user name.
MAX_NAME_CHARS = 20


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
    error = passwords.check_password(password, [name, display_name or ""])
    if error is not None:
        raise InvalidPassword(error)
    if find_user(session, name) is not None:
        raise NameTaken("このユーザー名は既に使われています")
    display_name = remove_invisible(display_name or "").strip() or None
    if display_name is not None and len(display_name) > 40:
        raise AccountError("表示名は40文字以内で入力してください")
    user = User(
        name=name, display_name=display_name, password_hash=passwords.hash_password(password)
    )
    session.add(user)
    try:
        user_search.index_user(session, user)
        session.commit()
    except IntegrityError:
        # Someone took the name between our check and our insert.
        session.rollback()
        raise NameTaken("このユーザー名は既に使われています") from None
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """Return the user if *name* and *password* match, else None."""
    user = find_user(session, name)
    if not isinstance(password, str) or len(password) > passwords.MAX_PASSWORD_CHARS:
        return None
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
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
