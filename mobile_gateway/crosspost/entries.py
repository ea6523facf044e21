"""Feed entries read with feedparser, and the echo each becomes.

The body is handed to feedparser as a stream, never as a string: given a string that
looks like an address or a file name, feedparser would open it itself. Markup is
removed (feedparser has already sanitised it; what is left is read as text by
:mod:`html.parser`), carrier emoji are read as a smartphone's UTF-8 is (SoftBank's and
Google's private-use emoji become standard ones; any other private-use character, and
the internal form of carrier-only emoji, becomes 〓: nothing is forged), and the text
is cut to fit an echo with the entry's link whole at its end. No Flask here.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import html.parser
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import feedparser

import carrier_emoji  # noqa: F401  (registers x-utf8-unicode)

from ..echo.text import MAX_ECHO_CHARS, clean_body, count_chars, shorten

__all__ = ["Entry", "FeedUnreadable", "echo_body", "parse"]

#: A link kept whole in an echo: http(s), ASCII, no spaces (as echo pages link them).
_URL_RE = re.compile(r"https?://[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+", re.ASCII)


class FeedUnreadable(Exception):
    """The body is no feed we can read; ``str()`` is the message for the user."""


@dataclass(frozen=True)
class Entry:
    """One entry of a feed, as an echo would need it."""

    #: Hex SHA-256 of its id (else its link, else its text): what makes it "the same entry".
    key: str
    text: str
    link: str | None
    #: When it was published (or updated), if the feed says.
    published: datetime | None


class _TextOnly(html.parser.HTMLParser):
    """Collects the text of an HTML fragment, leaving out scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _plain(detail: dict | None, value: str) -> str:
    """Return the text of a feedparser value (HTML read as text, plain text as it is)."""
    kind = (detail or {}).get("type", "text/plain")
    if "html" in kind:
        parser = _TextOnly()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    else:
        value = html.unescape(value) if "&" in value and kind != "text/plain" else value
    return " ".join(value.split())


def _internal(text: str) -> str:
    """Return feed text as internal text (a smartphone's UTF-8; unknown private use: 〓)."""
    return text.encode("utf-8", "replace").decode("x-utf8-unicode", "geta")


def _when(entry) -> datetime | None:
    """Return the entry's publication (or update) time, if given."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


def _link(entry) -> str | None:
    """Return the entry's http(s) link, if it has one we can show whole."""
    link = (entry.get("link") or "").strip()
    match = _URL_RE.fullmatch(link)
    return link if match else None


def parse(body: bytes) -> list[Entry]:
    """Return the entries of the feed *body*, in feed order.

    :raises FeedUnreadable: for anything that is not well-formed Atom or RSS.
    """
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=True, resolve_relative_uris=False)
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        raise FeedUnreadable("フィードのXMLが正しくありません")
    if not parsed.version:
        raise FeedUnreadable("AtomまたはRSSのフィードではありません")
    entries = []
    for item in parsed.entries:
        title = _plain(item.get("title_detail"), item.get("title", ""))
        summary = _plain(item.get("summary_detail"), item.get("summary", ""))
        text = _internal(title or summary)
        link = _link(item)
        identity = item.get("id") or link or f"text:{title}\n{summary}"
        key = hashlib.sha256(str(identity).encode("utf-8", "replace")).hexdigest()
        entries.append(Entry(key, text, link, _when(item)))
    return entries


def _cut(text: str, room: int) -> str:
    """Return *text* within *room* characters, never cutting through a link in it."""
    if count_chars(text) <= room:
        return text
    if room < 2:
        return ""
    short = shorten(text, room, leeway=0)
    kept = short[:-1]
    for match in _URL_RE.finditer(text):
        if match.start() < len(kept) < match.end():
            return kept[: match.start()].rstrip() + "…"
    return short


def echo_body(entry: Entry) -> str:
    """Return the echo *entry* becomes: its text within 150 characters, its link whole."""
    text = clean_body(entry.text)
    link = entry.link
    if link is None or link in text:
        return _cut(text, MAX_ECHO_CHARS)
    room = MAX_ECHO_CHARS - count_chars(link) - 1
    if room < 0:
        # A link longer than an echo cannot go in whole; the text goes alone.
        return _cut(text, MAX_ECHO_CHARS)
    text = _cut(text, room)
    return f"{text} {link}" if text else link
