"""Database fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``MOBILE_GATEWAY_TEST_PG_URL`` (default: the local ``test``
database). Each test run works in a schema of its own, made fresh and dropped at the
end, so parallel runs cannot collide. When the server cannot be reached the PostgreSQL
tests are skipped, except under CI (``CI`` set to a true value), where they fail.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest
import sqlalchemy as sa

from mobile_gateway import accounts
from mobile_gateway import db
from mobile_gateway.models import Base

#: Where the PostgreSQL tests run unless ``MOBILE_GATEWAY_TEST_PG_URL`` says otherwise.
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: A fixed "now" for tests that need one (the original Echo's launch month).
T0 = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)


def pytest_configure(config):
    """Register this directory's markers."""
    config.addinivalue_line("markers", "real_kdf: use the production scrypt cost")


def _ci() -> bool:
    """Return whether we run under CI, where nothing may be skipped silently."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


@pytest.fixture(scope="session")
def pg_server_url() -> sa.URL:
    """Return the PostgreSQL server URL, or skip (fail under CI) when unreachable."""
    url = db.normalize_url(os.environ.get("MOBILE_GATEWAY_TEST_PG_URL", DEFAULT_PG_URL))
    engine = db.make_engine(url, connect_args={"connect_timeout": 3}, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure to connect means "not reachable"
        reason = (
            f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}: "
            f"PostgreSQL tests left out ({type(error).__name__})"
        )
        if _ci():
            pytest.fail(f"{reason}; CI is set, so this is an error", pytrace=False)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


def _schema_url(server_url: sa.URL, schema: str) -> sa.URL:
    """Return *server_url* with every connection working in *schema*."""
    return server_url.update_query_dict({"options": f"-csearch_path={schema}"})


class _PgSchemas:
    """Creates schemas on one server and drops them all at the end of the run."""

    def __init__(self, server_url: sa.URL) -> None:
        self.server_url = server_url
        self.engine = db.make_engine(server_url, poolclass=sa.NullPool)
        self.names: list[str] = []

    def create(self) -> sa.URL:
        """Create a fresh empty schema and return a URL that works in it."""
        name = f"mg_storage_{secrets.token_hex(6)}"
        with self.engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        self.names.append(name)
        return _schema_url(self.server_url, name)

    def drop(self, url: sa.URL) -> None:
        """Drop the schema *url* works in."""
        name = url.query["options"].split("=", 1)[1]
        with self.engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.names.remove(name)

    def close(self) -> None:
        """Drop what is left and release the connection."""
        with self.engine.begin() as connection:
            for name in self.names:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_schemas(pg_server_url):
    """Hand out fresh PostgreSQL schemas for this run; drop them at its end."""
    schemas = _PgSchemas(pg_server_url)
    yield schemas
    schemas.close()


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


@pytest.fixture(autouse=True)
def _cheap_kdf(request, monkeypatch):
    """Make password hashing cheap unless a test is marked ``real_kdf``."""
    if request.node.get_closest_marker("real_kdf") is None:
        monkeypatch.setattr(accounts, "SCRYPT_N", 2**4)


@pytest.fixture
def make_user(session):
    """Return a function that signs up a user with a default password."""

    def make_user(name: str, password: str = "correct horse") -> object:
        return accounts.signup(session, name, password)

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
