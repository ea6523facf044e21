"""Atom feeds (RFC 4287) of echoes, with replies linked (RFC 4685, Atom threading).

Built with :mod:`xml.etree.ElementTree`, which escapes every text and attribute, so no
markup of an echo can become markup of the feed. Carrier-only emoji are written as
their text fallback (:func:`.emoji_text.plain`); characters XML 1.0 cannot carry
(U+FFFE, U+FFFF) are left out. No Flask here: the caller gives the URLs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import datetime

from ..storage.models import Echo, User
from . import emoji_text
from .shapes import timestamp

__all__ = ["ATOM_NS", "THREAD_NS", "FEED_SIZE", "build_feed"]

ATOM_NS = "http://www.w3.org/2005/Atom"
THREAD_NS = "http://purl.org/syndication/thread/1.0"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Echoes in a feed, newest first.
FEED_SIZE = 50

ET.register_namespace("", ATOM_NS)
ET.register_namespace("thr", THREAD_NS)

#: Characters outside XML 1.0's ``Char`` production.
_NOT_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(text: str) -> str:
    """Return *text* as it goes into the feed."""
    return _NOT_XML_RE.sub("", emoji_text.plain(text))


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    """Append an Atom element with *text* and *attrs*."""
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def build_feed(
    owner: User,
    items: Sequence[Echo],
    *,
    feed_url: str,
    profile_url: str,
    echo_url: Callable[[int], str],
    updated: datetime,
) -> bytes:
    """Return the Atom document of *owner*'s echoes *items* (newest first), UTF-8.

    :param echo_url: the page URL of an echo id (entry ids, links, reply targets).
    :param updated: the feed's ``updated`` (its newest entry, or the owner's sign-up).
    """
    label = _text(owner.label)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {f"{{{_XML_NS}}}lang": "ja"})
    _add(feed, "id", profile_url)
    _add(feed, "title", f"{label}のエコー")
    _add(feed, "updated", timestamp(updated))
    author = _add(feed, "author")
    _add(author, "name", label)
    _add(author, "uri", profile_url)
    _add(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _add(feed, "link", rel="alternate", type="text/html", href=profile_url)
    _add(feed, "generator", "mobile-gateway")
    for echo in items:
        entry = _add(feed, "entry")
        url = echo_url(echo.id)
        text = _text(echo.body)
        _add(entry, "id", url)
        _add(entry, "title", text)
        _add(entry, "published", timestamp(echo.created_at))
        _add(entry, "updated", timestamp(echo.created_at))
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "content", text, type="text")
        if echo.reply_to is not None:
            target = echo_url(echo.reply_to.id)
            _add(entry, "link", rel="related", type="text/html", href=target)
            ET.SubElement(
                entry,
                f"{{{THREAD_NS}}}in-reply-to",
                {"ref": target, "href": target, "type": "text/html"},
            )
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
