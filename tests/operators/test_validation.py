"""The checks a change of the emoji layer must pass, each refusing what it must."""

import pytest
from support.console import AU_ONLY, AU_ONLY_CODE

import carrier_emoji
from carrier_emoji import EmojiIndex, EmojiRow
from mobile_gateway.operators import emoji_lookup, emoji_notation, emoji_review
from mobile_gateway.operators.emoji_layer import LayerError

SUN = "\u2600\ufe0f"
PARTY = "\U0001f973"  # not in the shipped table


def shipped(key: str) -> EmojiRow:
    """Return the shipped row of *key*."""
    return carrier_emoji.current_index().by_key[key]


def review(*rows: EmojiRow, layer=None) -> emoji_review.Review:
    """Review putting *rows* into an (empty) layer."""
    return emoji_review.review(layer or {}, {row.key: row for row in rows})


def only(problems: list[str], text: str) -> None:
    """Assert that one problem mentions *text*."""
    assert any(text in p for p in problems), problems


class TestRefused:
    """Each rule refuses the change, saying why; nothing else is needed to refuse."""

    def test_code_mapped_twice(self):
        """Giving the sun DoCoMo F94A, which a carrier-only emoji holds, is refused."""
        result = review(shipped(SUN)._replace(docomo=0xF94A))
        assert not result.ok and result.index is None
        only(result.problems, "docomo code F94A is mapped twice")

    def test_broken_round_trip(self):
        """A new spelling that takes over EN SPACE's encoding breaks au F7AA's round trip."""
        result = review(EmojiRow("\u2002\ufe0f", name_ja="空白"))
        assert not result.ok
        only(result.problems, "round trips that hold now would break: x-sjis-kddi F7AA")

    def test_round_trip_moved_on_purpose_is_allowed(self):
        """Taking the sun's DoCoMo code away breaks only that code's round trip: allowed."""
        result = review(shipped(SUN)._replace(docomo=None))
        assert result.ok, result.problems
        only(result.warnings, "DoCoMo F89F is then no emoji")

    def test_fallback_text_not_in_cp932(self):
        """A text fallback Shift_JIS phones cannot show is refused, naming the character."""
        result = review(shipped(SUN)._replace(name_ja="太陽é"))
        only(result.problems, "'é' is not in CP932")

    def test_fallback_text_with_brackets(self):
        """A name with brackets would break the [name] form."""
        only(review(shipped(SUN)._replace(name_ja="[晴]")).problems, "without brackets")

    def test_code_outside_the_carrier_cells(self):
        """F000 is no DoCoMo emoji code, in a row as in typed input."""
        only(review(shipped(SUN)._replace(docomo_fit=0xF000)).problems, "is no DoCoMo code")
        with pytest.raises(LayerError, match="not one of DoCoMo's emoji codes"):
            emoji_notation.parse_code("docomo", "F000")

    def test_carrier_only_key_keeps_its_code(self):
        """The key U+102A9D names au F370; giving it another au code is refused."""
        row = carrier_emoji.current_index().by_key[AU_ONLY]._replace(au=0xF371)
        only(review(row).problems, "must keep its own code F370")

    def test_fit_must_be_standard(self):
        """A carrier-only emoji cannot mean another carrier-only emoji."""
        row = carrier_emoji.current_index().by_key[AU_ONLY]._replace(fit=chr(0x1016A6))
        only(review(row).problems, "fit must be another, standard emoji")

    def test_localsrc_range_and_au_code(self):
        """localsrc must be 1-518 or 700-822, on a row with an au code."""
        only(review(shipped(SUN)._replace(localsrc=600)).problems, "outside 1-518 and 700-822")
        only(review(EmojiRow(PARTY, localsrc=44)).problems, "needs the row's au code")

    def test_localsrc_taken_twice(self):
        """Two emoji cannot share an au localsrc number."""
        layer = {SUN: shipped(SUN)._replace(localsrc=44)}
        rain = "\u2614"
        row = carrier_emoji.current_index().by_key[rain]._replace(localsrc=44)
        only(review(row, layer=layer).problems, "localsrc 44 is taken twice")

    def test_not_an_emoji(self):
        """A key that is no emoji is refused."""
        only(review(EmojiRow("abc")).problems, "not an emoji")

    def test_meaning_for_a_standard_code(self):
        """A code that already means a standard emoji gets no carrier-only meaning."""
        with pytest.raises(LayerError, match="already means ☀️"):
            emoji_lookup.propose_carrier_only(carrier_emoji.current_index(), "docomo", 0xF89F, SUN)


