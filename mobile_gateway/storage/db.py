"""Database access: one engine and session factory per app, one session per request.

``make_engine``, ``upgrade`` and ``current`` work without Flask (tests, scripts); the rest
ties them to an app: ``init_app`` builds the engine from ``DATABASE_URL`` and closes the
request's session on teardown, ``get_session`` hands out that session.
"""

from __future__ import annotations

import os
from importlib.resources import files

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "alembic_config",
    "current",
    "database_url",
    "downgrade",
    "get_engine",
    "get_session",
    "head",
    "init_app",
    "init_db",
    "make_engine",
    "make_session_factory",
    "normalize_url",
    "upgrade",
]

#: File name of the embedded SQLite database inside the instance folder.
SQLITE_FILENAME = "mobile_gateway.sqlite3"
#: Milliseconds a SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 5000
#: Key under ``app.extensions``.
_EXTENSION = "mobile_gateway.db"


def normalize_url(url: str | sa.URL) -> sa.URL:
    """Return *url* as a URL object, with PostgreSQL URLs using the psycopg 3 driver."""
    url = make_url(url)
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    """Turn on WAL and foreign keys for every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str | sa.URL, **kwargs) -> Engine:
    """Create an engine for *url* with this project's settings for SQLite or PostgreSQL."""
    url = normalize_url(url)
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, **kwargs)
        path = url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            # Make the folder (the instance folder by default) on the first connection.
            folder = os.path.dirname(os.path.abspath(path))
            sa.event.listen(engine, "do_connect", lambda *args: os.makedirs(folder, exist_ok=True))
        sa.event.listen(engine, "connect", _sqlite_on_connect)
    else:
        # Several app instances share one server behind a load balancer. Connections are
        # renewed hourly rather than pinged before every use (a round trip per request).
        kwargs.setdefault("pool_recycle", 3600)
        engine = sa.create_engine(url, **kwargs)
    _track_writes(engine)
    return engine


def _track_writes(engine: Engine) -> None:
    """Note on each connection whether its open transaction has written anything.

    A request that only read ends its transaction with COMMIT (:func:`close_session`):
    psycopg keeps its prepared statements over a COMMIT, and drops every one at a ROLLBACK
    (the pool's reset finds an idle connection and sends none). Any other statement than a
    SELECT marks the transaction as writing; such a transaction is never committed here.
    """

    @sa.event.listens_for(engine, "before_cursor_execute")
    def note(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:6].upper() != "SELECT":
            connection.info["writes"] = True

    @sa.event.listens_for(engine, "commit")
    @sa.event.listens_for(engine, "rollback")
    def end(connection):
        connection.info.pop("writes", None)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used for *engine* (objects stay usable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def _script_location() -> str:
    """Return the directory of the migration scripts inside this package."""
    return str(files("mobile_gateway.storage") / "migrations")


def alembic_config(connection: sa.Connection | None = None, url: str | None = None):
    """Build an Alembic config in code (no ``alembic.ini``) for *connection* or *url*."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", _script_location())
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", str(normalize_url(url)).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _run(bind: Engine | str | sa.URL, action) -> object:
    """Call *action(connection)* in a transaction on *bind*, an engine or a URL.

    On SQLite the transaction runs with foreign keys off, and is committed only when
    ``PRAGMA foreign_key_check`` finds nothing: SQLite alters most things by rebuilding the
    table (copy, drop, rename: Alembic's batch mode), and with foreign keys on, dropping the
    old table would run its ``ON DELETE`` actions on every row that refers to it (the
    replies of every echo would lose what they answer).
    """
    engine = bind if isinstance(bind, Engine) else make_engine(bind)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # a PRAGMA that only works outside a transaction
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    result = action(connection)
                    if sqlite:
                        _check_foreign_keys(connection)
                return result
            finally:
                if sqlite:
                    connection.rollback()
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    finally:
        if engine is not bind:
            engine.dispose()


def _check_foreign_keys(connection: sa.Connection) -> None:
    """Raise if any row refers to a row that does not exist (SQLite, checked by hand)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        listed = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:5])
        raise RuntimeError(f"{len(broken)} rows refer to missing rows after migrating: {listed}")


def upgrade(bind: Engine | str | sa.URL, revision: str = "head") -> None:
    """Migrate the database at *bind* (an engine or a URL) to *revision*."""
    from alembic import command

    _run(bind, lambda connection: command.upgrade(alembic_config(connection), revision))


def downgrade(bind: Engine | str | sa.URL, revision: str) -> None:
    """Migrate the database at *bind* back to *revision* (``"base"`` drops everything)."""
    from alembic import command

    _run(bind, lambda connection: command.downgrade(alembic_config(connection), revision))


def current(bind: Engine | str | sa.URL) -> str | None:
    """Return the revision the database at *bind* is at, or None when never migrated."""
    from alembic.runtime.migration import MigrationContext

    return _run(
        bind, lambda connection: MigrationContext.configure(connection).get_current_revision()
    )


def head() -> str:
    """Return the newest revision of the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def database_url(app: Flask) -> sa.URL:
    """Return the app's database URL: ``DATABASE_URL``, else SQLite in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return normalize_url(url)
    return sa.URL.create("sqlite", database=os.path.join(app.instance_path, SQLITE_FILENAME))


def get_engine(app: Flask | None = None) -> Engine:
    """Return the engine of *app* (default: the current app)."""
    app = app or current_app
    return app.extensions[_EXTENSION][0]


def get_session() -> Session:
    """Return the session of the current request, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[_EXTENSION][1]()
    return g.db_session


def close_session(exc: BaseException | None = None) -> None:
    """End the request's session, if one was opened.

    After an error, roll back. A transaction that only read is committed (nothing to
    write: on PostgreSQL this keeps the connection's prepared statements, see
    :func:`_track_writes`); one that wrote and was not committed by the code that wrote is
    rolled back, as it always was.
    """
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if exc is not None:
            session.rollback()
        elif _only_read(session):
            session.commit()
    finally:
        session.close()


def _only_read(session: Session) -> bool:
    """Return whether the session has a live transaction that wrote nothing and holds
    nothing to write (one a failed statement ended is not live)."""
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:
        return False
    if session.new or session.dirty or session.deleted:
        return False
    # The app's sessions have one bind: the connection of the open transaction.
    return not session.connection().info.get("writes")


def init_db(app: Flask | None = None) -> None:
    """Create or upgrade the app's database schema to the newest migration."""
    upgrade(get_engine(app))


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory and close sessions on teardown."""
    engine = make_engine(database_url(app))
    app.extensions[_EXTENSION] = (engine, make_session_factory(engine))
    app.teardown_appcontext(close_session)
