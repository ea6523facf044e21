"""What each codec is: base charset, carrier, and the notations it reads and writes.

A :class:`CodecSpec` is pure data; :mod:`carrier_emoji.codec` does the work. The list
of codecs and of their aliases lives here and nowhere else.
"""

from dataclasses import dataclass

__all__ = ["ALIASES", "CodecSpec", "SPECS", "FALLBACKS"]

#: Emoji fallbacks, from most to least faithful (see :func:`carrier_emoji.encode`):
#: "fit": the carrier's best-fit emoji, else "[name]" text, else 〓 (the default);
#: "text": "[name]" text, else 〓; "geta": 〓; "strict": an encode error.
FALLBACKS = ("fit", "text", "geta", "strict")


@dataclass(frozen=True)
class CodecSpec:
    """One codec: how bytes of one carrier's pages and forms become internal text."""

    #: Registered name, byte form first: ``x-sjis-docomo``.
    name: str
    #: Python codec for everything that is not emoji: ``cp932`` or ``utf-8``.
    base: str
    #: Carrier whose codes are read and written; None for standard Unicode.
    carrier: str | None
    #: Notation written by the encoder: "sjis", "pua", "webcode" or "unicode".
    output: str
    #: Decimal (Shift_JIS value) and hex (Unicode value) references (DoCoMo).
    ncr: bool = False
    #: SoftBank webcode escapes (``ESC $ G j SI``), read by every SoftBank codec.
    webcode: bool = False
    #: au's undocumented "web" code points (Shift_JIS - 0x0700) from UTF-8 forms.
    kddi_web: bool = False
    #: DoCoMo Shift_JIS emoji pasted into an au form (au handsets send them as is).
    docomo_in_kddi: bool = False
    #: Standard-Unicode decoder also reads SoftBank code points (Japanese iPhones
    #: before iOS 5) and Google's code points (Android, Gmail).
    legacy_pua: bool = False

    @property
    def is_sjis(self) -> bool:
        """True when the bytes are Shift_JIS (CP932)."""
        return self.base == "cp932"


SPECS = {
    spec.name: spec
    for spec in (
        CodecSpec("x-sjis-docomo", "cp932", "docomo", "sjis", ncr=True),
        CodecSpec("x-sjis-kddi", "cp932", "au", "sjis", docomo_in_kddi=True),
        CodecSpec("x-sjis-softbank", "cp932", "softbank", "sjis", webcode=True),
        CodecSpec("x-sjis-softbank-webcode", "cp932", "softbank", "webcode", webcode=True),
        CodecSpec("x-utf8-docomo", "utf-8", "docomo", "pua", ncr=True),
        CodecSpec("x-utf8-kddi", "utf-8", "au", "pua", kddi_web=True),
        CodecSpec("x-utf8-softbank", "utf-8", "softbank", "pua", webcode=True),
        CodecSpec("x-utf8-unicode", "utf-8", None, "unicode", legacy_pua=True),
    )
}

#: Other names of the codecs: old brands, WILLCOM (DoCoMo's codes), EJM's names.
ALIASES = {
    "x-sjis-imode": "x-sjis-docomo",
    "x-sjis-willcom": "x-sjis-docomo",
    "x-sjis-airh": "x-sjis-docomo",
    "x-sjis-airedge": "x-sjis-docomo",
    "x-sjis-ddipocket": "x-sjis-docomo",
    "x-sjis-ezweb": "x-sjis-kddi",
    "x-sjis-au": "x-sjis-kddi",
    "x-sjis-kddi-auto": "x-sjis-kddi",
    "x-sjis-ezweb-auto": "x-sjis-kddi",
    "x-sjis-vodafone": "x-sjis-softbank",
    "x-sjis-softbank-auto": "x-sjis-softbank",
    "x-sjis-vodafone-auto": "x-sjis-softbank",
    "x-sjis-jphone": "x-sjis-softbank-webcode",
    "x-utf8-imode": "x-utf8-docomo",
    "x-utf8-ezweb": "x-utf8-kddi",
    "x-utf8-au": "x-utf8-kddi",
    "x-utf8-vodafone": "x-utf8-softbank",
    "x-utf8-jphone": "x-utf8-softbank",
    "x-utf8-iphone": "x-utf8-unicode",
}
