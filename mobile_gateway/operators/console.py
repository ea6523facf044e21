"""What every page of the operators' console shares: who may see it, its language, its pages.

The console is a PC web page (UTF-8) under ``/admin``: the emoji table
(:mod:`.console_views`), the service period (:mod:`.period_views`) and the carrier gateway
ranges (:mod:`.ranges_views`). Console pages are rendered as plain UTF-8 HTML by
:func:`page`, not through :func:`..phone.outbound.render`: the console shows internal text
as it is (code points for carrier-only emoji), not as a terminal's page. Every form carries
``form_fields()`` (charset probe and CSRF token) like the handset pages, and the request
path decodes it into ``g.form``.

**Language.** The console speaks English or Japanese (:mod:`..phone.i18n`, Babel's gettext
catalogs): the one the operator chose with the switch on every page (a cookie,
:data:`LANGUAGE_COOKIE`), else Japanese when the browser's ``Accept-Language`` prefers it to
English, else English. :func:`speak` puts it in force for the request (a ``before_request``
of each console blueprint, with :func:`stop_speaking` as its teardown), so the messages of
the domain modules come in it too; templates translate with ``_()`` and ``ngettext()``
(Jinja's i18n extension, which :func:`install_gettext` adds when a console blueprint is
registered). Dates and times are Japan time, written as the language writes them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState

from carrier_emoji import EmojiIndex

from ..phone import i18n, terminals
from ..storage import db
from . import emoji_layer, emoji_notation
from .emoji_changes import ACTION_LABELS, MAX_REASON_CHARS
from .emoji_layer import CARRIER_LABELS
from .emoji_notation import FIELD_LABELS, describe_key, format_code

__all__ = [
    "CONSOLE_POLICY",
    "LANGUAGE_COOKIE",
    "actor",
    "choose_language",
    "install_gettext",
    "page",
    "private",
    "require_operator",
    "safe_next",
    "speak",
    "speaks",
    "stop_speaking",
]

#: The cookie that keeps the operator's choice of language (``en`` or ``ja``).
LANGUAGE_COOKIE = "console_lang"
#: How long the choice is kept, in seconds (a year).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
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


# Language. -----------------------------------------------------------------------------------
def choose_language() -> str:
    """Return the language of this request: the switch's cookie, else Accept-Language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in i18n.LOCALES:
        return chosen
    return request.accept_languages.best_match(i18n.LOCALES) or i18n.DEFAULT


def speak() -> None:
    """Put the request's language in force (``before_request`` of the console blueprints)."""
    if "console_language" not in g:
        g.console_language = i18n.activate(choose_language())


def stop_speaking(_error: BaseException | None = None) -> None:
    """Put back the language in force before the request (its teardown)."""
    token = g.pop("console_language", None)
    if token is not None:
        i18n.reset(token)


def _template_gettext(message: str) -> str:
    return i18n.catalog(i18n.current()).gettext(message)


def _template_ngettext(singular: str, plural: str, num: int) -> str:
    return i18n.catalog(i18n.current()).ngettext(singular, plural, num)


def install_gettext(state: BlueprintSetupState) -> None:
    """Give the app's templates ``_()`` and ``ngettext()`` in the language in force.

    Jinja fills in ``%(name)s`` itself, escaping the values (newstyle gettext).
    """
    env = state.app.jinja_env
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)


def speaks(bp: Blueprint) -> Blueprint:
    """Make the pages of the console blueprint *bp* speak the operator's language."""
    bp.record_once(install_gettext)
    bp.before_request(speak)
    bp.teardown_request(stop_speaking)
    return bp


def safe_next(target: str | None) -> str:
    """Return *target* when it is a console page of this site, else the console's start."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and "\\" not in target
            and (parts.path == "/admin" or parts.path.startswith("/admin/"))
        ):
            return target
    return url_for("admin.index")


def _here() -> str:
    """The page the language switch comes back to: this one, or for a form's answer the
    page the form was on (a POST cannot be repeated by a link)."""
    if request.method == "GET":
        query = request.query_string.decode("latin-1")
        return request.path + (f"?{query}" if query else "")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
    return url_for("admin.index")


# Pages. --------------------------------------------------------------------------------------
def page(template: str, status: int = 200, **context) -> Response:
    """Render a console page as UTF-8 HTML, in the language in force."""
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
        when=i18n.format_datetime,
        show_value=emoji_notation.show_value,
        field_label=_field_label,
        action_label=_action_label,
        language=i18n.current(),
        languages=i18n.LOCALE_NAMES,
        here=_here(),
        max_reason=MAX_REASON_CHARS,
        **context,
    )
    return Response(html, status, content_type="text/html; charset=UTF-8")


def _glyph(row) -> str:
    """What a PC shows for a row: the emoji, or for a carrier-only one the emoji it means."""
    if EmojiIndex.is_carrier_only(row.key):
        return row.fit or ""
    return row.key


def _field_label(name: str) -> str:
    return i18n.gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def _action_label(action: str) -> str:
    return i18n.gettext(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def actor() -> str:
    """Return the name the audit log records for the signed-in operator."""
    return g.user.name
