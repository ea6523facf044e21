"""Atom feeds of users' echoes, read back with feedparser; conditional GET; autodiscovery."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest


def _feed(api, name: str, **headers):
    return api.get(f"/u/{name}/feed.atom", headers=headers)


def test_the_feed_is_valid_atom_with_the_newest_echoes(api, store):
    """feedparser reads the feed as Atom 1.0 with no error; entries newest first, 50 at most."""
    store.user("taro")
    for n in range(55):
        store.echo("taro", f"echo {n}", minutes_ago=100 - n)
    response = _feed(api, "taro")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 50
    assert [e.title for e in parsed.entries[:2]] == ["echo 54", "echo 53"]
    assert parsed.feed.title == "taroのエコー"
    assert parsed.feed.links[0].href.endswith("/u/taro/feed.atom")
    assert parsed.entries[0].link.endswith("/echo/" + parsed.entries[0].id.rsplit("/", 1)[1])


def test_markup_and_emoji_in_echoes(api, store):
    """Markup stays text; standard emoji stay; carrier-only ones are their fallback."""
    store.user("taro")
    store.echo("taro", '<script>alert("x")</script> & ☀️ ' + chr(0x1016A6) + " \ufffe")
    response = _feed(api, "taro")
    assert b"<script>" not in response.content
    assert not re.search("[\ue000-\uf8ff\U000f0000-\U0010ffff]", response.text)
    ET.fromstring(response.content)  # well-formed XML, U+FFFE left out
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    assert parsed.entries[0].title == '<script>alert("x")</script> & ☀️ 〓'
    assert parsed.entries[0].content[0].type == "text/plain"


def test_replies_are_linked_to_what_they_answer(api, store):
    """A reply's entry links the echo it answers (related link and thr:in-reply-to)."""
    store.user("taro")
    store.user("hanako")
    target = store.echo("hanako", "question", minutes_ago=2)
    store.echo("taro", "answer", minutes_ago=1, reply_to=target)
    root = ET.fromstring(_feed(api, "taro").content)
    ns = {"a": "http://www.w3.org/2005/Atom", "thr": "http://purl.org/syndication/thread/1.0"}
    entry = root.find("a:entry", ns)
    reply = entry.find("thr:in-reply-to", ns)
    assert reply.get("ref").endswith(f"/echo/{target}")
    related = [link.get("href") for link in entry.findall("a:link[@rel='related']", ns)]
    assert related == [reply.get("href")]


def test_conditional_get_answers_304(api, store):
    """ETag and Last-Modified come back; If-None-Match / If-Modified-Since give a 304."""
    store.user("taro")
    store.echo("taro", "first", minutes_ago=5)
    first = _feed(api, "taro")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert _feed(api, "taro", **{"If-None-Match": etag}).status_code == 304
    not_modified = _feed(api, "taro", **{"If-Modified-Since": modified})
    assert not_modified.status_code == 304 and not_modified.content == b""
    store.echo("taro", "second")
    changed = _feed(api, "taro", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert feedparser.parse(changed.content).entries[0].title == "second"
    assert _feed(api, "taro", **{"If-None-Match": '"other"'}).status_code == 200


def test_empty_feed_and_unknown_user(api, store):
    """A user without echoes has a valid empty feed; an unknown name is a 404."""
    store.user("taro")
    parsed = feedparser.parse(_feed(api, "taro").content)
    assert parsed.bozo == 0 and parsed.entries == []
    assert _feed(api, "nobody").status_code == 404
    assert _feed(api, "%3Cb%3E").status_code == 404


def test_no_session_id_reaches_a_feed(signed_in, store):
    """Even asked for with a session id, a feed's links carry none."""
    store.user("taro")
    store.echo("taro", "hello")
    handset = signed_in("docomo_mova", "hanako")
    sid = handset.sid
    assert sid
    handset.get(f"/u/taro/feed.atom?sid={sid}")
    assert handset.status == 200 and sid not in handset.raw.decode("utf-8")


@pytest.mark.parametrize("name,linked", [("pc", True), ("iphone", True), ("docomo_mova", False)])
def test_profile_pages_link_the_feed_for_smartphones_and_pcs(phone, store, name, linked):
    """Autodiscovery: <link rel="alternate" type="application/atom+xml"> on big screens only."""
    store.user("taro")
    handset = phone(name)
    handset.get("/u/taro")
    found = re.search(
        r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)"/>',
        handset.text,
    )
    assert bool(found) == linked
    if linked:
        assert found[1] == "/u/taro/feed.atom"
