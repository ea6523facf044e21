"""A phone whose session expired while typing keeps its work.

Posting with an expired session gets the sign-in page with a message (not a bare 403);
after signing in the phone is back where it was, with the typed echo in the box, and
nothing is posted until the user presses the button. The return target and the text ride
in the sign-in form, signed, so cookieless phones keep them too and nothing is stored for
the signed-out visitor; the target is always a page of this site.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from support.phones import PHONES
from support.settings import PASSWORD, SECRET_KEY

from mobile_gateway.accounts import form_tokens
from mobile_gateway.storage.models import AuthSession

EXPIRED = "セッションの有効期限が切れました"
#: Text every test phone can type: kana, kanji and an emoji all carriers have.
TYPED = "今日は晴れ☀️ 散歩してきます"


def box_value(handset) -> str:
    """Return what the post box of the page holds."""
    return handset.form("/echo").control("body")[1]


@pytest.mark.parametrize("name", sorted(PHONES))
def test_post_after_expiry_returns_with_the_echo(signed_in, store, session_clock, name):
    """Sign-in page with a message, then home with the typed echo in the box, not posted."""
    handset = signed_in(name, "alice")
    handset.get(handset.home_url())
    session_clock(minutes=31)
    handset.submit({"body": TYPED}, "/echo")
    assert handset.status == 200
    assert handset.content_type == handset.terminal.content_type_header
    assert EXPIRED in handset.text
    assert "入力中のエコー" in handset.text and "まだ投稿していません" in handset.text
    assert store.bodies() == []
    assert store.count(AuthSession) == 0  # the dead session is gone; nothing new stored
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert handset.status == 200 and "ログアウト" in handset.text
    assert urlsplit(handset.url).path == "/"
    assert box_value(handset) == TYPED
    assert store.bodies() == []  # nothing posted without the user's action
    handset.submit({}, "/echo")
    assert store.bodies() == [TYPED]
    handset.get(handset.home_url())
    assert box_value(handset) == ""  # the draft is given back once


@pytest.mark.parametrize("name", ["docomo_mova", "au", "pc"])
def test_reply_after_expiry_returns_to_the_echo(signed_in, store, session_clock, name):
    """A reply typed when the session expired comes back in that echo's reply box."""
    store.user("bob")
    echo_id = store.echo("bob", "ランチどこ行く？")
    handset = signed_in(name, "alice")
    handset.visit(f"/echo/{echo_id}")
    session_clock(hours=2)
    handset.submit({"body": "ラーメン！"}, "/echo")
    assert EXPIRED in handset.text
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert urlsplit(handset.url).path == f"/echo/{echo_id}"
    assert box_value(handset) == "ラーメン！"
    assert handset.form("/echo").control("reply_to")[1] == str(echo_id)
    assert store.bodies() == ["ランチどこ行く？"]


@pytest.mark.parametrize("name", ["docomo_mova", "jphone", "softbank", "iphone"])
def test_page_after_expiry_comes_back_after_sign_in(signed_in, store, session_clock, name):
    """Following a link after expiry: sign-in page with the message, then that page."""
    handset = signed_in(name, "alice")
    handset.get(handset.home_url())
    archive = handset.link("過去ログ").href
    session_clock(minutes=45)
    handset.get(archive)
    assert EXPIRED in handset.text
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert urlsplit(handset.url).path == "/archive"
    assert "ログアウト" in handset.text


def test_signed_out_visitor_returns_to_the_page_asked(phone, store):
    """A visitor sent to sign in from a members' page lands on it afterwards (no message)."""
    store.user("alice")
    handset = phone("docomo_mova")
    handset.get("/replies")
    assert urlsplit(handset.url).path == "/login"
    assert EXPIRED not in handset.text
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert urlsplit(handset.url).path == "/replies"


def test_wrong_password_keeps_the_note(signed_in, store, session_clock):
    """A mistyped password shows the page again with the note: the echo is not lost."""
    handset = signed_in("docomo_mova", "alice")
    handset.get(handset.home_url())
    session_clock(minutes=31)
    handset.submit({"body": TYPED}, "/echo")
    handset.submit({"name": "alice", "password": "wrong-password-1"}, "/login")
    assert handset.status == 400 and "入力中のエコー" in handset.text
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert box_value(handset) == TYPED


def test_note_cannot_send_elsewhere(phone, store):
    """A note that is not ours, or names no page of ours, lands on home after sign-in."""
    store.user("alice")
    forged = form_tokens.resume_token("another key" * 4, "echo.archive")
    outward = form_tokens.resume_token(SECRET_KEY, "pages.exit", {"url": "http://evil.example/"})
    post_only = form_tokens.resume_token(SECRET_KEY, "auth.logout")
    for note in (forged, outward, post_only, "//evil.example/", "http://evil.example/"):
        handset = phone("pc")
        handset.get("/login?resume=" + note.replace("/", "%2F").replace(":", "%3A"))
        assert handset.form("/login").control("resume") is None
        handset.submit({"name": "alice", "password": PASSWORD, "resume": note}, "/login")
        assert handset.history[-1][1].endswith("/"), handset.history
        assert "evil" not in handset.url


def test_draft_fits_the_smallest_budget(signed_in, store, session_clock):
    """A 150-character draft on the sign-in page of a 5 KB mova stays within budget."""
    handset = signed_in("docomo_mova_5k", "alice")
    handset.get(handset.home_url())
    session_clock(minutes=31)
    typed = ("晴れ☀️のち雨☔" * 30)[:150]
    handset.submit({"body": typed}, "/echo")
    assert EXPIRED in handset.text
    assert len(handset.raw) <= handset.terminal.page_budget
    handset.submit({"name": "alice", "password": PASSWORD}, "/login")
    assert box_value(handset) == typed
    assert len(handset.raw) <= handset.terminal.page_budget


def test_cookieless_note_is_in_the_form_not_the_url(signed_in, session_clock):
    """On a cookieless phone the typed echo travels in the sign-in form, never in a URL."""
    handset = signed_in("docomo_mova", "alice")
    handset.get(handset.home_url())
    session_clock(minutes=31)
    handset.submit({"body": "ひみつのエコー"}, "/echo")
    for link in handset.links():
        assert "resume" not in parse_qs(urlsplit(link.href).query)
    note = handset.form("/login").control("resume")[1]
    assert form_tokens.read_resume(SECRET_KEY, note, 3600)["draft"] == "ひみつのエコー"
