"""The operators' console: a PC web page (UTF-8) under ``/admin``.

Look a mapping up by any key, change it after a preview on every terminal, read the
audit log and revert, import and export the operator layer as CSV, check the table.
Operators only (``g.user.is_operator``) on a PC: handsets, smartphones and ordinary users
get 403, signed-out visitors the sign-in page. The work
is done by the ``emoji_*`` modules (see :mod:`.emoji_layer`); a saved change is put in
force here at once and reaches the other instances through :mod:`.emoji_sync`. What
every console page shares is in :mod:`.console`.
"""

from __future__ import annotations

import io
import json

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for

from carrier_emoji import EmojiRow

from ..accounts import sessions, web_session
from ..phone import terminals
from ..storage import db
from ..storage.models import MAX_ID, utcnow
from . import (
    emoji_changes,
    emoji_checks,
    emoji_csv,
    emoji_layer,
    emoji_lookup,
    emoji_notation,
    emoji_review,
    emoji_sync,
)
from .console import actor, page, private, require_operator
from .emoji_layer import CARRIER_LABELS, FIELDS, LayerError
from .emoji_notation import describe_key, format_code

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_operator)
bp.after_request(private)

#: Audit entries per page.
AUDIT_PAGE_SIZE = 50
#: Key in a form or URL: the emoji, or its code points.
_KEY = "key"


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
        abort(Response(str(error), 400, content_type="text/plain; charset=UTF-8"))


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
        saved=g.args.get("saved"),
    )


@bp.route("/emoji/edit")
def edit():
    """Show the form to change one row (or to add one for an emoji not in the table)."""
    key = _key_arg(g.args.get(_KEY, ""))
    layer = emoji_layer.load_layer(db.get_session())
    row = emoji_layer.effective_row(layer, key) or EmojiRow(key)
    return page("edit.html", key=key, row=row, in_layer=key in layer, fields=_fields_of(row))


def _fields_of(row) -> dict[str, str]:
    """Return a row as form text."""
    values = {}
    for name in FIELDS[1:]:
        value = getattr(row, name)
        if name in emoji_layer.CODE_FIELDS or name == "google":
            values[name] = format_code(value)
        else:
            values[name] = "" if value is None else str(value)
    return values


def _proposal(session) -> tuple[dict, list[str], dict]:
    """Read the change the form proposes: (change, problems, layer)."""
    layer = emoji_layer.load_layer(session)
    op = g.form.get("op", "set")
    try:
        if op == "carrier_only":
            carrier = g.form.get("carrier", "")
            if carrier not in CARRIER_LABELS:
                raise LayerError("carrier: choose DoCoMo, au or SoftBank")
            code = emoji_notation.parse_code(carrier, g.form.get("code", ""), "code")
            if code is None:
                raise LayerError("code: empty")
            means = g.form.get("means", "").strip()
            row = emoji_lookup.propose_carrier_only(
                emoji_layer.effective_index(layer),
                carrier,
                code,
                emoji_notation.parse_key(means) if means else None,
                g.form.get("name_ja", "").strip() or None,
            )
            return {row.key: row}, [], layer
        key = emoji_notation.parse_key(g.form.get(_KEY, ""))
        if op == "remove":
            if key not in layer:
                raise LayerError(f"{describe_key(key)} has no operator row to remove")
            return {key: None}, [], layer
        base = emoji_layer.effective_row(layer, key) or EmojiRow(key)
        fields = {name: g.form[name] for name in FIELDS[1:] if name in g.form}
        row, problems = emoji_notation.row_from_fields(fields, base)
        return {key: row}, problems, layer
    except LayerError as error:
        return {}, error.problems, layer


def _expected_field(layer, change) -> str:
    """The layer rows the preview was made against, as ASCII JSON for a hidden field."""
    return json.dumps({k: emoji_notation.row_to_json(layer.get(k)) for k in change})


def _expected_from_form() -> dict | None:
    raw = g.form.get("expected")
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return {k: emoji_notation.row_from_json(v) for k, v in data.items()}
    except (ValueError, TypeError, AttributeError):
        abort(400)


@bp.route("/emoji/preview", methods=("POST",))
def preview():
    """Validate a proposed change and show every terminal's sample echo before and after."""
    session = db.get_session()
    change, problems, layer = _proposal(session)
    result = None
    if change and not problems:
        result = emoji_review.review(layer, change, emoji_layer.read_version(session) or 0)
        problems = result.problems
    return page(
        "preview.html",
        200 if not problems else 422,
        change=change,
        result=result,
        problems=problems,
        expected=_expected_field(layer, change),
        save_fields={k: _fields_of(r) if r else None for k, r in change.items()},
    )


@bp.route("/emoji/save", methods=("POST",))
def save():
    """Save a previewed change (checked again), log it, and put it in force here at once."""
    session = db.get_session()
    change, problems, layer = _proposal(session)
    if not problems and change:
        action = "remove" if list(change.values()) == [None] else "set"
        try:
            result = emoji_changes.apply(
                session, change, actor(), action, expected=_expected_from_form()
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
        problems=problems or ["nothing to save"],
        expected=_expected_field(layer, change),
        save_fields={},
    )


@bp.route("/audit")
def audit():
    """List the changes, newest first, each with a button to revert it."""
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
        message=g.args.get("message"),
        error=g.args.get("error"),
        more=entries[-1].id if len(entries) == AUDIT_PAGE_SIZE else None,
        as_json=emoji_changes.audit_json,
    )


@bp.route("/audit/<int:entry_id>/revert", methods=("POST",))
def revert(entry_id: int):
    """Undo one change; the revert is logged like any change."""
    try:
        result = emoji_changes.revert(db.get_session(), entry_id, actor())
    except LayerError as error:
        return redirect(url_for("admin.audit", error=f"Revert of #{entry_id} refused: {error}"))
    emoji_sync.adopt(result.version, result.index)
    return redirect(
        url_for("admin.audit", message=f"Reverted #{entry_id}: table version {result.version}.")
    )


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
    text = g.form.get("csv", "")
    replace = g.form.get("replace") == "on"
    if request.method == "POST":
        session = db.get_session()
        plan = emoji_csv.plan_import(session, text, replace=replace)
        if g.form.get("run") == "yes" and plan.ok and plan.change:
            try:
                result = emoji_csv.import_csv(session, plan, actor())
            except LayerError as error:
                plan.problems.extend(error.problems)
            else:
                emoji_sync.adopt(result.version, result.index)
                done = result.version
    status = 422 if plan is not None and not plan.ok else 200
    return page("import.html", status, plan=plan, text=text, replace=replace, done=done)


@bp.route("/check")
def check():
    """Validate the effective table: layer rows, codes taken once, every round trip."""
    problems = emoji_checks.check_table(emoji_layer.load_layer(db.get_session()))
    return page("check.html", 200 if not problems else 409, problems=problems)
