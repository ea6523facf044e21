"""What the API writes: users, echoes and pages of echoes as JSON values.

Every text is standard Unicode: carrier-only emoji are written as their fallback and
listed in ``emoji`` (see :mod:`.emoji_text`). Times are RFC 3339 in UTC. The OpenAPI
description (:mod:`.openapi`) gives the same shapes as schemas; the tests hold the
two together.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import url_for

from ..echo.paging import Page
from ..storage.models import Echo, User
from . import emoji_text

__all__ = ["echo_json", "page_json", "timestamp", "user_json"]


def timestamp(moment: datetime) -> str:
    """Return *moment* as RFC 3339 in UTC (``2009-06-01T12:00:00Z``)."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def user_json(user: User) -> dict:
    """Return a user as the API writes it."""
    return {
        "name": user.name,
        "display_name": emoji_text.plain(user.display_name) if user.display_name else None,
        "profile": emoji_text.plain(user.profile) if user.profile else None,
        "url": url_for("echo.user", name=user.name, _external=True),
        "feed_url": url_for("feeds.user_feed", name=user.name, _external=True),
    }


def echo_json(echo: Echo) -> dict:
    """Return an echo as the API writes it."""
    text, found = emoji_text.for_output(echo.body)
    target = echo.reply_to
    return {
        "id": echo.id,
        "text": text,
        "emoji": [item.as_json() for item in found],
        "author": user_json(echo.author),
        "created_at": timestamp(echo.created_at),
        "reply_to": (
            {"id": target.id, "author": user_json(target.author)} if target is not None else None
        ),
        "url": url_for("echo.show", echo_id=echo.id, _external=True),
    }


def page_json(page: Page) -> dict:
    """Return a page of echoes with the cursors of its neighbours."""
    return {
        "items": [echo_json(echo) for echo in page.items],
        "paging": {"before": page.next_cursor, "after": page.prev_cursor},
    }
