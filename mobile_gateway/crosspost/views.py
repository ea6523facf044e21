"""The cross-posting settings page, ``/settings/feeds``: add and remove feeds, see how
each one is doing ("last fetched 3 minutes ago", "error: timed out").

An ordinary page for every terminal, phones included.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, request, url_for

from ..accounts import web_session
from ..phone.outbound import render
from ..storage import db
from . import subscriptions

__all__ = ["bp"]

bp = Blueprint("crosspost", __name__)

#: What the page says for each status of the last fetch.
STATUS_TEXT = {
    None: "まだ取得していません",
    "ok": "取得しました",
    "not_modified": "取得しました（更新なし）",
    "error": "エラー",
}


def _page(status: int = 200, **context):
    """Render the page with the user's feeds."""
    feeds = subscriptions.subscriptions_of(db.get_session(), g.user)
    most = int(current_app.config["CROSSPOST_MAX_FEEDS_PER_USER"])
    return render(
        "crosspost/feeds.html", status, feeds=feeds, most=most, status_text=STATUS_TEXT, **context
    )


@bp.route("/settings/feeds", methods=("GET", "POST"))
def index():
    """List the user's feeds (GET); add one (POST)."""
    web_session.require_sign_in()
    if request.method != "POST":
        return _page()
    url = g.form.get("url", "")
    try:
        subscriptions.add(
            db.get_session(),
            g.user,
            url,
            allow_loopback=bool(current_app.config["CROSSPOST_ALLOW_LOOPBACK"]),
            most=int(current_app.config["CROSSPOST_MAX_FEEDS_PER_USER"]),
        )
    except subscriptions.SubscriptionError as exc:
        return _page(400, error=str(exc), url=url)
    return redirect(url_for("crosspost.index"))


@bp.route("/settings/feeds/<int:subscription_id>/remove", methods=("POST",))
def remove(subscription_id: int):
    """Stop cross-posting from one feed (the echoes it made stay)."""
    web_session.require_sign_in()
    try:
        subscriptions.remove(db.get_session(), g.user, subscription_id)
    except subscriptions.SubscriptionError as exc:
        return _page(404, error=str(exc))
    return redirect(url_for("crosspost.index"))
