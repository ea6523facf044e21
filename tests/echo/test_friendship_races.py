"""Friendship changes that race each other end as some serial order of them would.

Each race is played out with two sessions (two app instances or two threads): the
first session reads, the second one commits its change in between, then the first
session writes. Whatever the order, the outcome must be one that some serial order of
the two actions gives.
"""

from __future__ import annotations

import pytest

from mobile_gateway.echo import friends
from mobile_gateway.storage.models import User


def _interleave(monkeypatch, name: str, session, action) -> None:
    """Run *action* (in another session) right after *session* calls ``friends.<name>``."""
    original = getattr(friends, name)
    done = []

    def hooked(s, *args, **kwargs):
        result = original(s, *args, **kwargs)
        if s is session and not done:
            done.append(True)
            action()
        return result

    monkeypatch.setattr(friends, name, hooked)


def _other(other_session, user) -> User:
    return other_session.get(User, user.id)


def test_cancel_racing_accept_keeps_the_friendship(session, other_session, make_user, monkeypatch):
    """alice cancels her request while bob accepts it: bob's acceptance must not vanish.

    Serially either the accept comes first (then there is nothing to cancel) or the cancel
    does (then there is nothing to accept); both succeeding and no friendship is neither.
    """
    alice, bob = make_user("alice"), make_user("bob")
    friends.request(session, alice, bob)
    _interleave(
        monkeypatch,
        "_pending_from",
        session,
        lambda: friends.accept(other_session, _other(other_session, bob), "alice"),
    )
    with pytest.raises(friends.NoSuchRequest):
        friends.cancel(session, alice, "bob")
    session.rollback()
    assert friends.relation(session, alice, bob) == "friends"


def test_accept_racing_cancel_is_refused(session, other_session, make_user, monkeypatch):
    """bob accepts while alice cancels: bob is told the request is gone (not a crash)."""
    alice, bob = make_user("alice"), make_user("bob")
    friends.request(session, alice, bob)
    _interleave(
        monkeypatch,
        "_pending_from",
        session,
        lambda: friends.cancel(other_session, _other(other_session, alice), "bob"),
    )
    with pytest.raises(friends.NoSuchRequest):
        friends.accept(session, bob, "alice")
    session.rollback()
    assert friends.relation(session, alice, bob) == "none"


def test_remove_racing_remove_is_refused_once(session, other_session, make_user, monkeypatch):
    """Both friends press "remove" at once: one removes, the other is told they are not friends."""
    alice, bob = make_user("alice"), make_user("bob")
    friends.request(session, alice, bob)
    friends.accept(session, bob, "alice")
    _interleave(
        monkeypatch,
        "_find",
        session,
        lambda: friends.remove(other_session, _other(other_session, bob), "alice"),
    )
    with pytest.raises(friends.NotFriends):
        friends.remove(session, alice, "bob")
    session.rollback()
    assert friends.relation(session, alice, bob) == "none"


def test_requests_crossing_make_friends(session, other_session, make_user, monkeypatch):
    """alice and bob ask each other at the same moment: the later one accepts the earlier.

    A request to someone who already asked you accepts theirs; losing the race for the
    insert must not turn that into "you have already asked".
    """
    alice, bob = make_user("alice"), make_user("bob")
    _interleave(
        monkeypatch,
        "_find",
        session,
        lambda: friends.request(other_session, _other(other_session, bob), "alice"),
    )
    friendship = friends.request(session, alice, "bob")
    assert friendship.status == "accepted"
    assert friends.relation(session, alice, bob) == "friends"
