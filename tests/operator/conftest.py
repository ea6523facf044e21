"""Fixtures of the operator tests: databases (SQLite and PostgreSQL), apps, signed-in clients.

PostgreSQL comes from ``MOBILE_GATEWAY_TEST_PG_URL`` (default: the local ``test``
database), each run in schemas of its own, dropped at the end. When the server cannot
be reached the PostgreSQL tests are skipped, except under CI (``CI`` set to a true
value), where they fail. Every test leaves the process's emoji table as it found it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from operator_support import Browser, add_user, make_app

import carrier_emoji
from mobile_gateway.accounts import passwords
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Base, EmojiTableVersion


@pytest.fixture(scope="session")
def pg_schema(pg_schemas):
    """Return a function that makes a fresh schema and its URL; all are dropped at the end."""
    return pg_schemas.create


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory) -> sa.URL:
    """Return the URL of this run's migrated database, once per database kind."""
    if request.param == "sqlite":
        url = sa.URL.create("sqlite", database=str(tmp_path_factory.mktemp("db") / "op.sqlite3"))
    else:
        url = request.getfixturevalue("pg_schema")()
    db.upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> sa.URL:
    """Return the URL of a migrated SQLite database, for tests where storage does not matter."""
    url = sa.URL.create("sqlite", database=str(tmp_path_factory.mktemp("db") / "web.sqlite3"))
    db.upgrade(url)
    return url


def _empty(engine) -> None:
    """Empty every table and put the emoji table version back to 0."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != EmojiTableVersion.__tablename__:
                connection.execute(table.delete())
        connection.execute(sa.update(EmojiTableVersion).values(version=0))


@pytest.fixture(autouse=True)
def restore_table():
    """Put back the emoji table that was in force before the test."""
    before = carrier_emoji.current_index()
    yield
    carrier_emoji.install(before)


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch):
    """Make password hashing cheap (the hash records its cost, so servers verify it too)."""
    monkeypatch.setattr(passwords, "SCRYPT_N", 2**4)


@pytest.fixture
def engine(db_url):
    """Return an engine on this run's database; its tables are emptied after the test."""
    engine = db.make_engine(db_url)
    yield engine
    _empty(engine)
    engine.dispose()


@pytest.fixture
def session(engine):
    """Return a session on the (empty) database."""
    session = db.make_session_factory(engine)()
    yield session
    session.close()


@pytest.fixture
def app(engine, db_url):
    """Return an app on this run's database (both kinds)."""
    app = make_app(db_url)
    yield app
    db.get_engine(app).dispose()


@pytest.fixture
def web_app(sqlite_url):
    """Return an app on SQLite, for console tests where the database kind does not matter."""
    app = make_app(sqlite_url)
    yield app
    _empty(db.get_engine(app))
    db.get_engine(app).dispose()


@pytest.fixture
def operator(web_app) -> Browser:
    """Return a PC browser signed in as an operator."""
    add_user(web_app, "op", operator=True)
    browser = Browser(web_app).login("op")
    browser.get("/admin/")
    return browser
