"""Emoji names already in the database never become markup, on any page or terminal.

An operators' row written before names were checked (or by hand into the database) may
hold markup in its ``[name]`` text fallback. The page encoder inserts that text after
Jinja has escaped the page, so it must escape it itself: here such rows are put straight
into the table, echoes, a display name and a post box hold the emoji, and every page type
is read on every test phone.
"""

from __future__ import annotations

import html
import html.parser

import pytest
import sqlalchemy as sa
from support.phones import PHONES
from support.settings import PASSWORD

import carrier_emoji
from mobile_gateway.accounts import users
from mobile_gateway.operators import emoji_sync
from mobile_gateway.storage import db
from mobile_gateway.storage.models import EmojiMapping, EmojiTableVersion

HOSTILE = "<svg/onload=alert(1)>"
#: Breaks out of a quoted attribute value if written raw.
QUOTED = '"><svg/onload=alert(2)>'
DOCOMO_ONLY = carrier_emoji.notations.carrier_only_char("docomo", 0xF94A)
PARTY = "\U0001f973"  # no carrier has it: feature phones write its name
#: Terminals whose forms may carry DoCoMo's Shift_JIS emoji bytes while their pages lack them.
SJIS_DOCOMO_SENDERS = ("pc", "iphone", "au")


class _Tags(html.parser.HTMLParser):
    """Collect every start tag and attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_no_injection(handset) -> None:
    """Assert that the page holds no element or event handler the names would make."""
    parser = _Tags()
    parser.feed(handset.text)
    names = {tag for tag, _ in parser.tags}
    assert "svg" not in names, handset.url
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), (handset.url, tag, attrs)
    assert b"<svg" not in handset.raw.lower()


def shown_names(handset) -> set[str]:
    """Return which hostile fallbacks the page shows as text."""
    text = html.unescape(handset.text)
    return {name for name in (HOSTILE, QUOTED) if f"[{name}]" in text}


@pytest.fixture
def hostile_table(app):
    """Write two hostile rows into the operators' layer, as an old database would hold them."""
    with app.app_context():
        session = db.get_session()
        session.add(EmojiMapping(key=DOCOMO_ONLY, docomo=0xF94A, name_ja=HOSTILE))
        session.add(EmojiMapping(key=PARTY, name_ja=QUOTED))
        version = session.get(EmojiTableVersion, 1)
        version.version += 1
        session.commit()
    emoji_sync.get_sync(app).force()


@pytest.fixture
def content(hostile_table, app, store):
    """alice (display name with both emoji) posted them; bob replied; they are friends."""
    with store.session() as session:
        users.signup(session, "alice", PASSWORD, f"アリス{PARTY}{DOCOMO_ONLY}")
    store.user("bob")
    store.befriend("alice", "bob")
    first = store.echo("alice", f"いい天気{DOCOMO_ONLY}{PARTY}", minutes_ago=2)
    store.echo("bob", f"ほんと{PARTY}", reply_to=first, minutes_ago=1)
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(EmojiMapping)) == 2
    return {"first": first}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", PHONES)
def test_every_page_type(signed_in, phone, content, name):
    """Home, archive, replies, a user's page, an echo, delete, friends, settings, errors."""
    alice = signed_in(name, "alice", create=False)
    first = content["first"]
    seen: set[str] = set()
    for path in (
        "/",
        "/archive",
        "/replies",
        "/u/alice",
        "/u/bob",
        f"/echo/{first}",
        f"/echo/{first}/delete",
        "/friends",
        "/settings/easy-login",
    ):
        alice.visit(path)
        assert alice.status == 200, (path, alice.status)
        assert_no_injection(alice)
        seen |= shown_names(alice)
    if name in SJIS_DOCOMO_SENDERS:
        # The post box refilled after a refused post: the name inside value="...". These
        # terminals may post DoCoMo's Shift_JIS emoji (pasted, or a form sent in Shift_JIS).
        alice.post_echo(f"{DOCOMO_ONLY}" + "あ" * 200, codec="x-sjis-docomo")
        assert alice.status == 400
        assert_no_injection(alice)
        box = next(i for i in alice.inputs() if i.get("name") == "body")
        assert box["value"].startswith(f"[{HOSTILE}]")  # the attribute's text, not markup
    # A signed-out visitor, a page that does not exist.
    visitor = phone(name)
    for path in ("/u/alice", f"/echo/{first}", "/no-such-page"):
        visitor.get(path)
        assert_no_injection(visitor)
        seen |= shown_names(visitor)
    # The control: every phone shows at least one of the hostile names, as text.
    assert seen, f"{name} showed no text fallback: the test would prove nothing"
