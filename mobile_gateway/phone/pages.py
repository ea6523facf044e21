"""Pages of their own: the exit page for outside links, and the error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, g
from werkzeug.exceptions import HTTPException

from ..storage import db
from .inbound import InvalidInput, program_error_handler
from .outbound import render

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

#: Key under ``app.extensions``: what runs before an error page is rendered.
_BEFORE_ERROR_PAGE = "mobile_gateway.before_error_page"

#: Messages of the error pages, in the terminal's own encoding like every page.
MESSAGES = {
    400: "リクエストが正しくありません",
    403: "このページは表示できません",
    404: "ページが見つかりません",
    405: "この操作はできません",
    413: "送信された内容が大きすぎます",
    429: "混み合っています。しばらくしてからお試しください",
    500: "エラーが発生しました。しばらくしてからお試しください",
}


@bp.route("/exit")
def exit():
    """Show a link to another site on a page whose URL holds no session id."""
    url = g.args.get("url", "")
    if not url.startswith(("http://", "https://")):
        return render("error.html", 400, message="リンク先が正しくありません")
    return render("exit.html", url=url)


def before_error_page(app: Flask, prepare: Callable[[], None]) -> None:
    """Run *prepare* before every HTTP error page (accounts finds the session there).

    An error page is rendered even when the request failed before the request path's
    hooks ran (an unreadable form): what the page needs is found again here.
    """
    app.extensions.setdefault(_BEFORE_ERROR_PAGE, []).append(prepare)


def handle_http_error(error: HTTPException):
    """Render an HTTP error as a page the terminal can read (programs get their own)."""
    on_error = program_error_handler()
    if on_error is not None:
        return on_error(error)
    code = error.code or 500
    for prepare in current_app.extensions.get(_BEFORE_ERROR_PAGE, ()):
        try:
            prepare()
        except Exception:  # the error page must not fail because of what it would show
            log.exception("error page not prepared: %s", getattr(prepare, "__name__", prepare))
            db.get_session().rollback()
    if isinstance(error, InvalidInput):
        message = error.message
    elif getattr(error, "description", None) and code == 403:
        message = error.description
    else:
        message = MESSAGES.get(code, MESSAGES[500])
    return render("error.html", code, message=message)


def handle_unexpected(error: Exception):
    """Roll back, log, and answer 500 in the terminal's encoding (programs get their own)."""
    log.exception("unexpected error", exc_info=error)
    db.get_session().rollback()
    on_error = program_error_handler()
    if on_error is not None:
        return on_error(error)
    return render("error.html", 500, message=MESSAGES[500])


def init_app(app: Flask) -> None:
    """Register the blueprint and the error handlers."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
