"""Echo itself: home with the post box, posting, conversations, archives, profiles, replies."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Blueprint, abort, g, redirect, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..accounts import users, web_session
from ..gateways import rate_limits
from ..phone import inbound, urls
from ..phone.outbound import render, render_fitting
from ..storage import db
from ..storage.models import utcnow
from . import echoes, feedback, friends, notifications, people, service_period
from .text import shorten

bp = Blueprint("echo", __name__)
# Replies quote what they answer, shortened to a whole number of characters.
bp.add_app_template_filter(shorten, "shorten")
#: Suggestions on a home page without echoes.
HOME_SUGGESTIONS = 3


@bp.app_template_global()
def mention_links(echo) -> dict[str, str]:
    """Return where each ``@name`` of *echo* links: lowercased name -> the user's page."""
    if "@" not in echo.body and "＠" not in echo.body:
        return {}
    return {key: urls.url_for("echo.user", name=name) for key, name in echo.mentioned.items()}


@bp.app_template_global()
def get_fields() -> Markup:
    """Return the hidden fields of a GET form (a browser drops the action's query string).

    The charset probe (the query is decoded as the phone encoded it), the session id on
    phones without cookies, and DoCoMo's ``guid=ON`` when the page had it (a session bound
    to the i-mode ID needs the ID on every request).
    """
    field = Markup('<input type="hidden" name="{}" value="{}"/>')
    fields = field.format(inbound.CHARSET_FIELD, inbound.CHARSET_PROBE)
    if g.get("session_token") and not g.terminal.cookies:
        fields += field.format(web_session.PARAM, g.session_token)
    if g.args.get("guid", "").upper() == "ON" and g.terminal.carrier == "docomo":
        fields += field.format("guid", "ON")
    return fields


@bp.app_context_processor
def confirmation() -> dict:
    """Give every page the one-line confirmation its URL carries (``?m=posted``), if any."""
    args = g.get("args")
    return {
        "feedback": feedback.message(args.get(feedback.PARAM) if args else None),
        # Links carrying text (a search query) say how they were encoded, as forms do.
        "charset_probe": inbound.CHARSET_PROBE,
    }


def done(endpoint: str, code: str, **values) -> Response:
    """Redirect to *endpoint*, saying once that *code* (a :data:`feedback.MESSAGES` key) is done."""
    return redirect(url_for(endpoint, **{feedback.PARAM: code}, **values))


#: Form field of the post form's one-time token.
POST_TOKEN_FIELD = "t"


@bp.app_template_global()
def post_token() -> str:
    """Return a new one-time token for a post form (a retried post lands once)."""
    return secrets.token_urlsafe(16)


def _post_target(form) -> tuple[str, dict]:
    """Where a post whose session expired returns after sign-in: the box it was typed in."""
    reply_to = form.get("reply_to", "")
    if reply_to.isascii() and reply_to.isdigit() and len(reply_to) <= 18:
        return "echo.show", {"echo_id": int(reply_to)}
    return "echo.home", {}


def _period() -> service_period.ServicePeriod:
    """Return the service period, read once per request."""
    if "service_period" not in g:
        g.service_period = service_period.current_period(db.get_session())
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
    quiet = g.user.echo_enabled and not items
    suggested = people.suggestions(session, g.user, HOME_SUGGESTIONS) if quiet else []
    return render_home(
        200,
        items,
        closed_message=posting,
        news=notifications.news(session, g.user),
        suggestions=suggested,
        body=web_session.take_draft(),
    )


@bp.route("/echo", methods=("POST",))
@web_session.resumable(_post_target, draft="body")
def post():
    """Post an echo (or a reply); refuse bad bodies with a message and store nothing.

    The form's one-time token makes a retried post (the response was lost) land once.
    """
    web_session.require_sign_in()
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
    if reply_to:
        # Back to the conversation, where the reply now shows first.
        return done("echo.show", "replied", echo_id=int(reply_to))
    return done("echo.home", "posted")


@bp.route("/echo/<int:echo_id>")
def show(echo_id: int):
    """Show one echo in its conversation: what it answers, a reply box, its replies (paged)."""
    closed = _reading_closed()
    if closed:
        return closed
    echo = echoes.get(db.get_session(), echo_id)
    if echo is None:
        abort(404)
    cursor = g.args.get("c") or None
    draft = web_session.take_draft() if g.user is not None else None
    try:
        return render_list(
            "echo/echo.html",
            lambda limit: echoes.replies_of(db.get_session(), echo, cursor, limit),
            echo=echo,
            first_page=cursor is None,
            body=draft,
        )
    except echoes.InvalidCursor:
        abort(404)


@bp.route("/echo/<int:echo_id>/delete", methods=("GET", "POST"))
def delete(echo_id: int):
    """Ask to confirm (GET), then delete one's own echo (POST)."""
    web_session.require_sign_in()
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
        return done("echo.home", "deleted")
    return render_fitting("echo/delete.html", 200, lambda _: {}, 1, echo=echo)


@bp.route("/archive")
def archive():
    """Page through the echoes of the user and friends, newest first."""
    web_session.require_sign_in()
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
    """Show the echoes that answer the user or name them; the first page marks them seen."""
    web_session.require_sign_in()
    closed = _reading_closed()
    if closed:
        return closed
    cursor = g.args.get("c") or None
    session = db.get_session()
    shown: list = []

    def fetch(limit: int) -> echoes.Page:
        page = echoes.replies_and_mentions(session, g.user, cursor, limit)
        shown[:] = page.items
        return page

    try:
        response = render_list("echo/replies.html", fetch)
    except echoes.InvalidCursor:
        abort(404)
    if cursor is None and shown:
        notifications.mark_replies_seen(session, g.user, shown[0].created_at)
    return response


@bp.route("/u/<name>")
def user(name: str):
    """Show one user's profile and echoes (public); signed in, the friend button and its state."""
    closed = _reading_closed()
    if closed:
        return closed
    session = db.get_session()
    owner = users.find_user(session, name)
    if owner is None:
        abort(404)
    relation = friends.relation(session, g.user, owner) if g.user is not None else None
    cursor = g.args.get("c") or None
    try:
        return render_list(
            "echo/user.html",
            lambda limit: echoes.by_user(session, owner, cursor, limit),
            owner=owner,
            relation=relation,
            counts=people.counts(session, owner),
            first_page=cursor is None,
        )
    except echoes.InvalidCursor:
        abort(404)


@bp.route("/settings/echo", methods=("POST",))
def echo_setting():
    """Turn Echo on or off on the user's home page."""
    web_session.require_sign_in()
    enabled = g.form.get("enabled") == "on"
    users.set_echo_enabled(db.get_session(), g.user, enabled)
    return done("echo.home", "echo_on" if enabled else "echo_off")
