"""The C accelerator against the pure-Python codecs: same text, same bytes, same errors.

Random bytes and random texts go through each codec twice, once with the accelerator
and once without; results, exception types, offsets and reasons must be identical for
every error handler. The accelerator's own tables (CP932, the encode pattern's classes)
are checked against Python's cp932 codec and the pure path's pattern.
"""

import codecs
import functools
import os
import subprocess
import sys

import emoji
import pytest
from carrier_cases import ALL_CODECS, REPO, SJIS_CODEC, pua_bytes, rows_of, sjis_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carrier_emoji
from carrier_emoji import _accel
from carrier_emoji.table import ROWS

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HANDLERS = ["strict", "replace", "ignore", "geta"]
FALLBACKS = ["fit", "text", "geta", "strict"]

needs_speedups = pytest.mark.skipif(
    _accel.speedups is None,
    reason=f"carrier_emoji._speedups is not in use (built? {_accel.ENV_SWITCH} set?)",
)
pytestmark = needs_speedups


@pytest.fixture
def codec_path():
    """These tests switch between the paths themselves (no double run)."""
    return "both"


def outcome(func, *args):
    """Return ("ok", result) or ("error", type, start, end, reason, object) of a call."""
    try:
        return ("ok", func(*args))
    except UnicodeError as exc:
        return ("error", type(exc), exc.start, exc.end, exc.reason, exc.object)


def both(monkeypatch, func, *args):
    """Return the outcome with the accelerator, then without it."""
    fast = outcome(func, *args)
    with monkeypatch.context() as patch:
        patch.setattr(_accel, "speedups", None)
        pure = outcome(func, *args)
    return fast, pure


#: Byte pieces that matter to some decoder: emoji codes of every carrier in both
#: notations, webcodes, references, CP932 leads and the SoftBank FB row.
BYTE_PIECES = [b"\x1b$G", b"\x1b$Q", b"\x1b$", b"j", b"k", b"\x0f", b"&#", b"&#x", b"x"]
BYTE_PIECES += [b"E63E", b"63647", b";", b"\x82\xa0", b"\xb6", b"\x82", b"\xfb", b"\xf5"]
BYTE_PIECES += [b"\xa0", b"\xfd", b"A", b"\xe3\x81", b"\xef\x80", b"\xf3\xbe\x80\x80"]
#: Long runs reach the loops that read 16 characters at a time; text of every width.
LONG_TEXT = ["abcdefghijklmnopqrstu", "かなカナ漢字テキスト。" * 2, "é" * 17, "😀", "©®"]
BYTE_PIECES += [b"&", b"&amp;", b"&#xE63E;", b"&#63647;", b"\xf4\x81\x9a\xa6"]
BYTE_PIECES += [t.encode() for t in LONG_TEXT] + [t.encode("cp932", "ignore") for t in LONG_TEXT]
for _carrier in ("docomo", "au", "softbank"):
    for _row in rows_of(_carrier)[::25]:
        BYTE_PIECES += [sjis_bytes(_row.code(_carrier)), pua_bytes(_carrier, _row.code(_carrier))]
random_bytes = st.lists(
    st.one_of(st.sampled_from(BYTE_PIECES), st.binary(max_size=4)), max_size=16
).map(b"".join)

#: Text pieces: every shape of emoji, loose glue, private use, text CP932 lacks.
TEXT_PIECES = sorted(
    {r.key for r in ROWS}
    | {r.key.replace("\ufe0f", "") for r in ROWS}
    | set(list(emoji.EMOJI_DATA)[::7])
    | {"\ufe0f", "\ufe0e", "\u20e3", "\u200d", "\U0001f3fb", "\U0001f1ef", "\U000e0067"}
    | {"\ue63e", "\uf8f0", "\U000fe000", "\U00101000", "\ud800", "é", "\u2014", "♀", "1", "#"}
)
random_text = st.lists(
    st.one_of(
        st.sampled_from(TEXT_PIECES),
        st.sampled_from(["漢", "ｶ", "a", " ", "&", "\x1b", "～", "—", "&amp;", "&#xE63E;"]),
        st.sampled_from(LONG_TEXT),
        st.text(max_size=3),
    ),
    max_size=16,
).map("".join)


