"""@name mentions, the replies page that gathers them, and the line of news on home."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support.phones import PHONES, SCRIPT_RE

from mobile_gateway.accounts import users
from mobile_gateway.echo import echoes, notifications
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Mention, User


def _links_to(handset, path: str) -> list[str]:
    """Return the texts of the links of the last page that go to *path* (not the menu's)."""
    return [
        link.text
        for link in handset.links()
        if link.href.split("?")[0] == path and not link.text.endswith("自分")
    ]


class TestMentionLinks:
    """``@name`` links to the profile on every phone, and only for a user who exists."""

    @pytest.mark.parametrize("name", PHONES)
    def test_known_name_linked_unknown_not(self, signed_in, store, name):
        """@kenji (a user) links to /u/kenji; @nobody stays text; the text reads the same."""
        store.user("kenji")
        handset = signed_in(name, "alice")
        handset.post_echo("@kenji と @nobody に☀️")
        assert handset.status == 200
        assert _links_to(handset, "/u/kenji") == ["kenji"]
        assert _links_to(handset, "/u/nobody") == []
        assert "@nobody に☀️" in handset.text

    @pytest.mark.parametrize("name", ["docomo_mova", "au", "pc"])
    def test_markup_after_at_sign_is_escaped(self, signed_in, store, name):
        """``@`` followed by markup is text: escaped once, never a link or a tag."""
        store.user("kenji")
        handset = signed_in(name, "alice")
        body = '@<b>kenji</b> @"><script>x</script> @kenji<i>'
        handset.post_echo(body)
        assert handset.status == 200
        assert not SCRIPT_RE.search(handset.raw) and b"<b>" not in handset.raw
        assert "@&lt;b&gt;kenji&lt;/b&gt;" in handset.text
        assert "&amp;lt;" not in handset.text  # one escaping pass
        # "@kenji<i>": the name ends at the markup, so it is a mention (its text escaped).
        assert _links_to(handset, "/u/kenji") == ["kenji"]
        assert "kenji</a>&lt;i&gt;" in handset.text

    def test_full_width_at_and_any_case(self, signed_in, store):
        """``＠Kenji`` from a kana keyboard links to kenji's page, shown as typed."""
        store.user("kenji")
        handset = signed_in("docomo_mova", "alice")
        handset.post_echo("＠Kenji げんき？")
        assert _links_to(handset, "/u/kenji") == ["Kenji"]

    def test_at_inside_url_or_address_is_not_a_mention(self, signed_in, store):
        """An ``@`` inside a URL or a mail address names nobody."""
        store.user("kenji")
        handset = signed_in("pc", "alice")
        handset.post_echo("http://example.jp/@kenji mail@kenji")
        assert _links_to(handset, "/u/kenji") == []
        assert handset.has_link("http://example.jp/@kenji")
        with store.session() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Mention)) == 0

    def test_user_deleted_after_mention_is_plain_text(self, signed_in, store):
        """Once the user mentioned is deleted, their @name is plain text again (no 500)."""
        store.user("kenji")
        handset = signed_in("docomo_foma", "alice")
        handset.post_echo("@kenji またね")
        assert _links_to(handset, "/u/kenji") == ["kenji"]
        with store.session() as session:
            session.delete(users.get_user(session, "kenji"))
            session.commit()
        handset.get("/")
        assert handset.status == 200
        assert _links_to(handset, "/u/kenji") == []
        assert "@kenji またね" in handset.text

    def test_name_taken_after_the_echo_is_not_linked(self, signed_in, store):
        """A name that nobody had when the echo was posted stays text when someone takes it."""
        handset = signed_in("au", "alice")
        handset.post_echo("@later どこ？")
        store.user("later")
        handset.get("/")
        assert _links_to(handset, "/u/later") == []

    def test_own_name_links_and_is_no_notice(self, signed_in, store):
        """Writing one's own @name links to one's page but is not a reply to oneself."""
        handset = signed_in("pc", "alice")
        handset.post_echo("@alice メモ")
        assert _links_to(handset, "/u/alice")[:2] == ["alice", "alice"]  # the author, the mention
        with store.session() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Mention)) == 0

    def test_links_cost_one_query_per_page(self, app, store):
        """A page of 25 echoes with mentions loads the mentioned users in one query."""
        for name in ("alice", "bob", "carol"):
            store.user(name)
        for n in range(25):
            store.echo("alice", f"@bob @carol {n}", minutes_ago=n)
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.get_engine()
            session = db.get_session()
            alice = users.get_user(session, "alice")
            sa.event.listen(engine, "before_cursor_execute", count)
            try:
                page = echoes.by_user(session, alice, None, 25)
                names = [sorted(echo.mentioned) for echo in page.items]
            finally:
                sa.event.remove(engine, "before_cursor_execute", count)
        assert names == [["alice", "bob", "carol"]] * 25
        assert len(statements) <= 3  # the page (ids, then rows), the mentions with users


