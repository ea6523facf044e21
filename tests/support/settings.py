"""The settings every test app starts from."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

#: The key test apps sign with and key subscriber hashes with: random for each run (the
#: app refuses a key that is written in any source, this file included).
SECRET_KEY = secrets.token_urlsafe(48)
#: Password of the users the request-path tests make (strong enough for sign-up's rules).
PASSWORD = "echo-pass-2009"


def test_config(url: sa.URL, **overrides) -> dict:
    """Return the settings of a test app on the database at *url*, with *overrides*."""
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        # Refused subscriber ids are written at once, so that tests can read the counts.
        "GATEWAY_STATS_FLUSH_SECONDS": 0,
        # Ranges are read again only when a test says so (add_range invalidates).
        "GATEWAY_RANGES_TTL": 3600,
    }
    config.update(overrides)
    return config
