"""Home, archive pages, a user's echoes, replies and deleting."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from mobile_gateway.accounts import users
from mobile_gateway.echo import echoes, friends, paging
from mobile_gateway.storage.models import Echo

#: A fixed "now": the month the original Echo opened.
T0 = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)


def befriend(session, a, b):
    """Make *a* and *b* friends."""
    friends.request(session, a, b)
    friends.accept(session, b, a)


def post_at(session, user, body, minutes, reply_to=None):
    """Post *body* as *user*, *minutes* after T0."""
    return echoes.post(session, user, body, reply_to, now=T0 + timedelta(minutes=minutes))


def bodies(items):
    """Return the bodies of *items*."""
    return [echo.body for echo in items]


@pytest.fixture
def circle(session, make_user):
    """Return taro, his friends hanako and kenji, and yuki who is nobody's friend."""
    taro, hanako, kenji, yuki = (make_user(n) for n in ("taro", "hanako", "kenji", "yuki"))
    befriend(session, taro, hanako)
    befriend(session, kenji, taro)
    friends.request(session, yuki, taro)  # pending: not a friend yet
    return taro, hanako, kenji, yuki


class TestHome:
    """The home page shows the five newest echoes of the user and friends."""

    def test_five_newest_of_self_and_friends(self, session, circle):
        """Only self and accepted friends appear, newest first, five at most."""
        taro, hanako, kenji, yuki = circle
        for minute, user in enumerate([taro, hanako, yuki, kenji, taro, yuki, hanako, kenji]):
            post_at(session, user, f"{user.name}-{minute}", minute)
        assert bodies(echoes.home(session, taro)) == [
            "kenji-7",
            "hanako-6",
            "taro-4",
            "kenji-3",
            "hanako-1",
        ]

    def test_friend_sees_the_other_side(self, session, circle):
        """Friendship is mutual: hanako sees taro's echoes but not kenji's."""
        taro, hanako, kenji, _ = circle
        post_at(session, taro, "from taro", 1)
        post_at(session, kenji, "from kenji", 2)
        assert bodies(echoes.home(session, hanako)) == ["from taro"]

    def test_author_and_reply_loaded(self, session, circle, engine):
        """Home items come with their author and answered echo, no further queries."""
        taro, hanako, _, _ = circle
        first = post_at(session, hanako, "question", 1)
        post_at(session, taro, "answer", 2, reply_to=first)
        session.expunge_all()
        items = echoes.home(session, taro)
        session.close()  # any lazy load would fail now
        assert items[0].author.name == "taro"
        assert items[0].reply_to.body == "question"
        assert items[0].reply_to.author.name == "hanako"


