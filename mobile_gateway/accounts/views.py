"""Sign-up, sign-in and sign-out, on every terminal."""

from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for

from ..gateways import rate_limits
from ..phone.outbound import render
from ..storage import db
from . import users, web_session

bp = Blueprint("auth", __name__)


@bp.route("/signup", methods=("GET", "POST"))
def signup():
    """Create an account with a name and a password, and sign in with it."""
    error = None
    name = g.form.get("name", "")
    if request.method == "POST":
        rate_limits.limit_sign_up()
        try:
            user = users.signup(db.get_session(), name, g.form.get("password", ""))
        except users.AccountError as exc:
            error = str(exc)
        else:
            web_session.sign_in(user)
            # Straight on to the display name and one-line profile (optional).
            return redirect(url_for("people.profile", m="welcome"))
    return render("accounts/signup.html", 400 if error else 200, error=error, name=name)


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Sign in with a name and a password, then go where the visitor was going."""
    name = g.form.get("name", "")
    note = g.form.get(web_session.RESUME_FIELD) or g.args.get(web_session.RESUME_FIELD)
    if request.method == "POST":
        rate_limits.limit_sign_in(name)
        user = users.authenticate(db.get_session(), name, g.form.get("password", ""))
        if user is not None:
            web_session.sign_in(user)
            return web_session.redirect_after_sign_in()
        return web_session.login_page(400, "ユーザー名かパスワードが違います", name, note)
    return web_session.login_page(200, None, name, note)


@bp.route("/logout", methods=("POST",))
def logout():
    """Sign out: every session of this sign-in ends."""
    web_session.sign_out()
    return redirect(url_for("echo.home"))
