"""Friends ("mai-miku"): mutual friendships that one user asks for and the other accepts.

A request to someone who already asked you accepts theirs. Removing a friend ends the
friendship for both. No Flask here: every function takes a SQLAlchemy session first, and
the functions that change something commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts import users
from ..storage.models import DomainError, Friendship, User, utcnow

__all__ = [
    "AlreadyFriends",
    "AlreadyRequested",
    "FriendshipError",
    "NoSuchRequest",
    "NotFriends",
    "SelfRequest",
    "accept",
    "are_friends",
    "cancel",
    "friend_ids",
    "friends",
    "incoming",
    "outgoing",
    "refuse",
    "relation",
    "remove",
    "request",
]


class FriendshipError(DomainError):
    """A friendship change was refused."""


class SelfRequest(FriendshipError):
    """A user asked to befriend themselves."""


class AlreadyFriends(FriendshipError):
    """The two users are friends already."""


class AlreadyRequested(FriendshipError):
    """The user has already asked this person."""


class NoSuchRequest(FriendshipError, LookupError):
    """There is no pending request to accept, refuse or cancel."""


class NotFriends(FriendshipError, LookupError):
    """The two users are not friends."""


def _resolve(session: Session, other: User | str) -> User:
    """Return *other* as a user (it may be a name); raise ``users.UnknownUser``."""
    if isinstance(other, User):
        return other
    return users.get_user(session, other)


def _pair(a: int, b: int) -> tuple[int, int]:
    """Return the two ids in stored order."""
    return (a, b) if a < b else (b, a)


def _find(session: Session, user: User, other: User) -> Friendship | None:
    """Return the friendship row between the two users in either direction, or None."""
    low, high = _pair(user.id, other.id)
    return session.scalar(
        sa.select(Friendship).where(Friendship.user_low_id == low, Friendship.user_high_id == high)
    )


def _accept(session: Session, friendship: Friendship) -> Friendship:
    """Mark *friendship* accepted and commit, if it is still the pending request it was.

    The change is conditional: a request withdrawn or refused since it was read is not
    brought back to life (nor does a vanished row end in a stale-data error).
    """
    changed = session.execute(
        sa.update(Friendship)
        .where(
            Friendship.id == friendship.id,
            Friendship.status == "pending",
            Friendship.requester_id == friendship.requester_id,
        )
        .values(status="accepted", accepted_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed != 1:
        session.rollback()
        raise NoSuchRequest("マイミク申請が見つかりません")
    session.commit()
    return friendship


def _delete(session: Session, friendship: Friendship, status: str, error: FriendshipError) -> None:
    """Delete *friendship* and commit if it is still in *status* (as read), else raise *error*.

    A plain delete by id would remove a row that changed meanwhile: a request accepted
    by the other side while it was being withdrawn, say.
    """
    deleted = session.execute(
        sa.delete(Friendship)
        .where(
            Friendship.id == friendship.id,
            Friendship.status == status,
            Friendship.requester_id == friendship.requester_id,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if deleted != 1:
        session.rollback()
        raise error
    session.expunge(friendship)
    session.commit()


def request(session: Session, user: User, other: User | str) -> Friendship:
    """Ask *other* to become friends; accepts at once if they had asked *user*."""
    other = _resolve(session, other)
    if other.id == user.id:
        raise SelfRequest("自分自身にマイミク申請はできません")
    existing = _find(session, user, other)
    if existing is not None:
        if existing.status == "accepted":
            raise AlreadyFriends("すでにマイミクです")
        if existing.requester_id == user.id:
            raise AlreadyRequested("すでにマイミク申請しています")
        return _accept(session, existing)
    low, high = _pair(user.id, other.id)
    friendship = Friendship(user_low_id=low, user_high_id=high, requester_id=user.id)
    session.add(friendship)
    try:
        session.commit()
    except IntegrityError:
        # The other side asked at the same moment: the pair exists now. Answer as if
        # their row had been there first (theirs is accepted, like any crossing request).
        session.rollback()
        existing = _find(session, user, other)
        if existing is None:
            raise AlreadyRequested("すでにマイミク申請しています") from None
        if existing.status == "accepted":
            raise AlreadyFriends("すでにマイミクです") from None
        if existing.requester_id == user.id:
            raise AlreadyRequested("すでにマイミク申請しています") from None
        return _accept(session, existing)
    return friendship


def _pending_from(session: Session, requester: User, addressee: User) -> Friendship:
    """Return the pending request of *requester* to *addressee*, or raise NoSuchRequest."""
    friendship = _find(session, requester, addressee)
    if (
        friendship is None
        or friendship.status != "pending"
        or friendship.requester_id != requester.id
    ):
        raise NoSuchRequest("マイミク申請が見つかりません")
    return friendship


def accept(session: Session, user: User, other: User | str) -> Friendship:
    """Accept the pending request that *other* sent to *user*."""
    other = _resolve(session, other)
    return _accept(session, _pending_from(session, other, user))


def _delete_request(session: Session, requester: User, addressee: User) -> None:
    """Delete the pending request of *requester* to *addressee* (refused or withdrawn)."""
    request = _pending_from(session, requester, addressee)
    _delete(session, request, "pending", NoSuchRequest("マイミク申請が見つかりません"))


def refuse(session: Session, user: User, other: User | str) -> None:
    """Refuse (delete) the pending request that *other* sent to *user*."""
    _delete_request(session, _resolve(session, other), user)


def cancel(session: Session, user: User, other: User | str) -> None:
    """Withdraw the pending request that *user* sent to *other*."""
    _delete_request(session, user, _resolve(session, other))


def remove(session: Session, user: User, other: User | str) -> None:
    """End the friendship between *user* and *other*, for both of them."""
    other = _resolve(session, other)
    friendship = _find(session, user, other)
    if friendship is None or friendship.status != "accepted":
        raise NotFriends("マイミクではありません")
    _delete(session, friendship, "accepted", NotFriends("マイミクではありません"))


def friend_ids(user_id: int) -> sa.Select:
    """Return a SELECT of the ids (column ``id``) of the accepted friends of *user_id*."""
    other = sa.case(
        (Friendship.user_low_id == user_id, Friendship.user_high_id),
        else_=Friendship.user_low_id,
    )
    return sa.select(other.label("id")).where(
        sa.or_(Friendship.user_low_id == user_id, Friendship.user_high_id == user_id),
        Friendship.status == "accepted",
    )


def _users(session: Session, ids: sa.Select) -> list[User]:
    """Return the users whose ids *ids* selects, ordered by name."""
    return list(session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.name_key)))


def friends(session: Session, user: User) -> list[User]:
    """Return the accepted friends of *user*, ordered by name."""
    return _users(session, friend_ids(user.id))


def incoming(session: Session, user: User) -> list[User]:
    """Return the users waiting for *user* to accept their request, ordered by name."""
    ids = sa.select(Friendship.requester_id).where(
        sa.or_(Friendship.user_low_id == user.id, Friendship.user_high_id == user.id),
        Friendship.requester_id != user.id,
        Friendship.status == "pending",
    )
    return _users(session, ids)


def outgoing(session: Session, user: User) -> list[User]:
    """Return the users *user* has asked and who have not answered, ordered by name."""
    other = sa.case(
        (Friendship.user_low_id == user.id, Friendship.user_high_id),
        else_=Friendship.user_low_id,
    )
    ids = sa.select(other).where(
        sa.or_(Friendship.user_low_id == user.id, Friendship.user_high_id == user.id),
        Friendship.requester_id == user.id,
        Friendship.status == "pending",
    )
    return _users(session, ids)


def relation(session: Session, user: User, other: User) -> str:
    """Return ``"self"``, ``"friends"``, ``"outgoing"``, ``"incoming"`` or ``"none"``."""
    if user.id == other.id:
        return "self"
    friendship = _find(session, user, other)
    if friendship is None:
        return "none"
    if friendship.status == "accepted":
        return "friends"
    return "outgoing" if friendship.requester_id == user.id else "incoming"


def are_friends(session: Session, user: User, other: User) -> bool:
    """Return whether the two users are friends."""
    return relation(session, user, other) == "friends"
