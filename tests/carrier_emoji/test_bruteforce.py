"""Every row, every carrier, every notation: decode(code) == key and encode(key) == code."""

import pytest
from carrier_cases import (
    SJIS_CODEC,
    UTF8_CODEC,
    is_carrier_only,
    kddi_web_bytes,
    pua,
    pua_bytes,
    report,
    rows_of,
    sjis_bytes,
    webcode,
)

from carrier_emoji.table import ROWS


def spellings(key):
    """Return the key and, when different, its spelling without U+FE0F."""
    bare = key.replace("\ufe0f", "")
    return [key] if bare == key else [key, bare]


def check_round_trip(codec, key, data, bad):
    """Record in *bad* where decoding *data* or encoding any spelling of *key* disagrees."""
    got = data.decode(codec)
    if got != key:
        bad.append((codec, "decode", data, ascii(got), ascii(key)))
    for spelling in spellings(key):
        out = spelling.encode(codec)
        if out != data:
            bad.append((codec, "encode", ascii(spelling), out, data))


class TestShiftJIS:
    """x-sjis-<carrier>: the two Shift_JIS bytes of each code."""

    def test_rows(self, carrier):
        """Each row's code decodes to its key; the key, with or without U+FE0F, encodes to it."""
        bad = []
        for row in rows_of(carrier):
            check_round_trip(SJIS_CODEC[carrier], row.key, sjis_bytes(row.code(carrier)), bad)
        assert bad == [], report(bad)

    def test_all_rows_in_one_text(self, carrier):
        """All of the carrier's emoji side by side encode to the codes side by side, and back."""
        rows = rows_of(carrier)
        text = "".join(r.key for r in rows)
        data = b"".join(sjis_bytes(r.code(carrier)) for r in rows)
        assert text.encode(SJIS_CODEC[carrier]) == data
        assert data.decode(SJIS_CODEC[carrier]) == text

    def test_rows_between_text(self, carrier):
        """Each emoji keeps its code between kanji, kana and ASCII."""
        rows = rows_of(carrier)
        text = "".join(f"漢{r.key}ｶa" for r in rows)
        data = b"".join("漢".encode("cp932") + sjis_bytes(r.code(carrier)) + b"\xb6a" for r in rows)
        assert text.encode(SJIS_CODEC[carrier]) == data
        assert data.decode(SJIS_CODEC[carrier]) == text


class TestUtf8:
    """x-utf8-<carrier>: the carrier's private-use code point in UTF-8."""

    def test_rows(self, carrier):
        """Each row's private-use character decodes to its key, and the key encodes to it."""
        bad = []
        for row in rows_of(carrier):
            check_round_trip(
                UTF8_CODEC[carrier], row.key, pua_bytes(carrier, row.code(carrier)), bad
            )
        assert bad == [], report(bad)

    def test_all_rows_in_one_text(self, carrier):
        """All of the carrier's emoji side by side encode to their code points side by side."""
        rows = rows_of(carrier)
        text = "".join(r.key for r in rows)
        data = b"".join(pua_bytes(carrier, r.code(carrier)) for r in rows)
        assert text.encode(UTF8_CODEC[carrier]) == data
        assert data.decode(UTF8_CODEC[carrier]) == text

    def test_kddi_web(self):
        """au's "web" code points (Shift_JIS - 0x0700) decode like the official ones."""
        bad = []
        for row in rows_of("au"):
            data = kddi_web_bytes(row.au)
            got = data.decode("x-utf8-kddi")
            if got != row.key:
                bad.append((data, ascii(got), ascii(row.key)))
        assert bad == [], report(bad)

    def test_kddi_web_and_official_mixed(self):
        """A text mixing both au notations decodes, and encodes back in the official one."""
        rows = rows_of("au")
        data = b"".join(kddi_web_bytes(r.au) + pua_bytes("au", r.au) for r in rows)
        text = "".join(r.key * 2 for r in rows)
        assert data.decode("x-utf8-kddi") == text
        assert text.encode("x-utf8-kddi") == b"".join(pua_bytes("au", r.au) * 2 for r in rows)


