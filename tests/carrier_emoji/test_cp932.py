"""The Shift_JIS codecs are CP932 plus emoji: where the carriers' rows meet CP932's extensions."""

import pytest
from carrier_cases import ALL_CODES, SJIS_CODEC, sjis_bytes, valid_sjis

from carrier_emoji.table import ROWS

SJIS_CODECS = [*SJIS_CODEC.values(), "x-sjis-softbank-webcode"]
SOFTBANK_CODECS = ["x-sjis-softbank", "x-sjis-softbank-webcode"]
ROW_BY_CODE = {c: {r.code(c): r for r in ROWS if r.code(c) is not None} for c in SJIS_CODEC}
FB_ROW = valid_sjis(0xFB40, 0xFBFC)
FB_EMOJI = [code for code in FB_ROW if code in ROW_BY_CODE["softbank"]]


def cp932(code):
    """Return CP932's character for a two-byte code, or None where CP932 has none."""
    try:
        return sjis_bytes(code).decode("cp932")
    except UnicodeDecodeError:
        return None


def cp932_chars(first, last):
    """Return {code: character} of the CP932 characters from *first* to *last*."""
    return {code: cp932(code) for code in valid_sjis(first, last) if cp932(code) is not None}


class TestSoftBankFBRow:
    """SoftBank's emoji in FB41-FBDE are IBM extension kanji in CP932."""

    def test_cell_layout(self):
        """FB41-FB8D and FBA1-FBDE are SoftBank emoji cells; CP932 has a kanji in each."""
        assert FB_EMOJI == [c for c in ALL_CODES["softbank"] if c >> 8 == 0xFB]
        assert FB_EMOJI == valid_sjis(0xFB41, 0xFB8D) + valid_sjis(0xFBA1, 0xFBDE)
        assert all(cp932(code) is not None for code in FB_ROW)

    @pytest.mark.parametrize("codec", SOFTBANK_CODECS)
    def test_emoji_in_softbank(self, codec):
        """x-sjis-softbank reads each FB emoji cell as its row's emoji and writes it back."""
        for code in FB_EMOJI:
            row = ROW_BY_CODE["softbank"][code]
            assert sjis_bytes(code).decode(codec) == row.key
        for code in FB_EMOJI:
            assert ROW_BY_CODE["softbank"][code].key.encode("x-sjis-softbank") == sjis_bytes(code)

    @pytest.mark.parametrize("codec", SOFTBANK_CODECS)
    def test_rest_of_row_in_softbank(self, codec):
        """FB40 and FBDF-FBFC stay CP932 kanji; the gap FB8E-FBA0 is no emoji and is invalid."""
        for code in FB_ROW:
            if code in FB_EMOJI:
                continue
            data = b"a" + sjis_bytes(code) + b"b"
            if 0xFB8E <= code <= 0xFBA0:
                with pytest.raises(UnicodeDecodeError) as info:
                    data.decode(codec)
                assert (info.value.start, info.value.end) == (1, 3)
                assert data.decode(codec, "replace") == "a\ufffdb"
            else:
                assert data.decode(codec) == "a" + cp932(code) + "b"

    @pytest.mark.parametrize("codec", ["x-sjis-docomo", "x-sjis-kddi"])
    def test_kanji_elsewhere(self, codec):
        """x-sjis-docomo and x-sjis-kddi read the whole FB row as CP932 does."""
        for code in FB_ROW:
            assert sjis_bytes(code).decode(codec) == cp932(code)

    @pytest.mark.parametrize("codec", SJIS_CODECS)
    def test_ibm_kanji_never_become_emoji(self, codec):
        """Every IBM extension character (FA40-FC4B) encodes to bytes that decode to it again."""
        for code, char in cp932_chars(0xFA40, 0xFC4B).items():
            data = char.encode(codec)
            assert data == char.encode("cp932")
            assert data.decode(codec) == char, hex(code)

    @pytest.mark.parametrize("codec", SOFTBANK_CODECS)
    def test_nec_selected_ibm_next_to_emoji(self, codec):
        """NEC-selected IBM kanji (ED40-EEEC) round-trip byte for byte between FB emoji."""
        nec = [
            (code, char)
            for code, char in cp932_chars(0xED40, 0xEEFC).items()
            if char.encode("cp932") == sjis_bytes(code)  # the kanji; ⅰ, ￢ ... go elsewhere
        ]
        emoji = [ROW_BY_CODE["softbank"][c] for c in FB_EMOJI]
        assert nec and emoji
        pairs = [(nec[i], emoji[i % len(emoji)]) for i in range(len(nec))]
        data = b"".join(sjis_bytes(code) + sjis_bytes(row.softbank) for (code, _), row in pairs)
        text = "".join(char + row.key for (_, char), row in pairs)
        assert data.decode(codec) == text
        assert text.encode("x-sjis-softbank") == data

    @pytest.mark.parametrize("codec", SOFTBANK_CODECS)
    @pytest.mark.parametrize("lead_byte", [0xFB, 0xF5])
    def test_trail_byte_is_not_a_lead(self, codec, lead_byte):
        """A kanji whose trail byte is FB (or F5) followed by ASCII is not read as an emoji."""
        kanji = {c: ch for c, ch in cp932_chars(0x8140, 0xEFFC).items() if c & 0xFF == lead_byte}
        assert kanji
        emoji = ROW_BY_CODE["softbank"][FB_EMOJI[0]]
        for code, char in kanji.items():
            for prefix in (b"", b"a", "亜".encode("cp932"), b"\x88\x9f\x88\x9f", b"\xb1"):
                data = prefix + sjis_bytes(code) + b"A~"
                assert data.decode(codec) == data.decode("cp932"), data
            # ... and an FB emoji right after it is still an emoji (FB FB 41).
            data = sjis_bytes(code) + sjis_bytes(emoji.softbank) + b"A"
            assert data.decode(codec) == char + emoji.key + "A"

    def test_genuine_f5_code(self):
        """A user-defined F5xx code in x-sjis-softbank is one invalid two-byte character."""
        data = b"a\xf5\x40\x82\xa0"
        with pytest.raises(UnicodeDecodeError) as info:
            data.decode("x-sjis-softbank")
        assert (info.value.start, info.value.end) == (1, 3)
        assert data.decode("x-sjis-softbank", "replace") == "a\ufffdあ"
        assert data.decode("x-sjis-softbank", "ignore") == "aあ"


