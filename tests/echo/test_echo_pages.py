"""Echo through the phones: posting rules, emoji across carriers, timelines, replies, deletion."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from support.phones import FEATURE_PHONES, PHONES

from mobile_gateway.echo import echoes
from mobile_gateway.echo.text import count_chars
from mobile_gateway.storage.models import utcnow

#: Emoji every carrier has a code for.
COMMON_EMOJI = ["☀️", "☁️", "☔", "⛄", "❤️", "🍺", "👍", "📱", "🆕", "1️⃣"]
#: A 150-character echo every phone can type: kana and emoji in turn.
ECHO_150 = "".join(COMMON_EMOJI[i // 2 % 10] if i % 2 else "あいうえお"[i % 5] for i in range(150))
#: What each phone's page holds for "☔⛄" (umbrella and snowman), byte for byte.
UMBRELLA_SNOWMAN = {
    "docomo_mova": b"\xf8\xa1\xf8\xa2",
    "docomo_mova_5k": b"\xf8\xa1\xf8\xa2",
    "docomo_foma": b"\xf8\xa1\xf8\xa2",
    "docomo_foma_b1": b"\xf8\xa1\xf8\xa2",
    "au": b"\xf6\x64\xf6\x5d",
    "softbank": "\ue04b\ue048".encode("utf-8"),
    "jphone": b"\x1b$Gkh\x0f",  # one webcode escape for both (same group)
    "willcom": b"\xf8\xa1\xf8\xa2",
    "iphone": "☔⛄".encode("utf-8"),
    "pc": "☔⛄".encode("utf-8"),
}
#: What each phone's page holds for "☀️" then "☁️", apart.
SUN, CLOUD = "☀️", "☁️"
SUN_CLOUD_BYTES = {
    "au": (b"\xf6\x60", b"\xf6\x65"),
    "softbank": ("\ue04a".encode(), "\ue049".encode()),
    "jphone": (b"\x1b$Gj\x0f", b"\x1b$Gi\x0f"),
    "willcom": (b"\xf8\x9f", b"\xf8\xa0"),
    "iphone": (SUN.encode(), CLOUD.encode()),
    "pc": (SUN.encode(), CLOUD.encode()),
    "docomo_foma": (b"\xf8\x9f", b"\xf8\xa0"),
}
#: Posting phones for the cross-carrier matrix.
POSTERS = ("docomo_mova", "au", "softbank", "jphone", "willcom", "iphone")
_PUA_RE = re.compile("[\ue000-\uf8ff]")


def test_echo_150_is_150_characters():
    """The test echo is exactly 150 characters as the reader sees them."""
    assert count_chars(ECHO_150) == 150


class TestPosting:
    """The echo rules hold for posts from every phone."""

    @pytest.mark.parametrize("name", PHONES)
    def test_150_accepted(self, signed_in, store, name):
        """150 characters with emoji are accepted and shown back."""
        handset = signed_in(name, "alice")
        handset.post_echo(ECHO_150)
        assert handset.status == 200
        assert store.bodies("alice") == [ECHO_150]
        assert ECHO_150 in handset.text

    @pytest.mark.parametrize("name", PHONES)
    def test_151_refused(self, signed_in, store, name):
        """151 characters are refused with the message in the terminal's encoding."""
        handset = signed_in(name, "alice")
        handset.post_echo(ECHO_150 + "☀️")
        assert handset.status == 400
        assert handset.content_type == handset.terminal.content_type_header
        assert "150文字以内で入力してください" in handset.text
        assert store.bodies() == []
        # The text typed comes back in the box, in the phone's own notation.
        assert handset.form("/echo").control("body")[1] == ECHO_150 + "☀️"

    @pytest.mark.parametrize("body", ["", "   ", "\u3000\u3000", "\r\n", "\t \u3000"])
    @pytest.mark.parametrize("name", ["docomo_mova", "pc"])
    def test_empty_refused(self, signed_in, store, name, body):
        """Empty and whitespace-only echoes are refused."""
        handset = signed_in(name, "alice")
        handset.post_echo(body)
        assert handset.status == 400
        assert "本文を入力してください" in handset.text
        assert store.bodies() == []

    def test_line_breaks_folded(self, signed_in, store):
        """Line breaks become spaces."""
        handset = signed_in("au", "alice")
        handset.post_echo("一行目\r\n二行目\n三行目\r四行目")
        assert store.bodies() == ["一行目 二行目 三行目 四行目"]

    def test_invisible_only_refused(self, signed_in, store):
        """An echo of zero-width spaces and joiners only is refused as empty."""
        handset = signed_in("pc", "alice")
        handset.post_echo("\u200b\u200d\u2060")
        assert handset.status == 400
        assert "本文を入力してください" in handset.text
        assert store.bodies() == []

    def test_control_characters_removed(self, signed_in, store):
        """Control characters and bidi overrides are removed."""
        handset = signed_in("pc", "alice")
        handset.post_echo("a\x01b\x7fc\u202ed\x1b$Gj\x0fe")
        assert store.bodies() == ["abcd$Gje"]

    def test_storage_holds_internal_form_only(self, signed_in, store):
        """Echoes from every phone are stored without any carrier private-use code point."""
        for name in PHONES:
            handset = signed_in(name, f"user_{name}")
            handset.post_echo("☀️☁️☔⛄❤️")
            assert handset.status == 200
        rows = store.echo_rows()
        assert len(rows) == len(PHONES)
        for row in rows:
            assert not _PUA_RE.search(row.body), ascii(row.body)
            assert row.body == "☀️☁️☔⛄❤️"


