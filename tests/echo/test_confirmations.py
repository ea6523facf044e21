"""One-line confirmations after actions, carried in the redirect's URL and shown once."""

from __future__ import annotations

import pytest
from support.phones import PHONES

from mobile_gateway.echo import feedback


@pytest.mark.parametrize("name", PHONES)
def test_posting_says_so_once(signed_in, store, name):
    """After posting, home says "エコーしました"; the next page does not; no cookie carries it."""
    handset = signed_in(name, "alice")
    cookies_before = handset.cookie
    handset.post_echo("はれ☀️")
    assert handset.status == 200
    assert "エコーしました" in handset.text
    assert "m=posted" in handset.url
    assert handset.cookie == cookies_before
    assert not any("m=" in link.href for link in handset.links())
    handset.click_menu("過去ログ")
    assert "エコーしました" not in handset.text


@pytest.mark.parametrize("name", ["docomo_mova", "au", "softbank", "pc"])
def test_friend_actions_say_what_happened(signed_in, store, name):
    """Request, accept and remove each confirm on the page they return to."""
    store.user("bob")
    store.user("carol")
    alice = signed_in(name, "alice")
    store.ask("carol", "alice")
    alice.click_menu("マイミク")
    alice.submit({"name": "bob"}, "/friends")
    assert "マイミク申請しました" in alice.text
    accept = [
        i for i, f in enumerate(alice.forms()) if ("action", "accept", "hidden") in f.controls
    ]
    alice.submit({}, accept[0])
    assert "マイミクになりました" in alice.text and store.are_friends("alice", "carol")
    alice.click("解除")
    alice.submit({}, "/friends/remove/carol")
    assert "マイミクを解除しました" in alice.text and not store.are_friends("alice", "carol")


def test_unknown_code_and_markup_show_nothing(signed_in):
    """Only known codes say anything: nothing of the URL reaches the page."""
    handset = signed_in("docomo_foma", "alice")
    handset.get("/?m=%3Cscript%3E")
    assert handset.status == 200 and b"<script" not in handset.raw
    for code in feedback.MESSAGES.values():
        assert code not in handset.text


def test_echo_off_says_what_it_does(signed_in, store):
    """The Echo off button says what it does; turning it off confirms it."""
    handset = signed_in("docomo_mova", "alice")
    assert "オフにすると、ホームに入力欄とタイムラインを出しません。エコーは消えません。" in (
        handset.text
    )
    handset.submit({}, "/settings/echo")
    assert "Echoをオフにしました" in handset.text
    assert not store.echo_enabled("alice")
