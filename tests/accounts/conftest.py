"""Fixtures of the account tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobile_gateway.accounts import sessions
from mobile_gateway.storage.models import utcnow


@pytest.fixture
def session_clock(monkeypatch):
    """Move the sessions' clock forward: ``session_clock(minutes=31)``."""

    def travel(**delta) -> None:
        later = utcnow() + timedelta(**delta)
        monkeypatch.setattr(sessions, "utcnow", lambda: later)

    return travel
