"""Encoding a rendered HTML page: the text written for an emoji is escaped, never markup.

The table's names (``[name]``) and best fits written as text come from operators and from
old rows in a database: with ``html=True`` they are HTML-escaped, inside an element and
inside a quoted attribute value alike, on the C accelerator and on the pure path (every
test here runs on both). Without it the encoder writes them as they are (plain text).
"""

from __future__ import annotations

import pytest

import carrier_emoji
from carrier_emoji import EmojiIndex, notations

HOSTILE = "<svg/onload=alert()>"
QUOTES = "a\"b'c&d"
#: The DoCoMo-only emoji F94A in internal form (no standard emoji means the same).
DOCOMO_ONLY = notations.carrier_only_char("docomo", 0xF94A)
#: An emoji no carrier has: every feature-phone page writes its text fallback.
PARTY = "\U0001f973"
#: Codecs whose pages show a DoCoMo-only emoji as its text fallback.
NOT_DOCOMO = [
    "x-utf8-unicode",
    "x-sjis-kddi",
    "x-utf8-kddi",
    "x-sjis-softbank",
    "x-utf8-softbank",
    "x-sjis-softbank-webcode",
]
FEATURE_PHONE_CODECS = ["x-sjis-docomo", "x-utf8-docomo", *NOT_DOCOMO[1:]]


def index_with(*rows) -> EmojiIndex:
    """Return the shipped table with *rows* merged over it (as operators' rows are)."""
    return EmojiIndex(carrier_emoji.merge(carrier_emoji.shipped_rows(), rows))


def shipped_row(key: str):
    """Return the shipped row of *key*, or a bare row when the table does not list it."""
    row = carrier_emoji.current_index().by_key.get(key)
    return row if row is not None else carrier_emoji.EmojiRow(key)


@pytest.mark.parametrize("codec", NOT_DOCOMO)
def test_hostile_name_escaped_in_html(codec):
    """A name with markup comes out escaped on every page without the emoji."""
    index = index_with(shipped_row(DOCOMO_ONLY)._replace(name_ja=HOSTILE))
    page = f'<p>x{DOCOMO_ONLY}y</p><input value="{DOCOMO_ONLY}"/>'
    out = carrier_emoji.encode(page, codec, "geta", index=index, html=True)
    text = carrier_emoji.decode(out, codec, "replace", index=index)
    assert "<svg" not in text
    assert text.count("[&lt;svg/onload=alert()&gt;]") == 2
    assert text.startswith("<p>x") and '<input value="' in text  # the page's own markup


@pytest.mark.parametrize("codec", NOT_DOCOMO)
def test_plain_text_keeps_the_name(codec):
    """Without ``html`` the encoder writes the name as it is (text that is no page)."""
    index = index_with(shipped_row(DOCOMO_ONLY)._replace(name_ja="晴れ<>"))
    out = carrier_emoji.encode(f"x{DOCOMO_ONLY}", codec, "geta", index=index)
    assert carrier_emoji.decode(out, codec, index=index) == "x[晴れ<>]"


@pytest.mark.parametrize("codec", FEATURE_PHONE_CODECS)
def test_quotes_escaped_for_attribute_values(codec):
    """Quotes and ampersands in a name cannot end a quoted attribute value."""
    index = index_with(shipped_row(PARTY)._replace(name_ja=QUOTES))
    out = carrier_emoji.encode(f'<input value="{PARTY}"/>', codec, "geta", index=index, html=True)
    text = carrier_emoji.decode(out, codec, index=index)
    assert text == '<input value="[a&quot;b&#x27;c&amp;d]"/>'


def test_fit_written_as_text_is_escaped():
    """A best fit written as text on a Unicode page (an old row's ``fit``) is escaped too."""
    index = index_with(shipped_row(DOCOMO_ONLY)._replace(fit="<b>", name_ja=None))
    out = carrier_emoji.encode(DOCOMO_ONLY, "x-utf8-unicode", index=index, html=True)
    assert out == b"&lt;b&gt;"
    assert carrier_emoji.encode(DOCOMO_ONLY, "x-utf8-unicode", index=index) == b"<b>"


@pytest.mark.parametrize("codec", FEATURE_PHONE_CODECS)
def test_unlisted_emoji_name_in_html(codec):
    """An emoji the table does not list takes the emoji package's name, escaped when HTML."""
    unlisted = "\U0001faea"  # no row in the shipped table
    assert unlisted not in carrier_emoji.current_index().by_key
    out = carrier_emoji.encode(f"<i>{unlisted}</i>", codec, "geta", html=True)
    text = carrier_emoji.decode(out, codec)
    assert text.startswith("<i>") and text.endswith("</i>")
    assert "<" not in text[3:-4]


def test_html_and_text_outputs_kept_apart():
    """The same index encodes a page and plain text alternately; neither takes the other's."""
    index = index_with(shipped_row(PARTY)._replace(name_ja="a<b"))
    for _ in range(2):
        assert carrier_emoji.encode(PARTY, "x-sjis-kddi", index=index, html=True) == b"[a&lt;b]"
        assert carrier_emoji.encode(PARTY, "x-sjis-kddi", index=index) == b"[a<b]"


def test_carrier_codes_untouched_in_html():
    """Emoji the carrier has are written as its codes, whatever ``html`` says."""
    for codec in FEATURE_PHONE_CODECS:
        text = "☀️☁️☔"
        assert carrier_emoji.encode(text, codec, html=True) == carrier_emoji.encode(text, codec)