@pytest.mark.parametrize("codec", ALL_CODECS)
class TestSameResults:
    """Accelerator and pure path agree on random input, for every handler."""

    def test_decode_random_bytes(self, codec, monkeypatch):
        """Random bytes decode to the same text or the same UnicodeDecodeError."""

        @SETTINGS
        @given(random_bytes)
        def check(data):
            for errors in HANDLERS:
                fast, pure = both(monkeypatch, carrier_emoji.decode, data, codec, errors)
                assert fast == pure, errors

        check()

    def test_encode_random_text(self, codec, monkeypatch):
        """Random text (a page or not) encodes to the same bytes or UnicodeEncodeError."""

        @SETTINGS
        @given(random_text, st.sampled_from(FALLBACKS), st.booleans())
        def check(text, fallback, html):
            encode = functools.partial(carrier_emoji.encode, html=html)
            for errors in HANDLERS:
                fast, pure = both(monkeypatch, encode, text, codec, errors, fallback)
                assert fast == pure, (errors, html)

        check()

    def test_registry_decode(self, codec, monkeypatch):
        """Through the codecs registry (the accelerator's own entry), bytes, bytearray and
        memoryview decode alike on both paths, errors and consumed length included."""

        @SETTINGS
        @given(random_bytes, st.sampled_from([bytes, bytearray, memoryview]))
        def check(data, kind):
            for errors in HANDLERS:
                fast, pure = both(monkeypatch, codecs.decode, kind(data), codec, errors)
                assert fast == pure, errors
                lookup = codecs.lookup(codec).decode
                fast, pure = both(monkeypatch, lookup, kind(data), errors)
                assert fast == pure, errors

        check()

    def test_registry_encode(self, codec, monkeypatch):
        """Through the codecs registry, text encodes alike on both paths, errors included."""

        @SETTINGS
        @given(random_text)
        def check(text):
            for errors in HANDLERS:
                fast, pure = both(monkeypatch, str.encode, text, codec, errors)
                assert fast == pure, errors
                fast, pure = both(monkeypatch, codecs.lookup(codec).encode, text, errors)
                assert fast == pure, errors

        check()

    def test_accelerator_alone_is_exact_or_declines(self, codec):
        """Called directly, the C functions give the strict pure result or None."""
        spec = carrier_emoji.SPECS[codec]
        index = carrier_emoji.current_index()

        @SETTINGS
        @given(random_bytes, random_text)
        def check(data, text):
            got = _accel.decode(index, spec, data)
            if got is not None:
                assert got == carrier_emoji.decode(data, codec)
            out = _accel.encode(index, spec, "fit", text, lambda: pytest.fail("built before"))
            if out is not None:
                assert out == carrier_emoji.encode(text, codec)

        carrier_emoji.encode("☀", codec)  # build the plan with the codec's own resolver
        check()

    def test_real_emoji_take_the_fast_path(self, codec):
        """Text of the codec's own emoji between kanji is done in C (no None)."""
        spec = carrier_emoji.SPECS[codec]
        index = carrier_emoji.current_index()
        rows = rows_of(spec.carrier) if spec.carrier else ROWS[:300]
        text = "".join(f"漢字{r.key}ｶa" for r in rows if not (spec.carrier is None and r.google))
        data = text.encode(codec)
        assert _accel.encode(index, spec, "fit", text, lambda: None) == data
        assert _accel.decode(index, spec, data) == text


