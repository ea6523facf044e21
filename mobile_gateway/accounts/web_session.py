"""The request's session: from a cookie, or on cookieless handsets from the URL.

Handsets without cookies (i-mode browser 1.0, au over HTTPS, old J-PHONE) carry the
session id as the ``sid`` parameter of every internal URL — :func:`add_sid` puts it into
each ``url_for`` — and never in a link to another site (those go through the exit page,
whose URL carries no ``sid``). Every POST must carry the session's CSRF token.
Crawlers never get a session.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden

from ..phone import inbound, pages
from ..storage import db
from ..storage.models import User
from . import sessions

__all__ = ["COOKIE_NAME", "PARAM", "csrf_token", "ensure", "init_app", "sign_in", "sign_out"]

#: Cookie that holds the session id on handsets that keep cookies.
COOKIE_NAME = "mgsid"
#: Query parameter that holds it on handsets that do not.
PARAM = "sid"
#: Endpoints whose URLs must never carry the session id.
NO_SID_ENDPOINTS = frozenset({"pages.exit", "static"})


class CsrfFailure(Forbidden):
    """A POST without the session's CSRF token (or without a session)."""

    description = "セッションが切れたか、正しくない送信です。もう一度お試しください。"


def _idle_timeout() -> timedelta:
    return timedelta(seconds=current_app.config["AUTH_SESSION_IDLE_TIMEOUT"])


def _lifetime() -> timedelta:
    return timedelta(seconds=current_app.config["AUTH_SESSION_LIFETIME"])


def load() -> None:
    """Find the request's session and user; refuse a POST without its CSRF token.

    Requests for programs (the JSON API) have no session: cookies and ``sid`` are never
    read there, so there is nothing a forged cross-site request could ride on.
    """
    if inbound.for_programs():
        g.auth = g.user = g.session_token = None
        return
    _find()
    if request.method == "POST" and not sessions.check_csrf(g.auth, g.form.get("_csrf")):
        raise CsrfFailure()


def load_for_error_page() -> None:
    """Find the session of a request refused before :func:`load` ran (an unreadable body).

    The error page then keeps a cookieless handset's sid in its links instead of signing
    it out. Only the cookie and the query string are read: the form is what failed.
    """
    if "auth" in g or "terminal" not in g or "args" not in g or inbound.for_programs():
        return
    g.form = MultiDict()
    _find()


def _find() -> None:
    """Find the request's session and user from the cookie or the ``sid`` parameter."""
    g.auth = g.user = g.session_token = None
    terminal = g.terminal
    if not terminal.is_crawler:
        token = g.args.get(PARAM) or g.form.get(PARAM)
        if terminal.cookies:
            token = request.cookies.get(COOKIE_NAME) or token
        if token:
            auth = sessions.load(
                db.get_session(),
                token,
                terminal.carrier,
                terminal.subscriber_id,
                idle_timeout=_idle_timeout(),
            )
            if auth is not None:
                g.auth, g.user, g.session_token = auth, auth.user, token


def _start(user: User | None) -> None:
    """Replace the request's session by a new one for *user* (or an anonymous one)."""
    terminal = g.terminal
    token, auth = sessions.rotate(
        db.get_session(),
        g.auth,
        user,
        terminal.carrier,
        terminal.subscriber_id,
        lifetime=_lifetime(),
    )
    g.auth, g.user, g.session_token = auth, user, token
    g.cookie_changed = True


def ensure() -> None:
    """Give the request a session (anonymous if need be) so that its forms can post."""
    if g.auth is None and not g.terminal.is_crawler:
        _start(None)


def csrf_token() -> str | None:
    """Return the CSRF token of the request's session (None for crawlers)."""
    ensure()
    return g.auth.csrf_token if g.auth is not None else None


def sign_in(user: User) -> None:
    """Sign *user* in on a new session id (the old one dies: no fixation)."""
    _start(user)


def sign_out() -> None:
    """End the session; the terminal gets a fresh anonymous one."""
    _start(None)


def add_sid(endpoint: str, values: dict) -> None:
    """Put the session id into internal URLs for handsets without cookies."""
    token = g.get("session_token")
    terminal = g.get("terminal")
    if token and terminal is not None and not terminal.cookies and endpoint not in NO_SID_ENDPOINTS:
        values.setdefault(PARAM, token)


def set_cookie(response):
    """Hand a new session id to a handset that keeps cookies."""
    terminal = g.get("terminal")
    if g.get("cookie_changed") and terminal is not None and terminal.cookies:
        response.set_cookie(
            COOKIE_NAME,
            g.session_token,
            max_age=int(_lifetime().total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def form_fields() -> Markup:
    """Return the hidden fields every form carries: the charset probe and the CSRF token."""
    fields = Markup('<input type="hidden" name="{}" value="{}"/>').format(
        inbound.CHARSET_FIELD, inbound.CHARSET_PROBE
    )
    token = csrf_token()
    if token:
        fields += Markup('<input type="hidden" name="_csrf" value="{}"/>').format(token)
    return fields


def init_app(app: Flask) -> None:
    """Load the session after the request is decoded; hand out ids on the way out.

    Also gives templates ``form_fields()`` and lets error pages find the session.
    """
    app.before_request(load)
    app.url_defaults(add_sid)
    app.after_request(set_cookie)
    app.jinja_env.globals["form_fields"] = form_fields
    pages.before_error_page(app, load_for_error_page)
