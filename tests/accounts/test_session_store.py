"""Database sessions: hashed tokens, expiry, carrier and subscriber binding, CSRF."""

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from mobile_gateway.accounts import sessions
from mobile_gateway.storage.models import AuthSession


class TestTokens:
    """Tokens are long, random and stored only as hashes."""

    def test_token_stored_hashed(self, session, make_user):
        """The row id is the SHA-256 of the token; the token itself is nowhere in the table."""
        token, auth = sessions.create(session, "docomo", "SUBNO1", user=make_user("taro"))
        assert len(token) >= 32  # 192 random bits
        assert auth.id == hashlib.sha256(token.encode()).hexdigest()
        row = session.execute(sa.select(AuthSession.__table__)).one()
        assert token not in "".join(str(value) for value in row)
        assert "SUBNO1" not in "".join(str(value) for value in row)

    def test_load_by_token(self, session, clock):
        """The token loads its session; an unknown or malformed one loads nothing."""
        token, auth = sessions.create(session, "pc", now=clock())
        assert sessions.load(session, token, "pc", now=clock()) == auth
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert sessions.load(session, altered, "pc", now=clock()) is None
        for bad in ("short", None, "<script>" * 5, "'; --" * 10):
            assert sessions.load(session, bad, "pc", now=clock()) is None

    def test_anonymous_session(self, session, clock):
        """A session without a user carries a CSRF token for sign-in forms."""
        token, auth = sessions.create(session, "au", now=clock())
        loaded = sessions.load(session, token, "au", now=clock())
        assert loaded.user is None and loaded.csrf_token


class TestExpiry:
    """Sessions die after idle time and after their lifetime, by an injectable clock."""

    def test_idle_timeout(self, session, clock):
        """A session unused for longer than IDLE_TIMEOUT is dead (and deleted)."""
        token, _ = sessions.create(session, "pc", now=clock())
        clock.advance(seconds=sessions.IDLE_TIMEOUT.total_seconds() - 1)
        assert sessions.load(session, token, "pc", now=clock()) is not None
        clock.advance(seconds=sessions.IDLE_TIMEOUT.total_seconds())
        assert sessions.load(session, token, "pc", now=clock()) is None
        assert session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 0

    def test_use_keeps_alive_until_lifetime(self, session, clock):
        """Regular use keeps a session alive, but never past LIFETIME."""
        token, _ = sessions.create(session, "pc", now=clock())
        step = sessions.IDLE_TIMEOUT / 2
        created = clock()
        alive_until = created + sessions.LIFETIME
        while clock() + step < alive_until:
            clock.advance(seconds=step.total_seconds())
            assert sessions.load(session, token, "pc", now=clock()) is not None
        clock.now = alive_until
        assert sessions.load(session, token, "pc", now=clock()) is None

    def test_custom_timeouts(self, session, clock):
        """The caller can pass the configured idle timeout and lifetime."""
        token, _ = sessions.create(session, "pc", now=clock(), lifetime=timedelta(minutes=5))
        clock.advance(minutes=3)
        idle = timedelta(minutes=2)
        assert sessions.load(session, token, "pc", now=clock(), idle_timeout=idle) is None

    def test_purge(self, session, clock):
        """purge_expired deletes dead sessions and keeps live ones."""
        old, _ = sessions.create(session, "pc", now=clock())
        clock.advance(hours=2)
        fresh, _ = sessions.create(session, "pc", now=clock())
        assert sessions.purge_expired(session, now=clock()) == 1
        assert sessions.load(session, fresh, "pc", now=clock()) is not None


class TestBinding:
    """A token works only for the carrier and subscriber id it was made for."""

    def test_other_carrier_refused(self, session, clock):
        """A DoCoMo session's token presented by an au terminal or a PC loads nothing."""
        token, _ = sessions.create(session, "docomo", now=clock())
        assert sessions.load(session, token, "au", now=clock()) is None
        assert sessions.load(session, token, "pc", now=clock()) is None
        assert sessions.load(session, token, "docomo", now=clock()) is not None

    def test_subscriber_id_bound(self, session, clock):
        """A session bound to a subscriber id refuses another id, or none."""
        token, _ = sessions.create(session, "au", "05001234567890_ab.ezweb.ne.jp", now=clock())
        bound, other = "05001234567890_ab.ezweb.ne.jp", "05009999999999_zz.ezweb.ne.jp"
        assert sessions.load(session, token, "au", other, now=clock()) is None
        assert sessions.load(session, token, "au", None, now=clock()) is None
        assert sessions.load(session, token, "au", bound, now=clock()) is not None

    def test_unbound_session_accepts_terminal_ids(self, session, clock):
        """A session made without a subscriber id does not care whether one is sent later."""
        token, _ = sessions.create(session, "docomo", now=clock())
        assert sessions.load(session, token, "docomo", "GUID123", now=clock()) is not None


class TestRotation:
    """Sign-in issues a new token and kills the old one."""

    def test_rotate_kills_old_token(self, session, make_user, clock):
        """After rotate the old token loads nothing and the new one has the user."""
        user = make_user("taro")
        old_token, old = sessions.create(session, "softbank", "SN1234", now=clock())
        old_csrf = old.csrf_token
        new_token, new = sessions.rotate(session, old, user, "softbank", "SN1234", now=clock())
        assert new_token != old_token
        assert sessions.load(session, old_token, "softbank", "SN1234", now=clock()) is None
        loaded = sessions.load(session, new_token, "softbank", "SN1234", now=clock())
        assert loaded.user == user
        assert loaded.csrf_token != old_csrf

    def test_destroy(self, session, clock):
        """destroy ends a session given by token or by row."""
        token, auth = sessions.create(session, "pc", now=clock())
        sessions.destroy(session, token)
        assert sessions.load(session, token, "pc", now=clock()) is None
        token, auth = sessions.create(session, "pc", now=clock())
        sessions.destroy(session, auth)
        assert sessions.load(session, token, "pc", now=clock()) is None
        sessions.destroy(session, "not-a-token")  # harmless


class TestCsrf:
    """Each session has its own CSRF token."""

    def test_check_csrf(self, session, clock):
        """Only the session's own token passes."""
        _, first = sessions.create(session, "pc", now=clock())
        _, second = sessions.create(session, "pc", now=clock())
        assert sessions.check_csrf(first, first.csrf_token)
        assert not sessions.check_csrf(first, second.csrf_token)
        assert not sessions.check_csrf(first, "")
        assert not sessions.check_csrf(first, None)
        assert not sessions.check_csrf(first, "ｘ" * 32)  # non-ASCII does not crash
        assert not sessions.check_csrf(None, first.csrf_token)
