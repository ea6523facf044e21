"""An attacker slows only themself: no lock-out of the owner, and sign-up is limited.

Wrong passwords count per address, per (account, client) and per account; the last,
a cap far above what an owner reaches, counts only attempts the first two let through.
Sign-ups (each an scrypt hash) count per address and per trusted subscriber id.
"""

from __future__ import annotations

import pytest
from support.handsets import Handset, add_range, add_user

from mobile_gateway.storage.models import User

GATEWAY = ("203.0.113.0/26", "203.0.113.10")
OWNER_ADDRESS = "192.0.2.1"


def attackers(count: int) -> list[str]:
    """Return *count* distinct attacker addresses (TEST-NET-2)."""
    return [f"198.51.100.{n}" for n in range(1, count + 1)]


def test_wrong_passwords_from_ten_addresses_do_not_lock_the_owner(app, limit_clock):
    """The review's attack: 10 wrong passwords from each of 10 addresses; the owner signs in."""
    add_user(app, "taro")
    for address in attackers(10):
        handset = Handset(app, "pc", address=address)
        for _ in range(10):
            assert handset.sign_in("taro", "guess-guess").status == 400
    owner = Handset(app, "pc", address=OWNER_ADDRESS)
    assert "ログアウト" in owner.sign_in("taro").text


def test_one_address_is_held_back_for_that_account(app, limit_clock):
    """The 11th attempt on one account from one address waits; other clients do not."""
    add_user(app, "taro")
    attacker = Handset(app, "pc", address="198.51.100.1")
    statuses = [attacker.sign_in("taro", "guess-guess").status for _ in range(11)]
    assert statuses == [400] * 10 + [429]
    assert attacker.sign_in("taro").status == 429  # the right password waits there too
    assert "ログアウト" in Handset(app, "pc", address=OWNER_ADDRESS).sign_in("taro").text
    limit_clock.advance(600)
    assert "ログアウト" in attacker.sign_in("taro").text


def test_refused_attempts_do_not_use_up_the_account_cap(make_app, db_url, limit_clock):
    """Hammering from one address past its limit leaves the account's cap untouched."""
    app = make_app(
        db_url,
        RATE_LIMIT_SIGN_IN_PER_ACCOUNT_CLIENT=(2, 600),
        RATE_LIMIT_SIGN_IN_PER_ACCOUNT=(5, 600),
    )
    add_user(app, "taro")
    attacker = Handset(app, "pc", address="198.51.100.1")
    statuses = [attacker.sign_in("taro", "guess-guess").status for _ in range(30)]
    assert statuses.count(400) == 2 and statuses.count(429) == 28
    assert "ログアウト" in Handset(app, "pc", address=OWNER_ADDRESS).sign_in("taro").text


def test_account_cap_needs_many_addresses(make_app, db_url, limit_clock):
    """The per-account cap still stops a guesser spread over many addresses."""
    app = make_app(
        db_url,
        RATE_LIMIT_SIGN_IN_PER_ACCOUNT_CLIENT=(2, 600),
        RATE_LIMIT_SIGN_IN_PER_ACCOUNT=(5, 600),
    )
    add_user(app, "taro")
    statuses = [
        Handset(app, "pc", address=address).sign_in("taro", "guess-guess").status
        for address in attackers(4)
        for _ in range(2)
    ]
    assert statuses == [400] * 5 + [429] * 3


def test_phone_at_a_gateway_counted_by_its_subscriber_id(make_app, sqlite_url, limit_clock):
    """Behind a carrier gateway, phones are told apart by their vouched-for ids."""
    app = make_app(sqlite_url, RATE_LIMIT_SIGN_IN_PER_ACCOUNT_CLIENT=(2, 600))
    add_range(app, "au", GATEWAY[0])
    add_user(app, "taro")
    attacker = Handset(app, "au", address=GATEWAY[1], subscriber_id="11111111111111_aa.ezweb.ne.jp")
    statuses = [attacker.sign_in("taro", "guess-guess").status for _ in range(3)]
    assert statuses == [400, 400, 429]
    owner = Handset(app, "au", address=GATEWAY[1])  # same gateway address, its own id
    assert "ログアウト" in owner.sign_in("taro").text


def test_sign_up_limited_per_address(make_app, db_url, limit_clock):
    """Sign-ups from one address stop at the limit with the 429 page; others go on."""
    app = make_app(db_url, RATE_LIMIT_SIGN_UP_PER_ADDRESS=(3, 3600))
    statuses = []
    for n in range(5):
        handset = Handset(app, "docomo", address="198.51.100.1")
        handset.get("/signup")
        statuses.append(
            handset.submit("登録する", {"name": f"bot{n}", "password": "pw-echo-2009!"}).status
        )
    assert statuses == [200, 200, 200, 429, 429]
    assert "操作が多すぎます" in handset.page.data.decode("x-sjis-docomo")
    with app.app_context():
        from mobile_gateway.storage import db

        assert db.get_session().query(User).count() == 3
    other = Handset(app, "pc", address=OWNER_ADDRESS)
    other.get("/signup")
    assert other.submit("登録する", {"name": "hanako", "password": "pw-echo-2009!"}).status == 200
    limit_clock.advance(3600)
    again = Handset(app, "docomo", address="198.51.100.1")
    again.get("/signup")
    assert again.submit("登録する", {"name": "bot9", "password": "pw-echo-2009!"}).status == 200


@pytest.mark.sqlite_only
def test_sign_up_per_phone_at_a_gateway(make_app, db_url, limit_clock):
    """At a gateway the address has more room, but one phone's id has its own limit."""
    app = make_app(
        db_url,
        RATE_LIMIT_SIGN_UP_PER_ADDRESS=(2, 3600),
        RATE_LIMIT_SIGN_UP_PER_SUBSCRIBER=(1, 86400),
        RATE_LIMIT_GATEWAY_ADDRESS_FACTOR=10,
    )
    add_range(app, "softbank", "203.0.113.128/26")
    statuses = []
    for n in range(3):
        handset = Handset(app, "softbank", address="203.0.113.130")
        handset.get("/signup")
        statuses.append(
            handset.submit("登録する", {"name": f"sb{n}", "password": "pw-echo-2009!"}).status
        )
    assert statuses == [200, 429, 429]
    other_phone = Handset(app, "softbank", address="203.0.113.130", subscriber_id="b" * 16)
    other_phone.get("/signup")
    assert (
        other_phone.submit("登録する", {"name": "sb9", "password": "pw-echo-2009!"}).status == 200
    )
