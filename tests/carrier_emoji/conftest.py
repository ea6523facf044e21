"""Fixtures of the carrier_emoji tests."""

import pytest

import carrier_emoji


@pytest.fixture(params=["docomo", "au", "softbank"])
def carrier(request):
    """Run the test once for each feature-phone carrier."""
    return request.param


@pytest.fixture
def restore_table():
    """Put the shipped table back after a test that installs its own rows."""
    before = carrier_emoji.current_index()
    yield
    carrier_emoji.install(before.rows, before.version)