class TestArchive:
    """Archive pages: 25 per page by keyset, stable as echoes arrive."""

    def test_pages_of_25(self, session, circle):
        """60 echoes make pages of 25, 25 and 10, with working next/prev cursors."""
        taro, hanako, _, yuki = circle
        for i in range(60):
            post_at(session, taro if i % 2 else hanako, f"e{i}", i)
        post_at(session, yuki, "not a friend", 100)
        first = echoes.archive(session, taro)
        assert bodies(first.items) == [f"e{i}" for i in range(59, 34, -1)]
        assert first.prev_cursor is None
        second = echoes.archive(session, taro, first.next_cursor)
        assert bodies(second.items) == [f"e{i}" for i in range(34, 9, -1)]
        third = echoes.archive(session, taro, second.next_cursor)
        assert bodies(third.items) == [f"e{i}" for i in range(9, -1, -1)]
        assert third.next_cursor is None
        back = echoes.archive(session, taro, third.prev_cursor)
        assert bodies(back.items) == bodies(second.items)
        top = echoes.archive(session, taro, back.prev_cursor)
        assert bodies(top.items) == bodies(first.items)
        assert top.prev_cursor is None

    def test_stable_when_new_echoes_arrive(self, session, other_session, circle):
        """Echoes posted between two page views do not shift the next page."""
        taro, hanako, _, _ = circle
        for i in range(30):
            post_at(session, hanako, f"e{i}", i)
        first = echoes.archive(session, taro)
        newcomer = other_session.get(type(hanako), hanako.id)
        for i in range(30, 40):
            post_at(other_session, newcomer, f"e{i}", i)
        second = echoes.archive(session, taro, first.next_cursor)
        assert bodies(second.items) == [f"e{i}" for i in range(4, -1, -1)]
        back = echoes.archive(session, taro, second.prev_cursor)
        assert bodies(back.items) == bodies(first.items)
        assert back.prev_cursor is not None  # the ten new ones are above

    def test_same_timestamp_ordered_by_id(self, session, circle):
        """Echoes with the same time are paged by id without loss or repeats."""
        taro = circle[0]
        for i in range(7):
            post_at(session, taro, f"e{i}", 0)
        seen, cursor = [], None
        while True:
            page = echoes.archive(session, taro, cursor, limit=3)
            seen += bodies(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == [f"e{i}" for i in range(6, -1, -1)]

    def test_friends_only(self, session, circle):
        """include_self=False leaves out the user's own echoes."""
        taro, hanako, _, _ = circle
        post_at(session, taro, "mine", 1)
        post_at(session, hanako, "hers", 2)
        assert bodies(echoes.archive(session, taro, include_self=False).items) == ["hers"]

    @pytest.mark.parametrize(
        "cursor",
        [
            "garbage!",  # not base64
            "",
            "A" * 200,  # too long
            "YjEyMw",  # "b123": no id
            "eDEyMy40NQ",  # "x123.45": unknown direction
            "YjEuOTIyMzM3MjAzNjg1NDc3NTgwOA",  # id past 2**63 - 1
            "Yi01LjM",  # negative time
            "YjEuMi4z",  # "b1.2.3"
            "YjE/LjE",  # not URL-safe base64
        ],
    )
    def test_forged_cursor(self, session, circle, cursor):
        """Garbled or forged cursors raise InvalidCursor, a clear user message."""
        with pytest.raises(echoes.InvalidCursor) as caught:
            echoes.archive(session, circle[0], cursor)
        assert "ページ" in str(caught.value)

    def test_wellformed_cursor_far_away(self, session, circle):
        """A well-formed cursor outside the data gives an empty page, not an error."""
        taro = circle[0]
        post_at(session, taro, "x", 1)
        cursor = paging.encode_cursor(paging.Cursor("before", T0 - timedelta(days=9000), 2**63 - 1))
        assert echoes.archive(session, taro, cursor).items == []
        cursor = paging.encode_cursor(paging.Cursor("after", T0 + timedelta(days=9000), 1))
        page = echoes.archive(session, taro, cursor)
        assert page.items == [] and page.next_cursor is None

    @settings(deadline=None)
    @given(
        st.sampled_from(["before", "after"]),
        st.integers(min_value=0, max_value=10**16),
        st.integers(min_value=0, max_value=2**63 - 1),
    )
    def test_cursor_round_trip(self, direction, micros, ident):
        """Every cursor decodes to what was encoded."""
        cursor = paging.Cursor(direction, paging._EPOCH + micros * paging._MICROSECOND, ident)
        assert paging.decode_cursor(paging.encode_cursor(cursor)) == cursor

    @settings(deadline=None)
    @given(st.text(max_size=80))
    def test_any_text_is_a_cursor_or_refused(self, text):
        """Decoding arbitrary text gives a cursor or InvalidCursor, nothing else."""
        try:
            paging.decode_cursor(text)
        except echoes.InvalidCursor:
            pass


class TestUserPage:
    """A user's own echoes, public to anyone."""

    def test_by_name(self, session, circle):
        """by_user lists one user's echoes newest first, by name in any case."""
        taro, hanako, _, _ = circle
        post_at(session, taro, "t1", 1)
        post_at(session, hanako, "h1", 2)
        post_at(session, taro, "t2", 3)
        assert bodies(echoes.by_user(session, "TARO").items) == ["t2", "t1"]

    def test_unknown_user(self, session):
        """An unknown name raises UnknownUser."""
        with pytest.raises(users.UnknownUser):
            echoes.by_user(session, "nobody")

    def test_pages(self, session, circle):
        """A user's echoes page like the archive."""
        taro = circle[0]
        for i in range(30):
            post_at(session, taro, f"t{i}", i)
        first = echoes.by_user(session, taro)
        assert len(first.items) == 25
        rest = echoes.by_user(session, taro, first.next_cursor)
        assert bodies(rest.items) == ["t4", "t3", "t2", "t1", "t0"]


class TestReplies:
    """Replies point at what they answer; "replies to me" collects them."""

    def test_reply_points_to_target(self, session, circle):
        """A reply records the echo it answers."""
        taro, hanako, _, _ = circle
        question = post_at(session, taro, "question", 1)
        answer = post_at(session, hanako, "answer", 2, reply_to=question.id)
        assert answer.reply_to_id == question.id
        assert echoes.get(session, str(answer.id)).reply_to.body == "question"

    def test_replies_to_me(self, session, circle):
        """Other users' replies to my echoes are listed, newest first; mine are not."""
        taro, hanako, kenji, yuki = circle
        mine = post_at(session, taro, "mine", 1)
        theirs = post_at(session, hanako, "theirs", 2)
        post_at(session, hanako, "r1", 3, reply_to=mine)
        post_at(session, yuki, "r2", 4, reply_to=mine)
        post_at(session, taro, "self reply", 5, reply_to=mine)
        post_at(session, kenji, "to hanako", 6, reply_to=theirs)
        assert bodies(echoes.replies_to(session, taro).items) == ["r2", "r1"]
        assert bodies(echoes.replies_to(session, hanako).items) == ["to hanako"]

    def test_replies_of_one_echo(self, session, circle):
        """The replies to one echo, anyone's, newest first, paged; other echoes' are not."""
        taro, hanako, kenji, yuki = circle
        question = post_at(session, taro, "question", 1)
        other = post_at(session, taro, "other", 2)
        for minute, user in enumerate([hanako, yuki, taro, kenji], start=3):
            post_at(session, user, f"{user.name}-{minute}", minute, reply_to=question)
        post_at(session, hanako, "elsewhere", 9, reply_to=other)
        first = echoes.replies_of(session, question, limit=3)
        assert bodies(first.items) == ["kenji-6", "taro-5", "yuki-4"]
        rest = echoes.replies_of(session, question.id, first.next_cursor, limit=3)
        assert bodies(rest.items) == ["hanako-3"] and rest.next_cursor is None
        assert bodies(echoes.replies_of(session, rest.items[0]).items) == []

    def test_reply_to_missing(self, session, circle):
        """Replying to an echo that does not exist is refused and stores nothing."""
        with pytest.raises(echoes.ReplyTargetMissing):
            post_at(session, circle[0], "hello?", 1, reply_to=999999)
        assert session.scalar(sa.select(sa.func.count()).select_from(Echo)) == 0

    def test_reply_to_deleted(self, session, circle):
        """Replying to a deleted echo is refused."""
        taro, hanako, _, _ = circle
        gone = post_at(session, hanako, "soon gone", 1)
        gone_id = gone.id
        echoes.delete(session, hanako, gone_id)
        with pytest.raises(echoes.ReplyTargetMissing):
            post_at(session, taro, "answer", 2, reply_to=gone_id)


class TestDelete:
    """Users delete their own echoes only."""

    def test_delete_own(self, session, circle):
        """The author's echo is gone after delete; replies stay without a target."""
        taro, hanako, _, _ = circle
        question = post_at(session, taro, "question", 1)
        answer = post_at(session, hanako, "answer", 2, reply_to=question)
        echoes.delete(session, taro, question.id)
        session.expire_all()
        assert echoes.get(session, question.id) is None
        kept = echoes.get(session, answer.id)
        assert kept.body == "answer" and kept.reply_to_id is None

    def test_cannot_delete_others(self, session, circle):
        """Deleting someone else's echo raises NotYourEcho and keeps it."""
        taro, hanako, _, _ = circle
        echo = post_at(session, hanako, "hers", 1)
        with pytest.raises(echoes.NotYourEcho):
            echoes.delete(session, taro, echo.id)
        assert echoes.get(session, echo.id) is not None

    @pytest.mark.parametrize("echo_id", [999999, "abc", "-1", "1e3", 0])
    def test_delete_missing(self, session, circle, echo_id):
        """Deleting an echo that does not exist raises EchoNotFound."""
        with pytest.raises(echoes.EchoNotFound):
            echoes.delete(session, circle[0], echo_id)
