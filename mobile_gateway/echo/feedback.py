"""One-line confirmations after an action, carried in the redirect's URL (``?m=posted``).

Nothing is stored per request and no cookie is needed: the page the action redirects to
says what happened, once; links on it do not carry ``m`` further. Only the codes below
mean anything, so no text of the URL ever reaches a page. No Flask here.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "PARAM", "message"]

#: Query parameter that carries the code.
PARAM = "m"
#: What each code says.
MESSAGES = {
    "posted": "エコーしました",
    "replied": "返信しました",
    "deleted": "エコーを削除しました",
    "requested": "マイミク申請しました",
    "accepted": "マイミクになりました",
    "refused": "マイミク申請をお断りしました",
    "cancelled": "マイミク申請を取り消しました",
    "removed": "マイミクを解除しました",
    "profile": "プロフィールを保存しました",
    "welcome": "登録しました。表示名とひとことを設定できます",
    "echo_on": "Echoをオンにしました",
    "echo_off": "Echoをオフにしました",
}


def message(code: str | None) -> str | None:
    """Return the confirmation for *code*, or None for no code or an unknown one."""
    return MESSAGES.get(code) if isinstance(code, str) else None
