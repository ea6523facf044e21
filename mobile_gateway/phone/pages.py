"""Pages of their own: the exit page for outside links, and the error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, g
from werkzeug.exceptions import HTTPException, default_exceptions

from ..storage import db
from .inbound import InvalidInput, program_error_handler
from .outbound import render

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

#: Key under ``app.extensions``: what runs before an error page is rendered.
_BEFORE_ERROR_PAGE = "mobile_gateway.before_error_page"

#: Messages of the error pages, in the terminal's own encoding like every page: one for
#: every status Werkzeug knows (its own descriptions are English).
MESSAGES = {
    400: "リクエストが正しくありません",
    401: "ログインが必要です",
    403: "このページは表示できません",
    404: "ページが見つかりません",
    405: "この操作はできません",
    406: "この端末に合う形でお見せできません",
    408: "時間がかかりすぎました。もう一度お試しください",
    409: "ほかの操作と重なりました。もう一度お試しください",
    410: "このページはなくなりました",
    411: "送信の長さがわかりません",
    412: "ページが変わっています。もう一度お試しください",
    413: "送信された内容が大きすぎます",
    414: "URLが長すぎます",
    415: "この形式の送信は受け付けていません",
    416: "指定された範囲がありません",
    417: "この送信は受け付けられません",
    418: "この操作はできません",
    421: "このページは表示できません",
    422: "送信された内容を処理できません",
    423: "いまは変更できません",
    424: "前の操作が失敗したため処理できません",
    428: "ページを開きなおしてからお試しください",
    429: "混み合っています。しばらくしてからお試しください",
    431: "送信されたヘッダーが大きすぎます",
    451: "このページは表示できません",
    500: "エラーが発生しました。しばらくしてからお試しください",
    501: "この操作には対応していません",
    502: "エラーが発生しました。しばらくしてからお試しください",
    503: "ただいま混み合っているか、メンテナンス中です。しばらくしてからお試しください",
    504: "時間がかかりすぎました。しばらくしてからお試しください",
    505: "この通信方式には対応していません",
}


def message_for(error: HTTPException) -> str:
    """Return the Japanese message of an HTTP error page.

    A Japanese description given on purpose (``abort(403, description="...")`` or a
    subclass's own, as the CSRF failure has) is shown; Werkzeug's English ones (its
    defaults, and those it raises itself, like the ``SecurityError`` of a bad host) never are.
    """
    code = error.code or 500
    if isinstance(error, InvalidInput):
        return error.message
    description = getattr(error, "description", None)
    default = default_exceptions.get(code)
    if (
        isinstance(description, str)
        and not description.isascii()
        and (default is None or description != default.description)
    ):
        return description
    if code in MESSAGES:
        return MESSAGES[code]
    return MESSAGES[400] if 400 <= code < 500 else MESSAGES[500]


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
    return render("error.html", code, message=message_for(error))


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
