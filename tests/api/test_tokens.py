"""Personal access tokens: stored hashed, scoped, revocable; no session ever reaches the API."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from support.api import assert_problem
from support.settings import PASSWORD

from mobile_gateway.api import tokens
from mobile_gateway.storage.models import ApiToken


def test_tokens_are_stored_only_as_hashes(api, store):
    """The table holds the SHA-256 and four characters, never the token."""
    secret = api.token("taro")
    with store.session() as session:
        row = session.scalar(sa.select(ApiToken))
        stored = " ".join(str(v) for v in (row.token_hash, row.last_chars, row.name, row.scopes))
    assert secret not in stored and secret[4:20] not in stored
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert tokens.masked(row) == "mgp_…" + secret[-4:]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mgp_" + "A" * 43,
        "Bearer",
        "Basic dGFybzpwYXNzd29yZDEyMw==",
        "Bearer x\u00ff",
        "mgp_x",
    ],
    ids=["unknown", "empty", "basic", "latin1", "no-scheme"],
)
def test_missing_or_unknown_tokens_are_401(api, store, header):
    """Anything but a valid bearer token is a 401 with a Bearer challenge."""
    api.token("taro")
    response = api.get("/api/v1/me", headers={"Authorization": header.encode("latin-1")})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="echo"')


def test_a_read_token_cannot_write(api, store):
    """A token with only read may read but not post (403, insufficient scope)."""
    token = api.token("taro", scopes=("read",))
    assert api.get("/api/v1/timelines/home", token).status_code == 200
    response = api.post("/api/v1/echoes", token, json={"text": "x"})
    assert assert_problem(response, 403, "insufficient-scope")["scope"] == "write"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert store.bodies() == []


def test_a_write_token_cannot_read(api, store):
    """A token with only write may post but not read."""
    token = api.token("taro", scopes=("write",))
    assert api.post("/api/v1/echoes", token, json={"text": "x"}).status_code == 201
    assert_problem(api.get("/api/v1/timelines/home", token), 403, "insufficient-scope")


def test_a_signed_in_browser_session_is_not_accepted(api, store, app):
    """A PC signed in with a cookie gets 401 from the API: the API reads no session."""
    import httpx

    store.user("taro")
    with httpx.Client(base_url=api.base, trust_env=False, follow_redirects=True) as browser:
        _ride_a_session(browser)
    assert store.bodies() == []


def _ride_a_session(browser) -> None:
    """Sign in on the pages, then try the API with the cookie, the CSRF token and the sid."""
    page = browser.get("/login")
    import re

    csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text)[1]
    browser.post("/login", data={"_cs": "あ", "_csrf": csrf, "name": "taro", "password": PASSWORD})
    assert "ログアウト" in browser.get("/").text
    assert_problem(browser.get("/api/v1/me"), 401, "unauthorized")
    home = browser.get("/")
    csrf = re.search(r'name="_csrf" value="([^"]+)"', home.text)[1]
    response = browser.post("/api/v1/echoes", json={"text": "riding a session", "_csrf": csrf})
    assert_problem(response, 401, "unauthorized")
    sid = browser.cookies.get("mgsid")
    assert_problem(browser.get(f"/api/v1/me?sid={sid}"), 401, "unauthorized")
    assert "set-cookie" not in {k.lower() for k in browser.get("/api/v1/openapi.json").headers}


def test_a_revoked_token_stops_working_at_once(api, store):
    """After revoking, the same token is a 401."""
    secret = api.token("taro")
    assert api.get("/api/v1/me", secret).status_code == 200
    with store.session() as session:
        row = session.scalar(sa.select(ApiToken))
        tokens.revoke(session, row.user, row.id)
    assert_problem(api.get("/api/v1/me", secret), 401, "unauthorized")


def test_token_rules(store):
    """Names are required and at most 40 characters, scopes come from read/write, ten at most."""
    store.user("taro")
    with store.session() as session:
        from mobile_gateway.accounts import users

        taro = users.get_user(session, "taro")
        for name, scopes in (("", ["read"]), ("x" * 41, ["read"]), ("ok", []), ("ok", ["admin"])):
            with pytest.raises(tokens.TokenError):
                tokens.create(session, taro, name, scopes)
        for n in range(tokens.MAX_TOKENS_PER_USER):
            tokens.create(session, taro, f"t{n}", ["read"])
        with pytest.raises(tokens.TokenError, match="10個まで"):
            tokens.create(session, taro, "one more", ["read"])
        other = users.signup(session, "hanako", PASSWORD)
        mine = tokens.tokens_of(session, taro)[0]
        with pytest.raises(tokens.TokenError):
            tokens.revoke(session, other, mine.id)
        for bad in (0, -1, 2**40, True, "1"):
            with pytest.raises(tokens.TokenError):
                tokens.revoke(session, taro, bad)
        assert len(tokens.tokens_of(session, taro)) == tokens.MAX_TOKENS_PER_USER


def test_last_use_is_recorded(api, store):
    """Using a token records when (shown on the settings page)."""
    secret = api.token("taro")
    api.get("/api/v1/me", secret)
    with store.session() as session:
        assert session.scalar(sa.select(ApiToken)).last_used_at is not None