class TestAcrossCarriers:
    """An echo with emoji reads right on every other carrier, byte for byte."""

    def test_docomo_echo_on_every_phone(self, signed_in, phone, store):
        """Sun and cloud posted from DoCoMo come out in each reader's own codes."""
        poster = signed_in("docomo_mova", "alice")
        poster.get(poster.home_url())
        poster.submit({"body": b"\x90\xb0\x82\xea\xf8\x9f\x82\xcc\x82\xbf\xf8\xa0"}, "/echo")
        assert store.bodies() == ["晴れ☀️のち☁️"]
        for name, (sun, cloud) in SUN_CLOUD_BYTES.items():
            reader = phone(name)
            reader.get("/u/alice")
            assert reader.status == 200
            assert sun in reader.raw and cloud in reader.raw, name
            assert "晴れ☀️のち☁️" in reader.text

    @pytest.mark.parametrize("poster_name", POSTERS)
    def test_each_carrier_to_each_carrier(self, signed_in, phone, store, poster_name):
        """Umbrella and snowman from one carrier reach every phone in its own bytes."""
        poster = signed_in(poster_name, "alice")
        poster.post_echo("雨☔⛄雪")
        assert store.bodies() == ["雨☔⛄雪"]
        for name, expected in UMBRELLA_SNOWMAN.items():
            reader = phone(name)
            reader.get("/u/alice")
            assert expected in reader.raw, (poster_name, name, reader.raw[-600:])

    @pytest.mark.parametrize(
        "name, code, internal",
        [("docomo_mova", b"\xf9\x4a", "\U001016a6"), ("au", b"\xf3\x70", "\U00102a9d")],
    )
    def test_carrier_only_round_trip(self, signed_in, phone, store, name, code, internal):
        """A carrier-only emoji comes back to its carrier byte-identical, 〓 elsewhere."""
        poster = signed_in(name, "alice")
        poster.get(poster.home_url())
        poster.submit({"body": b"A" + code + b"B"}, "/echo")
        assert b"A" + code + b"B" in poster.raw
        assert store.bodies() == [f"A{internal}B"]
        for other in ("softbank", "iphone", "docomo_foma" if name == "au" else "au"):
            reader = phone(other)
            reader.get("/u/alice")
            assert "A〓B" in reader.text, other

    def test_fallbacks_for_missing_emoji(self, signed_in, phone, store):
        """An emoji a carrier lacks becomes its best fit or [name]; other characters 〓."""
        poster = signed_in("pc", "alice")
        poster.post_echo("祝🎉と😊と한")
        assert store.bodies() == ["祝🎉と😊と한"]
        docomo = phone("docomo_mova")
        docomo.get("/u/alice")
        assert "祝[クラッカー]と😃と〓" in docomo.text
        au = phone("au")
        au.get("/u/alice")
        assert b"\x8fj\xf3\x6f\x82\xc6\xf3\xa1\x82\xc6\x81\xac" in au.raw
        sb = phone("softbank")
        sb.get("/u/alice")
        assert "祝🎉と😊と한" in sb.text


