"""The echo page as a conversation: what it answers, its replies (paged), deleted echoes."""

from __future__ import annotations

import pytest
from support.phones import PHONES

from mobile_gateway.accounts import users
from mobile_gateway.echo import echoes

#: A long reply, to fill small pages.
LONG = "あいうえお☀️かきくけこ" * 13


def _delete(store, name: str, echo_id: int) -> None:
    """Delete *name*'s echo through the domain."""
    with store.session() as session:
        echoes.delete(session, users.get_user(session, name), echo_id)


class TestConversation:
    """One echo shows what it answers above it and its replies below, newest first."""

    @pytest.mark.parametrize("name", PHONES)
    def test_parent_echo_and_replies(self, signed_in, store, name):
        """The page of bob's reply shows alice's echo it answers, and the replies to it."""
        for user in ("alice", "bob", "carol", "dave"):
            store.user(user)
        question = store.echo("alice", "ランチどこ？", minutes_ago=30)
        answer = store.echo("bob", "ラーメン🍜", minutes_ago=20, reply_to=question)
        first = store.echo("carol", "いいね", minutes_ago=10, reply_to=answer)
        second = store.echo("dave", "おれも", minutes_ago=5, reply_to=answer)
        handset = signed_in(name, "alice", create=False)
        handset.visit(f"/echo/{answer}")
        assert handset.status == 200
        assert "ランチどこ？" in handset.text and "ラーメン🍜" in handset.text
        assert handset.echo_ids() == [answer, second, first]
        assert handset.form("/echo").control("reply_to")[1] == str(answer)

    @pytest.mark.parametrize("name", ["docomo_mova_5k", "docomo_mova", "jphone", "au", "pc"])
    def test_many_long_replies_page_within_budget(self, signed_in, store, name):
        """Thirty long replies page through, newest first, every page within the budget."""
        store.user("alice")
        store.user("bob")
        question = store.echo("alice", "みんなどう？", minutes_ago=100)
        replies = [store.echo("bob", f"{n}{LONG}", minutes_ago=99 - n, reply_to=question)
                   for n in range(30)]  # fmt: skip
        handset = signed_in(name, "alice", create=False)
        handset.visit(f"/echo/{question}")
        seen = []
        for _ in range(40):
            assert handset.status == 200
            assert len(handset.raw) <= handset.terminal.page_budget, len(handset.raw)
            seen += [i for i in handset.echo_ids() if i != question]
            if not handset.has_link("古い"):
                break
            keyed = handset.link("古い").attrs.get("accesskey")
            assert keyed == ("#" if handset.terminal.is_feature_phone else None)
            handset.click("古い")
        assert seen == replies[::-1]
        handset.click("新しい")
        assert handset.status == 200

    def test_garbled_cursor_is_404(self, signed_in, store):
        """A forged page cursor on the echo page is "not found", not an error."""
        store.user("alice")
        question = store.echo("alice", "はい")
        handset = signed_in("pc", "alice", create=False)
        handset.get(f"/echo/{question}?c=%%%%")
        assert handset.status == 404
        assert "ページが見つかりません" in handset.text

    def test_reply_returns_to_the_conversation(self, signed_in, store):
        """Replying from the echo page goes back to it, the reply first, with a confirmation."""
        store.user("bob")
        question = store.echo("bob", "しつもん")
        handset = signed_in("docomo_mova", "alice")
        handset.visit(f"/echo/{question}")
        handset.submit({"body": "こたえ"}, "/echo")
        assert handset.status == 200
        assert handset.url.split("?")[0] == f"http://localhost/echo/{question}"
        assert "返信しました" in handset.text
        assert "こたえ" in handset.text


class TestDeletedInThread:
    """A deleted echo in a thread says "削除されました": never a 500, never a hole."""

    @pytest.mark.parametrize("name", PHONES)
    def test_reply_to_deleted_echo_says_so(self, signed_in, store, name):
        """After alice deletes her question, bob's answer says what it answered was deleted."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        question = store.echo("alice", "けします", minutes_ago=10)
        answer = store.echo("bob", "え？", minutes_ago=5, reply_to=question)
        _delete(store, "alice", question)
        handset = signed_in(name, "bob", create=False)
        handset.visit(f"/echo/{answer}")
        assert handset.status == 200
        assert "削除されました" in handset.text and "けします" not in handset.text
        handset.visit("/")
        assert handset.status == 200
        assert "え？" in handset.text and "削除されました" in handset.text
        handset.visit(f"/echo/{question}")
        assert handset.status == 404

    def test_deleted_reply_leaves_the_list(self, signed_in, store):
        """A deleted reply is simply gone from its parent's replies: no gap, no error."""
        store.user("alice")
        store.user("bob")
        question = store.echo("alice", "どう？", minutes_ago=10)
        kept = store.echo("bob", "いいよ", minutes_ago=5, reply_to=question)
        gone = store.echo("bob", "やっぱり", minutes_ago=4, reply_to=question)
        _delete(store, "bob", gone)
        handset = signed_in("au", "alice", create=False)
        handset.visit(f"/echo/{question}")
        assert handset.echo_ids() == [question, kept]

    def test_middle_of_a_chain_deleted(self, session, make_user):
        """A ← B ← C, B deleted: C is marked, keeps its text, and A has no reply left."""
        alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
        a = echoes.post(session, alice, "A")
        b = echoes.post(session, bob, "B", a)
        c = echoes.post(session, carol, "C", b)
        c_id, a_id = c.id, a.id
        echoes.delete(session, bob, b.id)
        session.expire_all()
        kept = echoes.get(session, c_id)
        assert kept.body == "C" and kept.reply_to is None and kept.answers_deleted
        assert echoes.replies_of(session, a_id).items == []
        assert not echoes.get(session, a_id).answers_deleted

    def test_mentions_of_a_deleted_echo_go_with_it(self, session, make_user):
        """A deleted echo leaves nobody's replies page."""
        alice, bob = make_user("alice"), make_user("bob")
        echo = echoes.post(session, bob, "@alice ないしょ")
        assert len(echoes.replies_and_mentions(session, alice).items) == 1
        echoes.delete(session, bob, echo.id)
        assert echoes.replies_and_mentions(session, alice).items == []
