"""Cross-check with Google's emoji4unicode.xml: carrier PUA decodes to e4u's standard emoji.

Every disagreement is listed, with its reason, in ``e4u_disagreements.tsv``; the test
asserts that the computed disagreements are exactly that list.
"""

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from carrier_cases import E4U

FIXTURE = Path(__file__).with_name("e4u_disagreements.tsv")
COLUMNS = ["carrier", "carrier_pua", "e4u_unicode", "ours", "reason"]
#: e4u attribute -> (our carrier key, codec); au's attribute holds the official PUA.
CARRIER_ATTRS = {
    "docomo": ("docomo", "x-utf8-docomo"),
    "kddi": ("au", "x-utf8-kddi"),
    "softbank": ("softbank", "x-utf8-softbank"),
}

pytestmark = pytest.mark.skipif(
    not E4U.exists(), reason=f"{E4U} not found (the shared data directory beside the repository)"
)


def chars(field: str) -> str:
    """Turn ``+1F1EF+1F1F5`` or ``E63E`` into the characters it names."""
    return "".join(chr(int(cp, 16)) for cp in field.split("+") if cp)


def code_points(text: str) -> str:
    """Write text as ``U+XXXX`` code points separated by spaces."""
    return " ".join(f"U+{ord(c):04X}" for c in text)


def e4u_mappings():
    """Yield (carrier, codec, carrier_pua, e4u_unicode) for each round-trip e4u mapping."""
    root = ET.parse(E4U).getroot()
    for element in root.iter("e"):
        unicode = element.get("unicode")
        if not unicode:
            continue
        for attr, (carrier, codec) in CARRIER_ATTRS.items():
            value = element.get(attr)
            if value and not value.startswith(">"):
                yield carrier, codec, value, unicode


def decode_mapping(mapping) -> str:
    """Return what our codec decodes the mapping's carrier PUA to, or ``error: reason``."""
    carrier, codec, value, unicode = mapping
    try:
        ours = chars(value).encode("utf-8").decode(codec)
    except UnicodeDecodeError as exc:
        return f"error: {exc.reason}"
    return ours


def computed_disagreements():
    """Return {(carrier, carrier_pua, e4u_unicode): ours} where our decoding differs from e4u."""
    result = {}
    for mapping in e4u_mappings():
        carrier, _, value, unicode = mapping
        ours = decode_mapping(mapping)
        if ours.replace("\ufe0f", "") != chars(unicode).replace("\ufe0f", ""):
            ours_text = ours if ours.startswith("error:") else code_points(ours)
            result[(carrier, value, unicode)] = ours_text
    return result


def fixture_rows():
    """Read the disagreement fixture."""
    with FIXTURE.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file, delimiter="\t")
        assert reader.fieldnames == COLUMNS
        return list(reader)


class TestEmoji4Unicode:
    """Our decoders agree with emoji4unicode except where the fixture says why not."""

    def test_mappings_are_checked(self):
        """The file yields round-trip mappings for all three carriers."""
        carriers = {carrier for carrier, *_ in e4u_mappings()}
        assert carriers == {"docomo", "au", "softbank"}

    def test_disagreements_match_fixture(self):
        """The computed disagreements are exactly the rows of e4u_disagreements.tsv."""
        expected = {
            (row["carrier"], row["carrier_pua"], row["e4u_unicode"]): row["ours"]
            for row in fixture_rows()
        }
        assert computed_disagreements() == expected

    def test_fixture_reasons(self):
        """Each fixture row gives a specific reason and names a carrier, once."""
        rows = fixture_rows()
        keys = [(r["carrier"], r["carrier_pua"]) for r in rows]
        assert len(keys) == len(set(keys))
        for row in rows:
            assert row["carrier"] in {"docomo", "au", "softbank"}, row
            assert len(row["reason"].split()) >= 5, row

    def test_agreeing_mappings_encode_back(self):
        """Where we agree, e4u's standard emoji encodes back to the carrier's PUA."""
        disagree = set(computed_disagreements())
        wrong = []
        for carrier, codec, value, unicode in e4u_mappings():
            if (carrier, value, unicode) in disagree:
                continue
            data = chars(unicode).encode(codec)
            if data != chars(value).encode("utf-8"):
                wrong.append((carrier, value, unicode, data))
        assert wrong == []
