"""Default settings; override in ``instance/config.py`` or ``MOBILE_GATEWAY_*`` variables."""

import os


class DefaultConfig:
    """Settings every instance starts from."""

    #: Signs nothing secret by itself (sessions live in the database) but Flask wants one.
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    #: SQLAlchemy URL; SQLite in the instance folder when unset.
    DATABASE_URL = os.environ.get("DATABASE_URL")