class TestTables:
    """The tables the accelerator is given are the pure path's own."""

    def test_cp932_decoding(self):
        """Bytes and byte pairs outside private use decode as Python's cp932 (None: invalid)."""
        spec = carrier_emoji.SPECS["x-sjis-kddi"]
        index = carrier_emoji.current_index()
        bad = []
        for lead in range(0x100):
            for trail in range(0x100) if lead >= 0x81 else [None]:
                data = bytes([lead]) if trail is None else bytes([lead, trail])
                got = _accel.decode(index, spec, data)
                try:
                    expected = data.decode("cp932")
                except UnicodeDecodeError:
                    expected = None
                if expected is not None and any("\ue000" <= c <= "\uf8ff" for c in expected):
                    continue  # the user-defined area: emoji, or invalid (other tests)
                if got != expected:
                    bad.append((data, got, expected))
        assert bad == []

    def test_cp932_encoding(self):
        """Every BMP character encodes as Python's cp932, or is declined where cp932 fails."""
        empty = bytes(8192)
        plan = _accel.speedups.EncodePlan(
            output=_accel.speedups.OUT_SJIS,
            first=empty,
            more=empty,
            astral_first=0x110000,
            astral_more=False,
            emap={},
            resolve=None,
            cp932=_accel._cp932_encode_table(),
            singles=(),
            keycaps=(),
        )
        bad = []
        for code in range(0x10000):
            char = chr(code)
            got = plan.encode(char)
            try:
                expected = char.encode("cp932")
            except UnicodeEncodeError:
                expected = None
            if got != expected:
                bad.append((hex(code), got, expected))
        assert bad == []

    @pytest.mark.parametrize("codec", ALL_CODECS)
    def test_run_classes_match_the_pattern(self, codec):
        """The bitmaps of characters that start and continue a run are the pure pattern's."""
        spec = carrier_emoji.SPECS[codec]
        index = carrier_emoji.current_index()
        pattern = index.encode_pattern(spec)
        tables = _accel._encode_tables(index, spec, "fit", lambda: None)
        first, more = tables["first"], tables["more"]
        bad = []
        for code in range(0x80, 0x10000):
            if 0xD800 <= code < 0xE000:
                continue
            char = chr(code)
            if bool(pattern.fullmatch(char)) != bool(first[code >> 3] >> (code & 7) & 1):
                bad.append(("first", hex(code)))
            if spec.carrier and bool(pattern.fullmatch("\u2600" + char)) != bool(
                more[code >> 3] >> (code & 7) & 1
            ):
                bad.append(("more", hex(code)))
        assert bad == []


class TestCurrentTable:
    """The accelerator reads the index in force, never a table of its own."""

    def test_installed_rows_take_effect(self, restore_table):
        """A row installed at run time changes what the accelerator writes and reads."""
        rows = rows_of("docomo")
        sun = next(r for r in rows if r.key == "\u2600\ufe0f")
        moved = [r._replace(docomo=None) if r is sun else r for r in ROWS]
        carrier_emoji.install(moved + [carrier_emoji.EmojiRow("\U0001f973", docomo=sun.docomo)])
        index = carrier_emoji.current_index()
        spec = carrier_emoji.SPECS["x-sjis-docomo"]
        assert _accel.decode(index, spec, sjis_bytes(sun.docomo)) == "\U0001f973"
        assert _accel.encode(index, spec, "fit", "a\U0001f973", lambda: None) == b"a" + sjis_bytes(
            sun.docomo
        )
        assert "\U0001f973".encode("x-sjis-docomo") == sjis_bytes(sun.docomo)


class TestSwitch:
    """CARRIER_EMOJI_NO_SPEEDUPS=1 turns the accelerator off at import."""

    def test_environment_switch(self):
        """With the variable set, a fresh interpreter runs the pure path, with the same bytes."""
        code = (
            "import carrier_emoji; from carrier_emoji import _accel;"
            "print(_accel.speedups is None, '☀️1️⃣'.encode('x-sjis-docomo').hex())"
        )
        env = dict(os.environ, **{_accel.ENV_SWITCH: "1"})
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["True", "☀️1️⃣".encode("x-sjis-docomo").hex()]

    def test_codec_machinery_uses_it(self, monkeypatch):
        """codecs.encode and the incremental codecs give the same bytes on both paths."""
        text = "価格1️⃣00円☀️" * 3
        fast = codecs.encode(text, "x-sjis-docomo")
        monkeypatch.setattr(_accel, "speedups", None)
        assert codecs.encode(text, "x-sjis-docomo") == fast
        assert SJIS_CODEC["docomo"] == "x-sjis-docomo"
