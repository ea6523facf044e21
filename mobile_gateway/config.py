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

    # Carrier gateways, easy login, rate limits (gateways.client_address, carrier_ranges, ...).
    #: CIDRs of the reverse proxies whose ``X-Forwarded-For`` is believed; none by default.
    TRUSTED_PROXIES: tuple = ()
    #: Seconds a process keeps the carrier gateway ranges before reading them again.
    GATEWAY_RANGES_TTL = 30
    #: Seconds between writes of the counts of subscriber ids from outside the ranges.
    GATEWAY_STATS_FLUSH_SECONDS = 10
    #: Rate limits, each (most attempts, per seconds): echo posts per user ...
    RATE_LIMIT_POST_PER_USER = (30, 600)
    #: ... and per trusted subscriber id (one phone, whichever account it uses).
    RATE_LIMIT_POST_PER_SUBSCRIBER = (30, 600)
    #: Password sign-in attempts per client address ...
    RATE_LIMIT_SIGN_IN_PER_ADDRESS = (30, 600)
    #: ... and per account name.
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT = (10, 600)
    #: Easy-login attempts per client address ...
    RATE_LIMIT_EASY_LOGIN_PER_ADDRESS = (30, 600)
    #: ... and per account.
    RATE_LIMIT_EASY_LOGIN_PER_ACCOUNT = (10, 600)
    #: JSON API requests per token ...
    RATE_LIMIT_API_PER_TOKEN = (300, 300)
    #: ... and per client address (tokens or none); a carrier gateway's gets the factor below.
    RATE_LIMIT_API_PER_ADDRESS = (600, 300)
    #: User searches (each page of results counts) per user.
    RATE_LIMIT_SEARCH_PER_USER = (60, 600)
    #: Per-address limits are this many times larger for a carrier gateway's address,
    #: which thousands of phones share.
    RATE_LIMIT_GATEWAY_ADDRESS_FACTOR = 50

    # The operators' emoji table and console (operators.emoji_sync, console_views).
    #: Seconds between two reads of the emoji table version by one app instance.
    EMOJI_SYNC_INTERVAL = 1.0
    #: Largest CSV import pasted into the console (other forms keep MAX_CONTENT_LENGTH).
    ADMIN_MAX_CONTENT_LENGTH = 4 * 1024 * 1024

    # The JSON API, feeds and cross-posting (api, crosspost).
    #: Seconds between two fetches of one feed by the cross-posting worker (jittered).
    CROSSPOST_INTERVAL = 15 * 60
    #: Longest wait after failures in a row (the interval doubles per failure up to this).
    CROSSPOST_MAX_BACKOFF = 24 * 60 * 60
    #: Seconds to connect, and to wait for each read, when fetching a feed ...
    CROSSPOST_TIMEOUT = 10.0
    #: ... and for the whole fetch, redirects and body included (slow drips end here).
    CROSSPOST_DEADLINE = 30.0
    #: Largest feed body read, in bytes (decompressed).
    CROSSPOST_MAX_BYTES = 1024 * 1024
    #: Most redirects followed per fetch (each new address is checked again).
    CROSSPOST_MAX_REDIRECTS = 5
    #: Most new entries posted per fetch (the rest wait for the next fetch).
    CROSSPOST_MAX_ENTRIES_PER_FETCH = 10
    #: Feeds one user may subscribe to.
    CROSSPOST_MAX_FEEDS_PER_USER = 5
    #: Tests only: allow feeds on loopback addresses (127.0.0.0/8, ::1). Never in production:
    #: private, link-local and metadata addresses stay refused whatever this says.
    CROSSPOST_ALLOW_LOOPBACK = False
