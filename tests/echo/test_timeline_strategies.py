"""A timeline read per author and read by walking the global index are the same pages."""

from datetime import datetime, timedelta, timezone
from random import Random

import pytest
import sqlalchemy as sa

from mobile_gateway.echo import echoes, friends, lists, paging
from mobile_gateway.storage.models import Echo, Friendship, User

T0 = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)


def seed(session, *, people=40, friends_of_viewer=12, echoes_count=400, seed=2009) -> int:
    """Store *people* users (the first is the viewer), friendships, and echoes; return the viewer.

    Times repeat on purpose (several echoes in the same second): the id breaks the tie.
    """
    rng = Random(seed)
    session.execute(
        sa.insert(User),
        [
            {"id": i, "name": f"u{i}", "name_key": f"u{i}", "password_hash": "x", "created_at": T0}
            for i in range(1, people + 1)
        ],
    )
    pairs = {(1, v) for v in rng.sample(range(2, people + 1), friends_of_viewer)}
    while len(pairs) < friends_of_viewer + people:  # friendships among the others too
        a, b = sorted(rng.sample(range(2, people + 1), 2))
        pairs.add((a, b))
    pending = (1, next(v for v in range(2, people + 1) if (1, v) not in pairs))
    rows = [
        {"user_low_id": a, "user_high_id": b, "requester_id": a, "status": "accepted"}
        for a, b in sorted(pairs)
    ]
    rows.append({**dict(zip(("user_low_id", "user_high_id"), pending)), "requester_id": 1,
                 "status": "pending"})  # fmt: skip
    session.execute(sa.insert(Friendship), [{**r, "created_at": T0} for r in rows])
    session.execute(
        sa.insert(Echo),
        [
            {
                "author_id": rng.randint(1, people),
                "body": f"echo {n}",
                "created_at": T0 + timedelta(seconds=rng.randint(0, echoes_count // 3)),
            }
            for n in range(echoes_count)
        ],
    )
    session.commit()
    return 1


def expected_ids(session, viewer: int, include_self: bool = True) -> list[int]:
    """Return the timeline's ids the slow, obvious way: newest first by (created_at, id)."""
    ids = set(session.scalars(friends.friend_ids(viewer)))
    if include_self:
        ids.add(viewer)
    rows = session.execute(
        sa.select(Echo.id)
        .where(Echo.author_id.in_(ids))
        .order_by(Echo.created_at.desc(), Echo.id.desc())
    )
    return [row[0] for row in rows]


def walk_pages(session, source, limit: int) -> tuple[list[int], list[int]]:
    """Page through *source* older and older, then back newer: (ids forward, ids back)."""
    forward, pages = [], []
    page = paging.paginate(session, source, None, limit)
    while True:
        pages.append(page)
        forward += [card.id for card in page.items]
        if page.next_cursor is None:
            break
        page = paging.paginate(session, source, page.next_cursor, limit)
    back = [card.id for card in pages[-1].items]
    page = pages[-1]
    while page.prev_cursor is not None:
        page = paging.paginate(session, source, page.prev_cursor, limit)
        back = [card.id for card in page.items] + back
    return forward, back


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("strategy", ["per_author", "walk"])
def test_every_strategy_pages_the_same_timeline(session, strategy, include_self):
    """Both strategies give every echo of the timeline once, in key order, both ways."""
    viewer = seed(session)
    want = expected_ids(session, viewer, include_self)
    source = lists.timeline(viewer, include_self, strategy=strategy)
    forward, back = walk_pages(session, source, 7)
    assert forward == want and back == want


@pytest.mark.parametrize("position", paging.POSITIONS)
def test_the_walk_alone_reads_the_start_of_the_true_page(session, monkeypatch, position):
    """What the walk reads before any hand-over is the true page or its start, and mostly
    the whole page: from every 7th echo, in every direction."""
    viewer = seed(session)
    monkeypatch.setattr(paging, "WALK_SCAN_PER_ROW", 20)  # 160 of the 400 echoes per page
    walk_only = paging.Source(lists.TIMELINE, {"user_id": viewer}, lambda session: ("walk",))
    keys = session.execute(
        sa.select(Echo.created_at, Echo.id, Echo.author_id).order_by(Echo.created_at, Echo.id)
    ).all()
    authors = set(session.scalars(friends.friend_ids(viewer))) | {viewer}
    bounds = [None] if position == "first" else keys[::7]
    full = 0
    for bound in bounds:
        values = {} if bound is None else {"at": bound.created_at, "id": bound.id}
        got = [card.id for card in walk_only.fetch(session, position, 8, values)]
        if bound is None:
            rows = keys[::-1]
        else:
            at = keys.index(bound)
            rows = {
                "before": keys[:at][::-1],
                "at_or_before": keys[: at + 1][::-1],
                "after": keys[at + 1 :],
                "at_or_after": keys[at:],
            }[position]
        want = [row.id for row in rows if row.author_id in authors]
        assert got == want[: len(got)], bound
        full += len(got) == min(8, len(want))
    assert full >= len(bounds) / 2


def test_the_walk_gives_way_when_friends_are_quiet(session, monkeypatch):
    """A walk that reads its whole allowance without filling the page hands over (same rows)."""
    viewer = seed(session, people=60, friends_of_viewer=2, echoes_count=600)
    monkeypatch.setattr(paging, "WALK_SCAN_PER_ROW", 2)  # reads 2 entries per row asked for
    used = []
    original = paging._statement

    def spy(kind, strategy, position, dialect, probe):
        used.append(strategy)
        return original(kind, strategy, position, dialect, probe)

    monkeypatch.setattr(paging, "_statement", spy)
    forward, back = walk_pages(session, lists.timeline(viewer, strategy="walk"), 5)
    assert forward == expected_ids(session, viewer) == back
    assert "walk" in used and "per_author" in used


def test_a_deleted_echo_is_gone_from_the_next_page_read(session):
    """Nothing is copied: an echo deleted is missing from the very next read, either way."""
    viewer = seed(session)
    first = expected_ids(session, viewer)[0]
    author = session.get(Echo, first).author
    echoes.delete(session, author, first)
    for strategy in ("per_author", "walk"):
        page = paging.paginate(session, lists.timeline(viewer, strategy=strategy), None, 5)
        assert first not in [card.id for card in page.items]


def test_many_friends_choose_the_walk(session, monkeypatch):
    """A user with at least WALK_MIN_FRIENDS friends is read by the walk, others per author."""
    monkeypatch.setattr(lists, "WALK_MIN_FRIENDS", 10)
    monkeypatch.setattr(lists, "_counts", {})
    viewer = seed(session, friends_of_viewer=12)
    assert lists.strategies(session, viewer) == ("walk", "per_author")
    lonely = seed_lonely(session)
    assert lists.strategies(session, lonely) == ("per_author",)


def seed_lonely(session) -> int:
    """Store a user without friends; return their id."""
    user = User(id=1000, name="lonely", password_hash="x")  # ids 1-40 were inserted as such
    session.add(user)
    session.commit()
    return user.id
