"""A real browser (headless Chromium) adds a mapping on the console; a DoCoMo phone gets it.

In English, and in Japanese after the language switch, where the audit log and the revert
preview are checked too. Needs the Debian packages ``chromium`` and ``chromium-driver`` and
the PyPI package ``selenium``; skipped, saying so, without them. With
``ADMIN_CONSOLE_SCREENSHOTS=DIR`` the pages are saved there as PNG: ``admin-console.png``
(the English preview), ``admin-console-ja.png`` (the Japanese preview) and
``admin-audit-ja.png`` (the Japanese audit log); ``docs/`` holds them, made this way with
Debian's ``fonts-noto-cjk`` and ``fonts-noto-color-emoji`` installed.
"""

import os
from pathlib import Path

import pytest
from support import browser
from support.console import AU_ONLY, DOCOMO_UA, add_user

from mobile_gateway.echo.text import clean_body
from mobile_gateway.operators import emoji_changes, emoji_layer
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Echo, User

browser.require()  # without Chromium and selenium, this module is skipped
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

SUN = "\u2600\ufe0f"


@pytest.fixture
def live_server(sqlite_app, serve):
    """Serve the app with waitress on 127.0.0.1 in this process; return its base URL."""
    return f"http://127.0.0.1:{serve(sqlite_app)}"


@pytest.fixture
def chromium():
    """Headless Chromium with a fresh profile, asking for English pages."""
    with browser.chromium(
        "--window-size=1280,1200",
        "--lang=en-US",
        prefs={"intl.accept_languages": "en-US,en"},
        implicit_wait=5,
    ) as driver:
        yield driver


def screenshot(driver, name: str) -> None:
    """Save the page as DIR/name when ``ADMIN_CONSOLE_SCREENSHOTS=DIR`` is set."""
    folder = os.environ.get("ADMIN_CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.body.scrollHeight") + 16
        chrome = driver.get_window_size()["height"] - driver.execute_script(
            "return window.innerHeight"
        )
        driver.set_window_size(1280, min(max(height, 400), 2400) + chrome)
        assert driver.save_screenshot(str(Path(folder) / name))
        driver.set_window_size(1280, 1200)


def echo_with_au_only(app) -> int:
    """Store an echo by the operator holding au's carrier-only F370; return its id."""
    with app.app_context():
        session = db.get_session()
        echo = Echo(author=session.query(User).one(), body=clean_body("晴れ" + AU_ONLY))
        session.add(echo)
        session.commit()
        return echo.id


def sign_in(driver, live_server: str):
    """Sign the operator in; return a waiter."""
    return browser.sign_in(driver, live_server, "op")


