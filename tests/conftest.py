"""Fixtures every test directory shares: the PostgreSQL server and its throwaway schemas.

PostgreSQL comes from ``MOBILE_GATEWAY_TEST_PG_URL`` (default: the local ``test``
database). Each run works in schemas of its own, made fresh and dropped at the end, so
parallel runs cannot collide. When the server cannot be reached the PostgreSQL tests
are skipped, saying "PostgreSQL tests left out", except under CI (``CI`` set to a true
value), where they fail.
"""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa

from mobile_gateway.accounts import passwords
from mobile_gateway.storage import db

#: Where the PostgreSQL tests run unless ``MOBILE_GATEWAY_TEST_PG_URL`` says otherwise.
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pytest_configure(config):
    """Register the markers every directory may use."""
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


@pytest.fixture(autouse=True)
def _cheap_kdf(request, monkeypatch):
    """Make password hashing cheap unless a test is marked ``real_kdf``."""
    if request.node.get_closest_marker("real_kdf") is None:
        monkeypatch.setattr(passwords, "SCRYPT_N", 2**4)


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
