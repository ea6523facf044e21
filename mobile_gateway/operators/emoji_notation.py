"""Keys, carrier codes and rows of the emoji layer as people type and read them.

A key is the emoji itself, ``:name:``/``:名前:``, or code points (``U+1016A6`` for a
carrier-only emoji). A carrier code is Shift_JIS hex (``F89F``), the carrier's
private-use code point (``U+E63E``) or, for SoftBank, a webcode (``$Gj``). Rows go to
JSON for the audit log, and come from form or CSV text fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import emoji as emoji_package

from carrier_emoji import EmojiIndex, EmojiRow, notations

from ..phone.i18n import N_
from ..phone.i18n import gettext as _
from .emoji_layer import CARRIER_LABELS, CODE_FIELDS, FIELDS, LayerError

__all__ = [
    "CARRIER_CODES",
    "CODEPOINTS_RE",
    "FIELD_LABELS",
    "HEX_CODE_RE",
    "KDDI_SJIS_BY_WEB",
    "PUA_OF",
    "SJIS_BY_PUA",
    "WEBCODE_RE",
    "code_notations",
    "codepoints",
    "describe_key",
    "format_code",
    "key_text",
    "parse_code",
    "parse_key",
    "qualify",
    "row_from_fields",
    "row_from_json",
    "row_to_json",
    "show_value",
]

#: The Shift_JIS codes of each carrier's emoji cells.
CARRIER_CODES = {
    "docomo": frozenset(notations.DOCOMO_CODES),
    "au": frozenset(notations.KDDI_CODES),
    "softbank": frozenset(notations.SOFTBANK_CODES),
}
#: Shift_JIS code -> the carrier's private-use code point, per carrier.
PUA_OF = {
    "docomo": notations.docomo_pua,
    "au": notations.kddi_pua,
    "softbank": notations.softbank_pua,
}
#: Private-use code point -> Shift_JIS code, per carrier (au: official code points).
SJIS_BY_PUA = {
    carrier: {PUA_OF[carrier](code): code for code in CARRIER_CODES[carrier]} for carrier in PUA_OF
}
#: au's "web" code point (sent from UTF-8 forms) -> Shift_JIS code.
KDDI_SJIS_BY_WEB = {notations.kddi_web_pua(code): code for code in notations.KDDI_CODES}
#: A SoftBank webcode as typed: ``$Gj``, ``ESC$GjSI``, ``\\x1b$Gj\\x0f``.
WEBCODE_RE = re.compile(r"(?:ESC|\\x1b|\x1b)?\s*\$([GEFOPQ])([\x21-\x7a])\s*(?:SI|\x0f)?")
#: A Shift_JIS code in hex: ``F89F``, ``0xF89F``.
HEX_CODE_RE = re.compile(r"(?:0x)?([0-9A-Fa-f]{4})")
#: Code points: ``U+2600 U+FE0F``.
CODEPOINTS_RE = re.compile(r"(?:[Uu]\+[0-9A-Fa-f]{4,6}[\s,]*)+")
#: What each field of a row is called on the console and in the commands (translate on use).
FIELD_LABELS = {
    "docomo": N_("DoCoMo code"),
    "au": N_("au code"),
    "softbank": N_("SoftBank code"),
    "docomo_fit": N_("DoCoMo best fit"),
    "au_fit": N_("au best fit"),
    "softbank_fit": N_("SoftBank best fit"),
    "google": N_("Google code point"),
    "name_ja": N_("name (text fallback)"),
    "fit": N_("means (fit)"),
    "localsrc": N_("au localsrc"),
}


def format_code(code: int | tuple[int, ...] | None) -> str:
    """Write a Shift_JIS code (or Google code point) as hex, ``""`` for none; a sequence
    best fit as its codes joined by ``+``: ``F89F+F8A0``."""
    if isinstance(code, tuple):
        return "+".join(f"{c:04X}" for c in code)
    return "" if code is None else f"{code:04X}"


def parse_fit(carrier: str, text: str, name: str) -> int | tuple[int, ...] | None:
    """Read a best fit: one code as :func:`parse_code` reads it, or two joined by ``+``."""
    if "+" not in text:
        return parse_code(carrier, text, name)
    parts = [part.strip() for part in text.split("+")]
    if len(parts) != 2 or not all(parts):
        raise LayerError(
            _(
                "%(field)s: %(text)r is not one code or two joined by + (F89F+F8A0)",
                field=name,
                text=text,
            )
        )
    return tuple(parse_code(carrier, part, name) for part in parts)


def codepoints(text: str) -> str:
    """Write *text* as code points: ``U+2600 U+FE0F``."""
    return " ".join(f"U+{ord(c):04X}" for c in text)


def describe_key(key: str) -> str:
    """Name an emoji for people: the emoji and its code points, or the carrier-only code."""
    parsed = notations.parse_carrier_only(key) if len(key) == 1 else None
    if parsed is not None:
        carrier, pua = parsed
        code = SJIS_BY_PUA[carrier].get(pua)
        return _(
            "%(points)s (%(carrier)s-only %(code)s)",
            points=codepoints(key),
            carrier=CARRIER_LABELS[carrier],
            code=format_code(code) or "?",
        )
    return f"{key} ({codepoints(key)})"


def key_text(key: str) -> str:
    """Write a key for a CSV cell or a form: the emoji, or code points for carrier-only ones."""
    return codepoints(key) if EmojiIndex.is_carrier_only(key) else key


@lru_cache(maxsize=1)
def _qualified_by_bare() -> dict[str, str]:
    """Map each emoji spelled without U+FE0F to its fully-qualified spelling."""
    fully = emoji_package.STATUS["fully_qualified"]
    return {
        spelled.replace("\ufe0f", ""): spelled
        for spelled, data in emoji_package.EMOJI_DATA.items()
        if data["status"] == fully
    }


def qualify(text: str) -> str:
    """Return the fully-qualified spelling of an emoji (``☀`` -> ``☀️``), else *text*."""
    return _qualified_by_bare().get(text.replace("\ufe0f", ""), text)


def parse_key(text: str) -> str:
    """Read a key as typed: the emoji, ``:sun:``/``:太陽:``, or code points (``U+1016A6``).

    :raises LayerError: nothing usable was given.
    """
    text = text.strip()
    if not text:
        raise LayerError(_("key: empty"))
    if CODEPOINTS_RE.fullmatch(text):
        key = "".join(chr(int(h, 16)) for h in re.findall(r"[Uu]\+([0-9A-Fa-f]+)", text))
    elif text.startswith(":") and text.endswith(":") and len(text) > 2:
        key = emoji_package.emojize(text)
        if key == text:
            key = emoji_package.emojize(text, language="ja")
        if key == text:
            raise LayerError(_("key: no emoji is named %(name)s", name=text))
    else:
        key = text
    return key if EmojiIndex.is_carrier_only(key) else qualify(key)


def parse_code(carrier: str, text: str, field_name: str | None = None) -> int | None:
    """Read a carrier code as typed: Shift_JIS hex, the private-use code point, a webcode.

    :raises LayerError: not a code of one of *carrier*'s emoji cells.
    """
    name = field_name or carrier
    text = text.strip()
    if not text:
        return None
    code = None
    if match := HEX_CODE_RE.fullmatch(text):
        code = int(match.group(1), 16)
    elif match := re.fullmatch(r"[Uu]\+([0-9A-Fa-f]{4})", text):
        point = int(match.group(1), 16)
        code = SJIS_BY_PUA[carrier].get(point)
        if carrier == "au" and code is None:
            code = KDDI_SJIS_BY_WEB.get(point)
        if code is None:
            raise LayerError(
                _(
                    "%(field)s: %(text)s is no %(carrier)s code point",
                    field=name,
                    text=text,
                    carrier=CARRIER_LABELS[carrier],
                )
            )
    elif carrier == "softbank" and (match := WEBCODE_RE.fullmatch(text)):
        pua = notations.WEBCODE_GROUPS[ord(match.group(1))] << 8 | ord(match.group(2)) - 0x20
        code = SJIS_BY_PUA["softbank"].get(pua)
        if code is None:
            raise LayerError(_("%(field)s: %(text)s is no SoftBank webcode", field=name, text=text))
    else:
        raise LayerError(
            _("%(field)s: %(text)r is not a Shift_JIS code such as F89F", field=name, text=text)
        )
    if code not in CARRIER_CODES[carrier]:
        raise LayerError(
            _(
                "%(field)s: %(code)s is not one of %(carrier)s's emoji codes",
                field=name,
                code=format_code(code),
                carrier=CARRIER_LABELS[carrier],
            )
        )
    return code


def code_notations(carrier: str, code: int) -> dict[str, str]:
    """Every notation of one carrier code, for the console."""
    pua = PUA_OF[carrier](code)
    result = {"Shift_JIS": f"{code:04X}", "Unicode": f"U+{pua:04X}"}
    if carrier == "docomo":
        result["NCR"] = f"&#{code};"
    elif carrier == "au":
        result["web"] = f"U+{notations.kddi_web_pua(code):04X}"
    else:
        result["webcode"] = "ESC" + notations.softbank_webcode(pua)[1:4].decode() + " SI"
    return result


def row_to_json(row: EmojiRow | None) -> dict | None:
    """Return a layer row as JSON-ready data (codes in hex), for the audit log."""
    if row is None:
        return None
    data = row._asdict()
    for name in CODE_FIELDS + ("google",):
        data[name] = format_code(data[name]) or None
    return data


def row_from_json(data: Mapping | None) -> EmojiRow | None:
    """Read back :func:`row_to_json`."""
    if data is None:
        return None
    values = {name: data.get(name) for name in FIELDS}
    for name in CODE_FIELDS + ("google",):
        if values[name] is not None:
            codes = tuple(int(part, 16) for part in values[name].split("+"))
            values[name] = codes if len(codes) > 1 else codes[0]
    return EmojiRow(**values)


def row_from_fields(fields: Mapping[str, str], base: EmojiRow) -> tuple[EmojiRow, list[str]]:
    """Build a row from form or CSV text fields; fields not given keep *base*'s values.

    Returns the row and the problems found reading it (then the row holds *base* values).
    """
    values = base._asdict()
    problems = []
    for name in FIELDS[1:]:
        if name not in fields:
            continue
        text = (fields[name] or "").strip()
        try:
            if name.endswith("_fit"):
                values[name] = parse_fit(name.removesuffix("_fit"), text, name)
            elif name in CODE_FIELDS:
                values[name] = parse_code(name.removesuffix("_fit"), text, name)
            elif name == "google":
                values[name] = int(text, 16) if text else None
            elif name == "localsrc":
                values[name] = int(text) if text else None
            elif name == "fit":
                values[name] = parse_key(text) if text else None
            else:
                values[name] = text or None
        except LayerError as error:
            problems.extend(error.problems)
        except ValueError:
            problems.append(_("%(field)s: %(text)r is not a number", field=name, text=text))
    return EmojiRow(**values), problems


def show_value(name: str, value) -> str:
    """Show one field of a row for people: codes in hex, emoji with their code points."""
    if value is None:
        return "—"
    if name in CODE_FIELDS or name == "google":
        return format_code(value)
    if name == "fit":
        return describe_key(value)
    if name == "name_ja":
        return f"[{value}]"
    return str(value)
