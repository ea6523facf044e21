"""Review findings on the gateway: what phones see when things go the unusual way."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from mobile_gateway.echo.text import count_chars
from mobile_gateway.storage.models import utcnow

#: The FOMA handsets: XHTML pages, served as application/xhtml+xml (an XML parser reads them).
XHTML_PHONES = ("docomo_foma", "docomo_foma_b1")
_XML_DECLARATION_RE = re.compile(r"^<\?xml [^>]*\?>")


def _assert_well_formed(handset) -> None:
    """The last page parses as XML, as the i-mode browser 2.0 reads an XHTML page."""
    assert handset.content_type.startswith("application/xhtml+xml"), handset.content_type
    text = _XML_DECLARATION_RE.sub("", handset.text, count=1)
    try:
        ET.fromstring(text)
    except ET.ParseError as error:
        line = text.splitlines()[error.position[0] - 1]
        raise AssertionError(f"{handset.url}: {error}\n{line}") from None


@pytest.mark.parametrize("name", XHTML_PHONES)
def test_xhtml_pages_are_well_formed(signed_in, store, phone, name):
    """Every page a FOMA handset gets is well-formed XML, with its links escaped."""
    store.user("bob")
    store.user("carol")
    store.user("dave")
    handset = signed_in(name, "alice")
    store.befriend("alice", "bob")
    store.ask("carol", "alice")
    store.ask("alice", "dave")
    for minutes in range(30):
        store.echo("bob", f"ボブ{minutes}☀️ https://example.com/?a=1&b=2", minutes_ago=minutes + 1)
    first = store.echo("alice", "こんにちは <b>&amp;</b> 🇯🇵👨‍👩‍👧")
    store.echo("bob", "返信です", reply_to=first)
    pages = [
        "/",
        "/archive",
        "/archive?only=friends",
        "/replies",
        "/u/bob",
        "/friends",
        f"/echo/{first}",
        f"/echo/{first}/delete",
        "/no-such-page",
    ]
    for path in pages:
        handset.visit(path)
        _assert_well_formed(handset)
    handset.visit("/archive")
    handset.click("古い")
    _assert_well_formed(handset)
    handset.click("新しい")
    _assert_well_formed(handset)
    # A bad post comes back with the message and the text typed.
    handset.post_echo("x" * 151 + "&<>\"'")
    assert handset.status == 400
    _assert_well_formed(handset)
    # Signed out: welcome, sign-in, sign-up.
    visitor = phone(name)
    for path in ("/", "/login", "/signup", "/u/bob"):
        visitor.get(path)
        _assert_well_formed(visitor)


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
    preview = re.search(r"&gt;<a [^>]*>bob</a>: ([^\n]*)", handset.text)
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
