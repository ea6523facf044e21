"""Cross-carrier best fits: where emoji4unicode gives the target carrier an emoji, so do we.

A case is one emoji4unicode element, a source (a carrier whose code round-trips to our
key, or the element's standard Unicode) and another carrier the element names, exactly
or by a ``>`` approximation. We encode our key for that carrier; every case where we do
not write e4u's emoji (or sequence) is listed, with its reason, in
``best_fit_differences.tsv``, and at least 97% of the cases must give an emoji at all.
"""

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from carrier_cases import E4U, SJIS_CODEC, UTF8_CODEC, pua_bytes, rows_of, sjis_bytes

import carrier_emoji
from carrier_emoji.table import ROWS

FIXTURE = Path(__file__).with_name("best_fit_differences.tsv")
ROUND_TRIPS = Path(__file__).with_name("round_trips.tsv")
COLUMNS = ["e4u_id", "source", "target", "e4u_value", "ours", "reason"]
#: e4u attribute -> our carrier key.
E4U_CARRIERS = {"docomo": "docomo", "kddi": "au", "softbank": "softbank"}
#: Share of the cases that must give the target carrier an emoji.
GOAL = 0.97

needs_e4u = pytest.mark.skipif(not E4U.exists(), reason=f"{E4U} not found (shared data)")


def chars(field: str) -> str:
    """Turn ``>E04A+E049`` or ``+1F304`` into the characters it names."""
    return "".join(chr(int(cp, 16)) for cp in field.lstrip(">").split("+") if cp)


def cases():
    """Yield (e4u id, source, target, e4u value, our key) for every cross-carrier case."""
    for element in ET.parse(E4U).getroot().iter("e"):
        keys = {}
        for attr, carrier in E4U_CARRIERS.items():
            value = element.get(attr)
            if value and not value.startswith(">"):
                try:
                    keys[carrier] = chars(value).encode("utf-8").decode(UTF8_CODEC[carrier])
                except UnicodeDecodeError:
                    continue  # no round trip in our table: not a source
        if element.get("unicode"):
            keys["unicode"] = chars(element.get("unicode"))
        for source, key in keys.items():
            for attr, target in E4U_CARRIERS.items():
                if target != source and element.get(attr):
                    yield element.get("id"), source, target, element.get(attr), key


def ours(target: str, key: str) -> str:
    """Return what we write for *key* on *target*'s UTF-8 pages, as the characters sent."""
    return carrier_emoji.encode(key, UTF8_CODEC[target]).decode("utf-8")


def is_emoji(text: str) -> bool:
    """Tell whether UTF-8 carrier output is only carrier emoji (private use), no text."""
    return bool(text) and all(0xE000 <= ord(c) <= 0xF0FF for c in text)


def code_points(text: str) -> str:
    """Write text as hex code points joined by ``+``, as e4u does."""
    return "+".join(f"{ord(c):04X}" for c in text)


def fixture_rows():
    """Read the differences fixture."""
    with FIXTURE.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file, delimiter="\t")
        assert reader.fieldnames == COLUMNS
        return list(reader)


@needs_e4u
class TestEmoji4UnicodeFits:
    """Our fits against emoji4unicode's exact mappings and approximations."""

    def test_coverage(self):
        """At least 97% of the cases give the target an emoji (we report the figure)."""
        results = [is_emoji(ours(target, key)) for _, _, target, _, key in cases()]
        share = sum(results) / len(results)
        print(f"best-fit coverage: {sum(results)}/{len(results)} = {share:.2%}")
        assert len(results) > 3000
        assert share >= GOAL, f"{share:.2%} of {len(results)} cases give an emoji"

    def test_differences_match_fixture(self):
        """The cases where we write other than e4u's emoji are exactly the fixture's rows."""
        computed = set()
        for e4u_id, source, target, value, key in cases():
            got = ours(target, key)
            if got != chars(value):
                computed.add((e4u_id, source, target, value, code_points(got)))
        listed = {tuple(row[c] for c in COLUMNS[:-1]) for row in fixture_rows()}
        assert computed == listed

    def test_fixture_reasons(self):
        """Each listed difference says why, in a sentence."""
        for row in fixture_rows():
            assert len(row["reason"].split()) >= 5, row

    def test_named_examples(self):
        """The peers' examples: memo, footprints, envelope on SoftBank; au's pair for 😅."""
        assert ours("softbank", "\U0001f4c3") == chars("E301")  # page with curl -> memo
        assert ours("softbank", "\U0001f43e") == chars("E536")  # paw prints -> footprints
        assert ours("softbank", "\u2709\ufe0f") == chars("E103")  # envelope
        assert ours("au", "\U0001f605") == chars("E471+E5B1")  # smile + sweat


