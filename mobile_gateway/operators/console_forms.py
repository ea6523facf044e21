"""The console's emoji forms: the change a form proposes, and the fields that carry it on.

A change is read from ``g.form`` (:func:`proposal`: set a row's fields, remove the operator
row, or give a carrier-only code a meaning) and carried from the preview to the save as
hidden fields (:func:`fields_of`) with the layer rows the preview was made against
(:func:`expected_field`, read back by :func:`expected_from_form`), so that a save is
refused when someone else changed a row in between.
"""

from __future__ import annotations

import json

from flask import abort, g

from carrier_emoji import EmojiRow

from ..phone.i18n import gettext as _
from . import emoji_layer, emoji_lookup, emoji_notation
from .emoji_layer import CARRIER_LABELS, FIELDS, LayerError
from .emoji_notation import describe_key, format_code

__all__ = ["KEY", "expected_field", "expected_from_form", "fields_of", "proposal"]

#: Key in a form or URL: the emoji, or its code points.
KEY = "key"


def fields_of(row) -> dict[str, str]:
    """Return a row as form text."""
    values = {}
    for name in FIELDS[1:]:
        value = getattr(row, name)
        if name in emoji_layer.CODE_FIELDS or name == "google":
            values[name] = format_code(value)
        else:
            values[name] = "" if value is None else str(value)
    return values


def proposal(session) -> tuple[dict, list[str], dict]:
    """Read the change the form proposes: (change, problems, layer)."""
    layer = emoji_layer.load_layer(session)
    op = g.form.get("op", "set")
    try:
        if op == "carrier_only":
            carrier = g.form.get("carrier", "")
            if carrier not in CARRIER_LABELS:
                raise LayerError(_("carrier: choose DoCoMo, au or SoftBank"))
            code = emoji_notation.parse_code(carrier, g.form.get("code", ""), "code")
            if code is None:
                raise LayerError(_("code: empty"))
            means = g.form.get("means", "").strip()
            row = emoji_lookup.propose_carrier_only(
                emoji_layer.effective_index(layer),
                carrier,
                code,
                emoji_notation.parse_key(means) if means else None,
                g.form.get("name_ja", "").strip() or None,
            )
            return {row.key: row}, [], layer
        key = emoji_notation.parse_key(g.form.get(KEY, ""))
        if op == "remove":
            if key not in layer:
                raise LayerError(
                    _("%(emoji)s has no operator row to remove", emoji=describe_key(key))
                )
            return {key: None}, [], layer
        base = emoji_layer.effective_row(layer, key) or EmojiRow(key)
        fields = {name: g.form[name] for name in FIELDS[1:] if name in g.form}
        row, problems = emoji_notation.row_from_fields(fields, base)
        return {key: row}, problems, layer
    except LayerError as error:
        return {}, error.problems, layer


def expected_field(layer, change) -> str:
    """The layer rows the preview was made against, as ASCII JSON for a hidden field."""
    return json.dumps({k: emoji_notation.row_to_json(layer.get(k)) for k in change})


def expected_from_form() -> dict | None:
    """Read back :func:`expected_field` from the form (None: not given; 400: garbled)."""
    raw = g.form.get("expected")
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return {k: emoji_notation.row_from_json(v) for k, v in data.items()}
    except (ValueError, TypeError, AttributeError):
        abort(400)
