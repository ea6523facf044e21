"""The operators' console: a PC web page (UTF-8) under ``/admin``, in English or Japanese.

Look a mapping up by any key, change it after a preview on every terminal, read the
audit log (each change as a before/after table, with its reason) and revert after a
preview, import and export the operator layer as CSV, check the table. Every change asks
for the operator's reason (a 400 page without one). Operators only
(``g.user.is_operator``) on a PC: handsets, smartphones and ordinary users get 403,
signed-out visitors the sign-in page. The work is done by the ``emoji_*`` modules (see
:mod:`.emoji_layer`); a saved change is put in force here at once and reaches the other
instances through :mod:`.emoji_sync`. What every console page shares (the language
included: :func:`.console.speaks`) is in :mod:`.console`.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for

from carrier_emoji import EmojiRow

from ..accounts import sessions, web_session
from ..phone import i18n, terminals
from ..phone.i18n import gettext as _
from ..storage import db
from ..storage.models import MAX_ID, EmojiAuditEntry, utcnow
from . import (
    console_forms,
    emoji_changes,
    emoji_checks,
    emoji_csv,
    emoji_layer,
    emoji_lookup,
    emoji_notation,
    emoji_review,
    emoji_sync,
)
from .console import (
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_AGE,
    actor,
    page,
    private,
    require_operator,
    safe_next,
    speaks,
)
from .emoji_layer import CARRIER_LABELS, LayerError

bp = speaks(Blueprint("admin", __name__, url_prefix="/admin"))
bp.before_request(require_operator)
bp.after_request(private)

#: Audit entries per page.
AUDIT_PAGE_SIZE = 50
_KEY = console_forms.KEY


@bp.url_value_preprocessor
def _allow_large_imports(endpoint: str | None, values: dict | None) -> None:
    """Let an operator's CSV import be larger than a handset form.

    This runs before the body is read, so before :func:`require_operator` and the CSRF
    check: the session is looked up here from the cookie (or the URL's ``sid``), and only
    an operator on a PC gets the larger limit. Anyone else keeps ``MAX_CONTENT_LENGTH``
    (else anybody could make every instance read and decode megabytes for a 403).
    """
    if endpoint == "admin.import_csv" and _operator_on_pc():
        try:
            request.max_content_length = current_app.config["ADMIN_MAX_CONTENT_LENGTH"]
        except AttributeError:  # Flask < 3.1: the app-wide limit applies
            pass


def _operator_on_pc() -> bool:
    """Return whether the request's session (cookie or ``sid``) is an operator's on a PC."""
    terminal = terminals.detect(request.headers, request.remote_addr, secure=request.is_secure)
    if terminal.carrier != terminals.PC or terminal.is_crawler or not terminal.cookies:
        return False
    auth = sessions.load(
        db.get_session(),
        request.cookies.get(web_session.COOKIE_NAME),  # a PC's session is in its cookie only
        sessions.TerminalBinding(terminal.carrier, terminal.model, terminal.full_browser),
        idle_timeout=web_session._idle_timeout(),
    )
    return auth is not None and auth.user is not None and auth.user.is_operator


def _key_arg(value: str) -> str:
    try:
        return emoji_notation.parse_key(value)
    except LayerError as error:
        abort(page("problem.html", 400, problems=error.problems))


@bp.route("/")
def index():
    """Show the look-up box, the carrier-only form and the latest changes."""
    session = db.get_session()
    return page(
        "index.html",
        layer_count=len(emoji_layer.load_layer(session)),
        entries=emoji_changes.audit_entries(session, limit=5),
    )


@bp.route("/emoji")
def lookup():
    """Find mappings by an emoji, a name, or a carrier code in any notation."""
    query = g.args.get("q", "")
    carrier = g.args.get("carrier") or None
    if carrier not in CARRIER_LABELS:
        carrier = None
    layer = emoji_layer.load_layer(db.get_session())
    matches = emoji_lookup.lookup(emoji_layer.effective_index(layer), query, carrier)
    return page(
        "lookup.html",
        query=query,
        carrier=carrier,
        matches=matches,
        layer=layer,
        saved=g.args.get("saved", type=int),
    )


@bp.route("/emoji/edit")
def edit():
    """Show the form to change one row (or to add one for an emoji not in the table)."""
    key = _key_arg(g.args.get(_KEY, ""))
    layer = emoji_layer.load_layer(db.get_session())
    row = emoji_layer.effective_row(layer, key) or EmojiRow(key)
    return page(
        "edit.html", key=key, row=row, in_layer=key in layer, fields=console_forms.fields_of(row)
    )


def _preview_page(change, problems, layer, status=None, reason_problems=(), reason=""):
    """Review a proposed change (unless already refused) and show the preview page."""
    session = db.get_session()
    result = None
    if change and not problems:
        result = emoji_review.review(layer, change, emoji_layer.read_version(session) or 0)
        problems = result.problems
    return page(
        "preview.html",
        status or (200 if not problems else 422),
        change=change,
        result=result,
        problems=problems,
        reason_problems=reason_problems,
        reason=reason,
        expected=g.form.get("expected") or console_forms.expected_field(layer, change),
        save_fields={k: console_forms.fields_of(r) if r else None for k, r in change.items()},
    )


@bp.route("/emoji/preview", methods=("POST",))
def preview():
    """Validate a proposed change and show every terminal's sample echo before and after."""
    change, problems, layer = console_forms.proposal(db.get_session())
    return _preview_page(change, problems, layer)


@bp.route("/emoji/save", methods=("POST",))
def save():
    """Save a previewed change (checked again) with its reason, log it, and put it in force.

    Without a reason the preview is shown again, saying so (400): nothing is saved.
    """
    session = db.get_session()
    change, problems, layer = console_forms.proposal(session)
    reason = g.form.get("reason", "")
    if not problems and change:
        try:
            emoji_changes.check_reason(reason)
        except LayerError as error:
            return _preview_page(change, [], layer, 400, error.problems, reason)
        action = "remove" if list(change.values()) == [None] else "set"
        try:
            result = emoji_changes.apply(
                session,
                change,
                actor(),
                action,
                expected=console_forms.expected_from_form(),
                reason=reason,
            )
        except LayerError as error:
            problems = error.problems
        else:
            emoji_sync.adopt(result.version, result.index)
            key = next(iter(change))
            return redirect(
                url_for("admin.lookup", q=emoji_notation.key_text(key), saved=result.version)
            )
    return page(
        "preview.html",
        409,
        change=change,
        result=None,
        problems=problems or [_("nothing to save")],
        reason_problems=(),
        reason=reason,
        expected=console_forms.expected_field(layer, change),
        save_fields={},
    )


@bp.route("/audit")
def audit():
    """List the changes, newest first: each as a before/after table with its reason."""
    key = g.args.get(_KEY)
    before = g.args.get("before", type=int)
    if before is not None and not 0 < before <= MAX_ID:
        before = None  # names no entry; the database would refuse the number (a 500)
    entries = emoji_changes.audit_entries(
        db.get_session(), AUDIT_PAGE_SIZE, before, _key_arg(key) if key else None
    )
    return page(
        "audit.html",
        entries=entries,
        key=key,
        reverted=g.args.get("reverted", type=int),
        reverted_version=g.args.get("version", type=int),
        more=entries[-1].id if len(entries) == AUDIT_PAGE_SIZE else None,
        diff=emoji_changes.audit_diff,
    )


def _revert_page(entry_id: int, status=None, reason_problems=(), reason="", problems=()):
    """Show what reverting entry *entry_id* would do: the same preview as a save's."""
    session = db.get_session()
    entry = session.get(EmojiAuditEntry, entry_id)
    if entry is None:
        abort(404)
    result = None
    problems = list(problems)
    if not problems:
        try:
            plan = emoji_changes.plan_revert(session, entry_id)
        except LayerError as error:
            problems = error.problems
        else:
            layer = emoji_layer.load_layer(session)
            version = emoji_layer.read_version(session) or 0
            result = emoji_review.review(layer, plan.change, version)
            problems = result.problems
    return page(
        "revert.html",
        status or (409 if problems else 200),
        entry=entry,
        diff=emoji_changes.audit_diff(entry),
        result=result,
        problems=problems,
        reason_problems=reason_problems,
        reason=reason,
    )


@bp.route("/audit/<int:entry_id>/revert", methods=("GET", "POST"))
def revert(entry_id: int):
    """Preview the revert of one change (GET), or do it with the operator's reason (POST).

    The preview is a save's: what it puts back, on every terminal. The revert is logged
    like any change; without a reason the preview comes back, saying so (400).
    """
    if request.method == "GET":
        return _revert_page(entry_id)
    reason = g.form.get("reason", "")
    try:
        emoji_changes.check_reason(reason)
    except LayerError as error:
        return _revert_page(entry_id, 400, error.problems, reason)
    try:
        result = emoji_changes.revert(db.get_session(), entry_id, actor(), reason=reason)
    except LayerError as error:
        return _revert_page(entry_id, 409, reason=reason, problems=error.problems)
    emoji_sync.adopt(result.version, result.index)
    return redirect(url_for("admin.audit", reverted=entry_id, version=result.version))


@bp.route("/language/<code>")
def language(code: str):
    """Switch the console's language (kept in a cookie) and go back to the page."""
    if code not in i18n.LOCALES:
        abort(404)
    response = redirect(safe_next(g.args.get("next")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=LANGUAGE_COOKIE_AGE,
        path="/admin",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/export.csv")
def export_csv():
    """Download the operator layer as CSV."""
    out = io.StringIO()
    emoji_csv.export_csv(emoji_layer.load_layer(db.get_session()), out)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        out.getvalue().encode("utf-8"),
        content_type="text/csv; charset=UTF-8",
        headers={"Content-Disposition": f'attachment; filename="emoji-layer-{stamp}.csv"'},
    )


@bp.route("/import", methods=("GET", "POST"))
def import_csv():
    """Paste CSV; a dry run reports what would change, a real run applies it."""
    plan = None
    done = None
    reason_problems = []
    text = g.form.get("csv", "")
    replace = g.form.get("replace") == "on"
    reason = g.form.get("reason", "")
    if request.method == "POST":
        session = db.get_session()
        plan = emoji_csv.plan_import(session, text, replace=replace)
        if g.form.get("run") == "yes" and plan.ok and plan.change:
            try:
                emoji_changes.check_reason(reason)
            except LayerError as error:
                reason_problems = error.problems
            else:
                try:
                    result = emoji_csv.import_csv(session, plan, actor(), reason=reason)
                except LayerError as error:
                    plan.problems.extend(error.problems)
                else:
                    emoji_sync.adopt(result.version, result.index)
                    done = result.version
    status = 422 if plan is not None and not plan.ok else 400 if reason_problems else 200
    return page(
        "import.html",
        status,
        plan=plan,
        text=text,
        replace=replace,
        done=done,
        reason=reason,
        reason_problems=reason_problems,
    )


@bp.route("/check")
def check():
    """Validate the effective table: layer rows, codes taken once, every round trip."""
    problems = emoji_checks.check_table(emoji_layer.load_layer(db.get_session()))
    return page("check.html", 200 if not problems else 409, problems=problems)
