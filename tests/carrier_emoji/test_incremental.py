"""Incremental and stream codecs give what the one-shot codecs give, wherever input is cut."""

import codecs
import io

import emoji
import pytest
from carrier_cases import ALL_CODECS, is_carrier_only, pua_bytes, rows_of, sjis_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carrier_emoji
from carrier_emoji.table import ROWS


def _emoji_rows(carrier):
    """Pick a few of the carrier's emoji: the sun, a keycap, a carrier-only one, an FB-row one."""
    rows = rows_of(carrier)
    picks = [rows[0]]  # '#️⃣': a keycap
    picks += [r for r in rows if r.key == "\u2600\ufe0f"]
    picks += [next(r for r in rows if is_carrier_only(r.key))]
    picks += [r for r in rows if r.code(carrier) >> 8 == 0xFB][:2]
    return picks


def sample_pieces(codec):
    """Return self-delimiting byte pieces of a sample page for *codec*.

    Kanji, half-width kana, the carrier's emoji, a SoftBank webcode run of several emoji with
    SI and one without SI, DoCoMo references; every codec gets the ASCII notations (they are
    plain text where the codec does not read them).
    """
    spec = carrier_emoji.SPECS[codec]
    base = spec.base
    pieces = ["漢字".encode(base), "ｶﾅ".encode(base), b"abc "]
    if spec.carrier is None:
        pieces += ["☀️".encode(), "1️⃣".encode(), "🇯🇵".encode()]
    else:
        for row in _emoji_rows(spec.carrier):
            code = row.code(spec.carrier)
            pieces.append(sjis_bytes(code) if spec.is_sjis else pua_bytes(spec.carrier, code))
            pieces.append("中".encode(base))
        if spec.kddi_web:
            pieces += [chr(0xF660 - 0x0700).encode(), b"x"]
        if spec.docomo_in_kddi:
            pieces += [b"\xf8\x9f", b"y"]
    pieces += [b"\x1b$Gjk\x0f", "波".encode(base), b"\x1b$Gj\x0f\x1b$Fn\x0f"]
    pieces += [b"\x1b$Gji", "線".encode(base), b"&#63647;", b"&#xE63E;&#xe63f;", b"&amp;&#12;"]
    pieces += ["～".encode(base), b"\x1b$Gjk"]  # a webcode run without SI at the very end
    return pieces


@pytest.fixture(params=ALL_CODECS)
def codec(request):
    """Run the test once per codec."""
    return request.param


class TestIncrementalDecoder:
    """codecs.getincrementaldecoder: same text at every split point."""

    def test_sample_is_self_delimiting(self, codec):
        """The whole sample decodes to its pieces decoded one by one (so it tests real content)."""
        pieces = sample_pieces(codec)
        whole = b"".join(pieces).decode(codec)
        assert whole == "".join(piece.decode(codec) for piece in pieces)
        if carrier_emoji.SPECS[codec].webcode:
            assert "\u2600\ufe0f\u2614" in whole  # ESC $ G j k
            assert "\x1b" not in whole
        if carrier_emoji.SPECS[codec].ncr:
            assert "&#" not in whole.replace("&#12;", "")

    def test_every_split(self, codec):
        """Feeding the sample in two chunks, cut anywhere, gives the whole decoding."""
        data = b"".join(sample_pieces(codec))
        whole = data.decode(codec)
        bad = []
        for cut in range(len(data) + 1):
            decoder = codecs.getincrementaldecoder(codec)()
            got = decoder.decode(data[:cut]) + decoder.decode(data[cut:], final=True)
            if got != whole:
                bad.append((cut, data[:cut][-6:], ascii(got)))
        assert bad == []

    def test_byte_by_byte(self, codec):
        """Feeding the sample one byte at a time gives the whole decoding."""
        data = b"".join(sample_pieces(codec))
        decoder = codecs.getincrementaldecoder(codec)()
        got = "".join(decoder.decode(data[i : i + 1]) for i in range(len(data)))
        assert got + decoder.decode(b"", final=True) == data.decode(codec)

    def test_reset_and_state(self, codec):
        """reset() drops held bytes; getstate/setstate carry them to a new decoder."""
        data = b"".join(sample_pieces(codec))
        decoder = codecs.getincrementaldecoder(codec)()
        first = decoder.decode(data[:-2])
        state = decoder.getstate()
        other = codecs.getincrementaldecoder(codec)()
        other.setstate(state)
        assert first + other.decode(data[-2:], final=True) == data.decode(codec)
        decoder.reset()
        assert decoder.decode(b"abc", final=True) == "abc"

    def test_incomplete_at_end(self):
        """final=True reports a character left incomplete at the end."""
        decoder = codecs.getincrementaldecoder("x-sjis-docomo")()
        assert decoder.decode(b"a\x82") == "a"
        with pytest.raises(UnicodeDecodeError):
            decoder.decode(b"", final=True)


