"""Fixtures of the cross-posting tests: a feed server, and an app allowed to reach it.

The app gets the test-only ``CROSSPOST_ALLOW_LOOPBACK`` and short timeouts.
"""

from __future__ import annotations

import pytest
from support.feeds import FeedServer


@pytest.fixture
def feeds():
    """Return a feed server on 127.0.0.1; closed after the test."""
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def crossposting(app):
    """The app allowed to fetch from loopback, with short timeouts and small limits."""
    app.config.update(
        CROSSPOST_ALLOW_LOOPBACK=True,
        CROSSPOST_TIMEOUT=0.5,
        CROSSPOST_DEADLINE=1.5,
        CROSSPOST_MAX_BYTES=256 * 1024,
        CROSSPOST_MAX_REDIRECTS=3,
    )
    return app
