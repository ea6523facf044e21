"""carrier_emoji: Japanese carrier emoji to and from one internal form.

Framework-free: no Flask, no database, no I/O. Bytes in, str out, and back.

**Internal form.** Text is standard Unicode. An emoji is written the way Unicode's
``emoji-test.txt`` calls *fully qualified* (``"\\u2600\\ufe0f"`` for the sun, keycaps as
``"1\\ufe0f\\u20e3"``); every decoder yields that form, and every encoder also accepts the
spelling without U+FE0F. A carrier emoji with no standard equivalent becomes one
character of Supplementary Private Use Area-B that names carrier and code:
``U+100000 + n * 0x1000 + (carrier code point - 0xE000)`` with n = 1 DoCoMo, 2 au,
3 SoftBank (U+1016A6 is DoCoMo's E6A6). Neither carrier private-use code points
(U+E000-U+F0FF) nor these characters may arrive as input: decoders treat them as
invalid input (``errors`` decides: "strict" raises, "replace" gives U+FFFD, "ignore"
drops them), so a user can neither forge a carrier-only emoji nor store carrier codes.
The one exception is read, never stored: ``x-utf8-unicode`` (smartphones, PCs) turns
SoftBank's code points, which Japanese iPhones sent before iOS 5, and Google's
(U+FE000-U+FEEA0) into internal text; other carriers' code points stay invalid there.

**Codecs.** Importing the package registers them with :mod:`codecs`::

    >>> import carrier_emoji
    >>> b"\\xf8\\x9f".decode("x-sjis-docomo")
    '☀️'
    >>> "☀️".encode("x-sjis-kddi")
    b'\\xf6`'

``x-sjis-docomo`` ``x-sjis-kddi`` ``x-sjis-softbank`` ``x-sjis-softbank-webcode``
``x-utf8-docomo`` ``x-utf8-kddi`` ``x-utf8-softbank`` and ``x-utf8-unicode`` (standard
Unicode for smartphones and PCs), with the aliases in :data:`carrier_emoji.specs.ALIASES`.

**Fallbacks.** An emoji the target carrier lacks becomes that carrier's best-fit emoji
(or a sequence of two: ⛅ is SoftBank's sun then cloud), else ``[name]`` from the ``emoji``
package's Japanese name (checked to be encodable), else 〓. :func:`encode` takes
``fallback="fit" | "text" | "geta" | "strict"``. The error handler ``errors="geta"``
writes 〓 for other characters a charset cannot carry. Encoding a rendered HTML page,
pass ``html=True``: the text written for an emoji is then HTML-escaped (the table's names
are data, never markup).

**Speed.** The optional C accelerator ``carrier_emoji._speedups`` (built by ``pip install``
where a compiler is at hand) does the common case with the tables of the index in force;
the functions registered with :mod:`codecs` are its own, so ``data.decode("x-utf8-docomo")``
reaches C at once. ``CARRIER_EMOJI_NO_SPEEDUPS=1`` at import runs the pure-Python path,
which is also what a machine without a compiler gets. Both give the same results (see
``_accel.py``); ``python bench/codecs.py`` measures them beside ``cp932`` and ``utf-8``.

**The table** is generated (``python tools/build_emoji_table.py``) and can be replaced
at run time by :func:`install` (the operators' layer merged over it).
"""

import codecs as _codecs

from . import codec as _codec
from ._index import GETA, EmojiIndex, TableError
from .registry import UnknownCodecError, lookup, normalize, search, spec_for
from .row import EmojiRow
from .specs import ALIASES, FALLBACKS, SPECS, CodecSpec
from .state import current_index, install, merge, shipped_rows

__all__ = [
    "ALIASES",
    "CodecSpec",
    "EmojiIndex",
    "EmojiRow",
    "FALLBACKS",
    "GETA",
    "SPECS",
    "TableError",
    "UnknownCodecError",
    "current_index",
    "decode",
    "encode",
    "install",
    "lookup",
    "merge",
    "normalize",
    "shipped_rows",
    "spec_for",
]


def decode(data: bytes, codec: str, errors: str = "strict", index: EmojiIndex | None = None) -> str:
    """Decode carrier *data* with the named codec into internal text.

    :param index: a table to use instead of the installed one (an operator's preview).
    """
    spec = spec_for(codec)
    if index is None and type(data) is bytes:  # the registered function: C at once
        return lookup(spec.name).decode(data, errors)[0]
    return _codec.decode(spec, data, errors, index)


def encode(
    text: str,
    codec: str,
    errors: str = "strict",
    fallback: str = "fit",
    index: EmojiIndex | None = None,
    *,
    html: bool = False,
) -> bytes:
    """Encode internal *text* with the named codec, choosing the emoji *fallback*.

    :param index: a table to use instead of the installed one (an operator's preview).
    :param html: *text* is HTML (a rendered page): what the encoder writes as text for an
        emoji (``[name]``, a best fit written as text) is HTML-escaped, so that no name in
        the table can become markup, inside an element or in a quoted attribute value.
    """
    spec = spec_for(codec)
    if index is None and fallback == "fit" and not html and type(text) is str:  # as decode
        return lookup(spec.name).encode(text, errors)[0]
    return _codec.encode(spec, text, errors, fallback, index, html)


def _geta(exc: UnicodeError):
    """Error handler ``"geta"``: write 〓 for each character the charset cannot carry."""
    if isinstance(exc, UnicodeEncodeError):
        return GETA * (exc.end - exc.start), exc.end
    if isinstance(exc, UnicodeDecodeError):
        return GETA, exc.end
    raise exc


_codecs.register(search)
_codecs.register_error("geta", _geta)
