"""Rate limits: shared counters in the database, tripping with a 429 page and recovering."""

import threading

import pytest
import sqlalchemy as sa
from support.handsets import Handset, add_range, add_user
from support.settings import SECRET_KEY

from mobile_gateway.accounts import easy_login
from mobile_gateway.gateways import rate_limits, subscriber_ids
from mobile_gateway.storage import db
from mobile_gateway.storage.models import RateLimitCounter

GATEWAY = ("210.153.84.0/24", "210.153.84.10")


def test_hit_counts_per_window(counter_engine):
    """Hits in one window add up; the next window starts again at one."""
    engine = counter_engine
    limit = rate_limits.Limit(2, 60)
    with engine.begin() as connection:
        decisions = [rate_limits.hit(connection, "k", limit, now=1000.0 + i) for i in range(3)]
    assert [d.count for d in decisions] == [1, 2, 3]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[2].retry_after == 1020 - 1002
    with engine.begin() as connection:
        fresh = rate_limits.hit(connection, "k", limit, now=1020.0)
        other = rate_limits.hit(connection, "other", limit, now=1002.0)
    assert (fresh.count, fresh.allowed, other.count) == (1, True, 1)


def test_concurrent_hits_are_all_counted(counter_engine):
    """Hits from many connections at once lose no count (one atomic upsert each)."""
    engine = counter_engine
    limit = rate_limits.Limit(1000, 3600)
    errors = []

    def work():
        try:
            for _ in range(10):
                with engine.begin() as connection:
                    rate_limits.hit(connection, "busy", limit, now=7200.0)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        count = connection.execute(
            sa.select(RateLimitCounter.count).where(RateLimitCounter.key == "busy")
        ).scalar_one()
    assert count == 40


def test_purge_drops_old_windows(counter_engine):
    """Purging deletes the windows that started before the cut-off only."""
    engine = counter_engine
    with engine.begin() as connection:
        rate_limits.hit(connection, "old", rate_limits.Limit(5, 60), now=60.0)
        rate_limits.hit(connection, "new", rate_limits.Limit(5, 60), now=6000.0)
        assert rate_limits.purge(connection, before=3000) == 1
        keys = connection.execute(sa.select(RateLimitCounter.key)).scalars().all()
    assert keys == ["new"]


@pytest.fixture
def counter_engine(db_url):
    """Return an engine on each kind of database; the counters are emptied after."""
    engine = db.make_engine(db_url)
    yield engine
    with engine.begin() as connection:
        connection.execute(sa.delete(RateLimitCounter))
    engine.dispose()


def test_sign_in_trips_and_recovers(make_app, db_url, limit_clock):
    """Too many sign-in attempts for one account get the 429 page until the window ends."""
    app = make_app(db_url, RATE_LIMIT_SIGN_IN_PER_ACCOUNT=(3, 60))
    add_user(app, "taro")
    handset = Handset(app, "docomo")
    for _ in range(3):
        page = handset.sign_in("taro", "wrong password")
        assert page.status == 400
    refused = handset.sign_in("taro")  # even the right password waits
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) == 60 - int(limit_clock.now) % 60
    assert "操作が多すぎます" in refused.data.decode("x-sjis-docomo")
    assert "ログアウト" not in refused.text
    # Another account from the same address is not held back by taro's limit.
    add_user(app, "hanako")
    assert "ログアウト" in Handset(app, "docomo").sign_in("hanako").text
    limit_clock.advance(60)
    assert "ログアウト" in handset.sign_in("taro").text


def test_sign_in_per_address(make_app, sqlite_url, limit_clock):
    """One address trying many names is stopped; a carrier gateway's address gets more room."""
    app = make_app(
        sqlite_url, RATE_LIMIT_SIGN_IN_PER_ADDRESS=(2, 60), RATE_LIMIT_GATEWAY_ADDRESS_FACTOR=3
    )
    add_range(app, "docomo", GATEWAY[0])
    pc = Handset(app, "pc", address="198.51.100.7")
    statuses = [pc.sign_in(f"user{n}", "x" * 8).status for n in range(3)]
    assert statuses == [400, 400, 429]
    phone = Handset(app, "docomo", address=GATEWAY[1])
    statuses = [phone.sign_in(f"user{n}", "x" * 8).status for n in range(7)]
    assert statuses == [400] * 6 + [429]