#: The encode sample as whole elements (an emoji spelling or one character each): a cut
#: between two elements must not change the bytes.
ENCODE_ELEMENTS = [
    "a", "1\ufe0f\u20e3", "#\u20e3", " ", "1", " ", "\u2600\ufe0f", "\u2600", "\u2601", " ",
    "\U0001f1ef\U0001f1f5", "\U0001f1fa\U0001f1f8", "x",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467", " ", "\u2764\ufe0f", "\u2764", " ",
    "\U0001f973", " ", "\xa9\ufe0f", "\xa9", " ", "漢", "字", "ｶ", "ﾅ", " ", "価", "格", "1",
    "0", "0",
]  # fmt: skip


def encode_elements(codec):
    """Return the encode sample's elements plus carrier emoji (a carrier-only one) for *codec*."""
    spec = carrier_emoji.SPECS[codec]
    if spec.carrier is None:
        return ENCODE_ELEMENTS + ["\u2600\ufe0f", "1"]
    keys = [r.key for r in _emoji_rows(spec.carrier)]
    return keys + ENCODE_ELEMENTS + keys + ["\u2600", "1"]


def encode_text(codec):
    """Return the encode sample of *codec* as one text."""
    return "".join(encode_elements(codec))


def element_cuts(elements):
    """Return the offsets in the joined text where one element ends and the next begins."""
    cuts, offset = [0], 0
    for element in elements:
        offset += len(element)
        cuts.append(offset)
    return cuts


def same_text(codec, got, whole):
    """Tell whether two encodings agree: the same bytes, or for webcodes the same text.

    Each piece closes its webcode escape, so two pieces may write two escapes where one
    call merges them into one (``ESC$Gj SI ESC$Gk SI`` and ``ESC$Gjk SI`` read alike).
    """
    if carrier_emoji.SPECS[codec].output == "webcode":
        return got.decode(codec) == whole.decode(codec)
    return got == whole


