"""mobile-gateway: the mobile web gateway of the Echo microblog.

Data flows one way through the app, one step per package::

    request
      -> phone.inbound      the terminal (phone.terminals); query and form decoded from
                            the carrier's bytes into internal text
      -> gateways           the client address; the subscriber id its carrier vouches for
      -> accounts           the session and user; the CSRF check of every POST
      -> echo, operators    the domain: echoes, friends, the emoji table
      -> storage            SQLAlchemy models and migrations (internal text only)
      -> rendering          Jinja templates (templates_mobile/), autoescaped
      -> phone.outbound     the page encoded in the terminal's codec, within its budget
    response

Only :mod:`.phone.inbound` decodes carrier bytes and only :mod:`.phone.outbound` encodes
them; everything between sees internal-form text (see :mod:`carrier_emoji`).

Packages, lowest first; each imports only packages before it in this list
(``tests/test_package_layers.py`` checks it, and that no two modules import each other):

``storage``
    engine, per-request session, models, migrations
``phone``
    terminal detection, form decoding, page encoding, handset template helpers, error pages
``gateways``
    client address, carrier gateway ranges, subscriber ids, rate limits
``accounts``
    users, passwords, sessions and CSRF, sign-up and sign-in, easy login
``echo``
    echoes, timelines, friends, the service period, and their pages
``api``
    the JSON API and its tokens, the Atom feeds
``crosspost``
    users' feeds elsewhere posted as echoes: subscriptions, fetching, the worker
``operators``
    the emoji layer and the console, the ranges and service-period pages
``cli``
    the ``mobile-gateway`` commands

Where a newcomer adds things: a page goes into the views module of its capability, with
its templates in ``templates_mobile/<capability>/`` (``x.html`` for smartphones and PCs,
``x.mobile.html`` for feature phones); a carrier into
:mod:`.phone.terminals`; an emoji notation into :mod:`carrier_emoji`; a command into
:mod:`.cli`; a table into :mod:`.storage.models` with a migration. Each package's
docstring says more.
"""

import os
from importlib.resources import files

from flask import Flask
from werkzeug.routing import IntegerConverter

__all__ = ["create_app"]


class _IdConverter(IntegerConverter):
    """``<int:...>`` in a route: a row id, at most :data:`.storage.models.MAX_ID`, else no match."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        from .storage.models import MAX_ID

        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the Flask application.

    :param test_config: settings that replace the instance config (tests pass these).
    :param instance_path: the instance folder (database, generated ``secret_key``,
        ``config.py``); default ``MOBILE_GATEWAY_INSTANCE_PATH``, else Flask's.
    :raises config.ConfigError: no proper ``SECRET_KEY`` (see :mod:`.config`).
    """
    from . import cli, config
    from .accounts import easy_login_views
    from .accounts import views as account_views
    from .accounts import web_session
    from .api import feed_views, token_views
    from .api import views as api_views
    from .crosspost import views as crosspost_views
    from .echo import friend_views, people_views
    from .echo import views as echo_views
    from .gateways import carrier_ranges, client_address, subscriber_ids
    from .operators import console_views, emoji_sync, period_views, ranges_views
    from .phone import assets, inbound, pages, security_headers, template_helpers, urls
    from .storage import db

    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path or os.environ.get("MOBILE_GATEWAY_INSTANCE_PATH") or None,
        template_folder=str(files("templates_mobile")),
    )
    # Every <int:...> in a URL is a row id: one no column can hold is "not found" (404),
    # not a database error (PostgreSQL ``integer`` ends at 2**31 - 1).
    app.url_map.converters["int"] = _IdConverter
    # 1. Defaults, then the instance config file, then MOBILE_GATEWAY_* variables.
    app.config.from_object(config.DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("MOBILE_GATEWAY")
    else:
        app.config.from_mapping(test_config)
    # No key in the source: the configured one, else one generated into the instance folder.
    config.ensure_secret_key(app)
    # 2. What the steps share: the database, the carrier ranges' cache, the commands.
    for helper in (db, carrier_ranges, cli):
        helper.init_app(app)
    # 3. The request path, in the order its hooks run.
    for step in (
        emoji_sync,  # the operators' emoji table in force is the database's
        inbound,  # the terminal; its query and form decoded into internal text
        client_address,  # who is asking, behind trusted proxies
        subscriber_ids,  # the subscriber id its carrier's gateway vouches for
        web_session,  # the session and user; CSRF on every POST; ids in URLs
        template_helpers,  # what handset templates use
        urls,  # url_for in templates, the per-request work done once per rendering
        pages,  # the exit page; errors as pages in the terminal's encoding
        security_headers,  # CSP, no framing, no sniffing on smartphone and PC pages
    ):
        step.init_app(app)
    # 4. The pages of each capability.
    for blueprint in (
        assets.bp,
        account_views.bp,
        easy_login_views.bp,
        echo_views.bp,
        friend_views.bp,
        people_views.bp,
        api_views.bp,
        feed_views.bp,
        token_views.bp,
        crosspost_views.bp,
        console_views.bp,
        period_views.bp,
        ranges_views.bp,
    ):
        app.register_blueprint(blueprint)
    return app
