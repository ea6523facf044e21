"""Database sessions: hashed tokens, expiry, binding to the terminal and the sign-in, CSRF."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mobile_gateway.accounts import sessions
from mobile_gateway.accounts.sessions import TerminalBinding
from mobile_gateway.storage.models import AuthSession

PC = TerminalBinding("pc")
MOVA = TerminalBinding("docomo", "P503i")
AU_ID = "05001234567890_ab.ezweb.ne.jp"


@pytest.fixture
def taro(make_user):
    """Return a user whose sessions these tests make."""
    return make_user("taro")


def count(session) -> int:
    """Return the number of stored sessions."""
    return session.scalar(sa.select(sa.func.count()).select_from(AuthSession))


class TestTokens:
    """Tokens are long, random and stored only as hashes; sessions are for users only."""

    def test_token_stored_hashed(self, session, taro):
        """The row id is the SHA-256 of the token; neither token nor id is in the table."""
        terminal = TerminalBinding("au", "CA32", subscriber_id=AU_ID)
        token, auth = sessions.create(session, terminal, taro)
        assert len(token) >= 32  # 192 random bits
        assert auth.id == hashlib.sha256(token.encode()).hexdigest()
        row = session.execute(sa.select(AuthSession.__table__)).one()
        assert token not in "".join(str(value) for value in row)
        assert AU_ID not in "".join(str(value) for value in row)

    def test_load_by_token(self, session, taro, clock):
        """The token loads its session; an unknown or malformed one loads nothing."""
        token, auth = sessions.create(session, PC, taro, now=clock())
        assert sessions.load(session, token, PC, now=clock()) == auth
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert sessions.load(session, altered, PC, now=clock()) is None
        for bad in ("short", None, "<script>" * 5, "'; --" * 10):
            assert sessions.load(session, bad, PC, now=clock()) is None

    def test_no_anonymous_sessions(self, session):
        """A session without a user is refused: signed-out visitors write nothing."""
        with pytest.raises(ValueError):
            sessions.create(session, PC, None)
        assert count(session) == 0


class TestExpiry:
    """Sessions die after idle time and after their lifetime, by an injectable clock."""

    def test_idle_timeout(self, session, taro, clock):
        """A session unused for longer than IDLE_TIMEOUT is dead (and deleted)."""
        token, _ = sessions.create(session, PC, taro, now=clock())
        clock.advance(seconds=sessions.IDLE_TIMEOUT.total_seconds() - 1)
        assert sessions.load(session, token, PC, now=clock()) is not None
        clock.advance(seconds=sessions.IDLE_TIMEOUT.total_seconds())
        assert sessions.load(session, token, PC, now=clock()) is None
        assert count(session) == 0

    def test_use_keeps_alive_until_lifetime(self, session, taro, clock):
        """Regular use keeps a session alive, but never past LIFETIME."""
        token, _ = sessions.create(session, PC, taro, now=clock())
        step = sessions.IDLE_TIMEOUT / 2
        alive_until = clock() + sessions.LIFETIME
        while clock() + step < alive_until:
            clock.advance(seconds=step.total_seconds())
            assert sessions.load(session, token, PC, now=clock()) is not None
        clock.now = alive_until
        assert sessions.load(session, token, PC, now=clock()) is None

    def test_custom_timeouts(self, session, taro, clock):
        """The caller can pass the configured idle timeout and lifetime."""
        token, _ = sessions.create(session, PC, taro, now=clock(), lifetime=timedelta(minutes=5))
        clock.advance(minutes=3)
        idle = timedelta(minutes=2)
        assert sessions.load(session, token, PC, now=clock(), idle_timeout=idle) is None

    def test_purge(self, session, taro, clock):
        """purge_expired deletes dead sessions and keeps live ones."""
        sessions.create(session, PC, taro, now=clock())
        clock.advance(hours=2)
        fresh, _ = sessions.create(session, PC, taro, now=clock())
        assert sessions.purge_expired(session, now=clock()) == 1
        assert sessions.load(session, fresh, PC, now=clock()) is not None

    def test_purge_due_once_per_interval(self, session, taro, clock, monkeypatch):
        """purge_due purges at most once per interval in a process."""
        monkeypatch.setattr(sessions, "_purged_at", None)
        sessions.create(session, PC, taro, now=clock())
        clock.advance(hours=2)
        assert sessions.purge_due(session, 300, now=clock()) == 1
        sessions.create(session, PC, taro, now=clock() - timedelta(hours=2))
        assert sessions.purge_due(session, 300, now=clock()) is None
        assert count(session) == 1


class TestBinding:
    """A token works only on the terminal it was made for."""

    def test_other_carrier_refused(self, session, taro, clock):
        """A DoCoMo session's token presented by an au terminal or a PC loads nothing."""
        token, _ = sessions.create(session, MOVA, taro, now=clock())
        assert sessions.load(session, token, TerminalBinding("au", "P503i"), now=clock()) is None
        assert sessions.load(session, token, PC, now=clock()) is None
        assert sessions.load(session, token, MOVA, now=clock()) is not None

    def test_other_model_or_full_browser_refused(self, session, taro, clock):
        """The same carrier with another model, or its full browser, loads nothing."""
        token, _ = sessions.create(session, MOVA, taro, now=clock())
        for other in (
            TerminalBinding("docomo", "SH902i"),
            TerminalBinding("docomo", None),
            TerminalBinding("docomo", "P503i", full_browser=True),
        ):
            assert sessions.load(session, token, other, now=clock()) is None, other
        assert sessions.load(session, token, MOVA, now=clock()) is not None

    def test_subscriber_id_bound(self, session, taro, clock):
        """A session bound to a vouched-for subscriber id refuses another id, or none."""
        bound = TerminalBinding("au", "CA32", subscriber_id=AU_ID)
        token, _ = sessions.create(session, bound, taro, now=clock())
        other = TerminalBinding("au", "CA32", subscriber_id="05009999999999_zz.ezweb.ne.jp")
        assert sessions.load(session, token, other, now=clock()) is None
        assert sessions.load(session, token, TerminalBinding("au", "CA32"), now=clock()) is None
        assert sessions.load(session, token, bound, now=clock()) is not None

    def test_session_without_id_accepts_one_later(self, session, taro, clock):
        """A session made without a vouched-for id does not care whether one comes later."""
        token, _ = sessions.create(session, MOVA, taro, now=clock())
        later = TerminalBinding("docomo", "P503i", subscriber_id="GUID123")
        assert sessions.load(session, token, later, now=clock()) is not None

    def test_a_bare_carrier_is_a_terminal_without_model(self, session, taro, clock):
        """A carrier key alone stands for a terminal without model or id (a PC)."""
        token, _ = sessions.create(session, "pc", taro, now=clock())
        assert sessions.load(session, token, PC, now=clock()) is not None


