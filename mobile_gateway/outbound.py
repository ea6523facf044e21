"""The response side: render a page for the terminal and encode it in the terminal's codec.

Views call :func:`render`; it picks the most specific template, renders internal text
through Jinja (autoescaped), encodes it with carrier_emoji's page codec (emoji the
carrier lacks get its best-fit emoji or ``[name]`` text; other characters the page's
charset cannot carry become 〓) and declares the charset once, in ``Content-Type``
(the templates' XML declaration and meta read :attr:`Terminal.charset` too).
"""

from __future__ import annotations

import logging

from flask import Response, g, render_template, request

import carrier_emoji

from . import terminals

__all__ = ["encode_page", "render", "template_names"]

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


def encode_page(html: str, terminal: terminals.Terminal) -> bytes:
    """Encode a rendered page for *terminal*."""
    return carrier_emoji.encode(html, terminal.page_codec, errors="geta")


def render(template: str, status: int = 200, /, **context) -> Response:
    """Render page *template* (``"home.html"``) for the request's terminal."""
    terminal = current_terminal()
    html = render_template(template_names(template, terminal), terminal=terminal, **context)
    body = encode_page(html, terminal)
    if len(body) > terminal.page_budget:
        log.warning("page %s is %d bytes, over the %s budget of %d", template, len(body),
                    terminal.carrier, terminal.page_budget)
    response = Response(body, status, content_type=terminal.content_type_header)
    response.headers["Vary"] = "User-Agent"
    response.headers["Cache-Control"] = "private, no-cache"
    log.debug("rendered %s for %s/%s in %s (%d bytes)", template, terminal.carrier,
              terminal.model, terminal.page_codec, len(body))
    return response
