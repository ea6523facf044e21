"""Signed-out pages write nothing; signed-out forms carry signed, expiring, bound tokens.

A crawler or a flood of signed-out page views must not fill the database: no session row
is made before sign-in. The sign-in, sign-up and easy-login forms still refuse forgeries:
their CSRF token is signed with SECRET_KEY, expires, and is bound to the visitor (a
cookie on terminals that keep cookies, the terminal itself on those that do not). Dead
sessions are purged while serving, not only at ``serve`` start.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import timed
from support.phones import PHONES
from support.settings import PASSWORD

from mobile_gateway.accounts import sessions, users
from mobile_gateway.accounts.web_session import FORM_COOKIE
from mobile_gateway.storage import db
from mobile_gateway.storage.models import AuthSession, Base, utcnow

#: Every page a signed-out visitor reaches by links.
PAGES = ["/", "/login", "/signup", "/easy-login", "/u/alice", "/exit?url=http://x.example/"]


#: The one table a signed-out request may touch: the per-carrier, per-day count of
#: subscriber ids sent from outside the gateway ranges (one row per carrier and day at
#: most, written in batches: ``GATEWAY_STATS_FLUSH_SECONDS``, 0 in tests).
BOUNDED_COUNTERS = {"untrusted_subscriber_counts"}


def row_counts(app) -> dict[str, int]:
    """Return the number of rows of every table but the bounded counters."""
    with app.app_context():
        connection = db.get_session().connection()
        return {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name not in BOUNDED_COUNTERS
        }


@pytest.mark.parametrize("name", sorted(PHONES))
def test_signed_out_pages_write_no_row(app, phone, store, name):
    """Every signed-out page, viewed again and again, leaves every table as it was."""
    store.user("alice")
    echo_id = store.echo("alice", "こんにちは")
    before = row_counts(app)
    handset = phone(name)
    for _ in range(5):
        for path in [*PAGES, f"/echo/{echo_id}", "/archive", "/no-such-page"]:
            handset.get(path)
            assert handset.status in (200, 404), (path, handset.status)
    assert row_counts(app) == before
    assert handset.sid is None


@pytest.mark.parametrize("name", ["docomo_mova", "jphone", "au", "softbank", "iphone", "pc"])
def test_signed_out_forms_still_post(phone, store, name):
    """Sign-up and sign-in work from their pages with the signed token, on every terminal."""
    handset = phone(name)
    handset.sign_up("hanako", PASSWORD)
    assert "ログアウト" in handset.text
    handset.sign_out()
    handset.sign_in("hanako", PASSWORD)
    assert "ログアウト" in handset.text


@pytest.mark.parametrize("name", ["docomo_mova", "pc"])
def test_forged_sign_in_refused(phone, store, name):
    """A sign-in post without a token, or with a made-up one, is refused (login CSRF)."""
    store.user("mallory")
    for fields in ({}, {"_csrf": "1.ZZZZZZ.forged-signature-forged-signa"}):
        handset = phone(name)
        handset.post("/login", {"_cs": "あ", "name": "mallory", "password": PASSWORD, **fields})
        assert handset.status == 403
        assert "ログアウト" not in handset.text
    assert store.count(AuthSession) == 0


def test_token_of_another_model_refused(phone, store):
    """A cookieless phone's token does not work for another model of the same carrier."""
    store.user("mallory")
    mine = phone("docomo_mova")
    mine.get("/login")
    other = phone("docomo_mova", **{"User-Agent": "DoCoMo/1.0/N503i/c10"})
    other.post(
        "/login",
        {"_cs": "あ", **dict(mine.form("/login").values())}
        | {
            "name": "mallory",
            "password": PASSWORD,
        },
    )
    assert other.status == 403
    mine.submit({"name": "mallory", "password": PASSWORD}, "/login")
    assert "ログアウト" in mine.text  # the control: on its own terminal it works


def test_token_without_its_cookie_refused(phone, store):
    """On a PC the token needs the form cookie, which another site's form does not send."""
    store.user("mallory")
    attacker = phone("pc")
    attacker.get("/login")
    fields = dict(attacker.form("/login").values())
    assert attacker.client.get_cookie(FORM_COOKIE) is not None
    victim = phone("pc")
    victim.post("/login", {**fields, "name": "mallory", "password": PASSWORD})
    assert victim.status == 403
    assert victim.cookie is None


def test_token_expires(app, phone, store, monkeypatch):
    """A signed-out form older than SIGNED_OUT_FORM_MAX_AGE is refused."""
    store.user("alice")
    app.config["SIGNED_OUT_FORM_MAX_AGE"] = 600
    handset = phone("docomo_mova")
    handset.get("/login")
    now = timed.time.time()
    monkeypatch.setattr(timed.time, "time", lambda: now + 601)
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert handset.status == 403
    monkeypatch.setattr(timed.time, "time", lambda: now + 599)
    handset.get("/login")
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert "ログアウト" in handset.text


def test_dead_sessions_purged_while_serving(app, phone, store, monkeypatch):
    """A sign-in deletes sessions past their lifetime or idle timeout (once per interval)."""
    monkeypatch.setattr(sessions, "_purged_at", None)
    store.user("alice")
    with store.session() as session:
        user = users.get_user(session, "alice")
        for hours in (3, 30):
            sessions.create(session, "pc", user, now=utcnow() - timedelta(hours=hours))
    assert store.count(AuthSession) == 2
    handset = phone("pc")
    handset.sign_in("alice")
    assert "ログアウト" in handset.text
    assert store.count(AuthSession) == 1  # only the new one
