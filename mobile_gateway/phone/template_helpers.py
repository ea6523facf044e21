"""Jinja helpers for pages: input modes and accesskeys of handsets, times, links."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from babel import dates
from flask import Flask, g
from markupsafe import Markup, escape

from .links import tokens
from .urls import url_for

__all__ = [
    "init_app",
    "input_mode",
    "iso_datetime",
    "jp_datetime",
    "keycap",
    "linkify",
    "relative_time",
]

#: Input modes by name: (i-mode/au/WILLCOM istyle, SoftBank mode, XHTML -wap-input-format).
INPUT_MODES = {
    "hiragana": ("1", "hiragana", "*<ja:h>"),
    "katakana": ("2", "hankakukana", "*<ja:hk>"),
    "alphabet": ("3", "alphabet", "*<ja:en>"),
    "numeric": ("4", "numeric", "*<ja:n>"),
}


def input_mode(mode: str = "hiragana") -> Markup:
    """Return the attributes that open a text box in *mode* on the request's handset."""
    istyle, softbank, wap = INPUT_MODES[mode]
    terminal = g.terminal
    if terminal.carrier == "softbank" and terminal.is_feature_phone:
        return Markup(' mode="{}"').format(softbank)
    if terminal.carrier in ("docomo", "au", "willcom") and terminal.is_feature_phone:
        attrs = Markup(' istyle="{}"').format(istyle)
        if terminal.content_type == "application/xhtml+xml" or terminal.carrier == "au":
            attrs += Markup(' style="-wap-input-format:{}"').format(f'"{wap}"')
        return attrs
    return Markup("")


def keycap(number: int | str) -> str:
    """Return the keycap emoji of a keypad key (``1️⃣``); pages show it in the carrier's codes."""
    return f"{number}\ufe0f\u20e3"


def accesskey(number: int | str) -> Markup:
    """Return the ``accesskey`` attribute of a keypad key."""
    return Markup(' accesskey="{}"').format(number)


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """Say how long ago *moment* was, the way Japanese phones show it (``3分前``)."""
    now = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "たった今"
    if seconds < 3600:
        return f"{seconds // 60}分前"
    if seconds < 86400:
        return f"{seconds // 3600}時間前"
    if seconds < 7 * 86400:
        return f"{seconds // 86400}日前"
    local = moment.astimezone(_JST)
    return f"{local.month}/{local.day}"


_JST = timezone(timedelta(hours=9), "JST")
#: Babel's pattern of :func:`jp_datetime` (``E``: the weekday's one-character name).
_JP_DATETIME = "y年M月d日(E) H:mm"


def _in_japan(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(_JST)


def jp_datetime(moment: datetime) -> str:
    """Write *moment* in Japan time the way Japanese readers write it: ``2009年6月1日(月) 21:00``."""
    return dates.format_datetime(_in_japan(moment), _JP_DATETIME, tzinfo=_JST, locale="ja")


def iso_datetime(moment: datetime) -> str:
    """Write *moment* for ``<time datetime>``, in Japan time: ``2009-06-01T21:00+09:00``."""
    return _in_japan(moment).isoformat(timespec="minutes")


def linkify(
    text: str, mentioned: Mapping[str, str] | None = None, exit_page: bool | None = None
) -> Markup:
    """Escape *text* and turn its URLs and known ``@name`` mentions into links (one pass).

    URLs are never shortened; on feature phones a link leaves through the exit page, so
    that the session id in the page's own URL never reaches the other site in a Referer.
    ``@name`` links only when *mentioned* (lowercased name -> URL of that user's page,
    from the echo's recorded mentions) has the name; any other ``@`` text stays text.
    """
    if exit_page is None:
        exit_page = g.terminal.is_feature_phone
    mentioned = mentioned or {}
    out = []
    for kind, value in tokens(text):
        if kind == "url":
            href = url_for("pages.exit", url=value) if exit_page else value
            out.append(Markup('<a href="{}">{}</a>').format(href, value))
        elif kind == "mention" and value.lower() in mentioned:
            out.append(Markup('<a href="{}">{}</a>').format(mentioned[value.lower()], value))
        else:
            out.append(escape(value))
    return Markup("").join(out)


def init_app(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.jinja_env.globals.update(
        input_mode=input_mode,
        keycap=keycap,
        accesskey=accesskey,
    )
    app.jinja_env.filters.update(
        relative_time=relative_time,
        linkify=linkify,
        jp_datetime=jp_datetime,
        iso_datetime=iso_datetime,
    )
