"""The preview of a change: a sample echo as every page codec writes it, before and after."""

from __future__ import annotations

from dataclasses import dataclass

import carrier_emoji
from carrier_emoji import EmojiIndex, notations

from ..phone.i18n import N_
from ..phone.i18n import gettext as _
from .emoji_layer import CARRIER_LABELS
from .emoji_notation import CARRIER_CODES, SJIS_BY_PUA, WEBCODE_RE, code_notations, parse_code

__all__ = ["PAGE_CODECS", "SAMPLE_ECHO", "PreviewLine", "page_bytes", "preview_lines"]

#: The codecs pages are written in, and who receives each (translated where shown).
PAGE_CODECS = {
    "x-sjis-docomo": N_("DoCoMo i-mode (Shift_JIS)"),
    "x-sjis-kddi": N_("au EZweb (Shift_JIS)"),
    "x-utf8-softbank": N_("SoftBank 3G (UTF-8)"),
    "x-sjis-softbank-webcode": N_("J-PHONE / SoftBank 2G (webcode)"),
    "x-utf8-unicode": N_("PC and smartphone (Unicode)"),
}
#: The sample echo of the preview; ``{}`` is the emoji.
SAMPLE_ECHO = "今日は{}です"


@dataclass
class PreviewLine:
    """The sample echo as one page codec writes it, with the current and candidate table."""

    codec: str
    #: Who receives the page, in the language in force.
    terminal: str
    before: bytes
    after: bytes
    before_view: str
    after_view: str

    @property
    def changed(self) -> bool:
        """Whether the terminal receives other bytes after the change."""
        return self.before != self.after


def _render(codec: str, data: bytes, index: EmojiIndex) -> str:
    """Show how a terminal displays the emoji bytes *data*: its emoji and code, or the text."""
    spec = carrier_emoji.spec_for(codec)
    found = None
    if spec.carrier is not None:
        if spec.output == "webcode" and (m := WEBCODE_RE.fullmatch(data.decode("latin-1"))):
            found = parse_code("softbank", "$" + m.group(1) + m.group(2))
        elif (
            spec.is_sjis
            and len(data) == 2
            and int.from_bytes(data, "big") in CARRIER_CODES[spec.carrier]
        ):
            found = int.from_bytes(data, "big")
        elif not spec.is_sjis:
            text = data.decode("utf-8", "replace")
            if len(text) == 1:
                found = SJIS_BY_PUA[spec.carrier].get(ord(text))
    if found is None:
        return data.decode(spec.base, "replace")
    row = index.by_code[spec.carrier].get(found)
    if row is None:
        meaning = "?"
    elif EmojiIndex.is_carrier_only(row.key):
        label = CARRIER_LABELS[notations.parse_carrier_only(row.key)[0]]
        meaning = row.fit or (
            f"[{row.name_ja}]" if row.name_ja else _("(%(carrier)s-only emoji)", carrier=label)
        )
    else:
        meaning = row.key
    notation = code_notations(spec.carrier, found)
    shown = (
        notation.get("webcode")
        if spec.output == "webcode"
        else (notation["Shift_JIS"] if spec.is_sjis else notation["Unicode"])
    )
    return f"{meaning} ⟨{CARRIER_LABELS[spec.carrier]} {shown}⟩"


def page_bytes(text: str, codec: str, index: EmojiIndex) -> bytes:
    """Return *text* as a page in *codec* carries it with *index* (〓 for what it cannot show)."""
    return carrier_emoji.encode(text, codec, errors="geta", index=index)


def preview_lines(key: str, old: EmojiIndex, new: EmojiIndex) -> list[PreviewLine]:
    """The sample echo with *key* on every page codec, with the current and candidate table."""
    head, tail = SAMPLE_ECHO.split("{}")
    lines = []
    for codec, terminal in PAGE_CODECS.items():
        views, data = [], []
        for index in (old, new):
            emoji = page_bytes(key, codec, index)
            data.append(page_bytes(head, codec, index) + emoji + page_bytes(tail, codec, index))
            views.append(head + _render(codec, emoji, index) + tail)
        lines.append(PreviewLine(codec, _(terminal), data[0], data[1], views[0], views[1]))
    return lines
