"""A real browser (headless Chromium) adds a mapping on the console; a DoCoMo phone gets it.

Needs the Debian packages ``chromium`` and ``chromium-driver`` and the PyPI package
``selenium``; skipped, saying so, without them. With ``ADMIN_CONSOLE_SCREENSHOT=path``
the preview page is saved there as PNG (``docs/admin-console.png`` is made this way).
"""

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from support.console import AU_ONLY, DOCOMO_UA, add_user
from support.settings import PASSWORD

from mobile_gateway.echo.text import clean_body
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Echo, User

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: The flags the brief asks for: no sandbox (root in a container), nothing from the network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1200",
)

if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip(
        f"headless Chromium test left out: {CHROMIUM} or {CHROMEDRIVER} is missing"
        " (apt-get install -y chromium chromium-driver)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip(
    "selenium.webdriver", reason="headless Chromium test left out: pip install selenium"
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture
def live_server(sqlite_app):
    """Serve the app with waitress on 127.0.0.1 in this process; yield its base URL."""
    import waitress
    from waitress.channel import HTTPChannel

    server = waitress.create_server(
        sqlite_app, host="127.0.0.1", port=0, threads=2, asyncore_loop_timeout=0.05
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.task_dispatcher.shutdown(timeout=5)

    def close_all():
        for channel in list(server._map.values()):
            if isinstance(channel, HTTPChannel):
                channel.handle_close()
            else:
                channel.close()

    server.trigger.pull_trigger(close_all)
    thread.join(timeout=5)


@pytest.fixture
def chromium():
    """Start headless Chromium with a fresh profile; quit it after the test."""
    profile = tempfile.mkdtemp(prefix="mg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def test_console_in_a_browser(sqlite_app, live_server, chromium):
    """An operator gives au F370 a meaning in Chromium; DoCoMo then receives F89F for it."""
    add_user(sqlite_app, "op", operator=True)
    with sqlite_app.app_context():
        session = db.get_session()
        echo = Echo(author=session.query(User).one(), body=clean_body("晴れ" + AU_ONLY))
        session.add(echo)
        session.commit()
        echo_id = echo.id
    phone = sqlite_app.test_client()
    before = phone.get(f"/echo/{echo_id}", headers={"User-Agent": DOCOMO_UA}).data
    assert b"\xf8\x9f" not in before

    driver = chromium
    driver.get(live_server + "/login")
    driver.find_element(By.NAME, "name").send_keys("op")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.NAME, "password").submit()
    wait = WebDriverWait(driver, 10)
    wait.until(ec.url_to_be(live_server + "/"))
    driver.get(live_server + "/admin/")
    driver.find_element(By.NAME, "q").send_keys("F370")
    Select(driver.find_element(By.NAME, "carrier")).select_by_value("au")
    driver.find_element(By.CSS_SELECTOR, "input[value='Look up']").click()
    wait.until(ec.url_contains("/admin/emoji?"))
    assert "au Shift_JIS F370" in driver.page_source
    driver.find_element(By.LINK_TEXT, "Change").click()
    wait.until(ec.url_contains("/admin/emoji/edit?"))
    driver.find_element(By.NAME, "fit").send_keys("☀️")
    driver.find_element(By.CSS_SELECTOR, "input[value='Preview']").click()
    effect = driver.find_element(By.ID, "effect").text
    assert "Affects output" in effect
    docomo = driver.find_element(By.XPATH, "//tr[td/code='x-sjis-docomo']").text
    assert "8D A1 93 FA 82 CD F8 9F 82 C5 82 B7" in docomo  # 今日は☀️です, as DoCoMo gets it
    screenshot = os.environ.get("ADMIN_CONSOLE_SCREENSHOT")
    if screenshot:
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(screenshot)
    driver.find_element(By.ID, "save").click()
    wait.until(ec.url_contains("saved=1"))
    assert "Saved: emoji table version 1" in driver.find_element(By.ID, "saved").text

    after = phone.get(f"/echo/{echo_id}", headers={"User-Agent": DOCOMO_UA}).data
    assert "晴れ".encode("cp932") + b"\xf8\x9f" in after
