"""Alembic environment: runs migrations on the connection or URL that :mod:`..db` passes in.

There is no ``alembic.ini``: :func:`mobile_gateway.storage.db.alembic_config` builds the config in
code and puts an open connection in ``config.attributes["connection"]``. To write a new
revision from the models::

    python -c "from alembic import command; from mobile_gateway.storage import db; \\
        command.revision(db.alembic_config(url='sqlite:///instance/mobile_gateway.sqlite3'), \\
        'describe the change', autogenerate=True)"
"""

from alembic import context

from mobile_gateway.storage.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_, obj, autogen_context):
    """Write ``UTCDateTime`` columns as plain timestamps, so revisions need no models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs) -> None:
    """Configure the migration context with this project's options."""
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Write the SQL for the migrations instead of running it (``--sql``)."""
    url = config.get_main_option("sqlalchemy.url")
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new engine for the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    from ..db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


def _run_on(connection) -> None:
    """Run the migrations in a transaction on *connection*."""
    # SQLite cannot ALTER most things in place: let later revisions use batch mode.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
