"""Database fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``MOBILE_GATEWAY_TEST_PG_URL`` (default: the local ``test``
database). Each test run works in a schema of its own, made fresh and dropped at the
end, so parallel runs cannot collide. When the server cannot be reached the PostgreSQL
tests are skipped, except under CI (``CI`` set to a true value), where they fail.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from mobile_gateway.accounts import users
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Base

#: A fixed "now" for tests that need one (the original Echo's launch month).
T0 = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory) -> sa.URL:
    """Return the URL of this run's migrated database, once per database kind."""
    if request.param == "sqlite":
        url = sa.URL.create(
            "sqlite", database=str(tmp_path_factory.mktemp("db") / "storage.sqlite3")
        )
    else:
        url = request.getfixturevalue("pg_schemas").create()
    db.upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_db_url(request, tmp_path):
    """Return the URL of an empty, never migrated database of each kind."""
    if request.param == "sqlite":
        yield sa.URL.create("sqlite", database=str(tmp_path / "fresh.sqlite3"))
        return
    schemas = request.getfixturevalue("pg_schemas")
    url = schemas.create()
    yield url
    schemas.drop(url)


@pytest.fixture(scope="session")
def engine(db_url):
    """Return an engine on this run's migrated database."""
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """Return a session on an empty migrated database; the tables are emptied after."""
    factory = db.make_session_factory(engine)
    session = factory()
    yield session
    session.close()
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def other_session(engine):
    """Return a second, independent session on the same database."""
    session = db.make_session_factory(engine)()
    yield session
    session.close()


@pytest.fixture
def make_user(session):
    """Return a function that signs up a user with a default password."""

    def make_user(name: str, password: str = "correct horse") -> object:
        return users.signup(session, name, password)

    return make_user


@pytest.fixture
def clock():
    """Return a settable clock starting at ``T0``; ``clock.advance(**kw)`` moves it."""

    class Clock:
        def __init__(self) -> None:
            self.now = T0

        def __call__(self) -> datetime:
            return self.now

        def advance(self, **kwargs) -> datetime:
            self.now += timedelta(**kwargs)
            return self.now

    return Clock()
