"""Fixtures every test shares: databases (SQLite and PostgreSQL), apps, phones, a seeded store.

**Databases.** A test that uses ``db_url`` (directly or through ``app``, ``engine``,
``session``) runs once on SQLite and once on PostgreSQL, unless it is marked
``sqlite_only``; ``sqlite_url`` is a SQLite database for tests where the kind does not
matter, ``fresh_db_url`` an empty one never migrated. PostgreSQL comes from
``MOBILE_GATEWAY_TEST_PG_URL`` (default: the local ``test`` database); each run works in
schemas of its own, made fresh and dropped at the end, so parallel runs cannot collide.
When the server cannot be reached the PostgreSQL tests are skipped, saying "PostgreSQL
tests left out", except under CI (``CI`` set to a true value), where they fail. Every
table of a database a test used is emptied after it.

**Apps.** ``app`` is the app on each kind of database, made once per kind (templates and
routes compile once); after each test its config is put back and its caches forgotten.
``make_app(url, **config)`` makes a fresh app with other settings. ``phone(name)`` is a
test handset (``support/phones.py``), ``signed_in(name, user)`` one signed in,
``store`` seeds and inspects the database through the domain modules.
"""

from __future__ import annotations

import os
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from support.phones import PHONES, Phone
from support.settings import PASSWORD, test_config

import carrier_emoji
from mobile_gateway import create_app
from mobile_gateway.accounts import passwords, users
from mobile_gateway.echo import echoes, friends, service_period
from mobile_gateway.gateways import carrier_ranges, rate_limits
from mobile_gateway.operators import emoji_sync
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Base, Echo, EmojiTableVersion, utcnow

#: Where the PostgreSQL tests run unless ``MOBILE_GATEWAY_TEST_PG_URL`` says otherwise.
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: A fixed "now" for tests that need one (the original Echo's launch month).
T0 = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)


def pytest_configure(config):
    """Register the markers every directory may use."""
    config.addinivalue_line("markers", "real_kdf: use the production scrypt cost")
    config.addinivalue_line("markers", "sqlite_only: run on SQLite only (storage does not matter)")


def pytest_generate_tests(metafunc):
    """Run every test that uses ``db_url`` once per database kind (SQLite only when marked)."""
    if "db_url" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        kinds = ["sqlite"] if sqlite_only else ["sqlite", "postgresql"]
        metafunc.parametrize("db_url", kinds, indirect=True, scope="session")


def _ci() -> bool:
    """Return whether we run under CI, where nothing may be skipped silently."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


# PostgreSQL. ---------------------------------------------------------------------------------
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


class PgSchemas:
    """Creates schemas on one server and drops them all at the end of the run."""

    def __init__(self, server_url: sa.URL) -> None:
        self.server_url = server_url
        self.engine = db.make_engine(server_url, poolclass=sa.NullPool)
        self.names: list[str] = []

    def create(self, migrate: bool = False) -> sa.URL:
        """Create a fresh schema (migrated to the newest revision if asked); return its URL."""
        name = f"mg_test_{secrets.token_hex(6)}"
        with self.engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        self.names.append(name)
        url = self.server_url.update_query_dict({"options": f"-csearch_path={name}"})
        if migrate:
            db.upgrade(url)
        return url

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
def pg_schemas(pg_server_url) -> PgSchemas:
    """Hand out fresh PostgreSQL schemas for this run; drop them at its end."""
    schemas = PgSchemas(pg_server_url)
    yield schemas
    schemas.close()


# Databases. ---------------------------------------------------------------------------------
def empty_database(engine: sa.Engine) -> None:
    """Delete every row of every table, and put the emoji table version back to 0."""
    with engine.begin() as connection:
        existing = set(sa.inspect(connection).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing and table.name != EmojiTableVersion.__tablename__:
                connection.execute(table.delete())
        if EmojiTableVersion.__tablename__ in existing:
            connection.execute(sa.update(EmojiTableVersion).values(version=0))
    service_period.forget()


@pytest.fixture(scope="session")
def _engines():
    """One engine per database URL for the cleaning after each test; closed at the end."""
    engines: dict[str, sa.Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture(scope="session")
def db_url(request, tmp_path_factory) -> sa.URL:
    """Return this run's migrated database of the kind the test is parametrized with."""
    if request.param == "sqlite":
        url = sa.URL.create("sqlite", database=str(tmp_path_factory.mktemp("db") / "mg.sqlite3"))
        db.upgrade(url)
        return url
    return request.getfixturevalue("pg_schemas").create(migrate=True)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> sa.URL:
    """Return a migrated SQLite database, for tests where the database kind does not matter."""
    url = sa.URL.create("sqlite", database=str(tmp_path_factory.mktemp("db1") / "any.sqlite3"))
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


