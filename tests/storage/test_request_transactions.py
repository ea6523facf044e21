"""How a request's transaction ends: writes never committed by accident, reads cheap to end."""

import pytest
import sqlalchemy as sa

from mobile_gateway.storage import db
from mobile_gateway.storage.models import User


def _probe_app(make_app, url):
    """Return a fresh app with routes that read, and write without committing."""
    app = make_app(url)

    @app.get("/_probe/read")
    def read():
        return str(db.get_session().scalar(sa.select(sa.func.count()).select_from(User)))

    @app.get("/_probe/write-and-forget")
    def write_and_forget():
        session = db.get_session()
        session.execute(sa.select(sa.func.count()).select_from(User))
        session.execute(sa.update(User).values(display_name="changed"))
        session.execute(sa.select(sa.func.count()).select_from(User))
        return "done"

    @app.get("/_probe/add-and-forget")
    def add_and_forget():
        db.get_session().add(User(name="ghost", password_hash="x"))
        return "done"

    @app.get("/_probe/refused-write")
    def refused_write():
        session = db.get_session()
        session.add(User(name="dup", password_hash="x"))
        session.add(User(name="DUP", password_hash="x"))  # the same name_key
        try:
            session.flush()
        except sa.exc.IntegrityError:
            return "refused"
        return "stored"

    @app.get("/_probe/prepared")
    def prepared():
        sql = "SELECT count(*) FROM pg_prepared_statements"
        return str(db.get_session().execute(sa.text(sql)).scalar())

    return app


def _ends(app):
    """Count the COMMITs and ROLLBACKs the app's engine sends (the emoji table's version
    check, once in a while, ends with COMMIT too)."""
    ends = {"commit": 0, "rollback": 0}
    engine = db.get_engine(app)
    for name in ends:
        sa.event.listen(engine, name, lambda connection, name=name: _count(ends, name))
    return ends


def _count(counts, name):
    counts[name] += 1


def test_a_request_that_only_read_ends_with_commit(make_app, db_url):
    """A read-only request ends its transaction with COMMIT, never ROLLBACK."""
    app = _probe_app(make_app, db_url)
    ends = _ends(app)
    assert app.test_client().get("/_probe/read").text == "0"
    assert ends["commit"] >= 1 and ends["rollback"] == 0


def test_writes_the_code_did_not_commit_are_rolled_back(make_app, db_url, make_user, session):
    """An UPDATE the view never committed is rolled back at the end of the request."""
    make_user("aoi")
    session.commit()
    app = _probe_app(make_app, db_url)
    ends = _ends(app)
    assert app.test_client().get("/_probe/write-and-forget").text == "done"
    assert ends["rollback"] >= 1
    session.expire_all()
    assert session.scalars(sa.select(User.display_name)).all() == [None]


def test_objects_added_and_never_flushed_are_not_stored(make_app, db_url, session):
    """Objects added to the session and left there are not stored."""
    app = _probe_app(make_app, db_url)
    assert app.test_client().get("/_probe/add-and-forget").text == "done"
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_request_whose_write_failed_ends_cleanly(make_app, db_url, session):
    """A failed flush the view caught leaves no row and no error at the end of the request."""
    app = _probe_app(make_app, db_url)
    response = app.test_client().get("/_probe/refused-write")
    assert (response.status_code, response.text) == (200, "refused")
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_read_after_a_committed_write_ends_with_commit(make_app, db_url):
    """Reads after a committed write end with COMMIT; the write stays."""
    app = _probe_app(make_app, db_url)

    @app.get("/_probe/write-commit-read")
    def write_commit_read():
        session = db.get_session()
        session.add(User(name="kept", password_hash="x"))
        session.commit()
        return str(session.scalar(sa.select(sa.func.count()).select_from(User)))

    ends = _ends(app)
    assert app.test_client().get("/_probe/write-commit-read").text == "1"
    assert ends["commit"] >= 2 and ends["rollback"] == 0


@pytest.fixture
def pg_url(pg_schemas):
    """Return a migrated PostgreSQL database of this test's own."""
    url = pg_schemas.create(migrate=True)
    yield url
    pg_schemas.drop(url)


def test_prepared_statements_outlive_read_only_requests_on_postgresql(make_app, pg_url):
    """Statements psycopg prepared in earlier requests are still prepared in later ones."""
    app = _probe_app(make_app, pg_url)
    client = app.test_client()
    for _ in range(8):  # psycopg prepares a statement on its fifth run
        client.get("/_probe/read")
    assert int(client.get("/_probe/prepared").text) >= 1
