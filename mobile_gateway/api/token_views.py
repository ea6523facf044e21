"""The token settings page, ``/settings/api``: make, see (masked) and revoke API tokens.

An ordinary page for every terminal, phones included (their encoding, their page
budget, the session id in URLs where cookies are missing). A new token is shown once,
in a text box to copy; afterwards only its name and last characters are.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for

from ..accounts import web_session
from ..phone.outbound import render
from ..storage import db
from ..storage.models import API_SCOPES
from . import tokens

__all__ = ["bp"]

bp = Blueprint("api_tokens", __name__)


def _page(status: int = 200, **context):
    """Render the settings page with the user's tokens."""
    held = tokens.tokens_of(db.get_session(), g.user)
    response = render(
        "api/tokens.html",
        status,
        tokens=held,
        masked=tokens.masked,
        max_tokens=tokens.MAX_TOKENS_PER_USER,
        **context,
    )
    # A new token is on this page once: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/settings/api", methods=("GET", "POST"))
def index():
    """List the user's tokens (GET); make a new one and show it once (POST)."""
    web_session.require_sign_in()
    if request.method != "POST":
        return _page()
    name = g.form.get("name", "")
    scopes = [scope for scope in API_SCOPES if g.form.get(scope) == "on"]
    try:
        secret, row = tokens.create(db.get_session(), g.user, name, scopes)
    except tokens.TokenError as exc:
        return _page(400, error=str(exc), name=name)
    return _page(201, new_token=secret, new_row=row)


@bp.route("/settings/api/revoke", methods=("POST",))
def revoke():
    """Revoke (delete) the token chosen on the page (one form for all: small pages)."""
    web_session.require_sign_in()
    chosen = g.form.get("id", "")
    token_id = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 12 else 0
    try:
        tokens.revoke(db.get_session(), g.user, token_id)
    except tokens.TokenError as exc:
        return _page(404, error=str(exc))
    return redirect(url_for("api_tokens.index"))