@pytest.fixture(autouse=True)
def _clean_databases(request, _engines):
    """Empty the databases a test used, after it."""
    yield
    for name in ("db_url", "sqlite_url"):
        if name in request.fixturenames:
            url = request.getfixturevalue(name)
            key = url.render_as_string(hide_password=False)
            if key not in _engines:
                _engines[key] = db.make_engine(url, poolclass=sa.NullPool)
            empty_database(_engines[key])


@pytest.fixture(scope="session")
def engine(db_url):
    """Return an engine on this run's migrated database of each kind."""
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """Return a session on the (empty) database."""
    session = db.make_session_factory(engine)()
    yield session
    session.close()


@pytest.fixture
def other_session(engine):
    """Return a second, independent session on the same database (another instance's)."""
    session = db.make_session_factory(engine)()
    yield session
    session.close()


@pytest.fixture
def make_user(session):
    """Return a function that signs up a user with a default password."""

    def make_user(name: str, password: str = "correct horse") -> object:
        return users.signup(session, name, password)

    return make_user


# Process-wide state. -------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _cheap_kdf(request, monkeypatch):
    """Make password hashing cheap unless a test is marked ``real_kdf``."""
    if request.node.get_closest_marker("real_kdf") is None:
        monkeypatch.setattr(passwords, "SCRYPT_N", 2**4)


@pytest.fixture(autouse=True)
def restore_table():
    """Put back the emoji table that was in force before the test."""
    before = carrier_emoji.current_index()
    yield
    carrier_emoji.install(before)


class Clock:
    """A settable time: ``clock()`` is now, ``clock.advance(**timedelta_args)`` moves it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds: float = 0, **kwargs):
        """Move the clock forward by *seconds* and/or ``minutes=``, ``days=`` ..."""
        step = timedelta(seconds=seconds, **kwargs)
        self.now += step if isinstance(self.now, datetime) else step.total_seconds()
        return self.now


@pytest.fixture
def clock() -> Clock:
    """Return a settable datetime clock starting at ``T0``."""
    return Clock(T0)


@pytest.fixture
def limit_clock(monkeypatch) -> Clock:
    """Replace the rate limits' clock (epoch seconds) by a settable one at ``T0``."""
    clock = Clock(T0.timestamp())
    monkeypatch.setattr(rate_limits, "clock", clock)
    return clock


# Apps. --------------------------------------------------------------------------------------
def _forget_caches(app) -> None:
    """Make an app read the ranges and the emoji table again (its database was emptied)."""
    carrier_ranges.invalidate(app)
    emoji_sync.get_sync(app).force()


@pytest.fixture(scope="session")
def _apps():
    """Hold one app per database for the run; their engines are closed at the end."""
    apps = {}
    yield apps
    for app in apps.values():
        db.get_engine(app).dispose()


@pytest.fixture
def app(db_url, _apps):
    """Return the app on each kind of database, empty; config and caches put back after."""
    key = db_url.render_as_string(hide_password=False)
    if key not in _apps:
        _apps[key] = create_app(test_config(db_url))
    app = _apps[key]
    config = dict(app.config)
    _forget_caches(app)
    yield app
    app.config.clear()
    app.config.update(config)
    _forget_caches(app)


@pytest.fixture
def make_app():
    """Return a function making a fresh app on a database URL with other settings."""
    apps = []

    def make_app(url: sa.URL, **config):
        app = create_app(test_config(url, **config))
        apps.append(app)
        return app

    yield make_app
    for app in apps:
        db.get_engine(app).dispose()


@pytest.fixture
def sqlite_app(make_app, sqlite_url):
    """Return a fresh app on SQLite, for tests where the database kind does not matter."""
    return make_app(sqlite_url)


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