class TestAccepted:
    """What a good change does: preview, effect on output and input."""

    def test_carrier_only_meaning_changes_output_only(self):
        """Giving au F370 a meaning changes what the others receive, not what au sends."""
        row = emoji_lookup.propose_carrier_only(
            carrier_emoji.current_index(), "au", AU_ONLY_CODE, SUN
        )
        result = review(row)
        assert result.ok, result.problems
        assert result.output and not result.input
        assert result.effect.startswith("output")
        lines = {line.codec: line for line in result.preview[AU_ONLY]}
        assert lines["x-sjis-docomo"].before == "今日は〓です".encode("cp932")
        assert lines["x-sjis-docomo"].after == "今日は".encode(
            "cp932"
        ) + b"\xf8\x9f" + "です".encode("cp932")
        assert not lines["x-sjis-kddi"].changed  # au keeps its own code
        assert b"\xf3\x70" in lines["x-sjis-kddi"].after
        assert lines["x-utf8-unicode"].after == f"今日は{SUN}です".encode()
        assert "☀️ ⟨DoCoMo F89F⟩" in lines["x-sjis-docomo"].after_view

    def test_preview_uses_the_candidate_not_the_installed_table(self):
        """Reviewing builds a candidate index and leaves the installed table alone."""
        before = carrier_emoji.current_index()
        row = emoji_lookup.propose_carrier_only(before, "au", AU_ONLY_CODE, SUN)
        result = review(row)
        assert carrier_emoji.current_index() is before
        assert carrier_emoji.encode(AU_ONLY, "x-sjis-docomo", errors="geta") == b"\x81\xac"
        assert carrier_emoji.encode(AU_ONLY, "x-sjis-docomo", index=result.index) == b"\xf8\x9f"

    def test_google_code_changes_input_only(self):
        """A new Google code point decodes differently from now on; output is unchanged."""
        index = carrier_emoji.current_index()
        row = index.by_key["\U0001f385"]
        taken = {r.google for r in index.rows}
        free = next(p for p in range(0xFE000, 0xFEEA0) if p not in taken)
        result = review(row._replace(google=free))
        assert result.ok, result.problems
        assert result.input and not result.output
        assert result.effect.startswith("input")

    def test_removing_a_code_changes_both(self):
        """Taking the sun's DoCoMo code away changes old echoes and new posts."""
        result = review(shipped(SUN)._replace(docomo=None))
        assert result.output and result.input
        assert result.effect.startswith("output and input")

    def test_localsrc_alone_changes_neither(self):
        """Recording an au localsrc number changes no bytes."""
        result = review(shipped(SUN)._replace(localsrc=44))
        assert result.ok and not result.output and not result.input


class TestNotations:
    """Keys and codes are read in every notation operators use."""

    @pytest.mark.parametrize(
        "query, carrier, key",
        [
            (SUN, None, SUN),
            ("\u2600", None, SUN),
            (":sun:", None, SUN),
            (":太陽:", None, SUN),
            ("太陽", None, SUN),
            ("F89F", "docomo", SUN),
            ("F660", "au", SUN),
            ("U+E63E", None, SUN),
            ("U+E488", None, SUN),
            ("$Gj", None, SUN),
            ("ESC$Gj", None, SUN),
            ("\x1b$Gj\x0f", None, SUN),
            ("&#63647;", None, SUN),
            ("U+102A9D", None, AU_ONLY),
            ("F370", "au", AU_ONLY),
        ],
    )
    def test_lookup(self, query, carrier, key):
        """Each notation finds the emoji first."""
        matches = emoji_lookup.lookup(carrier_emoji.current_index(), query, carrier)
        assert matches and matches[0].row.key == key, matches

    def test_lookup_by_localsrc(self):
        """An au localsrc number finds the row that carries it."""
        index = EmojiIndex(
            carrier_emoji.merge(carrier_emoji.shipped_rows(), [shipped(SUN)._replace(localsrc=44)])
        )
        assert [m.row.key for m in emoji_lookup.lookup(index, "44")] == [SUN]
        assert [m.row.key for m in emoji_lookup.lookup(index, 'localsrc="44"')] == [SUN]

    def test_lookup_of_an_emoji_not_in_the_table(self):
        """A standard emoji the table lacks is found, marked, with its Japanese name."""
        (match,) = emoji_lookup.lookup(carrier_emoji.current_index(), PARTY)
        assert not match.in_table and match.row.name_ja == "パーティーの顔"

    @pytest.mark.parametrize("text", ["F89F", "0xF89F", "U+E63E", "f89f"])
    def test_parse_docomo_code(self, text):
        """A DoCoMo code may be typed as Shift_JIS hex or as its code point."""
        assert emoji_notation.parse_code("docomo", text) == 0xF89F

    def test_parse_softbank_webcode(self):
        """A SoftBank code may be typed as a webcode."""
        assert emoji_notation.parse_code("softbank", "$Gj") == 0xF98B

    def test_row_json_round_trip(self):
        """Audit JSON holds codes in hex and reads back to the same row."""
        row = shipped(SUN)._replace(localsrc=44)
        data = emoji_notation.row_to_json(row)
        assert data["docomo"] == "F89F" and data["google"] == "FE000"
        assert emoji_notation.row_from_json(data) == row
