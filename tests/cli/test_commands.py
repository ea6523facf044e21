"""The storage side of the ``mobile-gateway`` command and of the app factory."""

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.cli import FlaskGroup

from mobile_gateway.__main__ import main
from mobile_gateway.cli import demo
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Echo, Friendship, User

#: Echoes the demo seeds: written as internal text, and as each carrier's bytes.
#: Echoes the demo leaves: one of its echoes is deleted (its reply says so).
DEMO_COUNT = len(demo.DEMO_ECHOES) + len(demo.DEMO_CARRIER_ECHOES) - 1


def count(app, model):
    """Return the number of rows of *model* in the app's database."""
    with app.app_context():
        return db.get_session().scalar(sa.select(sa.func.count()).select_from(model))


def test_db_upgrade_and_current(fresh_db_url, make_app):
    """``db upgrade`` creates the schema and ``db current`` reports the head revision."""
    runner = make_app(fresh_db_url).test_cli_runner()
    result = runner.invoke(args=["db", "current"])
    assert "(empty database)" in result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["db", "current"])
    assert f"current: {db.head()}" in result.output


def test_demo_is_idempotent(fresh_db_url, make_app):
    """``demo`` seeds users, friends and about 40 echoes once and prints the passwords."""
    app = make_app(fresh_db_url)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "taro-echo-2009" in result.output
    assert count(app, User) == 6
    assert count(app, Echo) == DEMO_COUNT
    assert count(app, Friendship) == 8
    with app.app_context():
        stored = db.get_session().scalars(sa.select(Echo.body)).all()
    assert any(chr(0x1016A6) in body for body in stored)
    assert any("☀️" in body for body in stored)
    with app.app_context():
        replies = db.get_session().scalar(
            sa.select(sa.func.count()).select_from(Echo).where(Echo.reply_to_id.is_not(None))
        )
    assert replies == 9
    with app.app_context():
        marked = db.get_session().scalar(
            sa.select(sa.func.count()).select_from(Echo).where(Echo.answers_deleted)
        )
    assert marked == 1
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0 and "already present" in again.output
    assert count(app, Echo) == DEMO_COUNT


def test_demo_bulk(tmp_path, make_app):
    """``demo --bulk N`` adds N generated echoes."""
    app = make_app(sa.URL.create("sqlite", database=str(tmp_path / "bulk.sqlite3")))
    result = app.test_cli_runner().invoke(args=["demo", "--bulk", "1234"])
    assert result.exit_code == 0, result.output
    assert count(app, Echo) == DEMO_COUNT + 1234


def test_operator_grant(tmp_path, make_app):
    """``operator grant NAME`` makes an operator; an unknown name is an error."""
    app = make_app(sa.URL.create("sqlite", database=str(tmp_path / "op.sqlite3")))
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["operator", "grant", "Hanako"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        role = db.get_session().scalar(sa.select(User.role).where(User.name == "hanako"))
    assert role == "operator"
    result = runner.invoke(args=["operator", "grant", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output


def test_service_period_commands(tmp_path, make_app):
    """``service-period set`` stores the period and ``show`` prints it in Japan time."""
    app = make_app(sa.URL.create("sqlite", database=str(tmp_path / "sp.sqlite3")))
    runner = app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    result = runner.invoke(
        args=[
            "service-period",
            "set",
            "--start",
            "2009-06-01T00:00",
            "--end",
            "2009-07-01T00:00+09:00",
            "--reading-after-end",
            "closed",
        ]
    )
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["service-period", "show"]).output
    assert "2009-06-01T00:00:00+09:00" in shown
    assert "reading after end: closed" in shown
    assert "posting closed" in shown  # 2009 is long over
    bad = runner.invoke(
        args=["service-period", "set", "--start", "2009-07-01", "--end", "2009-06-01"]
    )
    assert bad.exit_code != 0


def test_serve_creates_database(tmp_path, monkeypatch, make_app):
    """``serve --demo`` creates the SQLite database, seeds it and hands the app to waitress."""
    import waitress

    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(app=app, **kw))
    app = make_app(sa.URL.create("sqlite", database=str(tmp_path / "serve.sqlite3")))
    result = app.test_cli_runner().invoke(
        args=["serve", "--port", "8099", "--threads", "2", "--demo"]
    )
    assert result.exit_code == 0, result.output
    assert served == {"app": app, "host": "127.0.0.1", "port": 8099, "threads": 2}
    assert count(app, User) == 6


def test_default_database_in_instance_folder(tmp_path):
    """Without DATABASE_URL the app uses SQLite in its instance folder, made on first use."""
    app = Flask("mobile_gateway", instance_path=str(tmp_path / "instance"))
    db.init_app(app)
    url = db.database_url(app)
    assert url.drivername == "sqlite"
    assert url.database == str(tmp_path / "instance" / "mobile_gateway.sqlite3")
    assert not (tmp_path / "instance").exists()
    engine = db.get_engine(app)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()
    assert (tmp_path / "instance" / "mobile_gateway.sqlite3").is_file()


def test_session_per_app_context(tmp_path, make_app):
    """get_session is cached per app context, rolled back after an error and closed."""
    app = make_app(sa.URL.create("sqlite", database=str(tmp_path / "s.sqlite3")))
    with app.app_context():
        db.init_db()
        session = db.get_session()
        assert db.get_session() is session
    with pytest.raises(RuntimeError):
        with app.app_context():
            db.get_session().add(User(name="ghost", password_hash="x"))
            db.get_session().flush()
            raise RuntimeError("boom")
    assert count(app, User) == 0


def test_console_script_is_a_flask_group(make_app):
    """``mobile-gateway`` is a FlaskGroup that lists the storage commands."""
    assert isinstance(main, FlaskGroup)
    app = make_app(sa.make_url("sqlite://"))
    for name in ("db", "serve", "demo", "operator", "service-period", "init-db"):
        assert name in app.cli.commands


def test_demo_has_emoji_from_every_carrier(fresh_db_url, make_app):
    """The demo timeline holds each carrier's emoji, carrier-only ones in internal form."""
    app = make_app(fresh_db_url)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        bodies = db.get_session().scalars(sa.select(Echo.body)).all()
    text = "".join(bodies)
    for carrier_only in ("\U001016a6", "\U00102a9d"):  # DoCoMo F94A, au F370
        assert carrier_only in text
    assert "\u26c4" in text  # SoftBank's snowman from UTF-8 private use
    assert not any("\ue000" <= ch <= "\uf8ff" for ch in text)


def test_sessions_purge_deletes_only_expired_sessions(tmp_path, make_app):
    """``sessions purge`` deletes dead sessions and keeps live ones."""
    from datetime import timedelta

    from mobile_gateway.accounts import sessions, users
    from mobile_gateway.storage.models import AuthSession, utcnow

    url = sa.URL.create("sqlite", database=str(tmp_path / "purge.sqlite3"))
    db.upgrade(url)
    app = make_app(url)
    with app.app_context():
        session = db.get_session()
        user = users.signup(session, "taro", "echo-pass-2009")
        sessions.create(session, "docomo", user, now=utcnow() - timedelta(days=2))
        live, _ = sessions.create(session, "docomo", user)
    result = app.test_cli_runner().invoke(args=["sessions", "purge"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 expired session(s)." in result.output
    assert count(app, AuthSession) == 1
    with app.app_context():
        assert sessions.load(db.get_session(), live, "docomo") is not None
