"""The echo body rules: cleaning, counting as the reader sees it, shortening, the 150 limit."""

import emoji
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from mobile_gateway.echo import echoes
from mobile_gateway.echo.text import characters, check_body, clean_body, count_chars, shorten
from mobile_gateway.storage.models import Echo

#: Emoji of many shapes, each one user-perceived character.
SEQUENCES = [
    "☀️",  # with VS16
    "☀",  # without
    "🇯🇵",  # flag
    "1️⃣",  # keycap with VS16
    "1⃣",  # keycap without
    "#️⃣",
    "👍🏽",  # skin tone
    "👨‍👩‍👧‍👦",  # ZWJ family
    "🏳️‍🌈",  # ZWJ with VS16
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England, tags
    chr(0x1016A6),  # carrier-only emoji in internal form
    "か\u3099",  # kana with a combining voiced mark
]


class TestCount:
    """count_chars counts what the reader sees."""

    @pytest.mark.parametrize("sequence", SEQUENCES)
    def test_sequence_counts_once(self, sequence):
        """Every emoji sequence and combined character counts as one."""
        assert count_chars(sequence) == 1
        assert count_chars(f"a{sequence}b") == 3

    def test_plain_text(self):
        """Kana, kanji, ASCII and full-width characters count one each."""
        assert count_chars("今日はいい天気ですね。ABCｱｲｳ") == 17

    def test_unpaired_zwj_between_letters(self):
        """A ZWJ between two letters does not merge them."""
        assert count_chars("a\u200db") == 2

    def test_mixed_weather(self):
        """The weather emoji of the demo count one each."""
        assert count_chars("☀️ ☁️ ☔ ⛄ 🎵 🍺") == 11

    @settings(deadline=None)
    @given(st.text(max_size=60), st.text(max_size=60))
    def test_count_never_exceeds_code_points(self, a, b):
        """No text counts more than its code points, and joining never adds characters."""
        assert count_chars(a) <= len(a)
        assert count_chars(a + b) <= count_chars(a) + count_chars(b)


def longest_whole_prefix(text: str, keep: int) -> str:
    """The longest prefix of at most *keep* characters that cuts no character in two: not
    inside an emoji as the ``emoji`` package finds them in the whole text, and after which
    the text splits into two whose counts add up to the count of the whole. Found by
    trying every prefix: an oracle for small texts only."""
    whole = count_chars(text)
    spans = [(m["match_start"], m["match_end"]) for m in emoji.emoji_list(text)]
    for i in range(len(text), -1, -1):
        head, tail = text[:i], text[i:]
        if any(start < i < end for start, end in spans):
            continue
        if count_chars(head) <= keep and count_chars(head) + count_chars(tail) == whole:
            return head
    raise AssertionError("the empty prefix always splits")


#: Text for shortening: kana, letters, the sequences above and their parts.
PIECES = st.lists(
    st.sampled_from(SEQUENCES + ["あ", "a", " ", "\u200d", "\ufe0f", "\U0001f1ef", "\u3099"]),
    max_size=30,
).map("".join)


class TestShorten:
    """shorten cuts at a whole character, reading the text once."""

    @settings(deadline=None, max_examples=300)
    @given(st.one_of(PIECES, st.text(max_size=40)), st.integers(2, 25), st.integers(0, 5))
    def test_cut_is_the_longest_whole_prefix(self, text, length, leeway):
        """Text within *length* + *leeway* stays whole; longer text keeps the longest prefix
        of at most *length* - 1 characters that cuts no character, then "…"."""
        short = shorten(text, length, leeway=leeway)
        if count_chars(text) <= length + leeway:
            assert short == text
        else:
            assert short == longest_whole_prefix(text, length - 1) + "…"

    @pytest.mark.parametrize("length", [0, 1])
    def test_no_room_leaves_only_the_ellipsis(self, length):
        """With no room for a character, a long text becomes "…" alone."""
        assert shorten("あいうえおかきくけこ", length) == "…"

    @settings(deadline=None)
    @given(st.one_of(PIECES, st.text(max_size=60)))
    def test_characters_join_back_to_the_text(self, text):
        """Cutting into characters loses and adds nothing, and counts as count_chars; only
        a text of code points that count as nothing (stray selectors) has no characters."""
        units = characters(text)
        assert "".join(units) == text or (units == [] and count_chars(text) == 0)
        assert len(units) == count_chars(text)
        assert all(count_chars(unit) == 1 for unit in units)

    def test_long_body_keeps_each_emoji_whole(self):
        """A 150-character body keeps a ZWJ family at the cut whole, or leaves it out whole,
        even where a part of the family would count as more characters than all of it."""
        body = "あ" * 18 + "👨‍👩‍👧‍👦" + "い" * 131
        assert shorten(body, 20) == "あ" * 18 + "👨‍👩‍👧‍👦…"
        assert shorten(body, 19) == "あ" * 18 + "…"
        assert count_chars("👨\u200d👩") == 2 and count_chars("👨‍👩‍👧‍👦") == 1

    def test_stray_selector_stays_in_the_text(self):
        """A variation selector the emoji package passes over counts as nothing but is kept."""
        text = "☀️\ufe0f" * 3
        assert characters(text) == ["☀️\ufe0f"] * 3
        assert shorten("\ufe0f" + "☀️" * 10, 4, leeway=0) == "\ufe0f☀️☀️☀️…"

    def test_flag_found_after_a_lone_regional_indicator_stays_whole(self):
        """In 🇯🇯🇵 the emoji package reads a lone 🇯 then the flag 🇯🇵: a cut keeps the flag
        whole rather than pairing the two 🇯 (found by the property test above)."""
        text = "☀️☀️\U0001f1ef\U0001f1ef\U0001f1f5☀️"
        assert characters(text)[2:4] == ["\U0001f1ef", "\U0001f1ef\U0001f1f5"]
        assert shorten(text, 4, leeway=0) == "☀️☀️\U0001f1ef…"


