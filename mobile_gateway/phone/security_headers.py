"""Security headers on the pages of smartphones and PCs.

Every response to a smartphone, a PC or a handset's full browser gets
``Content-Security-Policy`` (no framing, scripts and stylesheets from this site only),
``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin`` and
``X-Content-Type-Options: nosniff``. Feature-phone browsers ignore all four, so their
pages go without them: bytes over a 9,600 bps line are dear. A page that set its own
policy (the operators' console) keeps it.

The policy allows a stylesheet and a script served from this site (``/assets/...``, see
:mod:`.assets`), and ``style=`` attributes; no inline ``<script>`` or
``<style>`` element, no plug-in, no ``<base>``, forms that post only here.
"""

from __future__ import annotations

from flask import Flask, g

__all__ = ["CONTENT_SECURITY_POLICY", "HEADERS", "init_app"]

#: The policy of every page to a smartphone or PC.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: Headers of every response to a smartphone or PC, unless the response set its own.
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def add_headers(response):
    """Add the security headers to a response for anything but a feature phone's browser."""
    terminal = g.get("terminal")
    if terminal is not None and terminal.is_feature_phone:
        return response
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Add the headers on the way out of every request."""
    app.after_request(add_headers)