def test_console_in_a_browser(sqlite_app, live_server, chromium):
    """An operator gives au F370 a meaning in Chromium; DoCoMo then receives F89F for it."""
    add_user(sqlite_app, "op", operator=True)
    echo_id = echo_with_au_only(sqlite_app)
    phone = sqlite_app.test_client()
    before = phone.get(f"/echo/{echo_id}", headers={"User-Agent": DOCOMO_UA}).data
    assert b"\xf8\x9f" not in before

    driver = chromium
    wait = sign_in(driver, live_server)
    driver.get(live_server + "/admin/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    driver.find_element(By.NAME, "q").send_keys("F370")
    Select(driver.find_element(By.NAME, "carrier")).select_by_value("au")
    driver.find_element(By.ID, "look-up").click()
    wait.until(ec.url_contains("/admin/emoji?"))
    assert "au Shift_JIS F370" in driver.page_source
    driver.find_element(By.LINK_TEXT, "Change").click()
    wait.until(ec.url_contains("/admin/emoji/edit?"))
    driver.find_element(By.NAME, "fit").send_keys("☀️")
    driver.find_element(By.ID, "preview").click()
    effect = driver.find_element(By.ID, "effect").text
    assert "Affects output" in effect
    docomo = driver.find_element(By.XPATH, "//tr[td/code='x-sjis-docomo']").text
    assert "8D A1 93 FA 82 CD F8 9F 82 C5 82 B7" in docomo  # 今日は☀️です, as DoCoMo gets it
    driver.find_element(By.ID, "reason").send_keys("au F370 is the sun on every carrier")
    screenshot(driver, "admin-console.png")
    driver.find_element(By.ID, "save").click()
    wait.until(ec.url_contains("saved=1"))
    assert "Saved: emoji table version 1" in driver.find_element(By.ID, "saved").text

    after = phone.get(f"/echo/{echo_id}", headers={"User-Agent": DOCOMO_UA}).data
    assert "晴れ".encode("cp932") + b"\xf8\x9f" in after


def test_japanese_console_in_a_browser(sqlite_app, live_server, chromium):
    """Switched to Japanese, an operator saves with a reason, reads the audit log, reverts.

    The browser itself refuses to send the save form without a reason (``required``);
    the audit log shows the change as a before/after table with the reason; the revert is
    previewed, then done with a reason of its own.
    """
    add_user(sqlite_app, "op", operator=True)
    echo_id = echo_with_au_only(sqlite_app)
    phone = sqlite_app.test_client()
    driver = chromium
    wait = sign_in(driver, live_server)
    driver.get(live_server + "/admin/")
    driver.find_element(By.ID, "language-ja").click()
    wait.until(ec.url_to_be(live_server + "/admin/"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    assert driver.find_element(By.ID, "language").text == "English | 日本語"

    driver.find_element(By.NAME, "q").send_keys("F370")
    Select(driver.find_element(By.NAME, "carrier")).select_by_value("au")
    driver.find_element(By.ID, "look-up").click()
    wait.until(ec.url_contains("/admin/emoji?"))
    assert "<code>F370</code>（au）に一致: 1 件" in driver.page_source
    driver.find_element(By.LINK_TEXT, "変更").click()
    wait.until(ec.url_contains("/admin/emoji/edit?"))
    driver.find_element(By.NAME, "fit").send_keys("☀️")
    driver.find_element(By.ID, "preview").click()
    assert driver.find_element(By.ID, "effect").text.startswith("影響: 出力")
    docomo = driver.find_element(By.XPATH, "//tr[td/code='x-sjis-docomo']").text
    assert docomo.startswith("DoCoMo iモード（Shift_JIS）")
    assert "8D A1 93 FA 82 CD F8 9F 82 C5 82 B7" in docomo

    preview_url = driver.current_url
    driver.find_element(By.ID, "save").click()  # no reason: the browser keeps the form
    assert driver.current_url == preview_url and "saved=" not in driver.current_url
    assert driver.execute_script("return document.getElementById('reason').validity.valueMissing")
    driver.find_element(By.ID, "reason").send_keys(
        "au の F370 をどのキャリアでも太陽に（問い合わせ 17）"
    )
    screenshot(driver, "admin-console-ja.png")
    driver.find_element(By.ID, "save").click()
    wait.until(ec.url_contains("saved=1"))
    assert driver.find_element(By.ID, "saved").text.startswith("保存しました。")
    assert (
        "晴れ".encode("cp932") + b"\xf8\x9f"
        in phone.get(f"/echo/{echo_id}", headers={"User-Agent": DOCOMO_UA}).data
    )

    with sqlite_app.app_context():  # another operator's change, from the command line
        session = db.get_session()
        sun = emoji_layer.shipped_by_key()[SUN]._replace(name_ja="お日さま", localsrc=44)
        emoji_changes.apply(
            session, {SUN: sun}, "cli:hanako", reason="やさしい名前に（問い合わせ 42）"
        )
        (entry_id,) = [e.id for e in emoji_changes.audit_entries(session) if e.key == AU_ONLY]
    driver.find_element(By.LINK_TEXT, "変更履歴").click()
    wait.until(ec.url_contains("/admin/audit"))
    row = driver.find_element(By.ID, f"entry-{entry_id}")
    assert "au の F370 をどのキャリアでも太陽に（問い合わせ 17）" in row.text
    diff = row.find_element(By.CSS_SELECTOR, "table.diff").text
    assert "変更前 (同梱の行)" in diff and "変更後 (運営者の行)" in diff
    assert "意味（fit） — ☀️ (U+2600 U+FE0F)" in diff
    screenshot(driver, "admin-audit-ja.png")

    row.find_element(By.LINK_TEXT, "元に戻す…").click()
    wait.until(ec.url_contains("/revert"))
    assert "下で確定するまで何も変わりません" in driver.page_source
    assert driver.find_element(By.ID, "effect").text.startswith("影響: 出力")
    driver.find_element(By.ID, "reason").send_keys("太陽ではなかった")
    driver.find_element(By.ID, "revert").click()
    wait.until(ec.url_contains("reverted="))
    assert driver.find_element(By.ID, "message").text.startswith("#")
    assert "を元に戻しました" in driver.find_element(By.ID, "message").text
    assert b"\xf8\x9f" not in phone.get(f"/echo/{echo_id}", headers={"User-Agent": DOCOMO_UA}).data
