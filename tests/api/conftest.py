"""Fixtures of the API tests: the app served by waitress on 127.0.0.1, spoken to with httpx."""

from __future__ import annotations

import pytest
from support.api import Api


@pytest.fixture
def api(app, serve):
    """Return the API of the app on each database, served over real sockets."""
    client = Api(app, serve(app))
    yield client
    client.http.close()
