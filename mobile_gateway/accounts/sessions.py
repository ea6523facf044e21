"""Server-side sessions of signed-in users, that work without cookies.

A terminal holds a random token (192 bits, URL-safe); the database keeps only its SHA-256,
so a copy of the table opens no session. Only signed-in users have sessions: a signed-out
visitor's forms carry signed tokens instead (:mod:`.form_tokens`), so their pages write
nothing.

A session is bound to the terminal it began on, to what the terminal cannot change without
being another terminal: the carrier, the model, whether it is a handset's full browser,
and the subscriber id the carrier's gateway vouched for at sign-in (never a header nobody
checked). The same token presented by anything else is refused, as if unknown; a phone
whose id was vouched for must keep sending it. The subscriber id is stored as an HMAC
keyed with the token, so the table does not reveal it either.

Each sign-in has an id (``sign_in_id``); sessions made from it later (:func:`rotate`
after a password check) keep it, and signing out ends them all (:func:`end_sign_in`). A
session opened by easy login names its binding: removing the binding ends it.

Sessions end after ``IDLE_TIMEOUT`` without use and ``LIFETIME`` after creation, whichever
comes first; :func:`purge_due` deletes dead ones while serving, at most once an interval.
Every function takes ``now=`` for tests (an injectable clock); it defaults to the time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..storage.models import AuthSession, User, utcnow

__all__ = [
    "IDLE_TIMEOUT",
    "LIFETIME",
    "TerminalBinding",
    "check_csrf",
    "create",
    "destroy",
    "end_sign_in",
    "end_user_sessions",
    "hash_token",
    "load",
    "purge_due",
    "purge_expired",
    "rotate",
    "take_draft",
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
#: Longest model name kept (the column's size); longer ones are compared cut.
MODEL_CHARS = 64


@dataclass(frozen=True)
class TerminalBinding:
    """What a session is bound to: the terminal, as it cannot change without being another.

    ``subscriber_id`` is the id the carrier's gateway vouched for (``g.trusted_subscriber_id``),
    None when there is none: never the raw header.
    """

    carrier: str
    model: str | None = None
    full_browser: bool = False
    subscriber_id: str | None = None

    @property
    def stored_model(self) -> str | None:
        """The model as the column holds it."""
        return self.model[:MODEL_CHARS] if self.model else None


def hash_token(token: str) -> str:
    """Return the stored form (hex SHA-256) of a session token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _subscriber_hash(token: str, carrier: str, subscriber_id: str | None) -> str | None:
    """Return the stored form of a subscriber id, keyed with the session token."""
    if not subscriber_id:
        return None
    message = f"{carrier}\x00{subscriber_id}".encode("utf-8", "surrogatepass")
    return hmac.new(token.encode("ascii"), message, hashlib.sha256).hexdigest()


def _binding(terminal: TerminalBinding | str) -> TerminalBinding:
    """Accept a bare carrier key where a binding is expected (a PC, a test)."""
    return TerminalBinding(terminal) if isinstance(terminal, str) else terminal


