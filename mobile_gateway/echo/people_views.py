"""Finding people and being found: user search, and one's display name and one-line profile."""

from __future__ import annotations

from flask import Blueprint, abort, g, request

from ..accounts import user_search, web_session
from ..gateways import rate_limits
from ..phone.outbound import render, render_fitting
from ..storage import db
from . import people, profiles
from .views import done

bp = Blueprint("people", __name__)

#: People per search page at most (fewer when the page budget is small).
SEARCH_PAGE_SIZE = 20


@bp.route("/search")
def search():
    """Find people by any part of their name or display name (kana and width do not matter)."""
    web_session.require_sign_in()
    query = g.args.get("q", "")
    cursor = g.args.get("c") or None
    if not query.strip():
        return render("echo/search.html", query="", page=None, error=None)
    rate_limits.limit_search(g.user)
    error = people.check_query(query)
    if error is not None:
        # An oversize query is not written back: the page must fit a phone.
        shown = query if len(query) <= people.MAX_QUERY_CHARS * 2 else ""
        return render("echo/search.html", 400, query=shown, page=None, error=error)
    session = db.get_session()
    try:
        return render_fitting(
            "echo/search.html",
            200,
            lambda limit: {"page": people.search(session, query, cursor, limit)},
            SEARCH_PAGE_SIZE,
            query=query,
            error=None,
        )
    except user_search.InvalidSearchCursor:
        abort(404)


@bp.route("/settings/profile", methods=("GET", "POST"))
def profile():
    """Set one's display name and one-line profile (emoji welcome)."""
    web_session.require_sign_in()
    display_name = g.user.display_name or ""
    line = g.user.profile or ""
    error = None
    if request.method == "POST":
        display_name = g.form.get("display_name", "")
        line = g.form.get("profile", "")
        try:
            profiles.set_profile(db.get_session(), g.user, display_name, line)
        except profiles.ProfileRefused as exc:
            error = str(exc)
        else:
            return done("echo.user", "profile", name=g.user.name)
    return render(
        "echo/profile.html",
        400 if error else 200,
        error=error,
        display_name=display_name,
        profile=line,
        max_display_name=profiles.MAX_DISPLAY_NAME_CHARS,
        max_profile=profiles.MAX_PROFILE_CHARS,
    )