class TestSignIns:
    """Rotation keeps the sign-in; ending a sign-in ends all of its sessions."""

    def test_rotate_kills_old_token(self, session, taro, clock):
        """After rotate the old token loads nothing, the new one has the user and sign-in."""
        old_token, old = sessions.create(session, MOVA, taro, now=clock())
        old_csrf, sign_in_id = old.csrf_token, old.sign_in_id
        new_token, new = sessions.rotate(session, old, MOVA, now=clock())
        assert new_token != old_token
        assert sessions.load(session, old_token, MOVA, now=clock()) is None
        loaded = sessions.load(session, new_token, MOVA, now=clock())
        assert loaded.user == taro and loaded.sign_in_id == sign_in_id
        assert loaded.csrf_token != old_csrf

    def test_end_sign_in_ends_its_sessions_only(self, session, taro, clock):
        """Ending a sign-in ends every session it made, not those of another sign-in."""
        _, first = sessions.create(session, MOVA, taro, now=clock())
        kept_token, second = sessions.create(session, PC, taro, now=clock())
        sibling_token, _ = sessions.create(
            session, MOVA, taro, sign_in_id=first.sign_in_id, now=clock()
        )
        assert sessions.end_sign_in(session, first) == 2
        assert sessions.load(session, sibling_token, MOVA, now=clock()) is None
        assert sessions.load(session, kept_token, PC, now=clock()) is not None

    def test_destroy(self, session, taro, clock):
        """destroy ends a session given by token or by row."""
        token, auth = sessions.create(session, PC, taro, now=clock())
        sessions.destroy(session, token)
        assert sessions.load(session, token, PC, now=clock()) is None
        token, auth = sessions.create(session, PC, taro, now=clock())
        sessions.destroy(session, auth)
        assert sessions.load(session, token, PC, now=clock()) is None
        sessions.destroy(session, "not-a-token")  # harmless


class TestCsrf:
    """Each session has its own CSRF token."""

    def test_check_csrf(self, session, taro, clock):
        """Only the session's own token passes."""
        _, first = sessions.create(session, PC, taro, now=clock())
        _, second = sessions.create(session, PC, taro, now=clock())
        assert sessions.check_csrf(first, first.csrf_token)
        assert not sessions.check_csrf(first, second.csrf_token)
        assert not sessions.check_csrf(first, "")
        assert not sessions.check_csrf(first, None)
        assert not sessions.check_csrf(first, "ｘ" * 32)  # non-ASCII does not crash
        assert not sessions.check_csrf(None, first.csrf_token)
