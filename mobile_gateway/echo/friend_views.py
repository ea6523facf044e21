"""Friends ("mai-miku"): request, accept, refuse, cancel, remove (after a confirmation)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for

from ..accounts import users, web_session
from ..phone.outbound import render_fitting
from ..storage import db
from . import friends, people
from .views import done

bp = Blueprint("friends", __name__)

#: Form action -> (domain function taking (session, user, other name), confirmation code).
#: Removing a friend is not here: it asks for a confirmation first (:func:`remove`).
ACTIONS = {
    "request": (friends.request, "requested"),
    "accept": (friends.accept, "accepted"),
    "refuse": (friends.refuse, "refused"),
    "cancel": (friends.cancel, "cancelled"),
}
#: Suggestions on the friends page.
SUGGESTIONS = 3


@bp.route("/friends", methods=("GET", "POST"))
def index():
    """List friends and pending requests (GET); act on one of them (POST).

    A form on a profile sends ``back=profile``: the confirmation then shows on that profile.
    """
    web_session.require_sign_in()
    session = db.get_session()
    error = None
    if request.method == "POST":
        name = g.form.get("name", "").strip()
        if g.form.get("action") == "remove":
            # A remove button of an older page: ask first, as the page's link does.
            return redirect(url_for("friends.remove", name=name)) if name else abort(400)
        action = ACTIONS.get(g.form.get("action", ""))
        if action is None:
            abort(400)
        function, code = action
        try:
            function(session, g.user, name)
        except (friends.FriendshipError, users.AccountError) as exc:
            error = str(exc)
        else:
            if g.form.get("back") == "profile":
                return done("echo.user", code, name=name)
            return done("friends.index", code)
    return render_page(400 if error else 200, error)


@bp.route("/friends/remove/<name>", methods=("GET", "POST"))
def remove(name: str):
    """Ask to confirm (GET), then end the friendship (POST with ``confirm=yes``)."""
    web_session.require_sign_in()
    session = db.get_session()
    other = users.find_user(session, name)
    if other is None or not friends.are_friends(session, g.user, other):
        abort(404)
    if request.method == "POST" and g.form.get("confirm") == "yes":
        try:
            friends.remove(session, g.user, other)
        except friends.NotFriends:
            abort(404)  # removed meanwhile (a second confirmation, the other side)
        return done("friends.index", "removed")
    return render_fitting("echo/friend_remove.html", 200, lambda _: {}, 1, other=other)


def _start() -> int:
    """Return the position of the first person to list (the ``start`` query parameter)."""
    value = g.args.get("start", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else 0


def render_page(status: int, error: str | None):
    """Render the friends page with as many people as fit the terminal's page budget.

    Incoming requests come first, then outgoing ones, then friends; "next" goes on from
    the first person left out. Suggestions (friends of friends) and the search box come
    on the first page.
    """
    session = db.get_session()
    lists = {
        "incoming": friends.incoming(session, g.user),
        "outgoing": friends.outgoing(session, g.user),
        "friends": friends.friends(session, g.user),
    }
    people_listed = [(kind, user) for kind, members in lists.items() for user in members]
    start = min(_start(), max(0, len(people_listed) - 1))
    suggestions = people.suggestions(session, g.user, SUGGESTIONS) if start == 0 else []

    def shown(limit: int) -> dict:
        end = min(start + limit, len(people_listed))
        page = people_listed[start:end]
        return {
            "prev_start": max(0, start - limit) if start else None,
            "next_start": end if end < len(people_listed) else None,
            **{kind: [user for k, user in page if k == kind] for kind in lists},
        }

    return render_fitting(
        "echo/friends.html",
        status,
        shown,
        len(people_listed) - start,
        error=error,
        friend_count=len(lists["friends"]),
        suggestions=suggestions,
    )
