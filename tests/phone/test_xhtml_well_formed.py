"""FOMA handsets read XHTML as XML: every page they get is well-formed, links escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

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
