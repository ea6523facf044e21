"""Markup in echoes is escaped on every terminal in every encoding; SQL metacharacters are text."""

from __future__ import annotations

import html
import re

import pytest
from support.phones import PHONES, SCRIPT_RE

#: Echo bodies that would run script if written into a page unescaped.
PAYLOADS = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    'http://example.com/"><script>alert(1)</script>',
    "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
]
#: Bodies full of SQL metacharacters.
SQL_BODIES = [
    "'; DROP TABLE echoes; --",
    "Robert'); DELETE FROM users WHERE ('1'='1",
    '100% _any_ \\ "quoted" ? :name $1',
]


@pytest.mark.sqlite_only
class TestMarkupEscaped:
    """No page, on any phone, ever carries the markup of an echo as markup."""

    @pytest.fixture
    def posted(self, signed_in, store) -> dict:
        """alice posted every payload from a PC, bob replied to the first from au."""
        alice = signed_in("pc", "alice")
        for body in PAYLOADS:
            alice.post_echo(body)
            assert alice.status == 200
        assert store.bodies("alice") == PAYLOADS
        first = store.echo_rows()[0].id
        store.user("bob")
        store.befriend("alice", "bob")
        store.echo("bob", "返事です", reply_to=first)
        return {"first": first}

    @pytest.mark.parametrize("name", PHONES)
    def test_user_page_escapes(self, phone, posted, name):
        """The public page shows each payload as text in the phone's encoding."""
        handset = phone(name)
        handset.get("/u/alice")
        assert handset.status == 200
        assert not SCRIPT_RE.search(handset.raw)
        assert b"<img" not in handset.raw.lower()
        shown = html.unescape(handset.text)
        for body in PAYLOADS[:3]:
            assert body in shown

    @pytest.mark.parametrize("name", PHONES)
    def test_signed_in_pages_escape(self, signed_in, posted, name):
        """Home, archive, the echo, replies and the delete confirmation escape every payload."""
        alice = signed_in(name, "alice", create=False)
        sid = alice.sid
        bob = signed_in(name, "bob", create=False)
        pages = [
            (alice, "/"),
            (alice, "/archive"),
            (alice, f"/echo/{posted['first']}"),
            (alice, f"/echo/{posted['first']}/delete"),
            (alice, "/replies"),
            (bob, "/"),
            (bob, "/archive"),
        ]
        for handset, path in pages:
            handset.visit(path, sid=sid if handset is alice else None)
            assert handset.status == 200, path
            assert not SCRIPT_RE.search(handset.raw), (name, path)
            assert b"<img" not in handset.raw.lower(), (name, path)

    @pytest.mark.parametrize("name", PHONES)
    def test_refused_body_escaped_in_box(self, signed_in, store, name):
        """A refused echo comes back in the box escaped: it cannot break out of the value."""
        handset = signed_in(name, "alice")
        body = '"><script>alert(1)</script>' + "あ" * 150
        handset.post_echo(body)
        assert handset.status == 400
        assert not SCRIPT_RE.search(handset.raw)
        assert handset.form("/echo").control("body")[1] == body
        assert store.bodies() == []

    def test_link_stops_at_markup(self, phone, posted):
        """A URL followed by markup links only the URL, and the markup stays text."""
        handset = phone("pc")
        handset.get("/u/alice")
        assert handset.has_link("http://example.com/")
        assert handset.link("http://example.com/").href == "http://example.com/"

    def test_exit_page_escapes_url(self, phone):
        """The exit page writes a hostile URL as escaped text and attribute."""
        handset = phone("docomo_mova")
        handset.get('/exit?url=http://example.com/"><script>alert(1)</script>')
        assert handset.status == 200
        assert not SCRIPT_RE.search(handset.raw)
        assert handset.links()[0].href == 'http://example.com/"><script>alert(1)</script>'

    def test_escaped_entities_stay_text(self, signed_in, phone, store):
        """An echo that contains an entity shows the entity, not the character it names."""
        alice = signed_in("pc", "alice")
        alice.post_echo("&lt;b&gt; &amp; &#x3C;")
        assert store.bodies() == ["&lt;b&gt; &amp; &#x3C;"]
        reader = phone("au")
        reader.get("/u/alice")
        assert "&amp;lt;b&amp;gt; &amp;amp; &amp;#x3C;" in reader.text


class TestSqlMetacharacters:
    """SQL metacharacters in echoes and names are plain text to storage."""

    @pytest.mark.parametrize("name", ["docomo_mova", "pc"])
    def test_stored_literally(self, signed_in, phone, store, name):
        """Quotes, semicolons, percent signs and backslashes are stored and shown as typed."""
        handset = signed_in(name, "alice")
        for body in SQL_BODIES:
            handset.post_echo(body)
            assert handset.status == 200
        assert store.bodies("alice") == SQL_BODIES
        reader = phone("au")
        reader.get("/u/alice")
        shown = html.unescape(reader.text)
        for body in SQL_BODIES:
            assert body in shown

    def test_sql_in_sign_in(self, phone, store):
        """A classic injection in the sign-in form signs nobody in."""
        store.user("alice")
        handset = phone("pc")
        handset.sign_in("alice' --", "' OR '1'='1")
        assert handset.status == 400
        assert "ログアウト" not in handset.text
        handset.sign_in("alice", "' OR '1'='1")
        assert handset.status == 400

    def test_sql_in_urls(self, phone, store):
        """SQL in path and query parts is a 404, never a 500."""
        store.user("alice")
        handset = phone("pc")
        for path in ("/u/alice'--", "/u/alice%27%20OR%201=1", "/echo/1%20OR%201=1"):
            handset.get(path)
            assert handset.status == 404, path
        assert re.search("Echo", handset.text)
