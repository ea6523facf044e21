"""What every page of the operators' console shares: who may see it, and how it is rendered.

The console is a PC web page (UTF-8) under ``/admin``: the emoji table
(:mod:`.console_views`), the service period (:mod:`.period_views`) and the carrier gateway
ranges (:mod:`.ranges_views`). Console pages are rendered as plain UTF-8 HTML by
:func:`page`, not through :func:`..phone.outbound.render`: the console shows internal text
as it is (code points for carrier-only emoji), not as a terminal's page. Every form carries
``form_fields()`` (charset probe and CSRF token) like the handset pages, and the request
path decodes it into ``g.form``.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, g, redirect, render_template, url_for

from carrier_emoji import EmojiIndex

from ..echo import service_period
from ..phone import terminals
from ..storage import db
from . import emoji_layer, emoji_notation
from .emoji_layer import CARRIER_LABELS
from .emoji_notation import describe_key, format_code

__all__ = ["CONSOLE_POLICY", "actor", "page", "private", "require_operator"]

#: The console's own policy: its pages keep a ``<style>`` element; no script at all.
CONSOLE_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def require_operator():
    """Refuse anyone but a signed-in operator on a PC (every operator page's rule)."""
    if g.terminal.carrier != terminals.PC:
        abort(403, description="このページはPCからご利用ください")
    if g.user is None:
        return redirect(url_for("auth.login"))
    if not g.user.is_operator:
        abort(403, description="このページは運営者だけが表示できます")
    return None


def private(response: Response) -> Response:
    """Keep operator pages out of caches and frames (error pages and redirects included)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CONSOLE_POLICY
    return response


def page(template: str, status: int = 200, **context) -> Response:
    """Render a console page as UTF-8 HTML."""
    session = db.get_session()
    html = render_template(
        f"operators/{template}",
        version=emoji_layer.read_version(session) or 0,
        carriers=CARRIER_LABELS,
        describe_key=describe_key,
        key_text=emoji_notation.key_text,
        hexcode=format_code,
        codepoints=emoji_notation.codepoints,
        notations=emoji_notation.code_notations,
        glyph=_glyph,
        jst=_jst,
        show_value=_show_value,
        **context,
    )
    return Response(html, status, content_type="text/html; charset=UTF-8")


def _glyph(row) -> str:
    """What a PC shows for a row: the emoji, or for a carrier-only one the emoji it means."""
    if EmojiIndex.is_carrier_only(row.key):
        return row.fit or ""
    return row.key


def _jst(moment: datetime) -> str:
    return moment.astimezone(service_period.JST).strftime("%Y-%m-%d %H:%M:%S")


def _show_value(name: str, value) -> str:
    """Show one row field for people: codes in hex, emoji with their code points."""
    if value is None:
        return "—"
    if name in emoji_layer.CODE_FIELDS or name == "google":
        return format_code(value)
    if name == "fit":
        return describe_key(value)
    return str(value)


def actor() -> str:
    """Return the name the audit log records for the signed-in operator."""
    return g.user.name