class TestSequenceFits:
    """A best fit of two emoji is written as both, in every notation."""

    def test_every_notation(self):
        """⛅ (no SoftBank twin) is SoftBank's sun then cloud, merged into one webcode escape."""
        row = next(r for r in ROWS if r.key == "\u26c5")
        sun, cloud = row.softbank_fit
        assert "⛅".encode("x-sjis-softbank") == sjis_bytes(sun) + sjis_bytes(cloud)
        assert "⛅".encode("x-utf8-softbank") == pua_bytes("softbank", sun) + pua_bytes(
            "softbank", cloud
        )
        assert "a⛅".encode("x-sjis-softbank-webcode") == b"a\x1b$Gji\x0f"
        assert "⛅☀️".encode("x-sjis-softbank-webcode") == b"\x1b$Gjij\x0f"

    def test_fb_row_in_a_sequence(self):
        """A sequence with a SoftBank FB-row code (written as bytes) keeps text around it."""
        row = next(r for r in ROWS if r.key == "\U0001f605")
        first, second = row.softbank_fit
        assert first >> 8 == 0xFB
        data = "漢\U0001f605字".encode("x-sjis-softbank")
        assert data == "漢".encode("cp932") + sjis_bytes(first) + sjis_bytes(second) + "字".encode(
            "cp932"
        )

    def test_decodes_as_the_two_emoji(self, carrier):
        """A sequence fit decodes as its two emoji: one way, like every fit."""
        for row in ROWS:
            fit = row.fit_code(carrier)
            if isinstance(fit, tuple):
                data = row.key.encode(SJIS_CODEC[carrier])
                keys = [next(r.key for r in rows_of(carrier) if r.code(carrier) == c) for c in fit]
                assert data.decode(SJIS_CODEC[carrier]) == "".join(keys), row

    def test_operator_row_overrides(self, restore_table):
        """An operator's row replaces the shipped one, sequence fit and all, at once."""
        memo = next(r for r in rows_of("softbank") if r.key == "\U0001f4dd")
        row = next(r for r in ROWS if r.key == "\u26c5")
        carrier_emoji.install(carrier_emoji.merge(ROWS, [row._replace(softbank_fit=memo.softbank)]))
        assert "⛅".encode("x-sjis-softbank") == sjis_bytes(memo.softbank)
        carrier_emoji.install(
            carrier_emoji.merge(ROWS, [row._replace(softbank_fit=(memo.softbank,) * 2)])
        )
        assert "⛅".encode("x-sjis-softbank") == sjis_bytes(memo.softbank) * 2

    @pytest.mark.parametrize("fit", [(0xF89F,), (0x1234, 0xF98B), (0xF98B, "x"), 0xF040])
    def test_bad_fit_is_refused(self, fit):
        """A fit that is no SoftBank cell, or a tuple holding one, is a TableError."""
        row = next(r for r in ROWS if r.key == "\u26c5")
        with pytest.raises(carrier_emoji.TableError, match="softbank_fit"):
            carrier_emoji.EmojiIndex([row._replace(softbank_fit=fit)])


def round_trip_rows():
    """Read the round trips of the table as it was before e4u's fits: carrier, code, key."""
    with ROUND_TRIPS.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file, delimiter="\t"):
            key = "".join(chr(int(cp, 16)) for cp in row["key"].split())
            yield row["carrier"], int(row["sjis"], 16), key


class TestRoundTripsUnchanged:
    """Best fits are one way: every round trip of the earlier table is still the same."""

    def test_same_round_trips(self):
        """The table's round-trip codes are exactly those of round_trips.tsv."""
        table = {(c, r.code(c), r.key) for r in ROWS for c in SJIS_CODEC if r.code(c) is not None}
        assert table == set(round_trip_rows())

    def test_each_still_round_trips(self):
        """Each listed code decodes to its key and the key encodes back, in both notations."""
        bad = []
        for carrier, code, key in round_trip_rows():
            for codec, data in (
                (SJIS_CODEC[carrier], sjis_bytes(code)),
                (UTF8_CODEC[carrier], pua_bytes(carrier, code)),
            ):
                if data.decode(codec) != key or key.encode(codec) != data:
                    bad.append((codec, hex(code), ascii(key)))
        assert bad == []