class TestHome:
    """Home: the post box, then the five newest echoes of the user and friends."""

    @pytest.fixture
    def timeline(self, store) -> dict:
        """alice and her friend bob have written; stranger carol wrote last."""
        for name in ("alice", "bob", "carol"):
            store.user(name)
        store.befriend("alice", "bob")
        ids = {"bob": [store.echo("bob", f"ボブ{n}", minutes_ago=20 - n) for n in range(7)]}
        ids["alice"] = store.echo("alice", "アリスです☀️", minutes_ago=3)
        ids["carol"] = store.echo("carol", "知らない人", minutes_ago=1)
        return ids

    @pytest.mark.parametrize("name", PHONES)
    def test_home_shows_box_then_five_newest(self, signed_in, timeline, name):
        """The box comes first, then alice's and bob's five newest, never the stranger's."""
        handset = signed_in(name, "alice", create=False)
        text = handset.text
        assert handset.echo_ids() == [timeline["alice"], *timeline["bob"][::-1][:4]]
        assert "知らない人" not in text
        assert text.index('name="body"') < text.index("アリスです☀️")
        assert "3分前" in text
        # The echoes' authors (not the menu's "自分", first on smartphone and PC pages).
        authors = [
            link.text
            for link in handset.links()
            if link.href.startswith("/u/") and not link.text.endswith("自分")
        ]
        assert authors[:5] == ["alice", "bob", "bob", "bob", "bob"]

    def test_relative_times(self, signed_in, store):
        """Times read like a phone's: たった今, N分前, N時間前, N日前."""
        store.user("alice")
        store.echo("alice", "昨日", minutes_ago=60 * 24 + 5)
        store.echo("alice", "さっき", minutes_ago=125)
        store.echo("alice", "今", minutes_ago=0)
        handset = signed_in("docomo_mova", "alice", create=False)
        assert re.search("今.*たった今.*さっき.*2時間前.*昨日.*1日前", handset.text, re.S)

    def test_post_goes_to_top(self, signed_in, timeline, store):
        """A new echo appears first on the home page."""
        handset = signed_in("au", "alice", create=False)
        handset.post_echo("いま書いた")
        assert "いま書いた" in handset.text
        assert handset.echo_ids()[0] == store.echo_rows()[-1].id

    def test_reply_link_opens_reply_box(self, signed_in, timeline):
        """Each echo has a reply link to a page with a reply box."""
        handset = signed_in("docomo_mova", "alice", create=False)
        first = handset.link("返信")
        assert first.href.startswith(f"/echo/{timeline['alice']}")
        handset.click("返信")
        form = handset.form("/echo")
        assert form.control("reply_to")[1] == str(timeline["alice"])


