"""Server-side sessions that work without cookies.

A terminal holds a random token (192 bits, URL-safe); the database keeps only its SHA-256,
so a copy of the table opens no session. A session is bound to the carrier it was made
for and, when the carrier sent one, to the subscriber id: the same token presented by
another carrier or another subscriber id is refused, as if unknown. The subscriber id is
stored as an HMAC keyed with the token, so the table does not reveal it either.

Sessions end after ``IDLE_TIMEOUT`` without use and ``LIFETIME`` after creation, whichever
comes first. Sign-in calls :func:`rotate`: the old token dies and a new one is issued.
Every function takes ``now=`` for tests (an injectable clock); it defaults to the time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..storage.models import AuthSession, User, utcnow

__all__ = [
    "IDLE_TIMEOUT",
    "LIFETIME",
    "check_csrf",
    "create",
    "destroy",
    "hash_token",
    "load",
    "purge_expired",
    "rotate",
]

#: A session unused for this long is dead (``AUTH_SESSION_IDLE_TIMEOUT`` in the config).
IDLE_TIMEOUT = timedelta(minutes=30)
#: No session lives longer than this, used or not (``AUTH_SESSION_LIFETIME`` in the config).
LIFETIME = timedelta(hours=24)
#: ``last_seen_at`` is written at most this often, to spare a write on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
#: Random bytes per token (``secrets.token_urlsafe``): 192 bits, 32 characters.
TOKEN_BYTES = 24
#: What a token may look like; anything else is refused before touching the database.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,128}", re.ASCII)


def hash_token(token: str) -> str:
    """Return the stored form (hex SHA-256) of a session token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _subscriber_hash(token: str, carrier: str, subscriber_id: str | None) -> str | None:
    """Return the stored form of a subscriber id, keyed with the session token."""
    if not subscriber_id:
        return None
    message = f"{carrier}\x00{subscriber_id}".encode("utf-8", "surrogatepass")
    return hmac.new(token.encode("ascii"), message, hashlib.sha256).hexdigest()


def create(
    session: Session,
    carrier: str,
    subscriber_id: str | None = None,
    user: User | None = None,
    *,
    now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> tuple[str, AuthSession]:
    """Start a session (anonymous when *user* is None), commit, return (token, session)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    auth_session = AuthSession(
        id=hash_token(token),
        user=user,
        carrier=carrier,
        subscriber_id_hash=_subscriber_hash(token, carrier, subscriber_id),
        csrf_token=secrets.token_urlsafe(TOKEN_BYTES),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(auth_session)
    session.commit()
    return token, auth_session


def _expired(auth_session: AuthSession, now: datetime, idle_timeout: timedelta) -> bool:
    """Return whether *auth_session* has passed its lifetime or idle timeout."""
    return now >= auth_session.expires_at or now >= auth_session.last_seen_at + idle_timeout


def load(
    session: Session,
    token: str | None,
    carrier: str,
    subscriber_id: str | None = None,
    *,
    now: datetime | None = None,
    idle_timeout: timedelta = IDLE_TIMEOUT,
) -> AuthSession | None:
    """Return the live session for *token* on this terminal, or None.

    None also when the token was made for another carrier, or bound to a subscriber id
    that this request does not send. A live session's ``last_seen_at`` moves forward.
    """
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    now = now or utcnow()
    auth_session = session.get(
        AuthSession, hash_token(token), options=[joinedload(AuthSession.user)]
    )
    if auth_session is None:
        return None
    if _expired(auth_session, now, idle_timeout):
        session.delete(auth_session)
        session.commit()
        return None
    if auth_session.carrier != carrier:
        return None
    if auth_session.subscriber_id_hash is not None:
        presented = _subscriber_hash(token, auth_session.carrier, subscriber_id)
        if presented is None or not hmac.compare_digest(auth_session.subscriber_id_hash, presented):
            return None
    if now - auth_session.last_seen_at >= TOUCH_INTERVAL:
        auth_session.last_seen_at = now
        session.commit()
    return auth_session


def rotate(
    session: Session,
    old: AuthSession | None,
    user: User | None,
    carrier: str,
    subscriber_id: str | None = None,
    *,
    now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> tuple[str, AuthSession]:
    """End *old* (if any) and start a new session for *user*; call at sign-in and sign-out."""
    if old is not None:
        session.delete(old)
    return create(session, carrier, subscriber_id, user, now=now, lifetime=lifetime)


def destroy(session: Session, auth_session: AuthSession | str) -> None:
    """End a session given as a row or as its token, and commit."""
    if isinstance(auth_session, str):
        if not _TOKEN_RE.fullmatch(auth_session):
            return
        auth_session = session.get(AuthSession, hash_token(auth_session))
        if auth_session is None:
            return
    session.delete(auth_session)
    session.commit()


def check_csrf(auth_session: AuthSession | None, token: str | None) -> bool:
    """Return whether *token* is the CSRF token of *auth_session* (constant time)."""
    if auth_session is None or not isinstance(token, str) or not token:
        return False
    return hmac.compare_digest(
        auth_session.csrf_token.encode("utf-8"), token.encode("utf-8", "surrogatepass")
    )


def purge_expired(
    session: Session, *, now: datetime | None = None, idle_timeout: timedelta = IDLE_TIMEOUT
) -> int:
    """Delete every dead session, commit, and return how many went."""
    now = now or utcnow()
    result = session.execute(
        sa.delete(AuthSession).where(
            sa.or_(
                AuthSession.expires_at <= now,
                AuthSession.last_seen_at <= now - idle_timeout,
            )
        )
    )
    session.commit()
    return result.rowcount
