"""Default settings; override in ``instance/config.py`` or ``MOBILE_GATEWAY_*`` variables."""

import os


class DefaultConfig:
    """Settings every instance starts from."""

    #: Signs nothing secret by itself (sessions live in the database) but Flask wants one.
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    #: SQLAlchemy URL; SQLite in the instance folder when unset.
    DATABASE_URL = os.environ.get("DATABASE_URL")
    #: Seconds a session may go unused before it dies (see ``sessions.IDLE_TIMEOUT``).
    AUTH_SESSION_IDLE_TIMEOUT = 30 * 60
    #: Seconds a session lives at most, used or not (see ``sessions.LIFETIME``).
    AUTH_SESSION_LIFETIME = 24 * 60 * 60
    #: Largest request body accepted: an echo is 150 characters; forms are small.
    MAX_CONTENT_LENGTH = 16 * 1024
