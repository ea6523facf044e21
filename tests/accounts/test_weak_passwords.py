"""Common and trivial passwords are refused at sign-up, saying why in Japanese.

The message comes in the terminal's own encoding, the typed name stays in the form, and
no account is made.
"""

from __future__ import annotations

import pytest
from support.settings import PASSWORD

from mobile_gateway.accounts import passwords

#: Passwords the review found accepted, and others as easy to guess, with the reason shown.
WEAK = {
    "password": "よく使われているパスワードは使えません",
    "12345678": "よく使われているパスワードは使えません",
    "        ": "同じ文字や同じ並びの繰り返しは使えません",
    "qwertyuiop": "よく使われているパスワードは使えません",
    "abcdefgh": "連続した文字は使えません",
    "hanako2009": "ユーザー名やサービス名を含むパスワードは使えません",
    "20090601": "日付や年だけのパスワードは使えません",
}
#: One phone of each encoding and page kind.
PHONES = ["docomo_mova", "au", "softbank", "jphone", "iphone", "pc"]


@pytest.mark.parametrize("name", PHONES)
@pytest.mark.parametrize("password", sorted(WEAK))
def test_weak_password_refused(phone, store, name, password):
    """Sign-up with a weak password is refused in the phone's encoding; no account is made."""
    handset = phone(name)
    handset.sign_up("hanako", password)
    assert handset.status == 400
    assert handset.content_type == handset.terminal.content_type_header
    assert WEAK[password] in handset.text
    assert handset.form("/signup").control("name")[1] == "hanako"
    assert not store.user_exists("hanako")


@pytest.mark.parametrize("name", PHONES)
def test_strong_password_accepted(phone, store, name):
    """The control: a password of a few words and digits signs up at once."""
    handset = phone(name)
    handset.sign_up("hanako", PASSWORD)
    assert handset.status == 200 and "ログアウト" in handset.text
    assert store.user_exists("hanako")


def test_existing_weak_password_still_signs_in(phone, store):
    """An account made before the rule keeps signing in: only new passwords are judged."""
    from mobile_gateway.storage.models import User

    store.user("taro")
    with store.session() as db_session:
        user = db_session.query(User).filter_by(name="taro").one()
        user.password_hash = passwords.hash_password("password")
        db_session.commit()
    handset = phone("pc")
    handset.sign_in("taro", "password")
    assert "ログアウト" in handset.text


def test_name_inside_the_password_is_weak():
    """A password that is the user name with a digit is judged against that name."""
    assert "ユーザー名" in passwords.check_password("tarotaro1", ["tarotaro"])
    assert passwords.check_password("kumo-ame-2009", ["tarotaro"]) is None
