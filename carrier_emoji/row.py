"""One row of the emoji table."""

from typing import NamedTuple

__all__ = ["EmojiRow"]


class EmojiRow(NamedTuple):
    """One emoji and its code on each carrier.

    Carrier codes are Shift_JIS codes; every other notation is computed from them
    (see :mod:`carrier_emoji.notations`).
    """

    #: Internal form: a fully-qualified standard emoji, or one carrier-only character.
    key: str
    #: Round-trip codes: decoding this code gives ``key`` and encoding ``key`` gives it back.
    docomo: int | None = None
    au: int | None = None
    softbank: int | None = None
    #: Best-fit codes, used one way only (encoding) when the round-trip code is missing:
    #: one code, or a tuple of codes for a sequence of emoji (au's 😅 is two pictograms).
    docomo_fit: int | tuple[int, ...] | None = None
    au_fit: int | tuple[int, ...] | None = None
    softbank_fit: int | tuple[int, ...] | None = None
    #: Google's private-use code point (U+FE000-U+FEEA0), decoded one way.
    google: int | None = None
    #: Japanese name for the text fallback (``[太陽]``), from the ``emoji`` package.
    name_ja: str | None = None
    #: For a carrier-only emoji: the standard emoji closest to it, used one way.
    fit: str | None = None
    #: au's emoji number, as in ``<img localsrc="44">`` (1-518, 700-822); set by operators.
    localsrc: int | None = None

    def code(self, carrier: str) -> int | None:
        """Return the round-trip Shift_JIS code of *carrier* for this emoji."""
        return getattr(self, carrier)

    def fit_code(self, carrier: str) -> int | tuple[int, ...] | None:
        """Return the best-fit Shift_JIS code of *carrier* for this emoji (a tuple: a sequence)."""
        return getattr(self, carrier + "_fit")

    def fit_codes(self, carrier: str) -> tuple[int, ...]:
        """Return the best-fit codes of *carrier* as a tuple: empty, one code, or a sequence."""
        fit = self.fit_code(carrier)
        if fit is None:
            return ()
        return fit if isinstance(fit, tuple) else (fit,)
