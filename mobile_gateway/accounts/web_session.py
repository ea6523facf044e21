"""The request's session: from a cookie, or on cookieless handsets from the URL; CSRF.

Handsets without cookies (i-mode browser 1.0, au over HTTPS, old J-PHONE) carry the
session id as the ``sid`` parameter of every internal URL — :func:`add_sid` puts it into
each ``url_for`` — and never in a link to another site (those go through the exit page,
whose URL carries no ``sid``). A terminal that keeps cookies takes its session from the
cookie only: a ``sid`` in its URL is ignored (no sign-in by a link). Crawlers never get a
session.

Only signed-in users have a session row; a signed-out visitor's pages write nothing.
Every POST must carry a CSRF token: the session's when signed in, else a signed token
made for this visitor (:mod:`.form_tokens`). A POST whose session has expired (or was
ended) gets the sign-in page instead of an error, with a note of where it was going and
of the echo being typed (:mod:`.resume`); after sign-in the phone lands there with the echo
back in the box, and nothing is posted without the user's action.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, current_app, g, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden

from ..phone import inbound, pages
from ..storage import db
from ..storage.models import User
from . import form_tokens, resume, sessions
from .resume import (  # noqa: F401  (the views use them from here)
    RESUME_FIELD,
    login_page,
    redirect_after_sign_in,
    require_sign_in,
    resumable,
)

__all__ = [
    "COOKIE_NAME",
    "FORM_COOKIE",
    "PARAM",
    "RESUME_FIELD",
    "csrf_token",
    "init_app",
    "login_page",
    "reauthenticated",
    "redirect_after_sign_in",
    "require_sign_in",
    "resumable",
    "sign_in",
    "sign_out",
    "take_draft",
    "terminal_binding",
]

#: Cookie that holds the session id on handsets that keep cookies.
COOKIE_NAME = "mgsid"
#: Cookie with the random value a signed-out visitor's form tokens are bound to.
FORM_COOKIE = "mgform"
#: Query parameter that holds the session id on handsets that do not keep cookies.
PARAM = "sid"
#: Endpoints whose URLs must never carry the session id.
NO_SID_ENDPOINTS = frozenset({"pages.exit", "static"})


class CsrfFailure(Forbidden):
    """A POST without the right CSRF token."""

    description = "セッションが切れたか、正しくない送信です。もう一度お試しください。"


def _idle_timeout() -> timedelta:
    return timedelta(seconds=current_app.config["AUTH_SESSION_IDLE_TIMEOUT"])


def _lifetime() -> timedelta:
    return timedelta(seconds=current_app.config["AUTH_SESSION_LIFETIME"])


def _secret() -> str | bytes:
    return current_app.config["SECRET_KEY"]


def terminal_binding() -> sessions.TerminalBinding:
    """Return what a session of this request's terminal is bound to."""
    terminal = g.terminal
    return sessions.TerminalBinding(
        terminal.carrier,
        terminal.model,
        terminal.full_browser,
        g.get("trusted_subscriber_id"),
    )


# Finding the session. ------------------------------------------------------------
def presented_token() -> str | None:
    """Return the session id the request presents: the cookie, or a cookieless ``sid``."""
    terminal = g.terminal
    if terminal.is_crawler:
        return None
    if terminal.cookies:
        return request.cookies.get(COOKIE_NAME)
    return g.args.get(PARAM) or g.form.get(PARAM)


def _find() -> None:
    """Find the request's session and user; note a presented session that opens nothing."""
    g.auth = g.user = g.session_token = None
    g.session_lost = False
    token = presented_token()
    if token:
        auth = sessions.load(
            db.get_session(), token, terminal_binding(), idle_timeout=_idle_timeout()
        )
        if auth is not None:
            g.auth, g.user, g.session_token = auth, auth.user, token
        else:
            g.session_lost = True
            g.cookie_changed = True  # a cookie that opens nothing is removed


def load():
    """Find the request's session and user; check every POST's CSRF token.

    Requests for programs (the JSON API) have no session: cookies and ``sid`` are never
    read there, so there is nothing a forged cross-site request could ride on.
    """
    if inbound.for_programs():
        g.auth = g.user = g.session_token = None
        return None
    _find()
    if request.method != "POST":
        return None
    token = g.form.get("_csrf")
    if g.auth is not None:
        if sessions.check_csrf(g.auth, token):
            return None
        raise CsrfFailure()
    if _form_token_ok(token):
        return None
    if g.session_lost:
        return resume.session_expired()
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


# Signed-out forms. ------------------------------------------------------------
def _form_binding(create: bool) -> str | None:
    """Return what a signed-out visitor's form tokens are bound to (None: nothing yet).

    A terminal that keeps cookies: the random value of :data:`FORM_COOKIE` (made here
    when *create*). One that does not: the terminal itself.
    """
    terminal = g.terminal
    if terminal.cookies:
        value = g.get("form_cookie_new") or request.cookies.get(FORM_COOKIE)
        if not value and create:
            value = g.form_cookie_new = secrets.token_urlsafe(16)
        return f"cookie:{value}" if value else None
    binding = terminal_binding()
    return "terminal:" + "\x00".join(
        (
            binding.carrier,
            binding.model or "",
            "full" if binding.full_browser else "",
            binding.subscriber_id or "",
        )
    )


