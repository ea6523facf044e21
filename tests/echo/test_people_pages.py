"""Finding people through the phones: search, profile buttons, suggestions, display names."""

from __future__ import annotations

import re
from urllib.parse import quote_from_bytes

import pytest
from support.phones import FEATURE_PHONES, PHONES, SCRIPT_RE

from mobile_gateway.accounts import users
from mobile_gateway.echo import profiles


def _text(handset) -> str:
    """Return the last page's text without its tags."""
    return re.sub(r"<[^>]+>", "", handset.text)


def _beside(handset, name: str) -> str:
    """Return how a page writes the user name after a display name: ``(name)`` on feature
    phones, ``@name`` on smartphone and PC pages."""
    return f"({name})" if handset.terminal.is_feature_phone else f"@{name}"


def _profile(store, name: str, display_name: str, line: str = "") -> None:
    """Give *name* a display name and a one-line profile."""
    with store.session() as session:
        profiles.set_profile(session, users.get_user(session, name), display_name, line)


def _search(handset, query: str):
    """Type *query* into the search box of the friends page and send it."""
    handset.click_menu("マイミク")
    return handset.submit({"q": query}, "/search")


class TestSearchPage:
    """The search box finds people on every phone, in every phone's encoding."""

    @pytest.mark.parametrize("name", PHONES)
    def test_kana_and_width_insensitive(self, signed_in, store, name):
        """Searching ﾀﾛ (half-width) or タロ finds たろう, shown with display and user name."""
        store.user("taro")
        store.user("hanako")
        _profile(store, "taro", "やまだたろう☀️", "ラーメン好き")
        handset = signed_in(name, "alice")
        _search(handset, "ﾀﾛ" if name in FEATURE_PHONES else "タロ")
        assert handset.status == 200, handset.text
        found = [
            link.text
            for link in handset.links()
            if link.href.startswith("/u/") and not link.text.endswith("自分")
        ]
        assert found[:1] == ["やまだたろう☀️"]
        assert "やまだたろう☀️" + _beside(handset, "taro") in _text(handset)
        assert "ラーメン好き" in handset.text
        assert "hanako" not in handset.text

    @pytest.mark.parametrize("name", ["docomo_mova_5k", "docomo_mova", "jphone", "au", "softbank"])
    def test_many_results_paged_within_budget(self, signed_in, store, name):
        """Sixty matches page through within the budget; paging keeps the kana query."""
        for n in range(60):
            store.user(f"user{n:02d}")
            _profile(store, f"user{n:02d}", f"さくら{n}🌸", "はなみ" * 30)
        handset = signed_in(name, "alice")
        _search(handset, "サクラ")
        found = set()
        for _ in range(70):
            assert handset.status == 200, handset.text
            assert len(handset.raw) <= handset.terminal.page_budget
            found |= {link.href for link in handset.links() if link.href.startswith("/u/user")}
            if not handset.has_link("古い"):
                break
            handset.click("古い")
        assert len(found) == 60

    @pytest.mark.parametrize("name", ["docomo_mova", "au", "jphone", "willcom"])
    def test_broken_shift_jis_query(self, signed_in, store, name):
        """A query of bytes that are not Shift_JIS gets a Japanese 400 page, nothing found."""
        handset = signed_in(name, "alice")
        sid = handset.sid
        query = "q=" + quote_from_bytes(b"\x82\xa0\xff\x81") + "&_cs=" + quote_from_bytes(
            "あ".encode("cp932"))  # fmt: skip
        handset.get(f"/search?{query}" + (f"&sid={sid}" if sid else ""))
        assert handset.status == 400
        assert "読めない文字があります" in handset.text
        assert len(handset.raw) <= handset.terminal.page_budget

    @pytest.mark.parametrize("name", ["docomo_mova_5k", "au", "pc"])
    def test_ten_thousand_character_query(self, signed_in, store, name):
        """A 10,000-character query is refused with a message, on a page within budget."""
        handset = signed_in(name, "alice")
        _search(handset, "あ" * 10_000)
        assert handset.status == 400
        assert "さがす名前は20文字以内で入力してください" in handset.text
        assert len(handset.raw) <= handset.terminal.page_budget

    @pytest.mark.parametrize("name", ["docomo_mova", "pc"])
    def test_markup_in_query_is_escaped(self, signed_in, store, name):
        """Markup typed into the search box comes back escaped in the box."""
        handset = signed_in(name, "alice")
        _search(handset, '"><b>x')
        assert handset.status == 200
        assert b"<b>" not in handset.raw
        assert handset.form("/search").control("q")[1] == '"><b>x'

    def test_search_is_rate_limited(self, signed_in, store, app, limit_clock):
        """Past the per-user limit, a search gets the Japanese "try later" page (429)."""
        app.config["RATE_LIMIT_SEARCH_PER_USER"] = (2, 600)
        handset = signed_in("docomo_foma", "alice")
        for _ in range(2):
            _search(handset, "たろ")
            assert handset.status == 200
        _search(handset, "たろ")
        assert handset.status == 429
        assert "操作が多すぎます" in handset.text

    def test_signed_out_search_goes_to_sign_in(self, phone):
        """Search is for signed-in users."""
        handset = phone("pc")
        handset.get("/search?q=taro")
        assert handset.url.split("?")[0] == "http://localhost/login"

    def test_cookieless_phone_keeps_its_session(self, signed_in, store):
        """A mova phone's search form carries its session id (a GET form drops the action's)."""
        store.user("taro")
        handset = signed_in("docomo_mova", "alice")
        sid = handset.sid
        _search(handset, "taro")
        assert "ログアウト" in handset.text and handset.sid == sid
        assert handset.has_link("taro")


