"""Invalid input, error handlers, emoji fallbacks and codec lookups."""

import codecs

import emoji
import pytest
from carrier_cases import (
    ALL_CODECS,
    SJIS_CODEC,
    UTF8_CODEC,
    is_carrier_only,
    pua_bytes,
    rows_of,
    sjis_bytes,
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
TABLE_KEYS = frozenset(r.key for r in ROWS)
GETA = "〓"


def japanese_name(key):
    """Return the emoji package's Japanese name of *key*, as the text fallback writes it."""
    return emoji.EMOJI_DATA[key]["ja"].strip(":").replace("_", " ")


def forbidden(codec, text):
    """Return the characters of decoded *text* no decoder may yield: carrier codes, forgeries."""
    is_sjis = carrier_emoji.SPECS[codec].is_sjis
    bad = []
    for char in text:
        code = ord(char)
        if 0xE000 <= code <= (0xF8FF if is_sjis else 0xF0FF):
            bad.append(char)
        elif code >= 0xF0000 and char not in TABLE_KEYS:
            bad.append(char)
    return bad


@pytest.mark.parametrize("codec", ALL_CODECS)
class TestRandomBytes:
    """Any bytes into any decoder: text or a UnicodeDecodeError, nothing else."""

    def test_strict(self, codec):
        """strict: a str, or a UnicodeDecodeError that names a bad slice of the input."""

        @SETTINGS
        @given(st.binary(max_size=40))
        def check(data):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                assert exc.encoding == codec
                assert exc.object == data
                assert 0 <= exc.start < exc.end <= len(data)
                with pytest.raises(UnicodeDecodeError):
                    data[exc.start : exc.end].decode(codec)
            else:
                assert isinstance(text, str)
                assert forbidden(codec, text) == []

        check()

    @pytest.mark.parametrize("errors", ["replace", "ignore"])
    def test_lenient(self, codec, errors):
        """replace and ignore always give text without carrier codes or forged characters."""

        @SETTINGS
        @given(st.binary(max_size=40))
        def check(data):
            text = data.decode(codec, errors)
            assert isinstance(text, str)
            assert forbidden(codec, text) == []
            if errors == "ignore":
                assert "\ufffd" not in text

        check()

    def test_carrier_bytes_mixed_in(self, codec):
        """Random bytes around real carrier codes still give text or a UnicodeDecodeError."""
        codes = [sjis_bytes(r.code(c)) for c in SJIS_CODEC for r in rows_of(c)[:40]]
        codes += [pua_bytes(c, r.code(c)) for c in UTF8_CODEC for r in rows_of(c)[:40]]
        codes += [b"\x1b$G", b"\x0f", b"&#x", b"&#6", b"E63E;", b"\xfb", b"\xf5"]

        @SETTINGS
        @given(st.lists(st.one_of(st.binary(max_size=3), st.sampled_from(codes)), max_size=12))
        def check(pieces):
            data = b"".join(pieces)
            for errors in ("replace", "ignore"):
                assert forbidden(codec, data.decode(codec, errors)) == []
            try:
                data.decode(codec)
            except UnicodeDecodeError as exc:
                assert 0 <= exc.start < exc.end <= len(data)

        check()


class TestDecodeOffsets:
    """A UnicodeDecodeError names the byte offset in the input."""

    @pytest.mark.parametrize("codec", [*SJIS_CODEC.values(), "x-sjis-softbank-webcode"])
    def test_broken_shift_jis(self, codec):
        """A lone lead byte at offset 5 is reported at offset 5."""
        with pytest.raises(UnicodeDecodeError) as info:
            b"abcde\x81".decode(codec)
        assert (info.value.start, info.value.end) == (5, 6)
        with pytest.raises(UnicodeDecodeError) as info:
            b"\x82\xa0\xb1a\x81 z".decode(codec)
        assert info.value.start == 4

    def test_broken_shift_jis_after_emoji(self):
        """Offsets count input bytes, not decoded characters, after emoji and references."""
        data = b"&#63647;\xf8\x9f\x1b$Gj\x0f\x81"
        with pytest.raises(UnicodeDecodeError) as info:
            data.decode("x-sjis-docomo")
        assert info.value.start == len(data) - 1

    @pytest.mark.parametrize("codec", [*UTF8_CODEC.values(), "x-utf8-unicode"])
    def test_private_use_in_utf8(self, codec):
        """A private-use character that is no emoji is reported at its byte offset."""
        prefix = "aあ&#63647;".encode()
        data = prefix + "\ue000b".encode()
        with pytest.raises(UnicodeDecodeError) as info:
            data.decode(codec)
        assert (info.value.start, info.value.end) == (len(prefix), len(prefix) + 3)

    def test_private_use_after_emoji(self, carrier):
        """After carrier emoji, a non-emoji private-use character still has its byte offset."""
        rows = rows_of(carrier)[:5]
        prefix = "漢字".encode() + b"".join(pua_bytes(carrier, r.code(carrier)) for r in rows)
        with pytest.raises(UnicodeDecodeError) as info:
            (prefix + "\ue000".encode()).decode(UTF8_CODEC[carrier])
        assert info.value.start == len(prefix)
        sjis_prefix = "漢字".encode("cp932") + b"".join(sjis_bytes(r.code(carrier)) for r in rows)
        with pytest.raises(UnicodeDecodeError) as info:
            (sjis_prefix + b"\xf0\x40").decode(SJIS_CODEC[carrier])
        assert (info.value.start, info.value.end) == (len(sjis_prefix), len(sjis_prefix) + 2)

    def test_invalid_webcode(self):
        """An escape with no emoji code is reported where it starts."""
        with pytest.raises(UnicodeDecodeError) as info:
            b"ab\x1b$G\x0f".decode("x-sjis-softbank")
        assert info.value.start == 2
        assert info.value.end == 6
        assert b"ab\x1b$G\x0fc".decode("x-sjis-softbank", "replace") == "ab\ufffdc"


FORGED_UTF8 = [
    ("x-utf8-docomo", "\U001016a6"),
    ("x-utf8-docomo", "\U00102488"),
    ("x-utf8-docomo", "\ue04a"),
    ("x-utf8-docomo", "\ue000"),
    ("x-utf8-docomo", "\U000fe000"),
    ("x-utf8-docomo", "\uf060"),
    ("x-utf8-softbank", "\uf0fc"),
    ("x-utf8-kddi", "\U001016a6"),
    ("x-utf8-kddi", "\ue63e"),
    ("x-utf8-kddi", "\uf0fd"),
    ("x-utf8-softbank", "\U00103211"),
    ("x-utf8-softbank", "\ue63e"),
    ("x-utf8-softbank", "\ue54a"),
    ("x-utf8-unicode", "\U001016a6"),
    ("x-utf8-unicode", "\ue63e"),
    ("x-utf8-unicode", "\U0010ffff"),
    ("x-utf8-unicode", "\uf060"),
]
FORGED_SJIS = [
    ("x-sjis-docomo", b"\xf0\x40"),
    ("x-sjis-docomo", b"\xf7\x41"),
    ("x-sjis-kddi", b"\xf0\x40"),
    ("x-sjis-kddi", b"\xf5\x40"),
    ("x-sjis-softbank", b"\xf8\x9f"),
    ("x-sjis-softbank", b"\xf0\x40"),
    ("x-sjis-softbank-webcode", b"\xf6\x60"),
    ("x-sjis-docomo", b"\xa0"),
]


class TestForgedInput:
    """Carrier private use and internal characters cannot be smuggled in."""

    @pytest.mark.parametrize("codec, char", FORGED_UTF8)
    def test_utf8(self, codec, char):
        """strict raises at the character, replace gives U+FFFD, ignore drops it."""
        data = ("x" + char + "y").encode("utf-8")
        with pytest.raises(UnicodeDecodeError) as info:
            data.decode(codec)
        assert (info.value.start, info.value.end) == (1, 1 + len(char.encode("utf-8")))
        assert data.decode(codec, "replace") == "x\ufffdy"
        assert data.decode(codec, "ignore") == "xy"

    @pytest.mark.parametrize("codec, data", FORGED_SJIS)
    def test_sjis(self, codec, data):
        """A user-defined-area code that is no emoji of the carrier is invalid input."""
        with pytest.raises(UnicodeDecodeError) as info:
            (b"x" + data + b"y").decode(codec)
        assert (info.value.start, info.value.end) == (1, 1 + len(data))
        assert (b"x" + data + b"y").decode(codec, "replace") == "x\ufffdy"
        assert (b"x" + data + b"y").decode(codec, "ignore") == "xy"

    def test_carrier_only_key_encodes_as_its_code(self, carrier):
        """The internal character itself is valid text for the encoders (decoders yield it)."""
        row = next(r for r in rows_of(carrier) if is_carrier_only(r.key))
        assert row.key.encode(SJIS_CODEC[carrier]) == sjis_bytes(row.code(carrier))


class TestEncodeErrors:
    """Characters a charset cannot carry: position in the original text, handlers."""

    PREFIXES = [
        "",
        "abc",
        "1\ufe0f\u20e3",
        "☀",
        "☀\ufe0f漢",
        "\U0001f973",
        "🇯🇵",
        "#\u20e3x",
        "\U001016a6",
    ]

    @pytest.mark.parametrize("codec", [*SJIS_CODEC.values(), "x-sjis-softbank-webcode"])
    @pytest.mark.parametrize("prefix", PREFIXES)
    def test_position_sjis(self, codec, prefix):
        """A character CP932 lacks is reported at its index in the text, after any emoji."""
        text = prefix + "é" + "☀z"
        with pytest.raises(UnicodeEncodeError) as info:
            text.encode(codec)
        assert info.value.object == text
        assert (info.value.start, info.value.end) == (len(prefix), len(prefix) + 1)
        assert text.encode(codec, "replace") == prefix.encode(codec) + b"?" + "☀z".encode(codec)
        assert text.encode(codec, "ignore") == prefix.encode(codec) + "☀z".encode(codec)

    @pytest.mark.parametrize("codec", [*UTF8_CODEC.values(), "x-utf8-unicode"])
    @pytest.mark.parametrize("prefix", PREFIXES)
    def test_position_utf8(self, codec, prefix):
        """A lone surrogate is reported at its index in the text, after any emoji."""
        text = prefix + "\ud800" + "☀z"
        with pytest.raises(UnicodeEncodeError) as info:
            text.encode(codec)
        assert (info.value.start, info.value.end) == (len(prefix), len(prefix) + 1)
        assert text.encode(codec, "replace") == prefix.encode(codec) + b"?" + "☀z".encode(codec)

    def test_position_next_to_byte_emoji(self):
        """Next to a SoftBank FB-row emoji (written as bytes), errors still name the text index."""
        row = next(
            r for r in rows_of("softbank") if r.softbank >> 8 == 0xFB and not is_carrier_only(r.key)
        )
        text = "a" + row.key + "\u0100" + "é"
        with pytest.raises(UnicodeEncodeError) as info:
            text.encode("x-sjis-softbank")
        assert info.value.start == 1 + len(row.key)
        expected = b"a" + sjis_bytes(row.softbank) + b"??"
        assert text.encode("x-sjis-softbank", "replace") == expected

    @pytest.mark.parametrize("codec", ALL_CODECS)
    def test_unknown_private_use(self, codec):
        """A private-use character that is not internal text cannot be encoded."""
        for char in ("\ue63e", "\uf060", "\U00101000", "\U0010ffff"):
            text = "ab" + char + "c"
            with pytest.raises(UnicodeEncodeError) as info:
                text.encode(codec)
            assert (info.value.start, info.value.end) == (2, 3)
            assert text.encode(codec, "replace") == b"ab?c"
            assert text.encode(codec, "ignore") == b"abc"

    def test_unknown_fallback(self):
        """An unknown fallback name is a ValueError."""
        with pytest.raises(ValueError):
            carrier_emoji.encode("☀", "x-sjis-docomo", fallback="drop")


def _fit_row(carrier):
    """Return a row the carrier lacks but has a best-fit code for."""
    return next(r for r in ROWS if r.code(carrier) is None and r.fit_code(carrier) is not None)


def _text_only_row(carrier):
    """Return a standard emoji the carrier lacks with no fit, whose name CP932 can write."""
    return next(
        r
        for r in ROWS
        if r.code(carrier) is None
        and r.fit_code(carrier) is None
        and r.fit is None
        and not is_carrier_only(r.key)
        and r.key in emoji.EMOJI_DATA
        and r.name_ja
    )


class TestFallbacks:
    """fit, text, geta and strict, for an emoji the carrier lacks."""

    def test_fit(self, carrier):
        """fit writes the carrier's best-fit code; text, geta and strict do not."""
        row = _fit_row(carrier)
        fit = row.fit_code(carrier)
        for codec, data in (
            (SJIS_CODEC[carrier], sjis_bytes(fit)),
            (UTF8_CODEC[carrier], pua_bytes(carrier, fit)),
        ):
            base = carrier_emoji.SPECS[codec].base
            assert carrier_emoji.encode(row.key, codec) == data
            assert carrier_emoji.encode(row.key, codec, fallback="fit") == data
            assert carrier_emoji.encode(
                row.key, codec, fallback="text"
            ) == f"[{row.name_ja}]".encode(base)
            assert carrier_emoji.encode(row.key, codec, fallback="geta") == GETA.encode(base)
            with pytest.raises(UnicodeEncodeError) as info:
                carrier_emoji.encode("漢" + row.key, codec, fallback="strict")
            assert info.value.start == 1
            replaced = "漢" + "?" * len(row.key)
            assert carrier_emoji.encode(
                "漢" + row.key, codec, "replace", "strict"
            ) == replaced.encode(base)

    def test_fit_is_one_way(self, carrier):
        """The best-fit code decodes to its own row, not to the emoji that used it."""
        row = _fit_row(carrier)
        decoded = sjis_bytes(row.fit_code(carrier)).decode(SJIS_CODEC[carrier])
        assert decoded != row.key
        assert decoded == next(r.key for r in ROWS if r.code(carrier) == row.fit_code(carrier))

    def test_text(self, carrier):
        """An emoji with no code and no fit becomes [name] with fit and text, 〓 with geta."""
        row = _text_only_row(carrier)
        for codec in (SJIS_CODEC[carrier], UTF8_CODEC[carrier]):
            base = carrier_emoji.SPECS[codec].base
            name = f"[{japanese_name(row.key)}]".encode(base)
            assert carrier_emoji.encode(row.key, codec) == name
            assert carrier_emoji.encode(row.key, codec, fallback="text") == name
            assert carrier_emoji.encode(row.key, codec, fallback="geta") == GETA.encode(base)
            with pytest.raises(UnicodeEncodeError):
                carrier_emoji.encode(row.key, codec, fallback="strict")

    def test_name_not_encodable(self, restore_table):
        """A name the page's charset cannot carry falls back to 〓; UTF-8 carries it."""
        carrier_emoji.install(
            list(ROWS) + [carrier_emoji.EmojiRow("\U0001f973", name_ja="パーティーé")]
        )
        assert "🥳".encode("x-sjis-docomo") == GETA.encode("cp932")
        assert carrier_emoji.encode("🥳", "x-sjis-kddi", fallback="text") == GETA.encode("cp932")
        assert "🥳".encode("x-utf8-docomo") == "[パーティーé]".encode()

    def test_installed_fit(self, restore_table):
        """An installed row's fit code takes effect at once for every codec."""
        fit = next(r for r in rows_of("au") if not is_carrier_only(r.key))
        carrier_emoji.install(list(ROWS) + [carrier_emoji.EmojiRow("\U0001f973", au_fit=fit.au)])
        assert "🥳".encode("x-sjis-kddi") == sjis_bytes(fit.au)
        assert "🥳".encode("x-utf8-kddi") == pua_bytes("au", fit.au)

    def test_other_carriers_only_emoji(self, carrier):
        """A carrier-only emoji of another carrier, with no fit or name, becomes 〓."""
        others = [
            r
            for r in ROWS
            if is_carrier_only(r.key)
            and r.code(carrier) is None
            and r.fit_code(carrier) is None
            and r.fit is None
            and not r.name_ja
        ]
        assert others
        for row in others:
            for codec in (SJIS_CODEC[carrier], UTF8_CODEC[carrier]):
                base = carrier_emoji.SPECS[codec].base
                assert carrier_emoji.encode(row.key, codec) == GETA.encode(base)
                with pytest.raises(UnicodeEncodeError):
                    carrier_emoji.encode(row.key, codec, fallback="strict")

    def test_carrier_only_with_fit(self):
        """A carrier-only emoji with a standard fit uses the fit's code on other carriers."""
        row = next(r for r in ROWS if is_carrier_only(r.key) and r.fit)
        assert row.key.encode("x-utf8-unicode") == row.fit.encode("utf-8")
        assert (
            carrier_emoji.encode(row.key, "x-utf8-unicode", fallback="text")
            == f"[{row.name_ja}]".encode()
        )
        assert carrier_emoji.encode(row.key, "x-utf8-unicode", fallback="geta") == GETA.encode()

    @pytest.mark.parametrize("codec", [c for c in ALL_CODECS if c != "x-utf8-unicode"])
    def test_unlisted_standard_emoji(self, codec):
        """A standard emoji the table lacks (🥳) is written as its Japanese name."""
        base = carrier_emoji.SPECS[codec].base
        name = f"[{japanese_name('🥳')}]"
        assert ("a🥳b").encode(codec) == f"a{name}b".encode(base)
        assert carrier_emoji.encode("🥳", codec, fallback="text") == name.encode(base)
        assert carrier_emoji.encode("🥳", codec, fallback="geta") == GETA.encode(base)
        with pytest.raises(UnicodeEncodeError) as info:
            carrier_emoji.encode("ab🥳", codec, fallback="strict")
        assert (info.value.start, info.value.end) == (2, 3)

    def test_unicode_keeps_standard_emoji(self):
        """x-utf8-unicode writes standard emoji, listed or not, as they are."""
        assert "a🥳☀️".encode("x-utf8-unicode") == "a🥳☀️".encode("utf-8")


NAMES = sorted(carrier_emoji.SPECS) + sorted(carrier_emoji.ALIASES)


class TestLookup:
    """Every codec name and alias works through the codecs machinery."""

    @pytest.mark.parametrize("name", NAMES)
    def test_name(self, name):
        """The name resolves to its codec's CodecInfo and round-trips the sun."""
        target = carrier_emoji.ALIASES.get(name, name)
        spec = carrier_emoji.SPECS[target]
        assert codecs.lookup(name).name == target
        assert carrier_emoji.lookup(name).name == target
        assert carrier_emoji.spec_for(name) is spec
        sun = "☀️"
        data = sun.encode(name)
        assert data == sun.encode(target)
        assert data.decode(name) == sun
        assert "abc".encode(name) == b"abc"
        assert codecs.decode(data, name) == sun
        assert codecs.encode(sun, name) == data

    @pytest.mark.parametrize("name", ["X_SJIS_DoCoMo", "x sjis ezweb", "X-UTF8-SoftBank"])
    def test_spelling(self, name):
        """Case, underscores and spaces do not matter, as with Python's own codecs."""
        assert codecs.lookup(name).name == carrier_emoji.spec_for(name).name

    @pytest.mark.parametrize("name", ["x-sjis-unknown", "x-utf8-willcom", "sjis-docomo"])
    def test_unknown(self, name):
        """An unknown name is a LookupError everywhere."""
        with pytest.raises(LookupError):
            codecs.lookup(name)
        with pytest.raises(LookupError):
            "a".encode(name)
        with pytest.raises(carrier_emoji.UnknownCodecError):
            carrier_emoji.lookup(name)
        with pytest.raises(LookupError):
            carrier_emoji.decode(b"a", name)


class TestSelectorsAndSpaces:
    """Invisible characters a carrier page cannot carry are dropped or become spaces."""

    def test_en_space_becomes_a_space_on_shift_jis(self):
        """au's EN SPACE emoji (U+2002) is a plain space on a DoCoMo page, not 〓."""
        assert "a\u2002b".encode("x-sjis-docomo") == b"a b"
        assert "\u2002".encode("x-sjis-kddi") == b"\xf7\xaa"

    def test_text_presentation_selector_is_dropped(self):
        """A stray U+FE0E is dropped on Shift_JIS pages, and never breaks the emoji before it."""
        assert "x\ufe0ey".encode("x-sjis-kddi", "strict") == b"xy"
        assert "\u2600\ufe0e".encode("x-sjis-docomo") == b"\xf8\x9f"

    def test_lone_keycap_mark_is_dropped_on_shift_jis(self):
        """What a split write leaves of a keycap (U+20E3 alone) is dropped; UTF-8 keeps it."""
        assert "a\u20e3".encode("x-sjis-docomo") == b"a"
        assert "\ufe0f\u20e3".encode("x-sjis-kddi") == b""
        assert "\u200db".encode("x-sjis-softbank") == b"b"
        assert "a\u20e3".encode("x-utf8-docomo") == "a\u20e3".encode("utf-8")

    @pytest.mark.parametrize("codec", [*SJIS_CODEC.values(), "x-sjis-softbank-webcode"])
    def test_half_a_flag_on_shift_jis(self, codec):
        """One regional indicator alone (half of a split flag) is its letter, or 〓 with geta."""
        assert "\U0001f1ef".encode(codec) == b"J"
        assert carrier_emoji.encode("x\U0001f1ff", codec, fallback="text") == b"xZ"
        assert carrier_emoji.encode("\U0001f1ef", codec, fallback="geta") == GETA.encode("cp932")
        with pytest.raises(UnicodeEncodeError) as info:
            carrier_emoji.encode("ab\U0001f1ef", codec, fallback="strict")
        assert (info.value.start, info.value.end) == (2, 3)
