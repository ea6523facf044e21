"""Headless Chromium for the browser tests: found or the module skipped, started, signed in.

Needs the Debian packages ``chromium`` and ``chromium-driver`` and the PyPI package
``selenium``. A test module calls :func:`require` at import: without them the module is
skipped, saying what is missing (CI installs them, so there it runs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from .settings import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: No sandbox (root in a container), nothing from the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def require():
    """Return ``selenium.webdriver``, or skip the calling test module saying what is missing."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip(
            f"headless Chromium test left out: {CHROMIUM} or {CHROMEDRIVER} is missing"
            " (apt-get install -y chromium chromium-driver)",
            allow_module_level=True,
        )
    return pytest.importorskip(
        "selenium.webdriver", reason="headless Chromium test left out: pip install selenium"
    )


@contextmanager
def chromium(*flags: str, prefs: dict | None = None, implicit_wait: float = 2) -> Iterator[object]:
    """Start headless Chromium with a fresh profile and *flags*; quit it and remove the
    profile after."""
    webdriver = require()
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="mg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + flags + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    if prefs:
        options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(implicit_wait)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sign_in(driver, base: str, name: str, password: str = PASSWORD):
    """Sign *name* in through the sign-in page at *base*; wait for home; return a waiter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/login")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.NAME, "password").submit()
    wait = WebDriverWait(driver, 10)
    wait.until(ec.url_to_be(base + "/"))
    return wait