class TestProfileButton:
    """A profile shows the friendship state and the one button that fits it."""

    @pytest.mark.parametrize("name", PHONES)
    def test_request_from_profile_then_accept(self, signed_in, store, name):
        """alice asks bob from his profile (申請中 after); bob accepts from hers (マイミク)."""
        store.user("bob")
        alice = signed_in(name, "alice")
        alice.visit("/u/bob")
        alice.submit({}, "/friends")
        assert alice.status == 200
        assert alice.url.split("?")[0] == "http://localhost/u/bob"
        assert "マイミク申請しました" in alice.text and "申請中" in alice.text
        assert store.relation("alice", "bob") == "outgoing"
        bob = signed_in("au", "bob", create=False)
        bob.visit("/u/alice")
        assert "マイミク申請が届いています" in bob.text
        bob.submit({}, "/friends")
        assert "マイミクになりました" in bob.text
        assert store.are_friends("alice", "bob")
        assert bob.has_link("解除")

    def test_states_and_counts(self, signed_in, store):
        """Own page: edit link; stranger: request button; counts of echoes and friends."""
        for user in ("bob", "carol"):
            store.user(user)
        store.echo("bob", "いち")
        store.echo("bob", "に")
        store.befriend("bob", "carol")
        alice = signed_in("docomo_mova", "alice")
        alice.visit("/u/bob")
        assert "エコー2 マイミク1" in alice.text
        assert alice.form("/friends").control("action")[1] == "request"
        alice.visit("/u/alice")
        assert alice.link("プロフィール編集").attrs["accesskey"] == "9"

    def test_signed_out_sees_no_button(self, phone, store):
        """A signed-out reader sees the profile and echoes, no friend button, no session made."""
        store.user("bob")
        handset = phone("docomo_mova")
        handset.get("/u/bob")
        assert handset.status == 200
        assert not [f for f in handset.forms() if f.action.startswith("/friends")]

    def test_remove_asks_first(self, signed_in, store):
        """解除 on a profile opens a confirmation; やめる keeps the friendship."""
        store.user("bob")
        alice = signed_in("jphone", "alice")
        store.befriend("alice", "bob")
        alice.visit("/u/bob")
        alice.click("解除")
        assert "とのマイミクを解除しますか？" in alice.text
        alice.click("やめる")
        assert store.are_friends("alice", "bob")

    def test_remove_of_a_stranger_is_404(self, signed_in, store):
        """The confirmation page of someone who is no friend is "not found"."""
        store.user("bob")
        alice = signed_in("pc", "alice")
        alice.get("/friends/remove/bob")
        assert alice.status == 404