class TestIncrementalEncoder:
    """codecs.getincrementalencoder: each piece is encoded at once and whole."""

    def test_every_split(self, codec):
        """Two chunks, cut anywhere: the bytes of each chunk encoded on its own, in order."""
        text = encode_text(codec)
        bad = []
        for cut in range(len(text) + 1):
            encoder = codecs.getincrementalencoder(codec)()
            got = encoder.encode(text[:cut]) + encoder.encode(text[cut:], final=True)
            if got != text[:cut].encode(codec) + text[cut:].encode(codec):
                bad.append((cut, ascii(text[:cut][-4:]), got))
        assert bad == []

    def test_split_between_elements(self, codec):
        """A cut between two whole emoji or characters gives the one-call encoding."""
        elements = encode_elements(codec)
        text = "".join(elements)
        whole = text.encode(codec)
        bad = []
        for cut in element_cuts(elements):
            encoder = codecs.getincrementalencoder(codec)()
            got = encoder.encode(text[:cut]) + encoder.encode(text[cut:], final=True)
            if not same_text(codec, got, whole):
                bad.append((cut, ascii(text[:cut][-4:]), got))
        assert bad == []

    def test_element_by_element(self, codec):
        """One whole element at a time gives the one-call encoding."""
        elements = encode_elements(codec)
        encoder = codecs.getincrementalencoder(codec)()
        got = b"".join(encoder.encode(element) for element in elements)
        assert same_text(
            codec, got + encoder.encode("", final=True), "".join(elements).encode(codec)
        )

    def test_char_by_char_keeps_all_text(self, codec):
        """One character at a time loses no letter, kanji or digit (emoji may lose their glue)."""
        text = encode_text(codec)
        encoder = codecs.getincrementalencoder(codec)()
        got = b"".join(encoder.encode(char) for char in text) + encoder.encode("", final=True)
        plain = [c for c in text if c.isascii() and c.isalnum() or c in "漢字ｶﾅ価格"]
        decoded = got.decode(codec)
        assert [c for c in decoded if c in plain] == plain

    def test_whole_text_not_final(self, codec):
        """The whole text fed at once, without final=True, is already the whole encoding."""
        text = encode_text(codec)
        encoder = codecs.getincrementalencoder(codec)()
        assert encoder.encode(text) == text.encode(codec)
        assert encoder.encode("", final=True) == b""
        assert encoder.getstate() == 0

    def test_nothing_held_back(self):
        """A final digit is written at once; a keycap mark arriving later is dropped alone."""
        encoder = codecs.getincrementalencoder("x-sjis-docomo")()
        assert encoder.encode("価格1") == "価格1".encode("cp932")
        assert encoder.encode("\ufe0f\u20e3") == b""
        assert encoder.encode("1\ufe0f\u20e3") == b"\xf9\x87"
        assert encoder.encode("0") == b"0"
        assert encoder.encode("", final=True) == b""

    @pytest.mark.parametrize(
        "first, second, sjis",
        [
            ("1", "\ufe0f\u20e3", b"1"),  # keycap: the digit stays, its mark is dropped
            ("1\ufe0f", "\u20e3", b"1"),
            ("\U0001f1ef", "\U0001f1f5", b"JP"),  # flag: half a flag is its letter
            ("\u2600", "\ufe0f", b"\xf8\x9f"),  # variation selector: dropped on its own
            ("\U0001f468", "\u200d\U0001f469", None),  # ZWJ: each person on its own
            ("\U0001f44d", "\U0001f3fb", None),  # skin tone: the hand, then the tone's name
        ],
    )
    def test_split_emoji_pieces(self, first, second, sjis):
        """An emoji split between two writes gives each piece's own encoding, never an error."""
        encoder = codecs.getincrementalencoder("x-sjis-docomo")()
        got = encoder.encode(first) + encoder.encode(second)
        assert got == first.encode("x-sjis-docomo") + second.encode("x-sjis-docomo")
        if sjis is not None:
            assert got == sjis
        assert got.decode("x-sjis-docomo")  # bytes a DoCoMo page can carry

    def test_split_webcodes_are_closed(self):
        """Each piece closes its webcode escape: nothing is left open at a write's end."""
        encoder = codecs.getincrementalencoder("x-sjis-softbank-webcode")()
        first, second = encoder.encode("\u2600\ufe0f"), encoder.encode("\u2614")
        assert first == b"\x1b$Gj\x0f"
        assert second == b"\x1b$Gk\x0f"
        assert "\u2600\ufe0f\u2614".encode("x-sjis-softbank-webcode") == b"\x1b$Gjk\x0f"
        assert (first + second).decode("x-sjis-softbank") == "\u2600\ufe0f\u2614"