def test_posting_per_user(make_app, db_url, limit_clock):
    """Posting more than the limit gets 429 and stores nothing; later posts go through."""
    app = make_app(db_url, RATE_LIMIT_POST_PER_USER=(2, 600))
    add_user(app, "taro")
    handset = Handset(app, "softbank")
    handset.sign_in("taro")
    for n in range(2):
        page = handset.submit(handset.page.forms[0]["submit"], {"body": f"晴れ☀️ {n}"})
        assert page.status == 200
    refused = handset.submit(handset.page.forms[0]["submit"], {"body": "three"})
    assert refused.status == 429
    assert "操作が多すぎます" in refused.data.decode("x-utf8-softbank")
    with app.app_context():
        bodies = db.get_session().execute(sa.text("SELECT body FROM echoes")).scalars().all()
    assert sorted(bodies) == ["晴れ☀️ 0", "晴れ☀️ 1"]
    limit_clock.advance(600)
    handset.get("/")
    assert handset.submit(handset.page.forms[0]["submit"], {"body": "four"}).status == 200


def test_posting_per_subscriber_across_accounts(make_app, sqlite_url, limit_clock):
    """One phone posting from two accounts shares its subscriber id's limit."""
    app = make_app(
        sqlite_url, RATE_LIMIT_POST_PER_USER=(10, 600), RATE_LIMIT_POST_PER_SUBSCRIBER=(2, 600)
    )
    add_range(app, "au", "111.107.116.0/26")
    statuses = []
    for name in ("taro", "hanako"):
        add_user(app, name)
        handset = Handset(app, "au", address="111.107.116.1")
        handset.sign_in(name)
        for _ in range(2):
            statuses.append(handset.submit(handset.page.forms[0]["submit"], {"body": "x"}).status)
            handset.get("/")
    assert statuses == [200, 200, 429, 429]
    with app.app_context():
        keys = db.get_session().execute(sa.select(RateLimitCounter.key)).scalars().all()
    digest = subscriber_ids.subscriber_hash(SECRET_KEY, "au", "00000000000000_mj.ezweb.ne.jp")
    assert f"post:sub:{digest}" in keys
    assert not any("ezweb" in key for key in keys)


def test_easy_login_per_account(make_app, db_url, limit_clock):
    """Easy login is limited per account, and recovers when the window ends."""
    app = make_app(db_url, RATE_LIMIT_EASY_LOGIN_PER_ACCOUNT=(2, 60))
    add_range(app, "au", "111.107.116.0/26")
    taro = add_user(app, "taro")
    with app.app_context():
        easy_login.bind(db.get_session(), taro, SECRET_KEY, "au", "00000000000000_mj.ezweb.ne.jp")
    statuses = []
    for _ in range(3):
        handset = Handset(app, "au", address="111.107.116.1")
        handset.get("/login")
        statuses.append(handset.submit("かんたんログイン").status)
    assert statuses == [200, 200, 429]
    limit_clock.advance(60)
    handset = Handset(app, "au", address="111.107.116.1")
    handset.get("/login")
    assert "ログアウト" in handset.submit("かんたんログイン").text


def test_easy_login_per_address(make_app, sqlite_url, limit_clock):
    """Forged easy-login attempts from one outside address are stopped."""
    app = make_app(sqlite_url, RATE_LIMIT_EASY_LOGIN_PER_ADDRESS=(2, 60))
    statuses = []
    for _ in range(3):
        handset = Handset(app, "au", address="198.51.100.7")
        handset.get("/login")
        statuses.append(handset.submit("かんたんログイン").status)
    assert statuses == [400, 400, 429]
