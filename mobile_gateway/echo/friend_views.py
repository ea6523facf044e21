"""Friends ("mai-miku"): request, accept, refuse, cancel, remove."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for

from ..accounts import users, web_session
from ..phone.outbound import render_fitting
from ..storage import db
from . import friends

bp = Blueprint("friends", __name__)

#: Form action -> domain function taking (session, user, other name).
ACTIONS = {
    "request": friends.request,
    "accept": friends.accept,
    "refuse": friends.refuse,
    "cancel": friends.cancel,
    "remove": friends.remove,
}


@bp.route("/friends", methods=("GET", "POST"))
def index():
    """List friends and pending requests (GET); act on one of them (POST)."""
    web_session.require_sign_in()
    session = db.get_session()
    error = None
    if request.method == "POST":
        action = ACTIONS.get(g.form.get("action", ""))
        if action is None:
            abort(400)
        try:
            action(session, g.user, g.form.get("name", "").strip())
        except (friends.FriendshipError, users.AccountError) as exc:
            error = str(exc)
        else:
            return redirect(url_for("friends.index"))
    return render_page(400 if error else 200, error)


def _start() -> int:
    """Return the position of the first person to list (the ``start`` query parameter)."""
    value = g.args.get("start", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else 0


def render_page(status: int, error: str | None):
    """Render the friends page with as many people as fit the terminal's page budget.

    Incoming requests come first, then outgoing ones, then friends; "next" goes on from
    the first person left out.
    """
    session = db.get_session()
    lists = {
        "incoming": friends.incoming(session, g.user),
        "outgoing": friends.outgoing(session, g.user),
        "friends": friends.friends(session, g.user),
    }
    people = [(kind, user) for kind, members in lists.items() for user in members]
    start = min(_start(), max(0, len(people) - 1))

    def shown(limit: int) -> dict:
        end = min(start + limit, len(people))
        page = people[start:end]
        return {
            "prev_start": max(0, start - limit) if start else None,
            "next_start": end if end < len(people) else None,
            **{kind: [user for k, user in page if k == kind] for kind in lists},
        }

    return render_fitting(
        "echo/friends.html",
        status,
        shown,
        len(people) - start,
        error=error,
        friend_count=len(lists["friends"]),
    )