class TestSuggestions:
    """Friends of friends are suggested on the friends page and on an empty home."""

    def test_friends_of_friends_most_in_common_first(self, signed_in, store):
        """carol (two friends in common) before dave (one); friends and requests never."""
        for user in ("alice", "bob", "erin", "carol", "dave", "frank", "gina"):
            store.user(user)
        store.befriend("alice", "bob")
        store.befriend("alice", "erin")
        for friend in ("bob", "erin"):
            store.befriend(friend, "carol")
        store.befriend("bob", "dave")
        store.befriend("bob", "frank")
        store.ask("alice", "frank")
        store.befriend("erin", "gina")
        store.ask("gina", "alice")
        handset = signed_in("docomo_mova", "alice", create=False)
        handset.click_menu("マイミク")
        assert "知り合いかも？" in handset.text
        section = handset.text.split("知り合いかも？", 1)[1]
        assert section.index("carol") < section.index("dave")
        assert "共通2人" in section
        assert "frank" not in section and "gina" not in section

    def test_new_user_home_suggests_recent_posters(self, signed_in, store):
        """A user with no friends gets a search box and who echoed lately on an empty home."""
        store.user("bob")
        store.echo("bob", "はじめまして")
        handset = signed_in("au", "alice")
        assert "まだエコーがありません" in handset.text
        assert handset.form("/search")
        assert handset.has_link("bob")


class TestProfileSettings:
    """The display name and one-line profile, set after sign-up or later, on every phone."""

    @pytest.mark.parametrize("name", PHONES)
    def test_set_with_emoji_shown_beside_the_name(self, signed_in, store, name):
        """Display name and profile with emoji are saved and shown beside the user name."""
        handset = signed_in(name, "alice")
        handset.visit("/settings/profile")
        handset.submit({"display_name": "ありす☀️", "profile": "ねこが好き🐱"}, "/settings/profile")
        assert handset.status == 200
        assert "プロフィールを保存しました" in handset.text
        assert "ありす☀️" + _beside(handset, "alice") in _text(handset)
        assert "ねこが好き" in handset.text
        handset.post_echo("こんにちは")
        assert "ありす☀️</a>" + ("(alice)" if handset.terminal.is_feature_phone else "") in (
            handset.text
        )

    @pytest.mark.parametrize(
        "display_name, line, message",
        [
            ("あ" * 21, "", "表示名は20文字以内で入力してください"),
            ("ok", "い" * 101, "ひとことは100文字以内で入力してください"),
            ("👨\u200d👩\u200d👧" * 21, "", "表示名は20文字以内で入力してください"),
        ],
    )
    def test_too_long_refused_nothing_changed(self, signed_in, store, display_name, line, message):
        """Too long (as the reader counts) is refused with the text kept; nothing is stored."""
        handset = signed_in("pc", "alice")
        handset.visit("/settings/profile")
        handset.submit({"display_name": display_name, "profile": line}, "/settings/profile")
        assert handset.status == 400
        assert message in handset.text
        with store.session() as session:
            user = users.get_user(session, "alice")
            assert user.display_name is None and user.profile is None

    def test_twenty_emoji_sequences_fit(self, signed_in, store):
        """Twenty family emoji are twenty characters: accepted."""
        handset = signed_in("iphone", "alice")
        handset.visit("/settings/profile")
        family = "👨\u200d👩\u200d👧" * 20
        handset.submit({"display_name": family, "profile": ""}, "/settings/profile")
        assert handset.status == 200
        with store.session() as session:
            assert users.get_user(session, "alice").display_name == family

    @pytest.mark.parametrize("name", ["docomo_mova", "pc"])
    def test_markup_escaped(self, signed_in, store, name):
        """Markup in the display name and profile is text on every page it reaches."""
        handset = signed_in(name, "alice")
        handset.visit("/settings/profile")
        handset.submit(
            {"display_name": "<b>a</b>", "profile": '"><script>x</script>'}, "/settings/profile"
        )
        assert not SCRIPT_RE.search(handset.raw) and b"<b>" not in handset.raw
        assert "&lt;b&gt;a&lt;/b&gt;" in handset.text
        handset.post_echo("やあ")
        assert b"<b>" not in handset.raw

    def test_broken_shift_jis_refused(self, signed_in, store):
        """A display name of broken Shift_JIS is a Japanese 400; nothing is stored."""
        handset = signed_in("docomo_mova", "alice")
        handset.visit("/settings/profile")
        handset.submit({"display_name": b"\x82\xff", "profile": ""}, "/settings/profile")
        assert handset.status == 400
        assert "読めない文字があります" in handset.text
        with store.session() as session:
            assert users.get_user(session, "alice").display_name is None
