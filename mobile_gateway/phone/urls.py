"""``url_for`` for pages: Flask's, with the work that is the same all through a request done once.

A page builds twenty-odd URLs. Flask runs the app's URL-default hooks (the cookieless
``sid``, DoCoMo's ``guid=ON``) and Werkzeug searches the endpoint's rules for every one of
them. Here the hooks run once per endpoint and rendering, and an endpoint with one rule is
built by that rule directly; the URL is the one :func:`flask.url_for` gives (tested on
every endpoint in every session state). What the hooks add is kept for one rendering of
a template: signing in or out between two renderings changes it. Anything else
(``_external``, ``_anchor``, a relative endpoint, a value of None, an endpoint with
several rules, a build that fails) goes to :func:`flask.url_for` itself.

The hooks must add values from the request and the endpoint alone, as this app's do
(``values.setdefault(...)``), never from the other values of the call.
"""

from __future__ import annotations

import flask
from flask import Flask, before_render_template, current_app, g
from flask.globals import request_ctx
from werkzeug.routing import Rule

__all__ = ["init_app", "url_for"]

_EXTENSION = "mobile_gateway.urls"


def url_for(endpoint: str, /, **values) -> str:
    """Return the URL of *endpoint* with *values*, as :func:`flask.url_for` does."""
    if not request_ctx or endpoint[:1] == "." or not _plain(values):
        return flask.url_for(endpoint, **values)
    rule = _rule(endpoint)
    if rule is None:
        return flask.url_for(endpoint, **values)
    for key, value in _defaults(endpoint).items():
        values.setdefault(key, value)
    adapter = request_ctx.url_adapter
    built = rule.build(values) if rule.arguments.issubset(values) else None
    if built is None or adapter is None or built[0] != adapter.subdomain:
        return flask.url_for(endpoint, **values)
    return f"{adapter.script_name.rstrip('/')}/{built[1].lstrip('/')}"


def _plain(values: dict) -> bool:
    """Return whether *values* holds no Flask option (``_external``...) and no None."""
    for key, value in values.items():
        if value is None or key[:1] == "_":
            return False
    return True


def _rule(endpoint: str) -> Rule | None:
    """Return the one plain rule of *endpoint* in the current app, or None."""
    rules = current_app.extensions[_EXTENSION]
    try:
        return rules[endpoint]
    except KeyError:
        pass
    found = list(current_app.url_map.iter_rules(endpoint))
    rule = found[0] if len(found) == 1 else None
    if rule is not None and (rule.defaults or rule.host or rule.websocket or rule.redirect_to):
        rule = None
    rules[endpoint] = rule
    return rule


def _defaults(endpoint: str) -> dict:
    """Return what the app's URL-default hooks add for *endpoint* in this rendering."""
    try:
        known = g._url_defaults
    except AttributeError:
        known = g._url_defaults = {}
    try:
        return known[endpoint]
    except KeyError:
        added: dict = {}
        current_app.inject_url_defaults(endpoint, added)
        known[endpoint] = added
        return added


def _forget_defaults(sender: Flask, **extra) -> None:
    g.pop("_url_defaults", None)


def init_app(app: Flask) -> None:
    """Let templates build URLs with :func:`url_for`."""
    app.extensions[_EXTENSION] = {}
    app.jinja_env.globals["url_for"] = url_for
    before_render_template.connect(_forget_defaults, app)
