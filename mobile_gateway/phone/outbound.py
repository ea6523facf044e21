"""The response side: render a page for the terminal and encode it in the terminal's codec.

Views call :func:`render`; it picks the most specific template, renders internal text
through Jinja (autoescaped), encodes it with carrier_emoji's page codec (emoji the
carrier lacks get its best-fit emoji or ``[name]`` text; other characters the page's
charset cannot carry become 〓) and declares the charset once, in ``Content-Type``
(the templates' XML declaration and meta read :attr:`Terminal.charset` too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, g, render_template, request

import carrier_emoji

from . import terminals

__all__ = ["encode_page", "render", "render_fitting", "template_names"]

log = logging.getLogger(__name__)


def current_terminal() -> terminals.Terminal:
    """Return the request's terminal (detected here if the request path did not run)."""
    terminal = g.get("terminal")
    if terminal is None:
        terminal = g.terminal = terminals.detect(
            request.headers, request.remote_addr, secure=request.is_secure
        )
    return terminal


def template_names(name: str, terminal: terminals.Terminal) -> list[str]:
    """Return the templates to try for page *name*: carrier, then mobile, then generic."""
    base, _, ext = name.rpartition(".")
    # A carrier's full browser renders like a PC: it never gets the handset templates.
    key = terminals.PC if terminal.full_browser else terminal.carrier
    names = [f"{base}.{key}.{ext}"]
    if terminal.is_feature_phone:
        names.append(f"{base}.mobile.{ext}")
    names.append(name)
    return names


def encode_page(html: str, terminal: terminals.Terminal, fallback: str = "fit") -> bytes:
    """Encode a rendered page for *terminal* (*fallback*: for emoji the carrier lacks).

    The page is HTML already escaped by Jinja; the text the encoder inserts for an emoji
    (``[name]`` from the operators' table, a best fit) is escaped for HTML too, so that it
    is text inside an element and inside a quoted attribute value (the post box's).
    """
    return carrier_emoji.encode(
        html, terminal.page_codec, errors="geta", fallback=fallback, html=True
    )


def render(template: str, status: int = 200, /, *, emoji_fallback="fit", **context) -> Response:
    """Render page *template* (``"echo/home.html"``) for the request's terminal."""
    terminal = current_terminal()
    html = render_template(template_names(template, terminal), terminal=terminal, **context)
    body = encode_page(html, terminal, emoji_fallback)
    if len(body) > terminal.page_budget:
        log.warning(
            "page %s is %d bytes, over the %s budget of %d",
            template,
            len(body),
            terminal.carrier,
            terminal.page_budget,
        )
    response = Response(body, status, content_type=terminal.content_type_header)
    response.headers["Vary"] = "User-Agent"
    response.headers["Cache-Control"] = "private, no-cache"
    log.debug(
        "rendered %s for %s/%s in %s (%d bytes)",
        template,
        terminal.carrier,
        terminal.model,
        terminal.page_codec,
        len(body),
    )
    return response


def render_fitting(
    template: str, status: int, items_for: Callable[[int], dict], most: int, /, **context
) -> Response:
    """Render a list page with as many items as fit the terminal's page budget.

    *items_for(n)* returns the template values that show *n* items (keyset cursors or
    offsets make the "next" link start after the last one shown). When even one item is
    too big, emoji the carrier lacks are written as 〓 instead of ``[name]`` text.
    """
    budget = current_terminal().page_budget
    count = max(most, 1)
    while True:
        response = render(template, status, **context, **items_for(count))
        size = len(response.get_data())
        if size <= budget:
            return response
        if count == 1:
            return render(template, status, emoji_fallback="geta", **context, **items_for(1))
        count = max(1, min(count - 1, count * budget // size))