def _form_token_ok(token: str | None) -> bool:
    """Return whether *token* is a signed-out form token made for this visitor."""
    binding = _form_binding(create=False)
    max_age = int(current_app.config["SIGNED_OUT_FORM_MAX_AGE"])
    return binding is not None and form_tokens.check_form_token(_secret(), binding, token, max_age)


def csrf_token() -> str | None:
    """Return the CSRF token for this request's forms (None for crawlers)."""
    if g.auth is not None:
        return g.auth.csrf_token
    if g.terminal.is_crawler:
        return None
    return form_tokens.form_token(_secret(), _form_binding(create=True))


def form_fields() -> Markup:
    """Return the hidden fields every form carries: the charset probe and the CSRF token."""
    fields = Markup('<input type="hidden" name="{}" value="{}"/>').format(
        inbound.CHARSET_FIELD, inbound.CHARSET_PROBE
    )
    token = csrf_token()
    if token:
        fields += Markup('<input type="hidden" name="_csrf" value="{}"/>').format(token)
    return fields


def take_draft() -> str | None:
    """Return the echo the user was typing when their last session expired (once)."""
    return sessions.take_draft(db.get_session(), g.get("auth"))


# Signing in and out. ------------------------------------------------------------
def _use(token: str, auth) -> None:
    g.auth, g.user, g.session_token = auth, auth.user, token
    g.cookie_changed = True


def sign_in(user: User, *, binding_id: int | None = None) -> None:
    """Sign *user* in on a new session id (the old one dies: no fixation).

    The sign-in form's note (where to return, the draft) is read here: the draft is kept
    in the new session for the post box.
    """
    session = db.get_session()
    if g.get("auth") is not None:
        sessions.end_sign_in(session, g.auth)
    note = resume.read_note(g.form.get(RESUME_FIELD))
    g.resume_note = note
    sessions.purge_due(
        session,
        float(current_app.config["AUTH_SESSION_PURGE_INTERVAL"]),
        idle_timeout=_idle_timeout(),
    )
    token, auth = sessions.create(
        session,
        terminal_binding(),
        user,
        binding_id=binding_id,
        draft=note["draft"] if note else None,
        lifetime=_lifetime(),
    )
    _use(token, auth)


def reauthenticated() -> None:
    """After the user proved their password again: a new session id, same sign-in."""
    token, auth = sessions.rotate(
        db.get_session(), g.auth, terminal_binding(), lifetime=_lifetime()
    )
    _use(token, auth)


def sign_out() -> None:
    """End every session of this sign-in; the terminal is signed out."""
    if g.get("auth") is not None:
        sessions.end_sign_in(db.get_session(), g.auth)
    g.auth = g.user = g.session_token = None
    g.cookie_changed = True


# URLs and cookies. ------------------------------------------------------------
def add_sid(endpoint: str, values: dict) -> None:
    """Put the session id into internal URLs for handsets without cookies."""
    token = g.get("session_token")
    terminal = g.get("terminal")
    if token and terminal is not None and not terminal.cookies and endpoint not in NO_SID_ENDPOINTS:
        values.setdefault(PARAM, token)


def set_cookie(response):
    """Hand a new session id (or its removal) and a form cookie to a handset that keeps them."""
    terminal = g.get("terminal")
    if terminal is None or not terminal.cookies:
        return response
    secure = request.is_secure
    if g.get("cookie_changed"):
        if g.get("session_token"):
            response.set_cookie(
                COOKIE_NAME,
                g.session_token,
                # Longer than the session: a post after it ended still says so (and is
                # answered with the sign-in page that keeps the user's work).
                max_age=int(_lifetime().total_seconds()) * 2,
                httponly=True,
                samesite="Lax",
                secure=secure,
            )
        elif request.cookies.get(COOKIE_NAME):
            response.delete_cookie(COOKIE_NAME, httponly=True, samesite="Lax", secure=secure)
    if g.get("form_cookie_new"):
        response.set_cookie(
            FORM_COOKIE,
            g.form_cookie_new,
            max_age=int(current_app.config["SIGNED_OUT_FORM_MAX_AGE"]),
            httponly=True,
            samesite="Lax",
            secure=secure,
        )
    return response


def init_app(app: Flask) -> None:
    """Load the session after the request is decoded; hand out ids on the way out.

    Also gives templates ``form_fields()`` and lets error pages find the session.
    """
    app.before_request(load)
    app.url_defaults(add_sid)
    app.after_request(set_cookie)
    app.jinja_env.globals["form_fields"] = form_fields
    pages.before_error_page(app, load_for_error_page)
