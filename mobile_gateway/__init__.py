"""mobile-gateway: the feature-phone web gateway of the Echo microblog.

Data flows one way through the app::

    request -> terminals.detect -> inbound (form decoding) -> domain -> storage
            -> rendering -> outbound (page encoding) -> response

Only ``inbound`` decodes carrier bytes and only ``outbound`` encodes them; everything
between sees internal-form text (see :mod:`carrier_emoji`).
"""

from flask import Flask

__all__ = ["create_app"]


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
    # 1. Defaults, then the instance config file, then MOBILE_GATEWAY_* variables.
    from . import config

    app.config.from_object(config.DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("MOBILE_GATEWAY")
    else:
        app.config.from_mapping(test_config)
    return app