class TestF7Row:
    """F7xx is an au emoji in x-sjis-kddi and a SoftBank emoji in x-sjis-softbank."""

    def test_shared_codes(self):
        """Each code both carriers use decodes per carrier, and encodes back from both keys."""
        shared = sorted(set(ROW_BY_CODE["au"]) & set(ROW_BY_CODE["softbank"]))
        assert shared and all(code >> 8 == 0xF7 for code in shared)
        for code in shared:
            au, softbank = ROW_BY_CODE["au"][code], ROW_BY_CODE["softbank"][code]
            assert sjis_bytes(code).decode("x-sjis-kddi") == au.key
            assert sjis_bytes(code).decode("x-sjis-softbank") == softbank.key
            assert au.key.encode("x-sjis-kddi") == sjis_bytes(code)
            assert softbank.key.encode("x-sjis-softbank") == sjis_bytes(code)

    def test_not_docomo(self):
        """In x-sjis-docomo an F7 code is user-defined, not an emoji: invalid."""
        for code in sorted(ROW_BY_CODE["au"])[:50]:
            if code >> 8 == 0xF7:
                with pytest.raises(UnicodeDecodeError):
                    sjis_bytes(code).decode("x-sjis-docomo")

    def test_docomo_codes_in_kddi(self):
        """x-sjis-kddi also reads DoCoMo codes pasted into au forms, one way."""
        for code, row in ROW_BY_CODE["docomo"].items():
            assert sjis_bytes(code).decode("x-sjis-kddi") == row.key


@pytest.mark.parametrize("codec", SJIS_CODECS)
class TestCP932Mappings:
    """Characters whose CP932 mapping differs from JIS: wave dash, minus, dash, NEC row 13."""

    def test_wave_dash(self, codec):
        """8160 reads as U+FF5E; both U+301C and U+FF5E write 8160."""
        assert b"\x81\x60".decode(codec) == "\uff5e"
        assert "\u301c".encode(codec) == b"\x81\x60"
        assert "\uff5e".encode(codec) == b"\x81\x60"
        assert "☀\u301c☀".encode(codec) == "☀".encode(codec) + b"\x81\x60" + "☀".encode(codec)

    def test_minus(self, codec):
        """817C reads as U+FF0D; both U+2212 and U+FF0D write 817C."""
        assert b"\x81\x7c".decode(codec) == "\uff0d"
        assert "\u2212".encode(codec) == b"\x81\x7c"
        assert "\uff0d".encode(codec) == b"\x81\x7c"

    def test_dash(self, codec):
        """815C reads as U+2015; U+2014, which CP932 lacks, writes 815C too, also beside emoji."""
        assert b"\x81\x5c".decode(codec) == "\u2015"
        assert "\u2015".encode(codec) == b"\x81\x5c"
        assert "\u2014".encode(codec) == b"\x81\x5c"
        assert "a\u2014☀\u2014".encode(codec) == b"a\x81\x5c" + "☀".encode(codec) + b"\x81\x5c"

    def test_nec_row_13(self, codec):
        """NEC row 13 (①, Ⅰ, ㈱...) decodes and encodes exactly as CP932 does."""
        chars = cp932_chars(0x8740, 0x879C)
        assert {"①", "Ⅰ", "㈱"} <= set(chars.values())
        for code, char in chars.items():
            assert sjis_bytes(code).decode(codec) == char
            assert char.encode(codec) == char.encode("cp932")

    def test_ibm_extension(self, codec):
        """IBM extension kanji outside SoftBank's emoji cells decode and encode as CP932 does."""
        for code, char in cp932_chars(0xFA40, 0xFC4B).items():
            if codec in SOFTBANK_CODECS and 0xFB41 <= code <= 0xFBDE:
                continue
            assert sjis_bytes(code).decode(codec) == char
            assert char.encode(codec) == char.encode("cp932")

    def test_jis_rows(self, codec):
        """Every JIS X 0208 character and half-width kana is plain CP932."""
        for code, char in cp932_chars(0x8140, 0x9FFC).items():
            assert sjis_bytes(code).decode(codec) == char
            assert char.encode(codec) == char.encode("cp932")
        kana = bytes(range(0xA1, 0xE0))
        assert kana.decode(codec) == kana.decode("cp932")
        assert kana.decode("cp932").encode(codec) == kana

    def test_single_bytes_cp932_maps_to_private_use(self, codec):
        """A0 and FD-FF, which CP932 reads as private use, are invalid input, and not writable."""
        for byte in (0xA0, 0xFD, 0xFE, 0xFF):
            with pytest.raises(UnicodeDecodeError) as info:
                bytes((0x41, byte, 0x42)).decode(codec)
            assert (info.value.start, info.value.end) == (1, 2)
            char = bytes((byte,)).decode("cp932")
            with pytest.raises(UnicodeEncodeError):
                char.encode(codec)
