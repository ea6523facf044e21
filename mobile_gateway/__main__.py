"""The ``mobile-gateway`` console script, also ``python -m mobile_gateway``.

A Flask command group that builds the app with :func:`mobile_gateway.create_app`; the
commands are added by :mod:`mobile_gateway.cli`.
"""

import click
from flask.cli import FlaskGroup

from mobile_gateway import create_app
from mobile_gateway.config import ConfigError

__all__ = ["main"]


def _create_app():
    """Build the app; a configuration that cannot run is an error message, not a traceback."""
    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


#: The ``mobile-gateway`` console script.
main = FlaskGroup(create_app=_create_app, help="Run and manage the Echo mobile gateway.")

if __name__ == "__main__":
    main()