# Phones and a store. ------------------------------------------------------------------------
@pytest.fixture
def phone(app):
    """Return a factory of phones on the app: ``phone("docomo_mova")``."""

    def make(name: str, environ: dict | None = None, **header_overrides) -> Phone:
        if name not in PHONES:
            raise KeyError(f"no test phone {name!r}; known: {sorted(PHONES)}")
        return Phone(app, name, environ, **header_overrides)

    return make


class Store:
    """Seeds and inspects the database directly, through the domain modules."""

    def __init__(self, app):
        self.app = app

    @contextmanager
    def session(self):
        """Open a database session in an app context."""
        with self.app.app_context():
            session = db.get_session()
            yield session

    def user(self, name: str, password: str = PASSWORD) -> int:
        """Sign a user up and return the id."""
        with self.session() as session:
            return users.signup(session, name, password).id

    def echo(
        self, name: str, body: str, *, minutes_ago: float = 0, reply_to: int | None = None
    ) -> int:
        """Store an echo by user *name*, written *minutes_ago*; return its id."""
        with self.session() as session:
            user = users.get_user(session, name)
            now = utcnow() - timedelta(minutes=minutes_ago)
            return echoes.post(session, user, body, reply_to=reply_to, now=now).id

    def befriend(self, a: str, b: str) -> None:
        """Make *a* and *b* friends."""
        with self.session() as session:
            user_a = users.get_user(session, a)
            friends.request(session, user_a, b)
            friends.accept(session, users.get_user(session, b), a)

    def ask(self, a: str, b: str) -> None:
        """Have *a* ask *b* to be friends."""
        with self.session() as session:
            friends.request(session, users.get_user(session, a), b)

    def are_friends(self, a: str, b: str) -> bool:
        """Return whether *a* and *b* are friends."""
        with self.session() as session:
            return friends.are_friends(
                session, users.get_user(session, a), users.get_user(session, b)
            )

    def relation(self, a: str, b: str) -> str:
        """Return how *a* stands to *b* (``friends``, ``outgoing``, ``incoming``, ``none``)."""
        with self.session() as session:
            return friends.relation(session, users.get_user(session, a), users.get_user(session, b))

    def bodies(self, name: str | None = None) -> list[str]:
        """Return the stored echo bodies (of user *name*), oldest first."""
        with self.session() as session:
            stmt = sa.select(Echo).order_by(Echo.created_at, Echo.id)
            if name is not None:
                stmt = stmt.where(Echo.author_id == users.get_user(session, name).id)
            return [echo.body for echo in session.scalars(stmt)]

    def echo_rows(self) -> list[Echo]:
        """Return every stored echo, oldest first."""
        with self.session() as session:
            return list(session.scalars(sa.select(Echo).order_by(Echo.created_at, Echo.id)))

    def user_exists(self, name: str) -> bool:
        """Return whether someone signed up as *name*."""
        with self.session() as session:
            return users.find_user(session, name) is not None

    def echo_enabled(self, name: str) -> bool:
        """Return whether user *name* has Echo on."""
        with self.session() as session:
            return users.get_user(session, name).echo_enabled

    def period(self, start=None, end=None, reading_after_end: str = "open") -> None:
        """Set the service period."""
        with self.session() as session:
            service_period.set_period(session, start, end, reading_after_end)

    def count(self, model) -> int:
        """Return the number of rows of *model*."""
        with self.session() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def store(app) -> Store:
    """Return a helper that seeds and inspects the app's database."""
    return Store(app)


@pytest.fixture
def signed_in(phone, store):
    """Return a factory of phones signed in as a new user: ``signed_in("au", "alice")``."""

    def make(name: str, user: str, *, create: bool = True, **header_overrides) -> Phone:
        if create and not store.user_exists(user):
            store.user(user)
        handset = phone(name, **header_overrides)
        handset.sign_in(user, PASSWORD)
        assert handset.status == 200, handset.text
        assert "ログアウト" in handset.text, f"{name} did not sign in as {user}"
        return handset

    return make


def pytest_terminal_summary(terminalreporter):
    """Say once, at the end, how many PostgreSQL tests were left out and why."""
    left_out = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "PostgreSQL tests left out" in str(report.longrepr)
    ]
    if left_out:
        terminalreporter.write_line(
            f"PostgreSQL was not reachable: {len(left_out)} PostgreSQL tests left out "
            "(SQLite tests ran); set MOBILE_GATEWAY_TEST_PG_URL to run them.",
            yellow=True,
        )
