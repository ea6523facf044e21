"""Friends ("mai-miku"): request, accept, refuse, cancel, remove."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for

from . import accounts, db, friends, request_session
from .outbound import render

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
    if g.user is None:
        return redirect(url_for("auth.login"))
    request_session.ensure()
    session = db.get_session()
    error = None
    if request.method == "POST":
        action = ACTIONS.get(g.form.get("action", ""))
        if action is None:
            abort(400)
        try:
            action(session, g.user, g.form.get("name", "").strip())
        except (friends.FriendshipError, accounts.AccountError) as exc:
            error = str(exc)
        else:
            return redirect(url_for("friends.index"))
    return render(
        "friends.html",
        400 if error else 200,
        error=error,
        friends=friends.friends(session, g.user),
        incoming=friends.incoming(session, g.user),
        outgoing=friends.outgoing(session, g.user),
    )
