"""Feed subscriptions: a user's feeds elsewhere, added, listed and removed.

An address is checked when added (:func:`.addresses.check_url`: http(s), public host),
and again by the worker on every fetch. No Flask here: every function takes a
SQLAlchemy session first, and the functions that change something commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..storage.models import MAX_ID, DomainError, FeedSubscription, User, utcnow
from . import addresses

__all__ = ["SubscriptionError", "add", "remove", "subscriptions_of"]


class SubscriptionError(DomainError):
    """A subscription change was refused; ``str()`` is the message for the user."""


def add(
    session: Session, user: User, url: str, *, allow_loopback: bool = False, most: int = 5
) -> FeedSubscription:
    """Subscribe *user* to the feed at *url* and commit; its entries from now on are posted.

    :param most: how many feeds one user may have.
    :raises SubscriptionError: for an address that may not be fetched, one already
        added, or one too many.
    """
    try:
        url = addresses.check_url(url, allow_loopback)
    except addresses.AddressRefused as exc:
        raise SubscriptionError(str(exc)) from None
    held = session.scalar(
        sa.select(sa.func.count())
        .select_from(FeedSubscription)
        .where(FeedSubscription.user_id == user.id)
    )
    if held >= most:
        raise SubscriptionError(f"登録できるフィードは{most}件までです")
    subscription = FeedSubscription(user_id=user.id, url=url, next_fetch_at=utcnow())
    session.add(subscription)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SubscriptionError("このフィードはもう登録されています") from None
    return subscription


def subscriptions_of(session: Session, user: User) -> list[FeedSubscription]:
    """Return *user*'s subscriptions, oldest first."""
    return list(
        session.scalars(
            sa.select(FeedSubscription)
            .where(FeedSubscription.user_id == user.id)
            .order_by(FeedSubscription.created_at, FeedSubscription.id)
        )
    )


def remove(session: Session, user: User, subscription_id: int) -> None:
    """Delete *user*'s subscription and commit (its echoes stay).

    :raises SubscriptionError: if *user* has no such subscription.
    """
    gone = SubscriptionError("フィードが見つかりません（削除済みかもしれません）")
    if not isinstance(subscription_id, int) or not 0 < subscription_id <= MAX_ID:
        raise gone
    deleted = session.execute(
        sa.delete(FeedSubscription).where(
            FeedSubscription.id == subscription_id, FeedSubscription.user_id == user.id
        )
    ).rowcount
    if deleted != 1:
        session.rollback()
        raise gone
    session.commit()
