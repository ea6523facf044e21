"""The migrations build exactly the schema the models describe, on both databases."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mobile_gateway.storage import db
from mobile_gateway.storage.models import Base


def _differences(url, metadata=Base.metadata):
    """Return what Alembic autogenerate would change to make the database match *metadata*."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_upgrade_matches_models(fresh_db_url):
    """A fresh database upgraded to head has no difference from the models."""
    assert db.current(fresh_db_url) is None
    db.upgrade(fresh_db_url)
    assert db.current(fresh_db_url) == db.head()
    assert _differences(fresh_db_url) == []


def test_comparison_sees_a_difference(fresh_db_url):
    """The comparison used above does report a column the migrations lack."""
    db.upgrade(fresh_db_url)
    metadata = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    sa.Table("users", metadata, sa.Column("nickname", sa.String(10)), extend_existing=True)
    diffs = _differences(fresh_db_url, metadata)
    assert [d[0] for d in diffs] == ["add_column"]


def test_downgrade_then_upgrade_again(fresh_db_url):
    """Downgrading to base drops every table and upgrading again recreates them."""
    db.upgrade(fresh_db_url)
    db.downgrade(fresh_db_url, "base")
    engine = db.make_engine(fresh_db_url)
    try:
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    db.upgrade(fresh_db_url)
    db.upgrade(fresh_db_url)  # a second upgrade is a no-op
    assert _differences(fresh_db_url) == []


def test_sqlite_pragmas(tmp_path):
    """SQLite connections run in WAL mode with foreign keys enforced."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_postgresql_urls_use_psycopg():
    """Plain ``postgresql://`` URLs are rewritten to the psycopg 3 driver."""
    assert db.normalize_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert db.normalize_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert db.normalize_url("sqlite:///x.db").drivername == "sqlite"


def test_sqlite_file_directory_created(tmp_path):
    """A SQLite URL in a folder that does not exist yet gets its folder made."""
    path = tmp_path / "instance" / "nested" / "x.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    finally:
        engine.dispose()
    assert path.exists()


def test_upgrading_keeps_every_row_and_link(fresh_db_url):
    """Data stored at the first revision comes through every later migration whole.

    On SQLite a migration may rebuild a table (copy, drop, rename); with foreign keys on,
    dropping the old ``echoes`` would set every reply's ``reply_to_id`` to NULL.
    """
    db.upgrade(fresh_db_url, "0001")
    engine = db.make_engine(fresh_db_url)
    when = "2009-06-01 12:00:00"
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, name, name_key, password_hash, echo_enabled, role,"
                    " created_at) VALUES (1, 'taro', 'taro', 'x', true, 'user', :when),"
                    " (2, 'hanako', 'hanako', 'x', true, 'user', :when)"
                ),
                {"when": when},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO echoes (id, author_id, body, reply_to_id, created_at) VALUES"
                    " (1, 1, 'はれ', NULL, :when), (2, 2, 'ほんと', 1, :when),"
                    " (3, 1, 'うん', 2, :when)"
                ),
                {"when": when},
            )
        db.upgrade(fresh_db_url)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT id, author_id, reply_to_id FROM echoes ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [(1, 1, None), (2, 2, 1), (3, 1, 2)]
