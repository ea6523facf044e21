"""Pages of their own: the exit page for outside links, and the error pages."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, g
from werkzeug.exceptions import HTTPException

from ..accounts import web_session
from ..storage import db
from .inbound import InvalidInput
from .outbound import render

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

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


def handle_http_error(error: HTTPException):
    """Render an HTTP error as a page the terminal can read."""
    code = error.code or 500
    try:
        web_session.load_for_error_page()
    except Exception:  # the error page must not fail because the session cannot be read
        log.exception("session not loaded for the error page")
        db.get_session().rollback()
    if isinstance(error, InvalidInput):
        message = error.message
    elif getattr(error, "description", None) and code == 403:
        message = error.description
    else:
        message = MESSAGES.get(code, MESSAGES[500])
    return render("error.html", code, message=message)


def handle_unexpected(error: Exception):
    """Roll back, log, and answer 500 in the terminal's encoding."""
    log.exception("unexpected error", exc_info=error)
    db.get_session().rollback()
    return render("error.html", 500, message=MESSAGES[500])


def init_app(app: Flask) -> None:
    """Register the blueprint and the error handlers."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
