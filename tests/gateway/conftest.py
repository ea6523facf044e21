"""Fixtures of the gateway tests: the app on SQLite and PostgreSQL, phones, seeded data.

Every test that uses ``app`` runs on both databases, unless it is marked
``sqlite_only`` (request-path tests where storage does not matter). PostgreSQL comes
from ``MOBILE_GATEWAY_TEST_PG_URL`` (default: the local ``test`` database), in a schema
made for this run and dropped at its end; when the server cannot be reached those tests
are skipped, except under CI (``CI`` set to a true value), where they fail. The tables
are emptied after each test.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from mobile_gateway import create_app
from mobile_gateway.accounts import users
from mobile_gateway.echo import echoes, friends, service_period
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Base, Echo, utcnow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from phones import PHONES, Phone  # noqa: E402

#: Password of the users the tests make.
PASSWORD = "password123"


def pytest_configure(config):
    """Register this directory's markers."""
    config.addinivalue_line("markers", "sqlite_only: run the app on SQLite only")


def pytest_generate_tests(metafunc):
    """Run every test that uses the app once per database (SQLite only when marked)."""
    if "app" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        kinds = ["sqlite"] if sqlite_only else ["sqlite", "postgresql"]
        metafunc.parametrize("app", kinds, indirect=True)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> sa.URL:
    """Return the URL of this run's migrated SQLite database."""
    url = sa.URL.create("sqlite", database=str(tmp_path_factory.mktemp("db") / "gateway.sqlite3"))
    db.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url(pg_schemas) -> sa.URL:
    """Return the URL of a fresh migrated PostgreSQL schema for this run, or skip."""
    return pg_schemas.create(migrate=True)


def _make_app(url: sa.URL):
    """Return the app on the database at *url*, its schema migrated."""
    app = create_app(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "TESTING": True,
            "SECRET_KEY": "test",
        }
    )
    with app.app_context():
        db.init_db(app)
    return app


def _empty(app) -> None:
    """Delete every row of every table the app's database has."""
    engine = db.get_engine(app)
    with engine.begin() as connection:
        existing = set(sa.inspect(connection).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing:  # models may be ahead of the migrations
                connection.execute(table.delete())


@pytest.fixture(scope="session")
def _apps():
    """Hold one app per database kind for the run (templates and routes compile once)."""
    apps = {}
    yield apps
    for app in apps.values():
        db.get_engine(app).dispose()


@pytest.fixture
def app(request, _apps):
    """Return the app on an empty migrated database (SQLite or PostgreSQL).

    The app is made once per database kind; after each test its tables are emptied and
    its config is put back as it was.
    """
    kind = request.param
    if kind not in _apps:
        _apps[kind] = _make_app(request.getfixturevalue(f"{kind}_url"))
    app = _apps[kind]
    config = dict(app.config)
    _empty(app)
    yield app
    app.config.clear()
    app.config.update(config)


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
