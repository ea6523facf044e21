"""``url_for`` for pages: Flask's, with the work that is the same all through a request done once.

A page builds twenty-odd URLs. Flask runs the app's URL-default hooks (the cookieless
``sid``, DoCoMo's ``guid=ON``) and Werkzeug searches the endpoint's rules for every one of
them. Here the hooks run once per endpoint and rendering, their query string is encoded
then, and an endpoint with one rule is built by that rule directly (2 µs a URL instead of
9); the URL is the one :func:`flask.url_for` gives (tested on every endpoint in every
session state). What the hooks add is kept for one rendering of a template: signing in or
out between two renderings changes it. Anything else
(``_external``, ``_anchor``, a relative endpoint, a value of None, an endpoint with
several rules, a build that fails) goes to :func:`flask.url_for` itself.

The hooks must add values from the request and the endpoint alone, as this app's do
(``values.setdefault(...)``), never from the other values of the call.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlencode

import flask
from flask import Flask, before_render_template, current_app, g
from flask.globals import request_ctx
from werkzeug.routing import Rule

__all__ = ["init_app", "url_for"]

_EXTENSION = "mobile_gateway.urls"
#: What Werkzeug leaves unquoted in a query string (``werkzeug.urls._urlencode``); the
#: tests compare every URL with Flask's, so a change there shows.
_QUERY_SAFE = "!$'()*,/:;?@"


class _Target(NamedTuple):
    """An endpoint as one rendering builds it: its rule and what the hooks add."""

    rule: Rule
    #: What the URL-default hooks add (``sid``, ``guid``), in the order they add it.
    defaults: dict
    #: The script root, then ``?`` and the defaults encoded (or nothing).
    prefix: str
    suffix: str
    subdomain: str


def url_for(endpoint: str, /, **values) -> str:
    """Return the URL of *endpoint* with *values*, as :func:`flask.url_for` does."""
    if not request_ctx or endpoint[:1] == "." or not _plain(values):
        return flask.url_for(endpoint, **values)
    target = _target(endpoint)
    if target is None:
        return flask.url_for(endpoint, **values)
    rule = target.rule
    if values.keys() == rule.arguments:  # the path's values only: the query is the hooks'
        built = rule.build(values, append_unknown=False)
        suffix = target.suffix
    else:
        for key, value in target.defaults.items():
            values.setdefault(key, value)
        built = rule.build(values) if rule.arguments.issubset(values) else None
        suffix = ""
    if built is None or built[0] != target.subdomain:
        return flask.url_for(endpoint, **values)
    return f"{target.prefix}/{built[1].lstrip('/')}{suffix}"


def _plain(values: dict) -> bool:
    """Return whether *values* holds no Flask option (``_external``...) and no None."""
    for key, value in values.items():
        if value is None or key[:1] == "_":
            return False
    return True


def _target(endpoint: str) -> _Target | None:
    """Return how this rendering builds *endpoint*, or None when Flask must."""
    try:
        known = g._url_targets
    except AttributeError:
        known = g._url_targets = {}
    try:
        return known[endpoint]
    except KeyError:
        pass
    target = None
    rule = _rule(endpoint)
    adapter = request_ctx.url_adapter
    if rule is not None and adapter is not None:
        defaults: dict = {}
        current_app.inject_url_defaults(endpoint, defaults)
        query = [(key, value) for key, value in defaults.items() if value is not None]
        suffix = f"?{urlencode(query, safe=_QUERY_SAFE)}" if query else ""
        prefix = adapter.script_name.rstrip("/")
        target = _Target(rule, defaults, prefix, suffix, adapter.subdomain)
    known[endpoint] = target
    return target


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


def _forget_targets(sender: Flask, **extra) -> None:
    g.pop("_url_targets", None)


def init_app(app: Flask) -> None:
    """Let templates build URLs with :func:`url_for`."""
    app.extensions[_EXTENSION] = {}
    app.jinja_env.globals["url_for"] = url_for
    before_render_template.connect(_forget_targets, app)
