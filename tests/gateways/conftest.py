"""Fixtures for carrier gateways, easy login and rate limits, on SQLite and on PostgreSQL.

The database fixtures follow ``tests/storage/conftest.py``: PostgreSQL comes from
``MOBILE_GATEWAY_TEST_PG_URL`` (default: the local ``test`` database), each run works in
fresh schemas dropped at the end, and the PostgreSQL tests are skipped when the server
cannot be reached (they fail instead under CI).

The handsets that browse the apps are in ``gateways_support.py``; :func:`serve` starts a
waitress server on 127.0.0.1 for the tests that use real sockets.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from gateways_support import SECRET_KEY

from mobile_gateway import create_app
from mobile_gateway.gateways import rate_limits
from mobile_gateway.storage import db

#: Tables these tests write, children first (emptied after each test).
TABLES = (
    "untrusted_subscriber_counts",
    "rate_limit_counters",
    "subscriber_bindings",
    "carrier_ranges",
    "auth_sessions",
    "echoes",
    "friendships",
    "users",
)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory) -> sa.URL:
    """Return the URL of this run's migrated database, once per database kind."""
    if request.param == "sqlite":
        url = sa.URL.create(
            "sqlite", database=str(tmp_path_factory.mktemp("db") / "gateways.sqlite3")
        )
    else:
        url = request.getfixturevalue("pg_schemas").create()
    db.upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> sa.URL:
    """Return a migrated SQLite database, for tests where the database kind does not matter."""
    url = sa.URL.create("sqlite", database=str(tmp_path_factory.mktemp("db1") / "gw.sqlite3"))
    db.upgrade(url)
    return url


class Clock:
    """A settable time source for the rate limits (epoch seconds)."""

    def __init__(self, now: float = 1_243_857_600.0) -> None:  # 2009-06-01 12:00 UTC
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Replace the rate limits' clock by a settable one."""
    clock = Clock()
    monkeypatch.setattr(rate_limits, "clock", clock)
    return clock


def _empty(url: sa.URL) -> None:
    """Delete the rows these tests write."""
    engine = db.make_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            for table in TABLES:
                connection.execute(sa.text(f"DELETE FROM {table}"))
    finally:
        engine.dispose()


@pytest.fixture
def make_app():
    """Return a function building an app on the migrated database at a URL."""
    apps = []

    def make_app(url: sa.URL, **config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "GATEWAY_STATS_FLUSH_SECONDS": 0,
            "GATEWAY_RANGES_TTL": 3600,
        }
        settings.update(config)
        app = create_app(settings)
        apps.append((app, url))
        return app

    yield make_app
    for app, url in apps:
        db.get_engine(app).dispose()
    for url in {str(url): url for _, url in apps}.values():
        _empty(url)


@pytest.fixture
def app(make_app, db_url):
    """Return an app on the migrated database of each kind."""
    return make_app(db_url)


@pytest.fixture
def serve():
    """Return a function serving an app with waitress on 127.0.0.1; returns the port."""
    import waitress
    from waitress.channel import HTTPChannel

    servers = []

    def serve(app) -> int:
        # The app reads X-Forwarded-For itself (TRUSTED_PROXIES): waitress must pass it on
        # (waitress 3 drops it by default), so these tests see what our code decides.
        server = waitress.create_server(
            app,
            host="127.0.0.1",
            port=0,
            threads=2,
            clear_untrusted_proxy_headers=False,
            asyncore_loop_timeout=0.05,
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server.effective_port

    yield serve
    for server, thread in servers:
        # Let the worker threads finish what they serve, then have the loop's own thread
        # close every channel (the listening socket and the trigger included): the loop
        # ends when none is left.
        server.task_dispatcher.shutdown(timeout=5)

        def close_all(server=server):
            for channel in list(server._map.values()):
                if isinstance(channel, HTTPChannel):
                    channel.handle_close()
                else:
                    channel.close()

        server.trigger.pull_trigger(close_all)
        thread.join(timeout=5)
        assert not thread.is_alive(), "waitress did not stop"


@pytest.fixture
def sqlite_app(make_app, sqlite_url):
    """Return an app on SQLite only, for tests where the database kind does not matter."""
    return make_app(sqlite_url)
