"""Property tests: text survives encode -> decode, carrier bytes survive decode -> encode.

Texts and byte strings are built from whole elements (a JIS X 0208 character, a half-width
kana, an ASCII character, one emoji), so no element is a stray U+FE0F or U+20E3.
``&`` is left out of the ASCII of DoCoMo's codecs: ``&#63647;`` in a DoCoMo page is an
emoji reference, which the decoder reads as the emoji by design.
"""

import pytest
from carrier_cases import (
    SJIS_CODEC,
    UTF8_CODEC,
    is_carrier_only,
    pua,
    pua_bytes,
    rows_of,
    sjis_bytes,
    webcode,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carrier_emoji
from carrier_emoji.table import ROWS

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

#: Lead bytes of JIS X 0208 rows only: no NEC row 13 (87), no NEC/IBM extensions (ED-FC).
JIS_LEADS = [*range(0x81, 0x85), *range(0x88, 0xA0), *range(0xE0, 0xEB)]


def _jis_chars():
    """Return the JIS X 0208 characters CP932 decodes and encodes back to the same bytes."""
    chars = []
    for lead in JIS_LEADS:
        for trail in [*range(0x40, 0x7F), *range(0x80, 0xFD)]:
            data = bytes((lead, trail))
            try:
                char = data.decode("cp932")
            except UnicodeDecodeError:
                continue
            if char.encode("cp932") == data:
                chars.append(char)
    return chars


JIS = _jis_chars()
KANA = [chr(c) for c in range(0xFF61, 0xFFA0)]
ASCII = [chr(c) for c in range(0x20, 0x7F)]
ASCII_NO_AMP = [c for c in ASCII if c != "&"]

#: Every codec: (name, carrier, whether it reads DoCoMo references).
CODECS = [(name, spec.carrier, spec.ncr) for name, spec in carrier_emoji.SPECS.items()]


def emoji_keys(carrier):
    """Return the keys a codec of *carrier* writes and reads back (None: standard Unicode)."""
    if carrier is None:
        return [r.key for r in ROWS if not is_carrier_only(r.key)]
    return [r.key for r in rows_of(carrier)]


def text_strategy(carrier, ncr):
    """Texts of whole elements: JIS X 0208, half-width kana, ASCII and the carrier's emoji."""
    element = st.one_of(
        st.sampled_from(JIS),
        st.sampled_from(KANA),
        st.sampled_from(ASCII_NO_AMP if ncr else ASCII),
        st.sampled_from(emoji_keys(carrier)),
    )
    return st.lists(element, max_size=30).map("".join)


@pytest.mark.parametrize("codec, carrier, ncr", CODECS, ids=[c[0] for c in CODECS])
class TestTextRoundTrip:
    """decode(encode(text)) == text."""

    def test_encode_decode(self, codec, carrier, ncr):
        """Any text of JIS characters, kana, ASCII and the carrier's emoji survives."""

        @SETTINGS
        @given(text_strategy(carrier, ncr))
        def check(text):
            assert text.encode(codec).decode(codec) == text

        check()


def _emoji_element(codec, carrier):
    """Return the strategy of one emoji as an element of the codec's own output."""
    if carrier is None:
        return st.sampled_from(emoji_keys(None)).map(lambda k: ("bytes", k.encode("utf-8")))
    codes = [r.code(carrier) for r in rows_of(carrier)]
    if codec == "x-sjis-softbank-webcode":
        return st.sampled_from(codes).map(lambda c: ("webcode", pua("softbank", c)))
    if codec.startswith("x-sjis"):
        return st.sampled_from(codes).map(lambda c: ("bytes", sjis_bytes(c)))
    return st.sampled_from(codes).map(lambda c: ("bytes", pua_bytes(carrier, c)))


def _join(codec, elements):
    """Join elements into bytes; adjacent webcodes share one escape, as the encoder writes."""
    base = "cp932" if codec.startswith("x-sjis") else "utf-8"
    out = b""
    run = []
    for kind, value in elements + [("text", "")]:
        if kind == "webcode":
            run.append(value)
            continue
        out += webcode(run)
        run = []
        out += value.encode(base) if kind == "text" else value
    return out


def bytes_strategy(codec, carrier, ncr):
    """Byte strings of the codec's own emoji codes, JIS X 0208, half-width kana and ASCII."""
    element = st.one_of(
        st.sampled_from(JIS).map(lambda c: ("text", c)),
        st.sampled_from(KANA).map(lambda c: ("text", c)),
        st.sampled_from(ASCII_NO_AMP if ncr else ASCII).map(lambda c: ("text", c)),
        _emoji_element(codec, carrier),
    )
    return st.lists(element, max_size=30).map(lambda elements: _join(codec, elements))


@pytest.mark.parametrize("codec, carrier, ncr", CODECS, ids=[c[0] for c in CODECS])
class TestBytesRoundTrip:
    """encode(decode(data)) == data, in the codec's own output notation."""

    def test_decode_encode(self, codec, carrier, ncr):
        """Carrier bytes of the codec's own notation come back byte for byte."""

        @SETTINGS
        @given(bytes_strategy(codec, carrier, ncr))
        def check(data):
            assert data.decode(codec).encode(codec) == data

        check()


class TestCrossCodec:
    """Text decoded from one carrier encodes for another."""

    @pytest.mark.parametrize("source", sorted(SJIS_CODEC))
    @pytest.mark.parametrize("target", sorted(UTF8_CODEC))
    def test_any_carrier_to_any(self, source, target):
        """One carrier's emoji encode for another (fit fallback) into bytes that decode."""

        @SETTINGS
        @given(text_strategy(source, ncr=False))
        def check(text):
            for codec in (SJIS_CODEC[target], UTF8_CODEC[target], "x-utf8-unicode"):
                data = text.encode(codec)
                assert isinstance(data, bytes)
                assert isinstance(data.decode(codec), str)

        check()
