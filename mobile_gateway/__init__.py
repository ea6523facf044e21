"""mobile-gateway: the feature-phone web gateway of the Echo microblog.

Data flows one way through the app::

    request -> terminals.detect -> inbound (form decoding) -> domain -> storage
            -> rendering -> outbound (page encoding) -> response

Only ``inbound`` decodes carrier bytes and only ``outbound`` encodes them; everything
between sees internal-form text (see :mod:`carrier_emoji`).
"""

from flask import Flask
from werkzeug.routing import IntegerConverter

__all__ = ["create_app"]


class _IdConverter(IntegerConverter):
    """``<int:...>`` in a route: a row id, at most :data:`.models.MAX_ID` (else no match)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        from .models import MAX_ID

        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask application.

    :param test_config: settings that replace the instance config (tests pass these).
    """
    from importlib.resources import files

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(files("templates_mobile")),
    )
    # Every <int:...> in a URL is a row id: one no column can hold is "not found" (404),
    # not a database error (PostgreSQL ``integer`` ends at 2**31 - 1).
    app.url_map.converters["int"] = _IdConverter
    # 1. Defaults, then the instance config file, then MOBILE_GATEWAY_* variables.
    from . import config

    app.config.from_object(config.DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("MOBILE_GATEWAY")
    else:
        app.config.from_mapping(test_config)
    # 2. Helpers: the database (engine, per-request session) and the commands.
    from . import cli
    from . import db

    db.init_app(app)
    cli.init_app(app)
    # The operators' emoji table: checked before anything decodes a form (emoji_sync).
    from . import emoji_sync

    emoji_sync.init_app(app)
    # 3. The request path, in the order it runs: terminal and form decoding, then the
    #    session; template helpers; pages and their error handlers.
    from . import auth_views, echo_views, friend_views, inbound, pages, request_session
    from . import template_helpers
    from . import client_address, easy_login_views, gateway_ranges

    inbound.init_app(app)
    client_address.init_app(app)  # g.client_address
    gateway_ranges.init_app(app)  # g.trusted_subscriber_id
    request_session.init_app(app)
    template_helpers.init_app(app)
    pages.init_app(app)
    for blueprint in (auth_views.bp, echo_views.bp, friend_views.bp):
        app.register_blueprint(blueprint)
    easy_login_views.init_app(app)
    from . import admin_views

    app.register_blueprint(admin_views.bp)  # the operators' console, /admin
    return app
