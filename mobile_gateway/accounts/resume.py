"""Where a visitor returns after signing in, with what they were typing.

A signed-out visitor sent to the sign-in page from a members' page, and a post whose
session expired, get a signed note (:func:`.form_tokens.resume_token`): the page to show
after sign-in (an endpoint of this site and its arguments, never a URL) and, for a post,
the text typed. The sign-in page carries it in its forms (and, after a redirect, in its
own URL: the note of a page holds no typed text), so cookieless phones keep it and
nothing is stored for the signed-out visitor. After sign-in
:func:`~.web_session.sign_in` keeps the text in the new session for the post box, and
:func:`redirect_after_sign_in` goes to the page. Views say where their posts return with
:func:`resumable`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, g, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from ..phone import inbound
from ..phone.outbound import render
from . import form_tokens

__all__ = [
    "EXPIRED_MESSAGE",
    "RESUME_FIELD",
    "login_page",
    "read_note",
    "redirect_after_sign_in",
    "require_sign_in",
    "resumable",
    "session_expired",
]

#: Form field (and sign-in page parameter) with the signed note of where to go after sign-in.
RESUME_FIELD = "resume"
#: Parameters a return target never keeps: the session id (``web_session.PARAM``),
#: DoCoMo's ``guid``, the note itself, the hidden fields of every form.
_NOT_KEPT = frozenset({"sid", "guid", RESUME_FIELD, "_csrf", inbound.CHARSET_FIELD})
#: Endpoints that are no place to return to (the exit page, static files).
NOT_A_RETURN = frozenset({"pages.exit", "static"})
#: Longest draft carried to the sign-in page, in code points (an echo is 150 characters).
MAX_DRAFT_CODE_POINTS = 400
EXPIRED_MESSAGE = "セッションの有効期限が切れました。もう一度ログインしてください"


def _secret() -> str | bytes:
    return current_app.config["SECRET_KEY"]


def resumable(target: str | Callable[[MultiDict], tuple] | None = None, draft: str | None = None):
    """Say where a POST view returns after its session expired, and what text it keeps.

    :param target: the endpoint to show after sign-in, or a function of the posted form
        returning ``(endpoint, args)``; by default the view's own page when it answers
        GET, else the home page.
    :param draft: the form field holding text the user typed (the echo), put back in the
        box after sign-in.
    """

    def decorate(view):
        view.resume_target, view.resume_draft = target, draft
        return view

    return decorate


def _return_target() -> tuple[str, dict, str | None]:
    """Return (endpoint, args, draft) of where this request goes back after sign-in."""
    view = current_app.view_functions.get(request.endpoint)
    target = getattr(view, "resume_target", None)
    draft_field = getattr(view, "resume_draft", None)
    draft = g.form.get(draft_field, "")[:MAX_DRAFT_CODE_POINTS] if draft_field else None
    if callable(target):
        endpoint, args = target(g.form)
    elif isinstance(target, str):
        endpoint, args = target, {}
    elif request.method == "GET" or _answers_get(request.endpoint):
        endpoint = request.endpoint
        args = dict(request.view_args or {})
        if request.method == "GET":
            args.update((k, v) for k, v in g.args.items() if k not in _NOT_KEPT)
    else:
        endpoint, args = "echo.home", {}
    return endpoint, args, draft or None


def _answers_get(endpoint: str | None) -> bool:
    """Return whether *endpoint* has a route that answers GET."""
    if endpoint not in current_app.view_functions:
        return False
    return any("GET" in (rule.methods or ()) for rule in current_app.url_map.iter_rules(endpoint))


def _resume_note(expired: bool) -> str:
    """Return the signed note of this request's return target (and draft)."""
    endpoint, args, draft = _return_target()
    return form_tokens.resume_token(_secret(), endpoint, args, draft, expired)


def read_note(token: str | None) -> dict | None:
    """Return a valid note of where to go after sign-in, or None."""
    max_age = int(current_app.config["SIGNED_OUT_FORM_MAX_AGE"])
    note = form_tokens.read_resume(_secret(), token, max_age)
    if note is None or note["endpoint"] in NOT_A_RETURN or not _answers_get(note["endpoint"]):
        return None
    return note


def login_page(status: int = 200, error: str | None = None, name: str = "", note=None):
    """Render the sign-in page; *note* (a signed resume token) is carried in its forms."""
    token = note if isinstance(note, str) else None
    data = read_note(token)
    notice = EXPIRED_MESSAGE if data and data["expired"] else None
    return render(
        "accounts/login.html",
        status,
        error=error,
        name=name,
        resume=token if data else None,
        notice=notice,
        draft=data["draft"] if data else None,
    )


def session_expired():
    """Answer a POST whose session has ended: the sign-in page, keeping the user's work."""
    if request.endpoint == "auth.logout":
        return redirect(url_for("echo.home"))  # signed out already
    return login_page(200, note=_resume_note(expired=True))


def require_sign_in() -> None:
    """Send a signed-out visitor to the sign-in page, then back here after it."""
    if g.user is not None:
        return
    note = _resume_note(expired=bool(g.get("session_lost")))
    abort(redirect(url_for("auth.login", **{RESUME_FIELD: note})))


def redirect_after_sign_in():
    """Redirect a user who just signed in to where the sign-in form's note says (else home)."""
    note = g.get("resume_note")
    if note is not None:
        try:
            return redirect(url_for(note["endpoint"], **note["args"]))
        except (BuildError, ValueError, TypeError):
            pass
    return redirect(url_for("echo.home"))