class TestSoftBankWebcode:
    """SoftBank 2G webcodes: ESC $ group code SI."""

    def test_rows(self):
        """x-sjis-softbank-webcode writes each emoji's webcode; every SoftBank codec reads it."""
        bad = []
        for row in rows_of("softbank"):
            data = webcode([pua("softbank", row.softbank)])
            for spelling in spellings(row.key):
                out = spelling.encode("x-sjis-softbank-webcode")
                if out != data:
                    bad.append(("encode", ascii(spelling), out, data))
            for codec in ("x-sjis-softbank", "x-sjis-softbank-webcode", "x-utf8-softbank"):
                got = data.decode(codec)
                if got != row.key:
                    bad.append((codec, data, ascii(got), ascii(row.key)))
        assert bad == [], report(bad)

    def test_all_rows_in_one_text(self):
        """Adjacent emoji of one group share an escape, and the run decodes back."""
        rows = rows_of("softbank")
        text = "".join(r.key for r in rows)
        data = webcode([pua("softbank", r.softbank) for r in rows])
        assert text.encode("x-sjis-softbank-webcode") == data
        assert data.decode("x-sjis-softbank") == text

    def test_runs_between_text(self):
        """Emoji separated by text each get their own escape."""
        rows = rows_of("softbank")
        text = "".join(f"{r.key}あ" for r in rows)
        data = b"".join(webcode([pua("softbank", r.softbank)]) + b"\x82\xa0" for r in rows)
        assert text.encode("x-sjis-softbank-webcode") == data
        assert data.decode("x-sjis-softbank") == text


class TestDoCoMoReferences:
    """DoCoMo character references: hex of the Unicode value, decimal of the Shift_JIS value."""

    @pytest.mark.parametrize("codec", ["x-sjis-docomo", "x-utf8-docomo"])
    def test_rows(self, codec):
        """&#xE63E; &#xe63e; and &#63647; decode to the row's key."""
        bad = []
        for row in rows_of("docomo"):
            code = pua("docomo", row.docomo)
            for ref in (f"&#x{code:X};", f"&#x{code:x};", f"&#X{code:X};", f"&#{row.docomo};"):
                got = ref.encode("ascii").decode(codec)
                if got != row.key:
                    bad.append((ref, ascii(got), ascii(row.key)))
        assert bad == [], report(bad)

    def test_decimal_is_not_unicode(self):
        """A decimal reference is read as a Shift_JIS value, never as a Unicode code point."""
        row = rows_of("docomo")[0]
        assert f"&#{pua('docomo', row.docomo)};".encode().decode("x-sjis-docomo") != row.key


class TestCarrierOnly:
    """Carrier emoji without a standard equivalent."""

    def test_own_carrier_round_trip(self, carrier):
        """Each carrier-only character round-trips on its carrier in every notation."""
        rows = [r for r in rows_of(carrier) if is_carrier_only(r.key)]
        assert rows
        bad = []
        for row in rows:
            code = row.code(carrier)
            check_round_trip(SJIS_CODEC[carrier], row.key, sjis_bytes(code), bad)
            check_round_trip(UTF8_CODEC[carrier], row.key, pua_bytes(carrier, code), bad)
            if carrier == "softbank":
                check_round_trip(
                    "x-sjis-softbank-webcode", row.key, webcode([pua(carrier, code)]), bad
                )
        assert bad == [], report(bad)


class TestUnicode:
    """x-utf8-unicode: standard emoji as they are, legacy code points read one way."""

    def test_standard_keys(self):
        """Every standard key encodes to its own UTF-8 and decodes back."""
        bad = []
        for row in ROWS:
            if is_carrier_only(row.key):
                continue
            data = row.key.encode("utf-8")
            if row.key.encode("x-utf8-unicode") != data or data.decode("x-utf8-unicode") != row.key:
                bad.append(ascii(row.key))
        assert bad == [], report(bad)

    def test_legacy_softbank(self):
        """SoftBank private-use code points (old iPhones) decode to the row's key."""
        bad = []
        for row in rows_of("softbank"):
            got = pua_bytes("softbank", row.softbank).decode("x-utf8-unicode")
            if got != row.key:
                bad.append((hex(row.softbank), ascii(got), ascii(row.key)))
        assert bad == [], report(bad)

    def test_legacy_google(self):
        """Google private-use code points decode to a standard emoji that lists them."""
        bad = []
        for row in ROWS:
            if row.google is None:
                continue
            got = chr(row.google).encode("utf-8").decode("x-utf8-unicode")
            owner = next(r for r in ROWS if r.google == row.google)
            if got != owner.key:
                bad.append((hex(row.google), ascii(got), ascii(owner.key)))
        assert bad == [], report(bad)
