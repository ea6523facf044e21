"""The service period: posting only inside it, reading after it as configured."""

from datetime import datetime, timedelta, timezone

import pytest

from mobile_gateway.echo import echoes, service_period
from mobile_gateway.storage import db

#: A fixed "now": the month the original Echo opened.
T0 = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)
#: A one-month trial, as the original ran.
START = T0
END = T0 + timedelta(days=30)


def test_open_by_default(session):
    """With nothing set, posting and reading are open at any time."""
    assert service_period.posting_open(session, T0)
    assert service_period.reading_open(session, T0 + timedelta(days=9999))


def test_posting_only_inside(session):
    """Posting opens at the start and closes at the end."""
    service_period.set_period(session, START, END)
    assert not service_period.posting_open(session, START - timedelta(seconds=1))
    assert service_period.posting_open(session, START)
    assert service_period.posting_open(session, END - timedelta(seconds=1))
    assert not service_period.posting_open(session, END)


@pytest.mark.parametrize("reading, expected", [("open", True), ("closed", False)])
def test_reading_after_end(session, reading, expected):
    """After the end reading stays open or closes, as configured; before it, it is open."""
    service_period.set_period(session, START, END, reading_after_end=reading)
    assert service_period.reading_open(session, END + timedelta(days=1)) is expected
    assert service_period.reading_open(session, START - timedelta(days=1))
    assert service_period.reading_open(session, START + timedelta(days=1))


def test_post_outside_period_refused(session, make_user):
    """post raises PostingClosed with a Japanese message outside the period."""
    user = make_user("taro")
    service_period.set_period(session, START, END)
    with pytest.raises(echoes.PostingClosed) as caught:
        echoes.post(session, user, "まだ？", now=START - timedelta(hours=1))
    assert "始まります" in str(caught.value)
    with pytest.raises(echoes.PostingClosed) as caught:
        echoes.post(session, user, "おわり？", now=END)
    assert "終了しました" in str(caught.value)
    assert echoes.post(session, user, "ちょうど", now=START).body == "ちょうど"


def test_naive_times_are_japan_time(session):
    """A naive datetime is read as JST and stored as UTC."""
    period = service_period.set_period(session, datetime(2009, 6, 1, 0, 0), None)
    assert period.start == datetime(2009, 5, 31, 15, 0, tzinfo=timezone.utc)
    assert service_period.get_period(session).start.utcoffset() == timedelta(0)
    assert service_period.get_period(session).end is None


def test_end_before_start_refused(session):
    """An end not after the start is refused and nothing changes."""
    with pytest.raises(service_period.ServicePeriodError):
        service_period.set_period(session, END, START)
    assert service_period.get_period(session) == service_period.ServicePeriod()


def test_changes_replace_old_values(session):
    """Setting the period again replaces it; None opens that side."""
    service_period.set_period(session, START, END, "closed")
    service_period.set_period(session, None, END + timedelta(days=1))
    period = service_period.get_period(session)
    assert period.start is None and period.end == END + timedelta(days=1)
    assert period.reading_after_end == "open"


def test_period_checks_read_naive_times_as_japan_time(session):
    """A naive "now" is Japan time, as everywhere in service_period (not a TypeError).

    The end is 2009-07-01 0:00 JST (2009-06-30 15:00 UTC): at 23:59 JST the day before
    posting is open, at 0:00 JST it is closed.
    """
    service_period.set_period(session, None, datetime(2009, 7, 1, 0, 0), "closed")
    assert service_period.posting_open(session, datetime(2009, 6, 30, 23, 59))
    assert not service_period.posting_open(session, datetime(2009, 7, 1, 0, 0))
    assert not service_period.reading_open(session, datetime(2009, 7, 1, 0, 0))
    period = service_period.get_period(session)
    assert period.closed_message(datetime(2009, 6, 30, 23, 59)) is None
    assert "終了しました" in period.closed_message(datetime(2009, 7, 1, 0, 0))


def test_pages_see_another_instances_change_within_a_second(make_app, db_url, monkeypatch):
    """A period set through one instance closes another's pages once its second has passed."""
    clock = [1000.0]
    monkeypatch.setattr(service_period.time, "monotonic", lambda: clock[0])
    reader, writer = make_app(db_url), make_app(db_url)
    now = datetime.now(timezone.utc)
    with reader.app_context():
        assert service_period.current_period(db.get_session()).reading_open(now)
    with writer.app_context():
        service_period.set_period(
            db.get_session(), now - timedelta(days=2), now - timedelta(days=1), "closed"
        )
        assert not service_period.current_period(db.get_session()).reading_open(now)
    with reader.app_context():
        clock[0] += service_period.KEEP_SECONDS / 2
        assert service_period.current_period(db.get_session()).reading_open(now)
        clock[0] += service_period.KEEP_SECONDS
        assert not service_period.current_period(db.get_session()).reading_open(now)