class TestArchive:
    """The archive: 25 per page on a PC, newest first, stable while new echoes arrive."""

    @pytest.fixture
    def sixty(self, store) -> list[int]:
        """bob, alice's friend, wrote 60 echoes; return the ids newest first."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        return [store.echo("bob", f"エコー{n}", minutes_ago=200 - n) for n in range(60)][::-1]

    def test_pages_of_25_newest_first(self, signed_in, sixty):
        """A PC pages 25, 25, 10 with older/newer links (on no keypad key: a PC has none)."""
        handset = signed_in("pc", "alice", create=False)
        handset.click("過去ログ")
        first = handset.echo_ids()
        assert first == sixty[:25]
        assert not handset.has_link("新しい")
        assert "accesskey" not in handset.link("古い").attrs
        handset.click("古い")
        assert handset.echo_ids() == sixty[25:50]
        assert "accesskey" not in handset.link("新しい").attrs
        handset.click("古い")
        assert handset.echo_ids() == sixty[50:]
        assert not handset.has_link("古い")
        handset.click("新しい")
        assert handset.echo_ids() == sixty[25:50]

    def test_stable_while_new_echoes_arrive(self, signed_in, store, sixty):
        """Echoes posted while paging neither repeat nor hide anything on the next page."""
        handset = signed_in("pc", "alice", create=False)
        handset.click("過去ログ")
        assert handset.echo_ids() == sixty[:25]
        fresh = [store.echo("bob", f"新着{n}") for n in range(3)]
        handset.click("古い")
        assert handset.echo_ids() == sixty[25:50]
        handset.click("新しい")
        assert handset.echo_ids() == sixty[:25]
        handset.click("新しい")
        assert handset.echo_ids() == fresh[::-1]

    def test_friends_only(self, signed_in, store):
        """The friends-only archive leaves out the user's own echoes."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        store.echo("alice", "自分の")
        store.echo("bob", "ボブの")
        handset = signed_in("docomo_mova", "alice", create=False)
        handset.click("マイミク")
        handset.click("マイミクのエコー")
        assert "ボブの" in handset.text and "自分の" not in handset.text

    def test_friends_only_pages_stay_friends_only(self, signed_in, store, sixty):
        """Paging the friends-only archive keeps it friends-only."""
        own = store.echo("alice", "自分の")
        handset = signed_in("pc", "alice", create=False)
        handset.visit("/archive?only=friends")
        assert handset.echo_ids() == sixty[:25]
        handset.click("古い")
        assert "only=friends" in handset.url
        assert handset.echo_ids() == sixty[25:50]
        handset.click("新しい")
        assert handset.echo_ids() == sixty[:25] and own not in handset.echo_ids()

    def test_user_page_pages(self, phone, sixty):
        """A user's page pages through all of their echoes, signed out."""
        handset = phone("docomo_mova_5k")
        handset.get("/u/bob")
        seen = []
        while True:
            assert len(handset.raw) <= handset.terminal.page_budget
            seen += handset.echo_ids()
            if not handset.has_link("古い"):
                break
            handset.click("古い")
            assert handset.url.startswith("http://localhost/u/bob?")
        assert seen == sixty

    def test_garbled_cursor_is_404(self, signed_in, sixty):
        """A forged page cursor is a 404 page, never a 500."""
        handset = signed_in("pc", "alice", create=False)
        for cursor in ("x", "eHl6", "YjEyMy40NTY!", "'; DROP TABLE echoes; --", "A" * 65):
            handset.visit(f"/archive?c={cursor}")
            assert handset.status == 404, cursor


class TestUserPage:
    """A user's echoes are public: signed in or not."""

    @pytest.mark.parametrize("name", PHONES)
    def test_public_signed_out(self, phone, store, name):
        """A signed-out phone reads /u/<name>."""
        store.user("bob")
        store.echo("bob", "公開です☀️")
        handset = phone(name)
        handset.get("/u/bob")
        assert handset.status == 200
        assert "公開です☀️" in handset.text
        assert "ログアウト" not in handset.text

    def test_unknown_user_is_404(self, phone):
        """A name nobody has is a 404 page."""
        handset = phone("docomo_mova")
        for name in ("nobody", "'; --", "<script>"):
            handset.get(f"/u/{name}")
            assert handset.status == 404


