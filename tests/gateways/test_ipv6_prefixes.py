"""Per-address rate limits count one IPv6 /64 (one host, one home line) as one address."""

from __future__ import annotations

from support.handsets import Handset


def test_sign_in_per_address_counts_an_ipv6_prefix(make_app, sqlite_url, limit_clock):
    """Addresses of one IPv6 /64 (one host or one home line) share the per-address limit.

    A host owns a whole /64: counting each of its 2**64 addresses apart let it try as many
    passwords across accounts as it liked.
    """
    app = make_app(sqlite_url, RATE_LIMIT_SIGN_IN_PER_ADDRESS=(2, 60))
    statuses = [
        Handset(app, "pc", address=f"2001:db8:1:2::{n + 1:x}").sign_in(f"user{n}", "x" * 8).status
        for n in range(3)
    ]
    assert statuses == [400, 400, 429]
    # Another /64 is someone else.
    assert Handset(app, "pc", address="2001:db8:1:3::1").sign_in("user9", "x" * 8).status == 400


def test_easy_login_per_address_counts_an_ipv6_prefix(make_app, sqlite_url, limit_clock):
    """Easy-login attempts from one IPv6 /64 share the per-address limit too."""
    app = make_app(sqlite_url, RATE_LIMIT_EASY_LOGIN_PER_ADDRESS=(2, 60))
    statuses = []
    for n in range(3):
        handset = Handset(app, "au", address=f"2001:db8:1:2::{n + 1:x}")
        handset.get("/login")
        statuses.append(handset.submit("かんたんログイン").status)
    assert statuses == [400, 400, 429]
