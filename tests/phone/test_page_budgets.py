"""Page budgets: every page for every phone fits the terminal's limit; lists split to fit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from support.phones import PHONES

from mobile_gateway.echo import echoes
from mobile_gateway.echo.text import check_body, count_chars

pytestmark = pytest.mark.sqlite_only

#: Emoji of every kind: on all carriers, keycaps, flags, and some with text fallbacks.
EMOJI = ["☀️", "☁️", "☔", "⛄", "❤️", "🍺", "👍", "📱", "🆕", "1️⃣", "🎉", "😊", "🇯🇵"]
KANA = "あいうえおかきくけこ"
#: A 150-character echo, every other character an emoji.
LONG_ECHO = "".join(EMOJI[i // 2 % len(EMOJI)] if i % 2 else KANA[i % 10] for i in range(150))
#: A 151-character echo (one too many) every phone can type.
TYPEABLE = ["☀️", "☁️", "☔", "⛄", "❤️", "🍺", "👍", "📱", "🆕", "1️⃣"]
TOO_LONG = "".join(TYPEABLE[i // 2 % 10] if i % 2 else KANA[i % 10] for i in range(151))
#: Small handsets whose archive pages cannot hold 25 long echoes.
SMALL_PHONES = ("docomo_mova", "docomo_mova_5k", "jphone", "au")


def test_long_echo_is_150_characters():
    """The test echo is exactly as long as an echo may be."""
    assert count_chars(LONG_ECHO) == 150
    assert check_body(LONG_ECHO) is None


@dataclass
class Crowd:
    """Alice with friends, requests, replies and long echoes everywhere."""

    own_echo: int
    reply_echo: int


@pytest.fixture
def crowd(store) -> Crowd:
    """Seed alice, five friends with long echoes, requests both ways and a long reply."""
    for name in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"):
        store.user(name)
    for name in ("bob", "carol", "dave", "erin", "frank"):
        store.befriend("alice", name)
    for name in ("grace", "heidi"):
        store.ask(name, "alice")
    store.ask("alice", "ivan")
    own = store.echo("alice", LONG_ECHO, minutes_ago=30)
    reply = store.echo("bob", LONG_ECHO, minutes_ago=20, reply_to=own)
    for minutes, name in enumerate(("bob", "carol", "dave", "erin", "frank"), 1):
        store.echo(name, LONG_ECHO, minutes_ago=minutes)
    return Crowd(own_echo=own, reply_echo=reply)


def _fits(handset, label: str, sizes: dict) -> None:
    """Record the size of the last page and check it against the budget."""
    sizes[label] = (handset.status, len(handset.raw))


def _assert_within_budget(handset, sizes: dict) -> None:
    budget = handset.terminal.page_budget
    over = {label: size for label, (status, size) in sizes.items() if size > budget}
    assert not over, f"{handset.name} (budget {budget}): pages over budget {over}"


class TestEveryPageFits:
    """Every page, rendered for every phone, is no larger than the terminal's budget."""

    @pytest.mark.parametrize("name", PHONES)
    def test_signed_out_pages(self, phone, crowd, name):
        """Welcome, sign-up, sign-in (with errors), a user's page, exit and error pages fit."""
        handset = phone(name)
        sizes = {}
        handset.get("/")
        _fits(handset, "welcome", sizes)
        handset.click("新規登録")
        _fits(handset, "signup", sizes)
        handset.submit({"name": "<bad>", "password": "x"}, "/signup")
        assert handset.status == 400
        _fits(handset, "signup error", sizes)
        handset.get("/")
        handset.click("ログイン")
        _fits(handset, "login", sizes)
        handset.submit({"name": "alice", "password": "wrong password"}, "/login")
        assert handset.status == 400
        _fits(handset, "login error", sizes)
        handset.get("/u/bob")
        assert handset.status == 200
        _fits(handset, "user page", sizes)
        handset.get("/exit?url=http://example.com/" + "a" * 200)
        assert handset.status == 200
        _fits(handset, "exit", sizes)
        handset.get("/no/such/page")
        assert handset.status == 404
        _fits(handset, "404", sizes)
        handset.get("/login")
        handset.submit({"name": "alice", "password": "x"}, "/login", drop=("_csrf",))
        assert handset.status == 403
        _fits(handset, "403", sizes)
        handset.post("/login", {"_cs": "あ", "name": b"\xff\xfe\xfd"})
        assert handset.status == 400
        _fits(handset, "400", sizes)
        handset.post("/login", {"name": "a" * 20000})
        assert handset.status == 413
        _fits(handset, "413", sizes)
        _assert_within_budget(handset, sizes)

    @pytest.mark.parametrize("name", PHONES)
    def test_signed_in_pages(self, signed_in, crowd, name):
        """Home with five long echoes, one echo, delete, archives, replies, user, friends fit."""
        handset = signed_in(name, "alice", create=False)
        sid = handset.sid
        pages = {
            "home": "/",
            "echo": f"/echo/{crowd.reply_echo}",
            "delete": f"/echo/{crowd.own_echo}/delete",
            "archive": "/archive",
            "friends archive": "/archive?only=friends",
            "replies": "/replies",
            "user page": "/u/bob",
            "own page": "/u/alice",
            "friends": "/friends",
            "404": "/echo/999999",
        }
        sizes = {}
        for label, path in pages.items():
            handset.visit(path, sid=sid)
            assert handset.status == (404 if label == "404" else 200), (label, handset.text)
            assert "ログアウト" in handset.text, f"{label}: signed out"
            _fits(handset, label, sizes)
        handset.visit("/", sid=sid)
        assert len(handset.echo_ids()) == 5
        handset.submit({"body": TOO_LONG}, "/echo")
        assert handset.status == 400
        _fits(handset, "home with error", sizes)
        _assert_within_budget(handset, sizes)

    @pytest.mark.parametrize("name", PHONES)
    def test_home_with_text_fallbacks(self, signed_in, store, name):
        """Five echoes of emoji shown as [name] text still fit: the home page shows fewer."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        for minutes in range(5):
            store.echo("bob", "🎉" * 150, minutes_ago=minutes + 1)
        handset = signed_in(name, "alice", create=False)
        assert handset.status == 200
        assert len(handset.raw) <= handset.terminal.page_budget
        assert 1 <= len(handset.echo_ids()) <= 5
        assert handset.has_link("もっと見る")

    @pytest.mark.parametrize("name", ("docomo_mova_5k",))
    def test_one_echo_too_big_as_text_falls_back_to_geta(self, signed_in, store, name):
        """An echo of 150 emoji the carrier lacks, too big as [name] text, is shown with 〓."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        echo = store.echo("bob", "🌏" * 150, minutes_ago=1)
        handset = signed_in(name, "alice", create=False)
        handset.visit(f"/echo/{echo}", sid=handset.sid)
        assert handset.status == 200
        assert len(handset.raw) <= handset.terminal.page_budget
        assert "〓" * 150 in handset.text
        handset.visit("/", sid=handset.sid)
        assert len(handset.raw) <= handset.terminal.page_budget
        assert "〓" * 150 in handset.text

    @pytest.mark.parametrize("name", PHONES)
    def test_friends_page_with_many_friends(self, signed_in, store, name):
        """The friends page fits even with many friends and requests, and lists all of them."""
        store.user("alice")
        others = [f"friend{n:02d}" for n in range(30)]
        for other in others:
            store.user(other)
        for other in others[:20]:
            store.befriend("alice", other)
        for other in others[20:26]:
            store.ask(other, "alice")
        for other in others[26:]:
            store.ask("alice", other)
        handset = signed_in(name, "alice", create=False)
        handset.click("マイミク")
        seen = set()
        for pages in range(1, 40):
            assert handset.status == 200
            assert len(handset.raw) <= handset.terminal.page_budget
            seen |= {link.text for link in handset.links() if link.href.startswith("/u/friend")}
            if not handset.has_link("次へ"):
                break
            assert handset.link("次へ").attrs["accesskey"] == "#"
            handset.click("次へ")
        assert seen == set(others)
        if pages > 1:
            handset.click("前へ")
            assert handset.status == 200
            assert len(handset.raw) <= handset.terminal.page_budget


