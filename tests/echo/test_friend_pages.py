"""Friends ("mai-miku") through the phones: request, accept, refuse, cancel, remove."""

from __future__ import annotations

import pytest


def _act(handset, action: str, name: str) -> None:
    """Press the *action* button next to *name* on the friends page."""
    for index, form in enumerate(handset.forms()):
        control = form.control("action")
        if control and control[1] == action and form.control("name")[1] == name:
            handset.submit({}, index)
            return
    raise AssertionError(f"no {action} button for {name} on {handset.url}")


class TestFriends:
    """The whole friendship story, each side on a different carrier."""

    def test_request_and_accept(self, signed_in, store):
        """alice (DoCoMo, no cookies) asks bob (au); bob accepts; each sees the other's echoes."""
        store.user("bob")
        store.echo("bob", "ボブの☀️")
        alice = signed_in("docomo_mova", "alice")
        assert "ボブの☀️" not in alice.text
        alice.click("マイミク")
        alice.submit({"name": "bob"}, 0)
        assert alice.status == 200
        assert "申請中" in alice.text and alice.has_link("bob")
        assert store.relation("alice", "bob") == "outgoing"
        bob = signed_in("au", "bob", create=False)
        bob.click("マイミク")
        assert "届いた申請" in bob.text
        _act(bob, "accept", "alice")
        assert store.are_friends("alice", "bob")
        assert "マイミク(1)" in bob.text
        alice.get(alice.home_url())
        assert "ボブの☀️" in alice.text

    def test_refuse(self, signed_in, store):
        """bob refuses carol's request; they are not friends and the request is gone."""
        store.user("carol")
        store.user("bob")
        store.ask("carol", "bob")
        bob = signed_in("softbank", "bob", create=False)
        bob.click("マイミク")
        _act(bob, "refuse", "carol")
        assert bob.status == 200
        assert store.relation("bob", "carol") == "none"
        assert "届いた申請" not in bob.text

    def test_cancel(self, signed_in, store):
        """alice withdraws her request to dave."""
        store.user("dave")
        alice = signed_in("jphone", "alice")
        alice.click("マイミク")
        alice.submit({"name": "dave"}, 0)
        _act(alice, "cancel", "dave")
        assert store.relation("alice", "dave") == "none"

    def test_remove(self, signed_in, store):
        """Removing a friend ends the friendship for both; their echoes leave the home page."""
        store.user("alice")
        store.user("bob")
        store.befriend("alice", "bob")
        store.echo("bob", "友だちの")
        alice = signed_in("willcom", "alice", create=False)
        assert "友だちの" in alice.text
        alice.click("マイミク")
        alice.click("解除")
        assert "とのマイミクを解除しますか？" in alice.text
        assert store.are_friends("alice", "bob")
        alice.submit({}, "/friends/remove/bob")
        assert not store.are_friends("alice", "bob")
        assert "マイミク(0)" in alice.text
        alice.get("/")
        assert "友だちの" not in alice.text

    def test_request_back_accepts(self, signed_in, store):
        """Asking someone who already asked you makes you friends."""
        store.user("alice")
        store.user("bob")
        store.ask("bob", "alice")
        alice = signed_in("iphone", "alice", create=False)
        alice.click("マイミク")
        alice.submit({"name": "bob"}, 0)
        assert store.are_friends("alice", "bob")

    @pytest.mark.parametrize(
        "name, message",
        [
            ("nobody", "ユーザーが見つかりません"),
            ("alice", "自分自身にマイミク申請はできません"),
            ("", "ユーザーが見つかりません"),
            ("<script>", "ユーザーが見つかりません"),
        ],
    )
    def test_request_refused_with_message(self, signed_in, store, name, message):
        """Asking nobody, oneself or a garbled name is refused with a message."""
        alice = signed_in("docomo_foma", "alice")
        alice.click("マイミク")
        alice.submit({"name": name}, 0)
        assert alice.status == 400
        assert message in alice.text
        assert b"<script" not in alice.raw

    def test_twice_refused(self, signed_in, store):
        """Asking twice says so."""
        store.user("bob")
        alice = signed_in("pc", "alice")
        alice.click("マイミク")
        alice.submit({"name": "bob"}, 0)
        alice.submit({"name": "bob"}, 0)
        assert alice.status == 400
        assert "すでにマイミク申請しています" in alice.text

    def test_unknown_action_is_400(self, signed_in, store):
        """A friends form with an unknown action is a 400 page."""
        store.user("bob")
        alice = signed_in("pc", "alice")
        alice.click("マイミク")
        alice.submit({"name": "bob", "action": "befriend-everyone"}, 0)
        assert alice.status == 400
        assert store.relation("alice", "bob") == "none"