class TestReplies:
    """A reply shows what it answers; the user sees replies to them."""

    def test_reply_story(self, signed_in, store):
        """bob replies from au to alice's echo; alice reads it on her DoCoMo."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        original = store.echo("alice", "今日は晴れ☀️ですね", minutes_ago=5)
        bob = signed_in("au", "bob", create=False)
        bob.click("返信")
        assert "今日は晴れ☀️ですね" in bob.text
        bob.submit({"body": "ほんとに☀️"}, "/echo")
        assert bob.status == 200
        rows = store.echo_rows()
        assert rows[-1].body == "ほんとに☀️" and rows[-1].reply_to_id == original
        alice = signed_in("docomo_mova", "alice", create=False)
        assert re.search(r"ほんとに☀️\s*<br/>&gt;<a href=\"/echo/%d" % original, alice.text)
        alice.click_menu("返信")
        assert "あなたへの返信" in alice.text
        assert "ほんとに☀️" in alice.text
        assert alice.echo_ids() == [rows[-1].id]

    def test_own_replies_not_in_replies_page(self, signed_in, store):
        """Answering oneself does not count as a reply to me."""
        store.user("alice")
        original = store.echo("alice", "ひとりごと")
        store.echo("alice", "つづき", reply_to=original)
        handset = signed_in("pc", "alice", create=False)
        handset.visit("/replies")
        assert "返信はまだありません" in handset.text

    def test_reply_to_deleted_echo(self, signed_in, store):
        """Replying to an echo deleted meanwhile is refused with a message."""
        store.user("alice")
        original = store.echo("alice", "消えます")
        handset = signed_in("pc", "alice", create=False)
        handset.visit(f"/echo/{original}")
        with store.session() as session:
            from mobile_gateway.accounts import users

            echoes.delete(session, users.get_user(session, "alice"), original)
        handset.submit({"body": "返事"}, "/echo")
        assert handset.status == 400
        assert "返信先のエコーが見つかりません" in handset.text
        assert store.bodies() == []


class TestDelete:
    """Deleting one's echo takes a confirmation that works without JavaScript."""

    @pytest.mark.parametrize("name", ["docomo_mova", "au", "jphone", "pc"])
    def test_confirm_then_delete(self, signed_in, store, name):
        """GET shows the confirmation and deletes nothing; the confirming POST deletes."""
        store.user("alice")
        store.echo("alice", "消すつもり")
        handset = signed_in(name, "alice", create=False)
        handset.click("削除")
        assert handset.status == 200
        assert "このエコーを削除しますか" in handset.text
        assert store.bodies() == ["消すつもり"]
        handset.submit({}, "/delete")
        assert handset.status == 200
        assert store.bodies() == []
        assert "消すつもり" not in handset.text

    def test_post_without_confirm_deletes_nothing(self, signed_in, store):
        """A POST without confirm=yes only shows the confirmation again."""
        store.user("alice")
        echo = store.echo("alice", "残す")
        handset = signed_in("pc", "alice", create=False)
        handset.visit(f"/echo/{echo}/delete")
        handset.submit({}, "/delete", drop=("confirm",))
        assert handset.status == 200
        assert "このエコーを削除しますか" in handset.text
        assert store.bodies() == ["残す"]

    def test_someone_elses_echo_is_403(self, signed_in, store):
        """Another user's echo cannot be deleted: 403 for the GET and the POST."""
        store.user("alice")
        store.user("bob")
        echo = store.echo("bob", "ボブの")
        handset = signed_in("docomo_mova", "alice", create=False)
        handset.visit(f"/echo/{echo}/delete")
        assert handset.status == 403
        assert handset.content_type == "text/html; charset=Shift_JIS"
        csrf = handset.forms()[-1].control("_csrf")[1]  # the sign-out form's token
        handset.visit(f"/echo/{echo}/delete")
        action = f"/echo/{echo}/delete?sid={handset.sid}"
        handset.post(action, {"_cs": "あ", "_csrf": csrf, "confirm": "yes"})
        assert handset.status == 403
        assert store.bodies() == ["ボブの"]

    def test_no_delete_link_on_others_echoes(self, signed_in, store):
        """Only one's own echoes have a delete link."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        store.echo("bob", "ボブの")
        handset = signed_in("pc", "alice", create=False)
        assert not handset.has_link("削除")


class TestEchoSwitch:
    """Echo on/off hides or shows the box and the timeline."""

    @pytest.mark.parametrize("name", ["docomo_mova", "softbank"])
    def test_off_and_on(self, signed_in, store, name):
        """Turning Echo off hides the box and timeline; turning it on brings them back."""
        store.user("alice")
        store.echo("alice", "見えるかな")
        handset = signed_in(name, "alice", create=False)
        handset.submit({}, "/settings/echo")
        assert "Echoはオフになっています" in handset.text
        assert not store.echo_enabled("alice")
        assert "見えるかな" not in handset.text
        assert not any(form.action.startswith("/echo") for form in handset.forms())
        handset.submit({}, "/settings/echo")
        assert store.echo_enabled("alice")
        assert "見えるかな" in handset.text
        assert handset.form("/echo").control("body")


class TestServicePeriod:
    """Outside the service period posting is closed; reading stays open unless configured."""

    PAST = datetime(2009, 6, 1, tzinfo=timezone.utc)

    def test_after_the_end_posting_closed_reading_open(self, signed_in, phone, store):
        """After the end: no box, a clear message, posts refused; echoes still readable."""
        store.user("alice")
        store.echo("alice", "まだ読める")
        handset = signed_in("docomo_mova", "alice", create=False)
        box_page_sid = handset.sid
        form = handset.form("/echo")
        store.period(self.PAST, self.PAST + timedelta(days=30))
        handset.visit("/", sid=box_page_sid)
        assert "Echoの提供は2009年7月1日 9:00に終了しました" in handset.text
        assert not [f for f in handset.forms() if urlsplit(f.action).path == "/echo"]
        assert "まだ読める" in handset.text
        handset.post(form.action, dict(form.values()) | {"body": "書きたい"})
        assert handset.status == 400
        assert "終了しました" in handset.text
        assert store.bodies() == ["まだ読める"]
        handset.visit("/archive", sid=box_page_sid)
        assert handset.status == 200 and "まだ読める" in handset.text
        reader = phone("pc")
        reader.get("/u/alice")
        assert reader.status == 200 and "まだ読める" in reader.text

    def test_reading_closed_when_configured(self, signed_in, phone, store):
        """With reading closed after the end, timelines and user pages show the message."""
        store.user("alice")
        store.user("bob")
        store.echo("alice", "もう読めない")
        handset = signed_in("au", "alice", create=False)
        reply = store.echo("bob", "返事も読めない", reply_to=store.echo_rows()[0].id)
        store.period(self.PAST, self.PAST + timedelta(days=30), "closed")
        for path in (
            "/",
            "/archive",
            "/archive?only=friends",
            "/u/alice",
            "/replies",
            f"/echo/{reply}",
        ):
            handset.get(path)
            assert handset.status == 403, path
            assert "終了しました" in handset.text
            assert "読めない" not in handset.text, path
        reader = phone("pc")
        reader.get("/u/alice")
        assert reader.status == 403 and "もう読めない" not in reader.text

    def test_before_the_start(self, signed_in, store):
        """Before the start posting is closed with the start date; reading is open."""
        store.user("alice")
        handset = signed_in("pc", "alice", create=False)
        form = handset.form("/echo")
        store.period(datetime(2099, 1, 1, tzinfo=timezone.utc), None)
        handset.get("/")
        assert "に始まります" in handset.text
        handset.post(form.action, dict(form.values()) | {"body": "早すぎ"})
        assert handset.status == 400
        assert store.bodies() == []


class TestLinks:
    """URLs in echoes become links, never shortened; phones leave through /exit."""

    URL = "http://example.com/" + "long/" * 8 + "page.html?a=1&b=%E3%81%82#top"

    @pytest.mark.parametrize("name", FEATURE_PHONES)
    def test_feature_phones_go_through_exit(self, phone, store, name):
        """On a handset the link text is the whole URL and the href goes to /exit."""
        store.user("alice")
        store.echo("alice", f"見て {self.URL} です")
        handset = phone(name)
        handset.get("/u/alice")
        link = handset.link(self.URL)
        assert link.text == self.URL
        assert link.href.startswith("/exit?url=")
        handset.click(self.URL)
        assert handset.status == 200
        assert handset.link(self.URL).href == self.URL

    @pytest.mark.parametrize("name", ["iphone", "pc"])
    def test_pc_links_directly(self, phone, store, name):
        """On a PC or smartphone the link goes straight to the URL."""
        store.user("alice")
        store.echo("alice", f"見て {self.URL} です")
        handset = phone(name)
        handset.get("/u/alice")
        assert handset.link(self.URL).href == self.URL

    def test_only_http_links(self, phone, store):
        """javascript: and other schemes are not turned into links; /exit refuses them."""
        store.user("alice")
        store.echo("alice", "javascript:alert(1) ftp://example.com/")
        handset = phone("docomo_mova")
        handset.get("/u/alice")
        assert not handset.has_link("javascript")
        assert not handset.has_link("ftp:")
        handset.get("/exit?url=javascript:alert(1)")
        assert handset.status == 400


def test_failed_post_does_not_show_timeline_while_reading_is_closed(signed_in, store):
    """After the end, with reading closed, a post refused as closed shows no echoes."""
    store.user("bob")
    handset = signed_in("docomo_foma", "alice")
    store.befriend("alice", "bob")
    store.echo("bob", "ボブのひみつ☀️")
    handset.get(handset.home_url())
    assert "ボブのひみつ" in handset.text
    now = utcnow()
    store.period(now - timedelta(days=30), now - timedelta(minutes=1), "closed")
    # The post box is still on the page the phone holds: it sends it.
    handset.submit({"body": "まだ書ける？"}, "/echo")
    assert handset.status in (400, 403)
    assert "投稿はできません" in handset.text
    assert "ボブのひみつ" not in handset.text
    assert store.bodies("alice") == []


@pytest.mark.parametrize(
    "name, body",
    [
        ("pc", "あ" * 18 + "🇯🇵" + "い" * 10),
        ("pc", "あ" * 17 + "👨‍👩‍👧" + "い" * 10),
        ("pc", "あ" * 18 + "1️⃣" + "い" * 10),
        ("docomo_foma", "あ" * 18 + "1️⃣" + "い" * 10),
    ],
)
def test_reply_preview_never_splits_an_emoji(signed_in, store, name, body):
    """The shortened text of the echo a reply answers keeps each emoji whole or leaves it out."""
    store.user("bob")
    handset = signed_in(name, "alice")
    store.befriend("alice", "bob")
    target = store.echo("bob", body, minutes_ago=1)
    store.echo("alice", "へんじ", reply_to=target)
    handset.get(handset.home_url())
    # "&gt;<a ...>bob</a>: text" on phones; the whole quote is the link on PCs.
    preview = re.search(r"&gt;(?:<a [^>]*>bob</a>| bob): ([^\n<]*)", handset.text)
    assert preview, handset.text
    shown = preview[1]
    assert shown.endswith("…")
    kept = shown[:-1]
    assert body.startswith(kept)
    # Cut between two characters: the two parts count as many characters as the whole.
    assert count_chars(kept) + count_chars(body[len(kept) :]) == (count_chars(body))


def test_delete_of_an_echo_deleted_meanwhile_is_404(signed_in, store, monkeypatch):
    """An echo deleted between the view's lookup and the delete gives 404, not 500."""
    from mobile_gateway.echo import echoes as echoes_module

    store.user("alice")
    echo = store.echo("alice", "消える予定", minutes_ago=1)
    handset = signed_in("pc", "alice", create=False)
    handset.visit(f"/echo/{echo}/delete", sid=handset.sid)
    assert handset.status == 200

    def deleted_meanwhile(session, user, echo_id):
        raise echoes_module.EchoNotFound("エコーが見つかりません")

    monkeypatch.setattr(echoes_module, "delete", deleted_meanwhile)
    handset.submit({}, f"/echo/{echo}/delete")
    assert handset.status == 404
