"""Echo itself: the home page with the post box, posting, archives, profiles, replies, deletion."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Blueprint, abort, g, redirect, url_for
from werkzeug.wrappers import Response

from ..accounts import users, web_session
from ..gateways import rate_limits
from ..phone.outbound import render, render_fitting
from ..storage import db
from ..storage.models import utcnow
from . import echoes, service_period
from .text import shorten

bp = Blueprint("echo", __name__)
# Replies quote what they answer, shortened to a whole number of characters.
bp.add_app_template_filter(shorten, "shorten")
#: Form field of the post form's one-time token.
POST_TOKEN_FIELD = "t"


@bp.app_template_global()
def post_token() -> str:
    """Return a new one-time token for a post form (a retried post lands once)."""
    return secrets.token_urlsafe(16)


def _signed_in() -> None:
    """Send a signed-out visitor to the sign-in page (and back here after it)."""
    web_session.require_sign_in()


def _post_target(form) -> tuple[str, dict]:
    """Where a post whose session expired returns after sign-in: the box it was typed in."""
    reply_to = form.get("reply_to", "")
    if reply_to.isascii() and reply_to.isdigit() and len(reply_to) <= 18:
        return "echo.show", {"echo_id": int(reply_to)}
    return "echo.home", {}


def _period() -> service_period.ServicePeriod:
    """Return the service period, read once per request."""
    if "service_period" not in g:
        g.service_period = service_period.get_period(db.get_session())
    return g.service_period


def _reading_closed() -> Response | None:
    """Return the "closed" page when echoes may not be read now."""
    now = utcnow()
    if _period().reading_open(now):
        return None
    return render("echo/closed.html", 403, message=_period().closed_message(now))


def render_list(template: str, fetch: Callable[[int], echoes.Page], **context) -> Response:
    """Render a page of echoes with as many as fit the budget (keyset: "next" is exact)."""
    return render_fitting(
        template, 200, lambda limit: {"page": fetch(limit)}, echoes.PAGE_SIZE, **context
    )


def render_home(status: int, items: list, **context) -> Response:
    """Render the home page with as many of the newest echoes *items* as fit the budget."""
    return render_fitting(
        "echo/home.html", status, lambda n: {"items": items[:n]}, len(items), **context
    )


@bp.route("/")
def home():
    """Show the post box first, then the newest echoes of the user and friends."""
    if g.user is None:
        return render("echo/welcome.html")
    closed = _reading_closed()
    if closed:
        return closed
    session = db.get_session()
    items = echoes.home(session, g.user) if g.user.echo_enabled else []
    posting = _period().closed_message(utcnow())
    return render_home(200, items, closed_message=posting, body=web_session.take_draft())


@bp.route("/echo", methods=("POST",))
@web_session.resumable(_post_target, draft="body")
def post():
    """Post an echo (or a reply); refuse bad bodies with a message and store nothing.

    The form's one-time token makes a retried post (the response was lost) land once.
    """
    _signed_in()
    rate_limits.limit_post(g.user)
    session = db.get_session()
    body = g.form.get("body", "")
    reply_to = g.form.get("reply_to") or None
    try:
        echoes.post(
            session, g.user, body, reply_to=reply_to, post_token=g.form.get(POST_TOKEN_FIELD)
        )
    except echoes.EchoError as exc:
        closed = _reading_closed()
        if closed:
            # Reading is closed too: the home page would show the timeline.
            return closed
        items = echoes.home(session, g.user) if g.user.echo_enabled else []
        target = echoes.get(session, reply_to) if reply_to else None
        return render_home(400, items, error=str(exc), body=body, reply_target=target)
    return redirect(url_for("echo.home"))


@bp.route("/echo/<int:echo_id>")
def show(echo_id: int):
    """Show one echo, what it answers, and a box to reply to it."""
    closed = _reading_closed()
    if closed:
        return closed
    echo = echoes.get(db.get_session(), echo_id)
    if echo is None:
        abort(404)
    draft = web_session.take_draft() if g.user is not None else None
    return render_fitting("echo/echo.html", 200, lambda _: {}, 1, echo=echo, body=draft)


@bp.route("/echo/<int:echo_id>/delete", methods=("GET", "POST"))
def delete(echo_id: int):
    """Ask to confirm (GET), then delete one's own echo (POST)."""
    _signed_in()
    session = db.get_session()
    echo = echoes.get(session, echo_id)
    if echo is None:
        abort(404)
    if echo.author_id != g.user.id:
        abort(403)
    if g.form.get("confirm") == "yes":
        try:
            echoes.delete(session, g.user, echo_id)
        except echoes.EchoNotFound:
            abort(404)  # deleted meanwhile (a second confirmation, another tab)
        return redirect(url_for("echo.home"))
    return render_fitting("echo/delete.html", 200, lambda _: {}, 1, echo=echo)


@bp.route("/archive")
def archive():
    """Page through the echoes of the user and friends, newest first."""
    _signed_in()
    closed = _reading_closed()
    if closed:
        return closed
    cursor = g.args.get("c") or None
    friends_only = g.args.get("only") == "friends"
    try:
        return render_list(
            "echo/archive.html",
            lambda limit: echoes.archive(
                db.get_session(), g.user, cursor, limit, include_self=not friends_only
            ),
            friends_only=friends_only,
        )
    except echoes.InvalidCursor:
        abort(404)


@bp.route("/replies")
def replies():
    """Show the replies others wrote to the user's echoes."""
    _signed_in()
    closed = _reading_closed()
    if closed:
        return closed
    cursor = g.args.get("c") or None
    try:
        return render_list(
            "echo/replies.html",
            lambda limit: echoes.replies_to(db.get_session(), g.user, cursor, limit),
        )
    except echoes.InvalidCursor:
        abort(404)


@bp.route("/u/<name>")
def user(name: str):
    """Show one user's echoes: public, signed in or not."""
    closed = _reading_closed()
    if closed:
        return closed
    owner = users.find_user(db.get_session(), name)
    if owner is None:
        abort(404)
    cursor = g.args.get("c") or None
    try:
        return render_list(
            "echo/user.html",
            lambda limit: echoes.by_user(db.get_session(), owner, cursor, limit),
            owner=owner,
        )
    except echoes.InvalidCursor:
        abort(404)


@bp.route("/settings/echo", methods=("POST",))
def echo_setting():
    """Turn Echo on or off on the user's home page."""
    _signed_in()
    users.set_echo_enabled(db.get_session(), g.user, g.form.get("enabled") == "on")
    return redirect(url_for("echo.home"))