class TestClean:
    """clean_body folds line breaks and drops control characters."""

    def test_line_breaks_folded(self):
        """CRLF, CR, LF, LS and PS each become one space."""
        assert clean_body("a\r\nb\rc\nd\u2028e\u2029f") == "a b c d e f"

    def test_controls_removed(self):
        """NUL, ESC, DEL, C1 controls and bidi overrides are removed."""
        assert clean_body("a\x00b\x1bc\x7fd\x9be\u202ef\u2066g") == "abcdefg"

    def test_stripped(self):
        """Leading and trailing spaces, ideographic ones included, are removed."""
        assert clean_body("\u3000 おはよう \n") == "おはよう"

    def test_emoji_joiners_kept(self):
        """ZWJ and variation selectors survive cleaning."""
        assert clean_body("👨‍👩‍👧‍👦☀️") == "👨‍👩‍👧‍👦☀️"

    @settings(deadline=None)
    @given(st.text())
    def test_clean_output(self, text):
        """Cleaned text has no controls or line breaks and is stable when cleaned again."""
        cleaned = clean_body(text)
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in cleaned)
        assert "\u2028" not in cleaned and "\u2029" not in cleaned
        assert clean_body(cleaned) == cleaned


class TestCheck:
    """check_body gives the user's message for refused bodies."""

    def test_limit(self):
        """150 characters pass and 151 are refused, emoji or not."""
        assert check_body("あ" * 150) is None
        assert check_body("🍺" * 150) is None
        assert check_body("👨‍👩‍👧‍👦" * 150) is None
        assert check_body("🍺" * 151) == "150文字以内で入力してください"
        assert check_body("あ" * 151) == "150文字以内で入力してください"

    @pytest.mark.parametrize("body", ["", " ", "\u3000\u3000", "\r\n\t", "\x00\x01", "\u200d"])
    def test_empty(self, body):
        """Empty, blank and invisible-only bodies are refused."""
        assert check_body(body) == "本文を入力してください"

    def test_huge_body_refused_quickly(self):
        """A body far beyond any possible 150 characters is refused without counting."""
        assert check_body("a\u0301" * 100_000) == "150文字以内で入力してください"


class TestPost:
    """Posting stores the cleaned body, or nothing."""

    def test_stored_cleaned(self, session, make_user):
        """The stored body has its line breaks folded and controls removed."""
        echo = echoes.post(session, make_user("taro"), " 雨☔\r\nだね\x07 ")
        session.expire_all()
        assert session.get(Echo, echo.id).body == "雨☔ だね"

    @pytest.mark.parametrize("body", ["", "  \n ", "🍺" * 151])
    def test_nothing_stored_on_refusal(self, session, make_user, body):
        """A refused body raises BodyRefused and stores no row."""
        user = make_user("taro")
        with pytest.raises(echoes.BodyRefused) as caught:
            echoes.post(session, user, body)
        assert str(caught.value) in ("本文を入力してください", "150文字以内で入力してください")
        assert session.scalar(sa.select(sa.func.count()).select_from(Echo)) == 0

    def test_150_emoji_stored_whole(self, session, make_user):
        """150 multi-code-point emoji are stored and read back unchanged."""
        body = "🇯🇵👍🏽☀️" * 50
        echo = echoes.post(session, make_user("taro"), body)
        session.expire_all()
        assert session.get(Echo, echo.id).body == body

    def test_sql_metacharacters_stored_literally(self, session, make_user):
        """Quotes, semicolons, comments and wildcards in bodies are plain text."""
        body = '\'); DROP TABLE echoes; -- 100% _ \\ "x"'
        echo = echoes.post(session, make_user("taro"), body)
        session.expire_all()
        assert session.get(Echo, echo.id).body == body
        assert session.scalar(sa.select(sa.func.count()).select_from(Echo)) == 1