def create(
    session: Session,
    terminal: TerminalBinding | str,
    user: User,
    *,
    sign_in_id: str | None = None,
    binding_id: int | None = None,
    draft: str | None = None,
    now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> tuple[str, AuthSession]:
    """Start a session of *user* on *terminal*, commit, return (token, session).

    :param sign_in_id: the sign-in it belongs to; a new sign-in when None.
    :param binding_id: the easy-login binding that signed the user in, if any.
    """
    if user is None:
        raise ValueError("sessions are for signed-in users only")
    terminal = _binding(terminal)
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    auth_session = AuthSession(
        id=hash_token(token),
        user=user,
        sign_in_id=sign_in_id or secrets.token_hex(16),
        binding_id=binding_id,
        carrier=terminal.carrier,
        model=terminal.stored_model,
        full_browser=terminal.full_browser,
        subscriber_id_hash=_subscriber_hash(token, terminal.carrier, terminal.subscriber_id),
        csrf_token=secrets.token_urlsafe(TOKEN_BYTES),
        draft=draft,
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


def _same_terminal(auth_session: AuthSession, token: str, terminal: TerminalBinding) -> bool:
    """Return whether *terminal* is the one *auth_session* was made for."""
    if (
        auth_session.carrier != terminal.carrier
        or auth_session.model != terminal.stored_model
        or bool(auth_session.full_browser) != terminal.full_browser
    ):
        return False
    if auth_session.subscriber_id_hash is None:
        return True
    presented = _subscriber_hash(token, auth_session.carrier, terminal.subscriber_id)
    return presented is not None and hmac.compare_digest(auth_session.subscriber_id_hash, presented)


#: The session of a token's hash with its user, in one statement built once (this runs on
#: every signed-in request; ``Session.get`` would build and key a new statement each time).
_BY_HASH = (
    sa.select(AuthSession)
    .options(joinedload(AuthSession.user))
    .where(AuthSession.id == sa.bindparam("token_hash"))
)


def load(
    session: Session,
    token: str | None,
    terminal: TerminalBinding | str,
    *,
    now: datetime | None = None,
    idle_timeout: timedelta = IDLE_TIMEOUT,
) -> AuthSession | None:
    """Return the live session for *token* on this terminal, or None.

    None also when the token was made for another terminal (carrier, model, full browser),
    or bound to a vouched-for subscriber id that this request does not send. A live
    session's ``last_seen_at`` moves forward; an expired one is deleted.
    """
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    terminal = _binding(terminal)
    now = now or utcnow()
    auth_session = session.scalar(_BY_HASH, {"token_hash": hash_token(token)})
    if auth_session is None:
        return None
    if _expired(auth_session, now, idle_timeout):
        session.delete(auth_session)
        session.commit()
        return None
    if not _same_terminal(auth_session, token, terminal):
        return None
    if now - auth_session.last_seen_at >= TOUCH_INTERVAL:
        auth_session.last_seen_at = now
        session.commit()
    return auth_session


def rotate(
    session: Session,
    old: AuthSession,
    terminal: TerminalBinding | str,
    *,
    now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> tuple[str, AuthSession]:
    """Replace *old* by a new session of the same user and sign-in (a new token).

    Call it when the user proved their password again: the new session no longer rests
    on the easy-login binding that may have opened *old*.
    """
    user, sign_in_id, binding_id = old.user, old.sign_in_id, None
    session.delete(old)
    return create(
        session,
        terminal,
        user,
        sign_in_id=sign_in_id,
        binding_id=binding_id,
        now=now,
        lifetime=lifetime,
    )


def end_sign_in(session: Session, auth_session: AuthSession) -> int:
    """End every session of the sign-in *auth_session* came from; commit; return how many."""
    result = session.execute(
        sa.delete(AuthSession).where(AuthSession.sign_in_id == auth_session.sign_in_id)
    )
    session.commit()
    return result.rowcount


def end_user_sessions(session: Session, user: User) -> int:
    """End every session of *user*, on every terminal; commit; return how many."""
    result = session.execute(sa.delete(AuthSession).where(AuthSession.user_id == user.id))
    session.commit()
    return result.rowcount


def take_draft(session: Session, auth_session: AuthSession | None) -> str | None:
    """Return the echo draft kept in *auth_session* and clear it (it is shown once)."""
    if auth_session is None or not auth_session.draft:
        return None
    draft, auth_session.draft = auth_session.draft, None
    session.commit()
    return draft


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


_purged_at: float | None = None
_purge_lock = threading.Lock()


def purge_due(
    session: Session,
    interval: float,
    *,
    idle_timeout: timedelta = IDLE_TIMEOUT,
    now: datetime | None = None,
) -> int | None:
    """Purge dead sessions if this process has not in the last *interval* seconds.

    Called at every sign-in: sessions are made only there, so the table stays bounded by
    the sign-ins of one lifetime. Returns how many went, None when not due.
    """
    global _purged_at
    with _purge_lock:
        moment = time.monotonic()
        if _purged_at is not None and moment - _purged_at < interval:
            return None
        _purged_at = moment
    return purge_expired(session, now=now, idle_timeout=idle_timeout)
