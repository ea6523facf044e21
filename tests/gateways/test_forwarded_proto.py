"""The session cookie is ``Secure`` behind a trusted TLS proxy, and only then.

A proxy that ends HTTPS forwards plain HTTP with ``X-Forwarded-Proto: https``. From a
trusted proxy (``TRUSTED_PROXIES``) that makes the request HTTPS: the cookie gets the
``Secure`` flag and terminal detection knows it (au keeps no cookies over HTTPS). From
any other peer the header is ignored.
"""

from __future__ import annotations

import pytest
from support.phones import Phone
from support.settings import PASSWORD

PROXY = "10.0.0.5"


@pytest.fixture
def proxied(make_app, db_url, store):
    """Return an app behind the trusted proxy 10.0.0.0/8, with the user alice."""
    store.user("alice")
    return make_app(db_url, TRUSTED_PROXIES=["10.0.0.0/8"])


def sign_in(app, name: str, peer: str, proto: str | None) -> Phone:
    """Sign alice in on phone *name* reaching the app from *peer* with *proto* forwarded."""
    headers = {"X-Forwarded-For": "192.0.2.9"}
    if proto:
        headers["X-Forwarded-Proto"] = proto
    handset = Phone(app, name, {"REMOTE_ADDR": peer}, **headers)
    handset.sign_in("alice", PASSWORD)
    return handset


def signed_in_cookie(app, name: str, peer: str, proto: str | None):
    """Return the session cookie that signed alice in."""
    handset = sign_in(app, name, peer, proto)
    assert "ログアウト" in handset.text
    cookie = handset.client.get_cookie("mgsid")
    assert cookie is not None
    return cookie


def test_secure_behind_trusted_tls_proxy(proxied):
    """HTTPS forwarded by the trusted proxy: the session cookie is Secure."""
    assert signed_in_cookie(proxied, "pc", PROXY, "https").secure


@pytest.mark.parametrize(
    "peer, proto",
    [(PROXY, None), (PROXY, "http"), ("198.51.100.7", "https")],
    ids=["plain-http", "proxy-says-http", "untrusted-peer-claims-https"],
)
def test_not_secure_otherwise(proxied, peer, proto):
    """Plain HTTP, or a header from a peer that is no trusted proxy: no Secure flag."""
    assert not signed_in_cookie(proxied, "pc", peer, proto).secure


def test_no_proxies_no_trust(make_app, db_url, store):
    """Without TRUSTED_PROXIES the header changes nothing."""
    store.user("alice")
    app = make_app(db_url)
    assert not signed_in_cookie(app, "pc", PROXY, "https").secure


def test_au_behind_tls_proxy_is_cookieless(proxied):
    """au over HTTPS (ended at the proxy) keeps no cookies: its session rides in URLs."""
    handset = sign_in(proxied, "au", PROXY, "https")
    assert "ログアウト" in handset.text
    assert handset.sid and handset.client.get_cookie("mgsid") is None
