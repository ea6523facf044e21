"""Personal access tokens: created and named by their user, stored hashed, revocable.

A token is ``mgp_`` and 43 URL-safe characters (256 random bits); only its SHA-256 is
stored, with its last four characters so that the settings page can tell tokens apart
(``mgp_…Xy3k``). No Flask here: every function takes a SQLAlchemy session first, and
the functions that change something commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..echo.text import clean_body, count_chars
from ..storage.models import API_SCOPES, MAX_ID, ApiToken, DomainError, User, utcnow

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_TOKENS_PER_USER",
    "PREFIX",
    "TokenError",
    "authenticate",
    "create",
    "derived_token",
    "ensure",
    "hash_token",
    "masked",
    "revoke",
    "tokens_of",
]

#: Every token starts with this, so that secret scanners and people can recognise one.
PREFIX = "mgp_"
#: Longest token name, in characters as the reader sees them.
MAX_NAME_CHARS = 40
#: Tokens one user may hold at once (the settings page lists them all, on a 5 KB phone too).
MAX_TOKENS_PER_USER = 10
#: ``last_used_at`` is written at most this often per token (every request would be a write).
LAST_USED_RESOLUTION = timedelta(minutes=1)

_TOKEN_LENGTH = len(PREFIX) + 43


class TokenError(DomainError):
    """A token change was refused; ``str()`` is the message for the user."""


def hash_token(token: str) -> str:
    """Return the hex SHA-256 a token is stored as."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def masked(token: ApiToken) -> str:
    """Return how the settings page shows a stored token (``mgp_…Xy3k``)."""
    return f"{PREFIX}…{token.last_chars}"


def _check_name(name) -> str:
    """Return the cleaned token name, or raise :class:`TokenError`."""
    name = clean_body(name) if isinstance(name, str) else ""
    if not name:
        raise TokenError("トークンの名前を入力してください")
    if count_chars(name) > MAX_NAME_CHARS or len(name) > MAX_NAME_CHARS * 4:
        raise TokenError(f"トークンの名前は{MAX_NAME_CHARS}文字以内で入力してください")
    return name


def _check_scopes(scopes) -> str:
    """Return the scopes as stored ("read write"), or raise :class:`TokenError`."""
    wanted = set(scopes or ())
    if not wanted:
        raise TokenError("権限（読み取り・書き込み）を一つ以上選んでください")
    if not wanted <= set(API_SCOPES):
        raise TokenError("権限は「read」と「write」から選んでください")
    return " ".join(scope for scope in API_SCOPES if scope in wanted)


def _add(session: Session, user: User, name: str, scopes, token: str) -> ApiToken:
    """Store *token* for *user* (not committed)."""
    row = ApiToken(
        user_id=user.id,
        name=_check_name(name),
        scopes=_check_scopes(scopes),
        token_hash=hash_token(token),
        last_chars=token[-4:],
    )
    session.add(row)
    return row


def create(session: Session, user: User, name: str, scopes) -> tuple[str, ApiToken]:
    """Create and commit a token for *user*; return the secret (shown once) and the row.

    :raises TokenError: for an empty or long name, no or unknown scopes, or too many tokens.
    """
    held = session.scalar(
        sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)
    )
    if held >= MAX_TOKENS_PER_USER:
        raise TokenError(
            f"トークンは{MAX_TOKENS_PER_USER}個までです。使わないトークンを削除してください"
        )
    token = PREFIX + secrets.token_urlsafe(32)
    row = _add(session, user, name, scopes, token)
    session.commit()
    return token, row


def derived_token(secret_key: str, user: User, label: str) -> str:
    """Return a token derived from the app's secret key (the demo's: printable again)."""
    digest = hmac.new(
        secret_key.encode("utf-8"), f"api-token:{user.id}:{label}".encode("utf-8"), "sha256"
    ).digest()
    return PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def ensure(session: Session, user: User, name: str, scopes, token: str) -> ApiToken:
    """Make *token* one of *user*'s tokens under *name* (replacing a token of that name)."""
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is not None:
        return row
    session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name))
    row = _add(session, user, name, scopes, token)
    session.commit()
    return row


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """Return *user*'s tokens, newest first."""
    return list(
        session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(session: Session, user: User, token_id: int) -> None:
    """Delete *user*'s token with this id and commit; it stops working at once.

    :raises TokenError: if *user* has no such token.
    """
    gone = TokenError("トークンが見つかりません（削除済みかもしれません）")
    if not isinstance(token_id, int) or isinstance(token_id, bool) or not 0 < token_id <= MAX_ID:
        raise gone
    deleted = session.execute(
        sa.delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).rowcount
    if deleted != 1:
        session.rollback()
        raise gone
    session.commit()


def authenticate(session: Session, token: str, now: datetime | None = None) -> ApiToken | None:
    """Return the stored token *token* stands for (with its user), or None."""
    if not isinstance(token, str) or len(token) != _TOKEN_LENGTH or not token.startswith(PREFIX):
        return None
    row = session.scalar(
        sa.select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_token(token))
    )
    if row is None:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so that two instances do not both write (and neither waits long).
        session.execute(
            sa.update(ApiToken)
            .where(
                ApiToken.id == row.id,
                sa.or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        row.last_used_at = now
    return row
