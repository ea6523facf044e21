"""The ``mobile-gateway`` console script, also ``python -m mobile_gateway``.

A Flask command group that builds the app with :func:`mobile_gateway.create_app`; the
commands are added by :mod:`mobile_gateway.cli`.
"""

from flask.cli import FlaskGroup

from mobile_gateway import create_app

__all__ = ["main"]

#: The ``mobile-gateway`` console script.
main = FlaskGroup(create_app=create_app, help="Run and manage the Echo mobile gateway.")

if __name__ == "__main__":
    main()
