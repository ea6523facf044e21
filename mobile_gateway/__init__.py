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
        from .storage.models import MAX_ID

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
    from .storage import db

    db.init_app(app)
    cli.init_app(app)
    # 3. The request path, in the order its hooks run: the operators' emoji table is
    #    current; the terminal is detected and its query and form decoded; the client
    #    address, and the subscriber id its carrier's gateway vouches for; the session.
    #    Then template helpers, pages with the error handlers, and the blueprints.
    from .accounts import easy_login_views
    from .accounts import views as account_views
    from .accounts import web_session
    from .echo import friend_views
    from .echo import views as echo_views
    from .gateways import carrier_ranges, client_address, subscriber_ids
    from .operators import console_views, emoji_sync, period_views, ranges_views
    from .phone import inbound, pages, template_helpers

    for helper in (
        emoji_sync,
        inbound,
        client_address,
        carrier_ranges,
        subscriber_ids,
        web_session,
        template_helpers,
        pages,
    ):
        helper.init_app(app)
    for blueprint in (
        account_views.bp,
        easy_login_views.bp,
        echo_views.bp,
        friend_views.bp,
        console_views.bp,
        period_views.bp,
        ranges_views.bp,
    ):
        app.register_blueprint(blueprint)
    return app