class TestStreams:
    """codecs.open, StreamReader and StreamWriter."""

    def test_open_write(self, codec, tmp_path):
        """codecs.open in write mode writes the whole encoding, the last character included."""
        text = encode_text(codec)
        path = tmp_path / "page.txt"
        with codecs.open(path, "w", codec) as file:
            file.write(text)
        assert path.read_bytes() == text.encode(codec)

    def test_writer_pieces(self, codec):
        """A StreamWriter fed line by line writes bytes that decode to the text."""
        text = encode_text(codec)
        lines = text.split(" ")
        stream = io.BytesIO()
        writer = codecs.getwriter(codec)(stream)
        for i, line in enumerate(lines):
            writer.write(line + (" " if i < len(lines) - 1 else ""))
        assert stream.getvalue().decode(codec) == text.encode(codec).decode(codec)

    def test_open_read(self, codec, tmp_path):
        """codecs.open in read mode reads the whole decoding, a tail without SI included."""
        data = b"".join(sample_pieces(codec))
        path = tmp_path / "form.txt"
        path.write_bytes(data)
        with codecs.open(path, "r", codec) as file:
            assert file.read() == data.decode(codec)

    @pytest.mark.parametrize("size", [1, 2, 3, 7])
    def test_reader_chunks(self, codec, size):
        """StreamReader.read(size) in a loop gives the whole decoding."""
        data = b"".join(sample_pieces(codec))
        reader = codecs.getreader(codec)(io.BytesIO(data))
        chunks = []
        while chunk := reader.read(size):
            chunks.append(chunk)
        assert "".join(chunks) == data.decode(codec)

    def test_reader_lines(self, codec):
        """StreamReader.readlines() splits the whole decoding into lines."""
        data = b"\r\n".join(sample_pieces(codec)) + b"\n"
        reader = codecs.getreader(codec)(io.BytesIO(data))
        assert "".join(reader.readlines()) == data.decode(codec)

    def test_text_io_read(self, codec, tmp_path):
        """open(..., encoding=codec) reads through the incremental decoder."""
        data = b"".join(sample_pieces(codec))
        path = tmp_path / "form.txt"
        path.write_bytes(data)
        with open(path, encoding=codec, newline="") as file:
            assert file.read() == data.decode(codec)

    @pytest.mark.parametrize("writer", ["TextIOWrapper", "open", "codecs.open", "StreamWriter"])
    def test_text_ending_in_a_digit(self, codec, writer, tmp_path):
        """Every way of writing text keeps a final digit (no keycap can follow a close)."""
        text = "電話番号は0120-123-456"
        path = tmp_path / "page.txt"
        if writer == "TextIOWrapper":
            raw = io.BytesIO()
            wrapper = io.TextIOWrapper(raw, encoding=codec, newline="")
            wrapper.write(text[:-1])
            wrapper.write(text[-1])
            wrapper.flush()
            assert raw.getvalue() == text.encode(codec)  # at flush(), before close
            wrapper.close()
            return
        if writer == "open":
            with open(path, "w", encoding=codec, newline="") as file:
                file.write(text)
        elif writer == "codecs.open":
            with codecs.open(path, "w", codec) as file:
                file.write(text[:-1])
                file.write(text[-1])
        else:
            with path.open("wb") as raw:
                stream = codecs.getwriter(codec)(raw)
                stream.write(text)
        assert path.read_bytes() == text.encode(codec)

    def test_iterencode_ending_in_a_digit(self, codec):
        """codecs.iterencode over pieces ending in a digit writes the digit."""
        pieces = ["電話番号は", "0120-123-45", "6"]
        got = b"".join(codecs.iterencode(pieces, codec))
        assert got == "".join(pieces).encode(codec)

    def test_text_io_write_held_back_tail(self, tmp_path):
        """open(..., "w", encoding="x-sjis-docomo") writes the final digit."""
        path = tmp_path / "page.txt"
        with open(path, "w", encoding="x-sjis-docomo") as file:
            file.write("価格100")
        assert path.read_bytes() == "価格100".encode("cp932")

    def test_text_io_write_keycap_whole(self, codec, tmp_path):
        """A keycap written in one write() is the carrier's keycap emoji."""
        text = "番号1\ufe0f\u20e3"
        path = tmp_path / "page.txt"
        with open(path, "w", encoding=codec, newline="") as file:
            file.write(text)
        assert path.read_bytes() == text.encode(codec)
        assert path.read_bytes().decode(codec) == text

    def test_text_io_write_whole_elements(self, codec, tmp_path):
        """open(..., "w", encoding=codec) writes text that ends in no emoji prefix as a whole."""
        text = encode_text(codec) + "。"
        path = tmp_path / "page.txt"
        with open(path, "w", encoding=codec, newline="") as file:
            file.write(text)
        assert path.read_bytes() == text.encode(codec)


SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
#: Emoji spellings of every shape (keycaps, flags, ZWJ sequences, tags, skin tones), with
#: and without U+FE0F, and loose pieces of them.
EMOJI_POOL = sorted(
    {r.key for r in ROWS}
    | {r.key.replace("\ufe0f", "") for r in ROWS}
    | set(emoji.EMOJI_DATA)
    | {"\ufe0f", "\u20e3", "\u200d", "\U0001f3fb", "\U0001f1ef", "\U0001f1f5", "\U000e0067"}
)
TEXT_POOL = ["漢", "ｶ", "a", " ", "1", "#", "*", "0", "♀", "～", "&", "\x1b"]