class TestArchiveSplits:
    """Archive pages hold as many echoes as fit; paging reaches every echo exactly once."""

    @pytest.fixture
    def many(self, store) -> list[int]:
        """Alice's friend bob has written 60 long echoes; return their ids, newest first."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        ids = [store.echo("bob", LONG_ECHO, minutes_ago=100 - n) for n in range(60)]
        return ids[::-1]

    @pytest.mark.parametrize("name", SMALL_PHONES)
    def test_paging_forward_and_back(self, signed_in, many, name):
        """Small phones get fewer than 25 echoes a page, and paging covers every echo once."""
        handset = signed_in(name, "alice", create=False)
        handset.click("過去ログ")
        pages = []
        while True:
            assert handset.status == 200
            assert len(handset.raw) <= handset.terminal.page_budget
            ids = handset.echo_ids()
            assert 0 < len(ids) < echoes.PAGE_SIZE
            pages.append(ids)
            if not handset.has_link("古い"):
                break
            assert handset.link("古い").attrs["accesskey"] == "#"
            handset.click("古い")
        forward = [i for ids in pages for i in ids]
        assert forward == many
        backward = []
        while True:
            backward = handset.echo_ids() + backward
            if not handset.has_link("新しい"):
                break
            assert handset.link("新しい").attrs["accesskey"] == "*"
            handset.click("新しい")
        assert backward == many
