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
    web_session.ensure()
    error = None
    name = g.form.get("name", "")
    if request.method == "POST":
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
    """Sign in with a name and a password."""
    web_session.ensure()
    error = None
    name = g.form.get("name", "")
    if request.method == "POST":
        rate_limits.limit_sign_in(name)
        user = users.authenticate(db.get_session(), name, g.form.get("password", ""))
        if user is None:
            error = "ユーザー名かパスワードが違います"
        else:
            web_session.sign_in(user)
            return redirect(url_for("echo.home"))
    return render("accounts/login.html", 400 if error else 200, error=error, name=name)


@bp.route("/logout", methods=("POST",))
def logout():
    """Sign out: the session id dies and a fresh anonymous one replaces it."""
    web_session.sign_out()
    return redirect(url_for("echo.home"))
