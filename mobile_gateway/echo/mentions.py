"""Mentions: the users an echo speaks to, recorded when it is posted.

An echo speaks to each user it names as ``@name`` (when someone has that name, any letter
case; never its own author) and to the author of the echo it answers. Each is a
:class:`~..storage.models.Mention` row, so that the replies page and the count of new
replies read an index, and a page links ``@name`` without a query per echo. The names are
found by :func:`..phone.links.mentioned_names`, the tokenizer the pages link with. No
Flask here.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..phone.links import mentioned_names
from ..storage.models import Echo, Mention, User

__all__ = ["MAX_MENTIONS", "record"]

#: Most users one echo may name (a 150-character echo holds at most about 20 names).
MAX_MENTIONS = 20


def record(session: Session, echo: Echo, answered: Echo | None) -> None:
    """Add the mentions of new *echo* (not yet flushed) answering *answered* (no commit)."""
    keys = [name.lower() for name in mentioned_names(echo.body)][:MAX_MENTIONS]
    kinds: dict[int, tuple[User, str]] = {}
    if answered is not None and answered.author.id != echo.author.id:
        kinds[answered.author.id] = (answered.author, "reply")
    if keys:
        for user in session.scalars(sa.select(User).where(User.name_key.in_(keys))):
            if user.id != echo.author.id:
                kinds.setdefault(user.id, (user, "mention"))
    for user, kind in kinds.values():
        echo.mentions.append(Mention(user=user, kind=kind, created_at=echo.created_at))
