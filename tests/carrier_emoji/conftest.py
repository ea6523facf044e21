"""Fixtures of the carrier_emoji tests."""

import pytest


@pytest.fixture(params=["docomo", "au", "softbank"])
def carrier(request):
    """Run the test once for each feature-phone carrier."""
    return request.param
