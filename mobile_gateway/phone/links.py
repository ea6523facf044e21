"""What in an echo's text can become a link: URLs and ``@name`` mentions (no Flask here).

One tokenizer serves both sides, so that what is stored as a mention when an echo is
posted (:mod:`...echo.mentions`) is exactly what a page links (:func:`.template_helpers.linkify`):
an ``@`` inside a URL is part of the URL, never a mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["MENTION_RE", "URL_RE", "mentioned_names", "tokens"]

#: An http(s) URL in an echo: ASCII, up to the first space, quote, angle bracket or
#: full-width character; trailing punctuation is left out.
URL_RE = re.compile(r"https?://[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+(?<![.,;:!?)\]'])", re.ASCII)
#: ``@name`` (or the full-width ``＠`` a phone's kana keyboard gives) with a user name's
#: characters, not inside a word or an address (``mail@example``), at most 20 of them.
MENTION_RE = re.compile(
    r"(?<![A-Za-z0-9_@＠.-])[@＠](?P<name>[A-Za-z0-9_-]{1,20})(?![A-Za-z0-9_-])"
)
_TOKEN_RE = re.compile(f"(?P<url>{URL_RE.pattern})|{MENTION_RE.pattern}")


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """Split *text* into ``("text", s)``, ``("url", url)`` and ``("mention", name)`` parts.

    The ``mention`` part is the name without its ``@`` (the ``@`` or ``＠`` is the text
    part before it, so that a name no one has is written back exactly as typed).
    """
    position = 0
    for match in _TOKEN_RE.finditer(text):
        if match["url"]:
            yield "text", text[position : match.start()]
            yield "url", match["url"]
        else:
            yield "text", text[position : match.start("name")]
            yield "mention", match["name"]
        position = match.end()
    yield "text", text[position:]


def mentioned_names(text: str) -> list[str]:
    """Return the names *text* mentions (``@name``, not inside URLs), first occurrence first."""
    seen: dict[str, str] = {}
    for kind, value in tokens(text):
        if kind == "mention":
            seen.setdefault(value.lower(), value)
    return list(seen.values())
