"""Sign-up, sign-in and sign-out through every phone; names with markup refused."""

from __future__ import annotations

import pytest
from support.phones import PHONES

from mobile_gateway.storage.models import User


class TestSignUpInOut:
    """The whole account story works on every phone."""

    @pytest.mark.parametrize("name", PHONES)
    def test_sign_up_signs_in(self, phone, store, name):
        """Signing up creates the account and lands, signed in, on the (optional) profile form."""
        handset = phone(name)
        handset.sign_up("alice")
        assert handset.status == 200
        assert handset.url.split("?")[0] == "http://localhost/settings/profile"
        assert "登録しました。表示名とひとことを設定できます" in handset.text
        assert "ログアウト" in handset.text
        assert handset.has_link("自分")
        assert store.user_exists("alice")

    @pytest.mark.parametrize("name", PHONES)
    def test_sign_in_wrong_password(self, phone, store, name):
        """A wrong password gets the sign-in page again with a message; no session for alice."""
        store.user("alice")
        handset = phone(name)
        handset.sign_in("alice", "not the password")
        assert handset.status == 400
        assert "ユーザー名かパスワードが違います" in handset.text
        assert "ログアウト" not in handset.text
        # The name typed is kept, in the phone's own encoding.
        assert handset.form("/login").control("name")[1] == "alice"

    @pytest.mark.parametrize("name", PHONES)
    def test_sign_in_and_out(self, phone, store, name):
        """Signing in shows the home page; signing out ends it."""
        store.user("alice")
        handset = phone(name)
        handset.sign_in("alice")
        assert handset.status == 200
        assert "ログアウト" in handset.text
        handset.sign_out()
        assert handset.status == 200
        assert "ログアウト" not in handset.text
        assert handset.has_link("ログイン")
        handset.get(handset.home_url())
        assert "ログアウト" not in handset.text

    def test_name_taken_in_any_case(self, phone, store):
        """A name someone has (in any letter case) is refused."""
        store.user("alice")
        handset = phone("au")
        handset.sign_up("ALICE")
        assert handset.status == 400
        assert "既に使われています" in handset.text
        assert store.count(User) == 1

    def test_short_password_refused(self, phone, store):
        """A password under 8 characters is refused at sign-up."""
        handset = phone("docomo_mova")
        handset.sign_up("alice", "short")
        assert handset.status == 400
        assert "8文字以上" in handset.text
        assert not store.user_exists("alice")

    def test_signed_out_home_is_welcome(self, phone):
        """Signed out, the home page welcomes and offers sign-in and sign-up."""
        handset = phone("docomo_mova")
        handset.get("/")
        assert "150文字" in handset.text
        assert handset.has_link("ログイン") and handset.has_link("新規登録")

    def test_signed_out_pages_send_to_login(self, phone):
        """Signed-out visits to the archive and replies go to the sign-in page."""
        handset = phone("pc")
        for path in ("/archive", "/replies", "/friends"):
            handset.get(path)
            assert handset.url.split("?")[0] == "http://localhost/login", path


@pytest.mark.sqlite_only
class TestNames:
    """User names with markup or other odd characters are refused, on every phone."""

    @pytest.mark.parametrize("name", PHONES)
    @pytest.mark.parametrize(
        "user", ["<script>alert(1)</script>", 'al"ice', "<b>bob</b>", "a&amp;b", "ア リ ス"]
    )
    def test_markup_names_refused(self, phone, store, name, user):
        """A name with markup is refused with a message; the markup never comes back raw."""
        handset = phone(name)
        handset.sign_up(user)
        assert handset.status == 400
        assert "半角英数字" in handset.text
        assert store.count(User) == 0
        assert b"<script" not in handset.raw and b"<b>" not in handset.raw
