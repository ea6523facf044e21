"""Fixtures of the carrier_emoji tests.

Every test here runs twice: on the C accelerator (``carrier_emoji._speedups``) and on the
pure-Python path that a machine without a compiler uses. Without the built accelerator
(or with ``CARRIER_EMOJI_NO_SPEEDUPS=1``) the accelerator's runs are skipped, saying so.
"""

import pytest

from carrier_emoji import _accel


@pytest.fixture(autouse=True, params=["speedups", "pure"])
def codec_path(request, monkeypatch):
    """Run the test once on the C accelerator and once on the pure-Python codecs."""
    if request.param == "pure":
        monkeypatch.setattr(_accel, "speedups", None)
    elif _accel.speedups is None:
        pytest.skip(f"carrier_emoji._speedups is not in use (built? {_accel.ENV_SWITCH} set?)")
    return request.param


@pytest.fixture(params=["docomo", "au", "softbank"])
def carrier(request):
    """Run the test once for each feature-phone carrier."""
    return request.param