def _cuts(length, points):
    """Turn random integers into sorted cut positions within *length*."""
    return sorted({p % (length + 1) for p in points})


@pytest.mark.parametrize("codec", ALL_CODECS)
class TestRandomSplits:
    """Random texts and byte strings, cut at random places."""

    def test_encoder(self, codec):
        """Incremental encoding of random emoji-rich text cut anywhere: each chunk on its own."""

        @SETTINGS
        @given(
            st.lists(
                st.one_of(st.sampled_from(EMOJI_POOL), st.sampled_from(TEXT_POOL)), max_size=12
            ),
            st.lists(st.integers(min_value=0), max_size=6),
        )
        def check(elements, points):
            text = "".join(elements)
            encoder = codecs.getincrementalencoder(codec)("replace")
            chunks, expected, start = [], [], 0
            for cut in _cuts(len(text), points):
                chunks.append(encoder.encode(text[start:cut]))
                expected.append(text[start:cut].encode(codec, "replace"))
                start = cut
            chunks.append(encoder.encode(text[start:], final=True))
            expected.append(text[start:].encode(codec, "replace"))
            assert chunks == expected

        check()

    def test_encoder_whole_elements(self, codec):
        """Random texts cut between whole elements encode as in one call.

        The elements are those of the whole text as the table reads it: two pieces of the
        pool side by side may make one emoji ("1" and U+20E3, two halves of a flag).
        """

        @SETTINGS
        @given(
            st.lists(
                st.one_of(st.sampled_from(EMOJI_POOL), st.sampled_from(TEXT_POOL)), max_size=12
            ),
            st.lists(st.integers(min_value=0), max_size=6),
        )
        def check(pieces, points):
            grammar = carrier_emoji.current_index().emoji_grammar
            elements = grammar.findall("".join(pieces))
            whole = "".join(elements).encode(codec, "replace")
            encoder = codecs.getincrementalencoder(codec)("replace")
            chunks, start = [], 0
            for cut in _cuts(len(elements), points):
                chunks.append(encoder.encode("".join(elements[start:cut])))
                start = cut
            chunks.append(encoder.encode("".join(elements[start:]), final=True))
            got = b"".join(chunks)
            if carrier_emoji.SPECS[codec].output == "webcode":
                assert got.decode(codec, "replace") == whole.decode(codec, "replace")
            else:
                assert got == whole

        check()

    def test_decoder(self, codec):
        """Incremental decoding of random carrier bytes fails or succeeds like the one-shot one."""
        # "replace" is compared for UTF-8 only: after an unassigned Shift_JIS pair (8890)
        # CP932 resynchronises one byte later, which the lead-byte parity cannot foresee.
        spec = carrier_emoji.SPECS[codec]
        pieces = [b"\x1b$G", b"\x1b$Q", b"j", b"k", b"\x0f", b"&#", b"x", b"E63E", b"63647", b";"]
        pieces += [b"\x82\xa0", b"\xb6", b"\x82", b"\xfb", b"\xf5", b"A", b"\xe3\x81", b"\x82"]
        for carrier in ("docomo", "au", "softbank"):
            for row in rows_of(carrier)[::40]:
                pieces += [sjis_bytes(row.code(carrier)), pua_bytes(carrier, row.code(carrier))]
        modes = ["strict"] if spec.is_sjis else ["strict", "replace"]

        def chunked(data, cuts, errors):
            decoder = codecs.getincrementaldecoder(codec)(errors)
            chunks, start = [], 0
            for cut in cuts:
                chunks.append(decoder.decode(data[start:cut]))
                start = cut
            chunks.append(decoder.decode(data[start:], final=True))
            return "".join(chunks)

        @SETTINGS
        @given(
            st.lists(st.one_of(st.sampled_from(pieces), st.binary(max_size=2)), max_size=12),
            st.lists(st.integers(min_value=0), max_size=6),
        )
        def check(parts, points):
            data = b"".join(parts)
            cuts = _cuts(len(data), points)
            for errors in modes:
                try:
                    whole = data.decode(codec, errors)
                except UnicodeDecodeError:
                    with pytest.raises(UnicodeDecodeError):
                        chunked(data, cuts, errors)
                else:
                    assert chunked(data, cuts, errors) == whole

        check()
