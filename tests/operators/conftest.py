"""Fixtures of the console tests: an operator signed in on a PC."""

from __future__ import annotations

import pytest
from support.console import Browser, add_user


@pytest.fixture
def operator(sqlite_app) -> Browser:
    """Return a PC browser signed in as an operator."""
    add_user(sqlite_app, "op", operator=True)
    browser = Browser(sqlite_app).login("op")
    browser.get("/admin/")
    return browser
