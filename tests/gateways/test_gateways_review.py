"""Review findings on the gateway paths: IPv6 rate-limit keys, out-of-range ids in URLs."""

from __future__ import annotations

from gateways_support import Handset, add_user


def test_sign_in_per_address_counts_an_ipv6_prefix(make_app, sqlite_url, clock):
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


def test_easy_login_per_address_counts_an_ipv6_prefix(make_app, sqlite_url, clock):
    """Easy-login attempts from one IPv6 /64 share the per-address limit too."""
    app = make_app(sqlite_url, RATE_LIMIT_EASY_LOGIN_PER_ADDRESS=(2, 60))
    statuses = []
    for n in range(3):
        handset = Handset(app, "au", address=f"2001:db8:1:2::{n + 1:x}")
        handset.get("/login")
        statuses.append(handset.submit("かんたんログイン").status)
    assert statuses == [400, 400, 429]


def test_removing_a_binding_with_an_out_of_range_id(app):
    """A binding id too large for the database is "not found", not a server error."""
    add_user(app, "taro")
    handset = Handset(app, "pc")
    assert "ログアウト" in handset.sign_in("taro").text
    fields = handset.page.form("ログアウト")["fields"]
    page = handset.post("/settings/easy-login/99999999999999999999999/remove", fields)
    assert page.status == 404
