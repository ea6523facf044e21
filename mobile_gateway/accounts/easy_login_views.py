"""Easy login pages for phones: one-click sign-in, and binding or removing the phone.

DoCoMo sends ``X-DCMGUID`` only when the URL carries ``guid=ON``, so every easy-login link
and form action for DoCoMo carries it (:func:`easy_login_url`), and once a page was asked
for with ``guid=ON`` its internal links keep it (:func:`keep_guid`): a session bound to
the id at sign-in stays usable on the next page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, request

from ..gateways import rate_limits
from ..phone import urls
from ..phone.outbound import render
from ..storage import db
from . import easy_login, passwords, web_session
from .web_session import NO_SID_ENDPOINTS

__all__ = ["bp", "easy_login_url", "keep_guid"]

bp = Blueprint("easy_login", __name__)

#: Carriers whose phones send a subscriber id, and what the user knows it as.
ID_NAMES = {
    "docomo": "iモードID",
    "au": "EZ番号",
    "softbank": "ユーザーID",
}
#: What to do when the id does not arrive, per carrier.
ID_HINTS = {
    "docomo": "iモードIDを送信する設定にしてください（SSLのページでは送られません）",
    "au": "EZ番号を通知する設定にしてください",
    "softbank": "ユーザーIDを通知する設定にしてください",
}


def _docomo_phone() -> bool:
    """Return whether the request comes from a DoCoMo handset's own browser."""
    terminal = g.get("terminal")
    return terminal is not None and terminal.carrier == "docomo" and terminal.is_feature_phone


@bp.app_template_global()
def easy_login_url(endpoint: str, **values) -> str:
    """Return ``url_for(endpoint)``, with ``guid=ON`` for DoCoMo so that the id is sent."""
    if _docomo_phone():
        values.setdefault("guid", "ON")
    return urls.url_for(endpoint, **values)


@bp.app_url_defaults
def keep_guid(endpoint: str, values: dict) -> None:
    """Keep ``guid=ON`` on the internal links of a DoCoMo page that was asked for with it."""
    args = g.get("args")
    if (
        args is not None
        and args.get("guid", "").upper() == "ON"
        and _docomo_phone()
        and endpoint not in NO_SID_ENDPOINTS
    ):
        values.setdefault("guid", "ON")


def _unavailable_message() -> str:
    """Say why easy login cannot work on this terminal now."""
    terminal = g.terminal
    name = ID_NAMES.get(terminal.carrier)
    if name is None or not terminal.is_feature_phone:
        return "かんたんログインはドコモ・au・ソフトバンクの携帯電話でご利用いただけます"
    return f"この端末の{name}が取得できません。{ID_HINTS[terminal.carrier]}"


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _current_binding():
    """Return the binding of the phone making the request (trusted id only), if any."""
    subscriber_id = g.trusted_subscriber_id
    if not subscriber_id:
        return None
    return easy_login.binding_for(db.get_session(), _secret(), g.terminal.carrier, subscriber_id)


@bp.route("/easy-login", methods=("GET", "POST"))
def login():
    """Show the one-click sign-in button (GET); sign the phone in by its subscriber id (POST)."""
    if g.terminal.is_crawler:
        abort(403, description="このページは表示できません")
    available = bool(g.trusted_subscriber_id)
    error = None
    if request.method == "POST":
        binding = _current_binding()
        rate_limits.limit_easy_login(binding.user if binding is not None else None)
        if not available:
            error = _unavailable_message()
        elif binding is None:
            error = (
                "この端末はまだ登録されていません。ユーザー名とパスワードでログインしてから、"
                "かんたんログインの設定で登録してください"
            )
        else:
            user = easy_login.mark_used(db.get_session(), binding)
            web_session.sign_in(user, binding_id=binding.id)
            return web_session.redirect_after_sign_in()
    return render(
        "accounts/easy_login.html",
        400 if error else 200,
        error=error,
        available=available,
        unavailable_message=None if available else _unavailable_message(),
        resume=g.form.get(web_session.RESUME_FIELD) if error else None,
    )


def _settings_page(status: int = 200, error: str | None = None):
    """Render the settings page: the bound phones (masked), bind and remove buttons."""
    current = _current_binding()
    return render(
        "accounts/easy_login_settings.html",
        status,
        error=error,
        bindings=easy_login.bindings(db.get_session(), g.user),
        current=current,
        available=bool(g.trusted_subscriber_id),
        unavailable_message=None if g.trusted_subscriber_id else _unavailable_message(),
        id_name=ID_NAMES.get(g.terminal.carrier, "端末ID"),
    )


WRONG_PASSWORD = "パスワードが違います。登録・解除にはログインのパスワードが必要です"


def _password_checked() -> bool:
    """Return whether the form's password is the signed-in user's (counted like sign-in).

    Binding or removing a phone changes who can sign in without a password, so a stolen
    session id alone must not do it. A right password renews the session id.
    """
    rate_limits.limit_sign_in(g.user.name)
    if not passwords.verify_password(g.user.password_hash, g.form.get("password", "")):
        return False
    web_session.reauthenticated()
    return True


@bp.route("/settings/easy-login")
def settings():
    """Show whether this phone (and which others) can sign in with easy login."""
    web_session.require_sign_in()
    return _settings_page()


@bp.route("/settings/easy-login/bind", methods=("POST",))
@web_session.resumable("easy_login.settings")
def bind():
    """Bind the phone's subscriber id to the signed-in account (the password asked again)."""
    web_session.require_sign_in()
    if not g.trusted_subscriber_id:
        return _settings_page(400, _unavailable_message())
    if not _password_checked():
        return _settings_page(400, WRONG_PASSWORD)
    try:
        easy_login.bind(
            db.get_session(), g.user, _secret(), g.terminal.carrier, g.trusted_subscriber_id
        )
    except easy_login.BindingError as exc:
        return _settings_page(400, str(exc))
    return redirect(easy_login_url("easy_login.settings"))


@bp.route("/settings/easy-login/<int:binding_id>/remove", methods=("POST",))
@web_session.resumable("easy_login.settings")
def remove(binding_id: int):
    """Remove one of the account's bindings (the password asked again); the sessions it
    signed in end with it."""
    web_session.require_sign_in()
    if easy_login.binding_of(db.get_session(), g.user, binding_id) is None:
        abort(404)
    if not _password_checked():
        return _settings_page(400, WRONG_PASSWORD)
    easy_login.unbind(db.get_session(), g.user, binding_id)
    return redirect(easy_login_url("easy_login.settings"))
