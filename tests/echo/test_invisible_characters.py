"""Zero-width characters are removed from echoes and names, as controls and bidi controls are.

U+200B-U+200D, U+2060 and U+FEFF show nothing, yet hide text inside names and links and
make two different texts look alike. The ZWJ that joins an emoji sequence is part of that
emoji and stays.
"""

from __future__ import annotations

import pytest

from mobile_gateway.accounts import users
from mobile_gateway.phone.invisible import remove_invisible

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
#: Phones whose forms are UTF-8: they can send these characters (Shift_JIS has none of them).
UTF8_PHONES = ["pc", "iphone", "softbank"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("char", ZERO_WIDTH, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("name", UTF8_PHONES)
def test_removed_from_posted_echoes(signed_in, store, name, char):
    """An echo typed with a zero-width character between letters is stored without it."""
    handset = signed_in(name, "alice")
    handset.post_echo(f"pay{char}pal.example です")
    assert handset.status == 200
    assert store.bodies() == ["paypal.example です"]


@pytest.mark.parametrize("name", ["pc", "iphone"])
def test_emoji_joiners_kept(signed_in, store, name):
    """ZWJ sequences stay whole; a ZWJ between letters, or after an emoji, goes."""
    handset = signed_in(name, "alice")
    handset.post_echo(f"家族{FAMILY}旗{RAINBOW_FLAG} a\u200db 🍺\u200d")
    assert handset.status == 200
    assert store.bodies() == [f"家族{FAMILY}旗{RAINBOW_FLAG} ab 🍺"]


@pytest.mark.parametrize("name", UTF8_PHONES)
def test_invisible_only_echo_refused(signed_in, store, name):
    """An echo of nothing but invisible characters is refused as empty."""
    handset = signed_in(name, "alice")
    handset.post_echo("\u200b\u2060\ufeff\u202e")
    assert handset.status == 400
    assert "本文を入力してください" in handset.text
    assert store.bodies() == []


def test_removed_from_display_names(session):
    """A display name keeps no zero-width, bidi or control character."""
    user = users.signup(session, "taro", "echo-pass-2009", "た\u200bろ\u202eう\ufeff\u200d")
    assert user.display_name == "たろう"


def test_remove_invisible_keeps_text():
    """Text without invisible characters comes back unchanged."""
    text = "晴れ☀️ 1️⃣ 🇯🇵 e\u0301 ｶﾀｶﾅ"
    assert remove_invisible(text) == text
