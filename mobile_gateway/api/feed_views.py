"""The Atom feed of each user's public echoes: ``/u/<name>/feed.atom``.

The newest :data:`.atom.FEED_SIZE` echoes, with ``ETag`` (a hash of the document) and
``Last-Modified`` (the newest echo), so that a conditional GET costs a ``304``. Profile
pages for smartphones and PCs link it for autodiscovery (``echo/user.html``).
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, g, request, url_for

from ..accounts import users
from ..echo import echoes, service_period
from ..phone.outbound import render
from ..storage import db
from ..storage.models import utcnow
from . import atom

__all__ = ["bp"]

bp = Blueprint("feeds", __name__)


@bp.get("/u/<name>/feed.atom")
def user_feed(name: str):
    """Return the Atom feed of one user's echoes (public, like the profile page)."""
    session = db.get_session()
    now = utcnow()
    period = service_period.current_period(session)
    if not period.reading_open(now):
        return render("echo/closed.html", 403, message=period.closed_message(now))
    owner = users.find_user(session, name)
    if owner is None:
        abort(404)
    # The feed is public and shared: no session id may go into its links.
    g.session_token = None
    items = echoes.by_user(session, owner, None, atom.FEED_SIZE).items
    updated = items[0].created_at if items else owner.created_at
    document = atom.build_feed(
        owner,
        items,
        feed_url=url_for("feeds.user_feed", name=owner.name, _external=True),
        profile_url=url_for("echo.user", name=owner.name, _external=True),
        echo_url=lambda echo_id: url_for("echo.show", echo_id=echo_id, _external=True),
        updated=updated,
    )
    response = Response(document, content_type="application/atom+xml; charset=utf-8")
    response.set_etag(hashlib.sha256(document).hexdigest()[:32])
    response.last_modified = updated
    response.headers["Cache-Control"] = "public, max-age=60"
    return response.make_conditional(request)