class TestRepliesPage:
    """Replies and mentions both reach the user's replies page, newest first."""

    @pytest.mark.parametrize(
        "name", ["docomo_mova", "au", "softbank", "jphone", "willcom", "iphone"]
    )
    def test_reply_and_mention_both_listed(self, signed_in, store, name):
        """bob answers alice's echo, carol names her: both are on alice's replies page."""
        for user in ("alice", "bob", "carol"):
            store.user(user)
        mine = store.echo("alice", "ねむい", minutes_ago=10)
        reply = store.echo("bob", "ねなよ", minutes_ago=5, reply_to=mine)
        mention = store.echo("carol", "@alice あした☀️", minutes_ago=1)
        store.echo("carol", "ひとりごと", minutes_ago=2)
        handset = signed_in(name, "alice", create=False)
        handset.click_menu("返信")
        assert "あなたへの返信" in handset.text
        assert handset.echo_ids() == [mention, reply]

    def test_replies_page_is_paged_by_the_index(self, session, make_user):
        """Twenty-six mentions page as 25 then 1, with cursors both ways."""
        alice, bob = make_user("alice"), make_user("bob")
        for n in range(26):
            echoes.post(session, bob, f"@alice {n}")
        first = echoes.replies_and_mentions(session, alice)
        assert len(first.items) == 25 and first.prev_cursor is None
        second = echoes.replies_and_mentions(session, alice, first.next_cursor)
        assert [e.body for e in second.items] == ["@alice 0"] and second.next_cursor is None
        back = echoes.replies_and_mentions(session, alice, second.prev_cursor)
        assert [e.id for e in back.items] == [e.id for e in first.items]


class TestNewsOnHome:
    """A short line on home says what is new, each part a link (on a key on feature phones)."""

    @pytest.mark.parametrize("name", PHONES)
    def test_counts_links_and_seen(self, signed_in, store, name):
        """Two replies/mentions and one request show; opening the replies page clears the first."""
        for user in ("alice", "bob", "carol"):
            store.user(user)
        mine = store.echo("alice", "やあ", minutes_ago=10)
        store.echo("bob", "やあやあ", minutes_ago=5, reply_to=mine)
        store.echo("bob", "@alice みて", minutes_ago=4)
        store.ask("carol", "alice")
        handset = signed_in(name, "alice", create=False)
        news = handset.link("新着返信 2件")
        requests = handset.link("マイミク申請 1件")
        if handset.terminal.is_feature_phone:
            assert news.attrs["accesskey"] == "6"
            assert news.text.startswith("6\ufe0f\u20e3")
            assert requests.attrs["accesskey"] == "7"
        else:  # no keypad: no keys, no keycaps
            assert "accesskey" not in news.attrs and "accesskey" not in requests.attrs
            assert news.text == "新着返信 2件"
        handset.click("新着返信 2件")
        assert len(handset.echo_ids()) == 2
        handset.get(handset.home_url())
        assert not handset.has_link("新着返信")
        assert handset.has_link("マイミク申請 1件")
        store.echo("carol", "@alice もうひとつ")
        handset.get(handset.home_url())
        assert handset.has_link("新着返信 1件")

    def test_counts_stop_at_99_plus(self, session, make_user):
        """More than 99 new mentions count as 100 (shown "99+"), read from at most 100 rows."""
        alice, bob = make_user("alice"), make_user("bob")
        session.add_all([])
        for n in range(101):
            echoes.post(session, bob, f"@alice {n}")
        news = notifications.news(session, alice)
        assert news.replies == notifications.MOST + 1 and news.requests == 0

    def test_one_query_for_both_counts(self, app, store):
        """Both counts come from one statement."""
        store.user("alice")
        statements = []
        with app.app_context():
            engine = db.get_engine()
            session = db.get_session()
            alice = session.scalar(sa.select(User).where(User.name == "alice"))
            sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
            try:
                notifications.news(session, alice)
            finally:
                engine.dispatch.before_cursor_execute.clear()
        assert len(statements) == 1

    def test_quiet_home_has_no_line(self, signed_in):
        """Nothing new: no news line."""
        handset = signed_in("docomo_mova", "alice")
        assert not handset.has_link("新着返信") and not handset.has_link("マイミク申請 ")
