"""Default settings; override in ``instance/config.py`` or ``MOBILE_GATEWAY_*`` variables.

``SECRET_KEY`` has no default in the source: unless the instance config or the
environment sets one, :func:`ensure_secret_key` generates a random key into the instance
folder (``instance/secret_key``) on first run and reads it back afterwards. A known key
(one that is in some source, like an old default) or one too short to be random is refused:
the app does not start on it.
"""

from __future__ import annotations

import os
import secrets

__all__ = [
    "ConfigError",
    "DefaultConfig",
    "ensure_secret_key",
    "replace_secret_key_file",
    "secret_key_problem",
]

#: File in the instance folder that holds the generated key.
SECRET_KEY_FILE = "secret_key"
#: Shortest key accepted, in characters (or bytes): a random key of this length cannot be
#: guessed offline, and the keyed hashes of subscriber ids rest on it.
MIN_SECRET_KEY_CHARS = 32
#: Fewest different characters a key must hold (``"a" * 64`` is no key).
MIN_SECRET_KEY_DISTINCT = 10
#: Keys that are in some source: old defaults of this project, the ones documentation and
#: tutorials print. Refused even when long enough.
KNOWN_SECRET_KEYS = frozenset(
    {
        "dev-only-change-me",
        "dev",
        "development",
        "secret",
        "secret-key",
        "secret_key",
        "changeme",
        "change-me",
        "change_me",
        "your-secret-key",
        "your-secret-key-here",
        "test-secret-key-not-for-production",
        # Flask's documentation: the example output of ``secrets.token_hex()``.
        "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
    }
)


class ConfigError(RuntimeError):
    """The configuration cannot be run with (a missing, known or weak ``SECRET_KEY``)."""


class DefaultConfig:
    """Settings every instance starts from."""

    #: Keys the HMAC of bound subscriber ids, rate-limit keys of ids, and the signed tokens
    #: of signed-out forms. None: generated into the instance folder (see the module doc).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    #: SQLAlchemy URL; SQLite in the instance folder when unset.
    DATABASE_URL = os.environ.get("DATABASE_URL")
    #: Seconds a session may go unused before it dies (see ``sessions.IDLE_TIMEOUT``).
    AUTH_SESSION_IDLE_TIMEOUT = 30 * 60
    #: Seconds a session lives at most, used or not (see ``sessions.LIFETIME``).
    AUTH_SESSION_LIFETIME = 24 * 60 * 60
    #: Seconds between two purges of dead sessions by one process (at sign-in).
    AUTH_SESSION_PURGE_INTERVAL = 5 * 60
    #: Seconds a signed-out form (sign-in, sign-up, easy login) and the note of where to
    #: return after sign-in stay valid.
    SIGNED_OUT_FORM_MAX_AGE = 24 * 60 * 60
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
    #: Password attempts per client address (all accounts) ...
    RATE_LIMIT_SIGN_IN_PER_ADDRESS = (30, 600)
    #: ... per account and client (the trusted subscriber id, else the address) ...
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT_CLIENT = (10, 600)
    #: ... and per account from all clients together, counting only attempts the two limits
    #: above let through: far above what the owner reaches, so that only many addresses
    #: at once can lock an account.
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT = (200, 600)
    #: Sign-ups (each an scrypt hash) per client address ...
    RATE_LIMIT_SIGN_UP_PER_ADDRESS = (10, 3600)
    #: ... and per trusted subscriber id (one phone).
    RATE_LIMIT_SIGN_UP_PER_SUBSCRIBER = (5, 86400)
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


def secret_key_problem(key) -> str | None:
    """Say why *key* cannot be ``SECRET_KEY``, or return None when it can."""
    if key is None or not isinstance(key, (str, bytes)) or not key:
        return "SECRET_KEY is empty"
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    if text.strip() in KNOWN_SECRET_KEYS:
        return "SECRET_KEY is a known key (it is in some source code or documentation)"
    if len(text) < MIN_SECRET_KEY_CHARS:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_CHARS} characters"
    if len(set(text)) < MIN_SECRET_KEY_DISTINCT:
        return "SECRET_KEY is not random (too few different characters)"
    return None


def _read_or_make_key(instance_path: str) -> str:
    """Return the key kept in the instance folder, generating it first if there is none.

    The file is created with O_EXCL and mode 0600: two processes starting at once end up
    with the same key (the second reads what the first wrote).
    """
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    os.makedirs(instance_path, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as file:
            return file.read().strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def ensure_secret_key(app) -> None:
    """Make sure *app* runs on a proper ``SECRET_KEY``, or raise :class:`ConfigError`.

    Unset (None): the key in ``instance/secret_key`` is used, generated on first run.
    Set (instance config, ``SECRET_KEY`` or ``MOBILE_GATEWAY_SECRET_KEY``): it must be a
    proper key; an empty, known, short or repetitive one is refused.
    """
    key = app.config.get("SECRET_KEY")
    source = "the configuration"
    if key is None:
        path = os.path.join(app.instance_path, SECRET_KEY_FILE)
        try:
            key = _read_or_make_key(app.instance_path)
        except OSError as error:
            raise ConfigError(
                f"SECRET_KEY is not set and {path} cannot be written or read ({error}); "
                "set SECRET_KEY (or MOBILE_GATEWAY_SECRET_KEY) in the environment"
            ) from None
        source = path
        app.config["SECRET_KEY"] = key
    app.config["SECRET_KEY_SOURCE"] = source
    problem = secret_key_problem(key)
    if problem is not None:
        fix = (
            f"delete {source} to have a new key generated"
            if source != "the configuration"
            else "set a random one (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            " or unset it to have one generated into the instance folder"
        )
        raise ConfigError(f"{problem} (from {source}): {fix}. Bound phones must then re-bind.")


def replace_secret_key_file(instance_path: str) -> str:
    """Write a new random key to the instance folder's key file (0600); return its path.

    Written beside it first and renamed over it, so that a process starting meanwhile
    reads the old key or the new one, never half of one.
    """
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    temporary = f"{path}.new"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
    os.replace(temporary, path)
    return path
