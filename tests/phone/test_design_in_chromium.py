"""Smartphone, tablet and PC pages in headless Chromium: the layout facts that can fail.

At 360x740 (a phone), 768x1024 (a tablet) and 1280x800 (a PC): no horizontal scroll and
no element past the viewport on any page, the post box first and at least 60% of the
column, touch targets of at least 44 px, a readable line on a PC, the counter counting
as the server does while one types emoji, a dark mode, the pages usable with JavaScript
and CSS off, and what a first and a repeat visit ask the server for.

Needs the Debian packages ``chromium`` and ``chromium-driver`` and the PyPI package
``selenium``; skipped, saying so, without them. Fonts do not matter to these checks.
With ``DESIGN_SCREENSHOTS=DIR`` the pages are saved there as PNG (``design-home-360.png``,
``design-home-768.png``, ``design-home-1280.png``, ``design-home-360-dark.png``,
``design-profile-1280.png``, ``design-conversation-360.png``); ``docs/`` holds them, made
this way with Debian's ``fonts-noto-cjk`` and ``fonts-noto-color-emoji`` installed.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from support import browser
from support.settings import PASSWORD

from mobile_gateway.accounts import users
from mobile_gateway.echo import echoes, friends, profiles
from mobile_gateway.echo.text import MAX_ECHO_CHARS, clean_body, count_chars
from mobile_gateway.storage import db
from mobile_gateway.storage.models import utcnow

ANDROID_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
TABLET_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
PC_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
#: (width, height, mobile viewport, User-Agent) of each size checked.
SIZES = {
    360: (360, 740, True, ANDROID_UA),
    768: (768, 1024, True, TABLET_UA),
    1280: (1280, 800, False, PC_UA),
}

browser.require()  # without Chromium and selenium, this module is skipped
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


# The site. ------------------------------------------------------------------------------------
class RequestLog:
    """WSGI middleware that notes the path of every request the browser makes."""

    def __init__(self, app) -> None:
        self.app = app
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        self.paths.append(environ.get("PATH_INFO", ""))
        return self.app(environ, start_response)


@pytest.fixture
def site(sqlite_app, serve):
    """Seed the app, serve it with waitress on 127.0.0.1; return (base URL, request log, ids)."""
    ids = seed(sqlite_app)
    log = RequestLog(sqlite_app)
    return f"http://127.0.0.1:{serve(log)}", log, ids


def seed(app) -> dict:
    """Store friends and their echoes, as on a lived-in account; return ids the tests open."""
    with app.app_context():
        session = db.get_session()
        people = {}
        for name, display, line in (
            ("taro", "たろう", "ラーメンとビールが好き🍺 http://example.com/taro"),
            ("hanako", "はなこ🌸", "カラオケ担当🎤"),
            ("kenji", "けんじ", ""),
            ("sakura", "さくら", ""),
        ):
            people[name] = users.signup(session, name, PASSWORD)
            profiles.set_profile(session, people[name], display, line)
        for a, b in (("taro", "hanako"), ("taro", "kenji")):
            friends.request(session, people[a], b)
            friends.accept(session, people[b], a)
        friends.request(session, people["sakura"], "taro")

        def post(who, body, minutes, reply_to=None):
            now = utcnow() - timedelta(minutes=minutes)
            return echoes.post(session, people[who], body, reply_to=reply_to, now=now)

        lines = [
            ("kenji", "駅前の桜が満開🌸 写真撮ってきた📷"),
            ("hanako", "今日のランチはオムライス🍳 おいしかった😋"),
            ("taro", "雨☔ 傘忘れた…"),
            (
                "kenji",
                "この記事おもしろい http://example.com/articles/2009/06/01/a-very-long-url"
                "-that-does-not-break-easily?utm_source=echo&utm_medium=web",
            ),
            ("hanako", "家族👨‍👩‍👧で🇯🇵代表の試合を応援📣 1️⃣点差で勝った👍🏽"),
            ("taro", "あ" * 10 + "〜" + "とても長いエコーを書いてみる。" * 9),
            ("kenji", "supercalifragilisticexpialidocious" * 4),
        ]
        minutes = 3
        for round_ in range(5):
            for who, body in lines:
                post(who, body if round_ == 0 else f"{body} ({round_})"[:150], minutes)
                minutes += 17
        karaoke = post("hanako", "カラオケ行く人〜🎵🎤 @taro @kenji", 2)
        post("taro", "行く！🙋 何時から？", 1, reply_to=karaoke)
        post("kenji", "おれも行きたい", 1, reply_to=karaoke)
    return {"conversation": karaoke.id}


# The browser. ---------------------------------------------------------------------------------
@pytest.fixture
def chromium():
    """Headless Chromium with a fresh profile, asking for Japanese pages."""
    with browser.chromium("--hide-scrollbars", "--window-size=1280,800", "--lang=ja") as driver:
        yield driver


def resize(driver, width: int) -> None:
    """Make the viewport *width* wide (a phone, a tablet or a PC), with that terminal's UA."""
    w, h, mobile, user_agent = SIZES[width]
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": user_agent})


def sign_in(driver, base: str, name: str = "taro") -> None:
    """Sign in through the sign-in page; wait for home."""
    browser.sign_in(driver, base, name)


def screenshot(driver, name: str, full: bool = False) -> None:
    """Save the viewport (or the whole page) as DIR/name with ``DESIGN_SCREENSHOTS=DIR``."""
    folder = os.environ.get("DESIGN_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    if full:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        height = min(int(metrics["cssContentSize"]["height"]), 2400)
        width = driver.execute_script("return window.innerWidth")
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 1024},
        )
    assert driver.save_screenshot(str(Path(folder) / name))


#: Layout facts of the page in the browser, as JSON (see the tests for what each means).
LAYOUT_JS = """
const vw = document.documentElement.clientWidth;
const visible = (el) => {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 1 && r.height > 1 && s.visibility !== "hidden";
};
const overflowing = [];
for (const el of document.body.querySelectorAll("*")) {
  if (!visible(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.left < -0.5 || r.right > vw + 0.5) {
    overflowing.push(`${el.tagName}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
}
const small = [];
const targets = "a[href], input:not([type=hidden]), textarea, select, button, summary";
for (const el of document.querySelectorAll(targets)) {
  // Links inside running text (an echo's URL or @name) are exempt, as WCAG exempts them.
  if (!visible(el) || el.closest(".text")) continue;
  const box = (el.type === "radio" || el.type === "checkbox") ? el.closest("label") : el;
  const r = box.getBoundingClientRect();
  if (r.height < 44 || r.width < 44) {
    small.push(`${el.tagName} "${(el.textContent || el.value || "").trim().slice(0, 20)}"`
               + ` ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
}
return {
  viewport: vw,
  scrollWidth: document.documentElement.scrollWidth,
  overflowing: overflowing.slice(0, 10),
  small: small.slice(0, 10),
  accesskeys: document.querySelectorAll("[accesskey]").length,
};
"""

#: Pages every size is checked on (signed in as taro), by name.
PAGES = {
    "home": "/",
    "archive": "/archive",
    "archive-older": None,  # the archive's "古い →" link
    "profile": "/u/hanako",
    "own-profile": "/u/taro",
    "conversation": "/echo/{conversation}",
    "replies": "/replies",
    "friends": "/friends",
    "search": "/search?q=%E3%81%AF",
    "settings": "/settings/profile",
    "tokens": "/settings/api",
    "feeds": "/settings/feeds",
    "easy-login": "/settings/easy-login",
    "delete": "/echo/{conversation}/delete",
    "not-found": "/no/such/page",
}


def open_page(driver, base: str, name: str, ids: dict) -> None:
    """Open page *name* of :data:`PAGES`."""
    if PAGES[name] is None:
        driver.get(base + "/archive")
        driver.find_element(By.PARTIAL_LINK_TEXT, "古い").click()
        return
    driver.get(base + PAGES[name].format(**ids))


# The tests. -----------------------------------------------------------------------------------
@pytest.mark.parametrize("width", sorted(SIZES))
def test_every_page_fits_the_screen(site, chromium, width):
    """No horizontal scroll, no element past the viewport, targets of 44 px, no keypad keys.

    On every page, signed in and signed out, with a long URL, a word of 136 letters, a
    150-character echo and emoji sequences in the timeline.
    """
    base, _, ids = site
    driver = chromium
    resize(driver, width)
    checked = []
    for name in ("welcome", "login", "signup"):
        driver.get(base + {"welcome": "/", "login": "/login", "signup": "/signup"}[name])
        checked.append((name, driver.execute_script(LAYOUT_JS)))
    sign_in(driver, base)
    for name in PAGES:
        open_page(driver, base, name, ids)
        checked.append((name, driver.execute_script(LAYOUT_JS)))
    for name, facts in checked:
        assert facts["viewport"] == width, name
        assert facts["scrollWidth"] <= width, (name, facts["scrollWidth"])
        assert not facts["overflowing"], (name, facts["overflowing"])
        assert not facts["small"], (name, facts["small"])
        assert facts["accesskeys"] == 0, name


@pytest.mark.parametrize("width", sorted(SIZES))
def test_post_box_first_and_wide(site, chromium, width):
    """The post box is the first field of the column, and at least 60% of its width."""
    base, _, _ = site
    driver = chromium
    resize(driver, width)
    sign_in(driver, base)
    box = driver.find_element(By.CSS_SELECTOR, "main textarea[name=body]")
    first = driver.execute_script(
        "return document.querySelector('main').querySelector('input:not([type=hidden]),"
        " textarea, select')",
    )
    assert first == box
    column = driver.execute_script(
        "const m = document.querySelector('main'), s = getComputedStyle(m);"
        "return m.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);"
    )
    assert box.rect["width"] >= 0.6 * column, (box.rect["width"], column)
    assert box.rect["y"] < driver.find_element(By.CSS_SELECTOR, "main article").rect["y"]
    screenshot(driver, f"design-home-{width}.png")


def test_readable_line_on_a_pc(site, chromium):
    """On a 1280-pixel screen an echo's line holds at most 40 Japanese characters."""
    base, _, _ = site
    driver = chromium
    resize(driver, 1280)
    sign_in(driver, base)
    driver.get(base + "/archive")
    for text in driver.find_elements(By.CSS_SELECTOR, "article .text")[:5]:
        ems = driver.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return arguments[0].clientWidth / parseFloat(s.fontSize);",
            text,
        )
        assert 20 <= ems <= 40, ems
    # The page is not simply stretched: the column is centred with room on both sides.
    main = driver.find_element(By.TAG_NAME, "main").rect
    assert main["width"] <= 720 and main["x"] > 200


def counter_text(driver) -> str:
    return driver.find_element(By.ID, "count").text


def test_counter_counts_typed_emoji_as_the_server_does(site, chromium):
    """Typing text and emoji updates the counter; sequences count one; over 150 turns red."""
    base, _, _ = site
    driver = chromium
    resize(driver, 360)
    sign_in(driver, base)
    assert counter_text(driver) == f"0/{MAX_ECHO_CHARS}"
    box = driver.find_element(By.NAME, "body")
    box.send_keys("晴れ☀️")  # U+2600 U+FE0F: one character
    assert counter_text(driver) == "3/150"
    # Emoji outside the BMP arrive as an input method inserts them.
    for typed, expected in (("👨‍👩‍👧", 4), ("🇯🇵", 5), ("1️⃣", 6), ("👍🏽", 7), ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 8)):
        driver.execute_cdp_cmd("Input.insertText", {"text": typed})
        assert counter_text(driver) == f"{expected}/150", typed
    assert count_chars(box.get_attribute("value")) == 8
    box.send_keys(Keys.BACK_SPACE * 3)  # deleting updates it too
    assert counter_text(driver) == f"{count_chars(box.get_attribute('value'))}/150"
    driver.execute_cdp_cmd("Input.insertText", {"text": "あ" * 150})
    counter = driver.find_element(By.ID, "count")
    assert counter.text.endswith("/150") and "over" in counter.get_attribute("class")
    typed = box.get_attribute("value")
    assert counter.text == f"{count_chars(clean_body(typed))}/150"
    # The server stays the judge: the too-long echo is refused and kept in the box.
    box.submit()
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.CLASS_NAME, "error")))
    assert "150文字以内" in driver.find_element(By.CLASS_NAME, "error").text
    assert driver.find_element(By.NAME, "body").get_attribute("value") == clean_body(typed)


#: Texts whose count the page and the server must agree on.
COUNTED = [
    "",
    "こんにちは",
    "hello world",
    "  前後の空白  ",
    "改行\nと\r\nタブ\tは空白",
    "晴れ☀️曇り☁️雨☔",
    "☀☀️",
    "家族👨‍👩‍👧👩🏽‍💻🏳️‍🌈🏴‍☠️",
    "🇯🇵🇺🇸🇯",
    "1️⃣#️⃣*️⃣1⃣",
    "👍🏻👍🏿✌🏽",
    "🏴󠁧󠁢󠁥󠁮󠁧󠁿",
    "が が ｶﾞ",
    "e\u0301 a\u0308",
    "ゼロ\u200b幅\u200dと\ufeffBOM\u200e方向",
    "‼️〰️〽️©️™️",
    "a\u200d☀",
    "😀" * 150,
    "あ" * 151,
]


def test_counter_agrees_with_the_server(site, chromium):
    """For text of every kind the live counter says what the server will count."""
    base, _, _ = site
    driver = chromium
    sign_in(driver, base)
    for text in COUNTED:
        shown = driver.execute_script(
            "const box = document.querySelector('textarea[name=body]');"
            "box.value = arguments[0]; box.dispatchEvent(new Event('input'));"
            "return document.getElementById('count').textContent;",
            text,
        )
        assert shown == f"{count_chars(clean_body(text))}/150", text


def test_dark_mode(site, chromium):
    """With a dark colour scheme the pages turn dark, text light; links and menu stay readable."""
    base, _, _ = site
    driver = chromium
    resize(driver, 360)
    sign_in(driver, base)

    def colours():
        return driver.execute_script(
            "const rgb = (el, p) => getComputedStyle(el)[p].match(/\\d+/g).slice(0, 3).map(Number);"
            "const a = document.querySelector('article'), top = document.querySelector('.top');"
            "return [rgb(document.body, 'backgroundColor'), rgb(document.body, 'color'),"
            " rgb(a, 'backgroundColor'), rgb(a.querySelector('.meta a'), 'color'),"
            " rgb(top, 'backgroundColor'), rgb(top.querySelector('.nav a'), 'color')];"
        )

    def luminance(rgb):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = map(channel, rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    def contrast(a, b):
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    light = colours()
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )
    dark = colours()
    assert luminance(light[0]) > 0.8 and luminance(dark[0]) < 0.05
    for body, text, card, link, bar, menu in (light, dark):
        assert contrast(body, text) >= 7
        assert contrast(card, link) >= 4.5 and contrast(bar, menu) >= 4.5
    screenshot(driver, "design-home-360-dark.png")


def test_usable_without_javascript_or_css(site, chromium):
    """With scripts off and the stylesheet blocked one signs in, posts with emoji, replies."""
    base, _, ids = site
    driver = chromium
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/assets/*"]})
    resize(driver, 360)
    sign_in(driver, base)
    assert counter_text(driver) == "150文字まで"  # what the page says before any script
    driver.find_element(By.NAME, "body").send_keys("スクリプトなしで☀️")
    driver.find_element(By.CSS_SELECTOR, "form.post input[type=submit]").click()
    WebDriverWait(driver, 10).until(ec.url_contains("m=posted"))
    assert "エコーしました" in driver.find_element(By.TAG_NAME, "main").text
    first = driver.find_element(By.CSS_SELECTOR, "main article .text").text
    assert first == "スクリプトなしで☀️"
    driver.get(base + f"/echo/{ids['conversation']}")
    driver.find_element(By.NAME, "body").send_keys("CSSなしでも返信")
    driver.find_element(By.NAME, "body").submit()
    WebDriverWait(driver, 10).until(ec.url_contains("m=replied"))
    assert "CSSなしでも返信" in driver.find_element(By.TAG_NAME, "main").text
    # The stylesheet really was blocked: the header has no colour of its own.
    header = driver.find_element(By.CSS_SELECTOR, "header.top")
    assert header.value_of_css_property("background-color") == "rgba(0, 0, 0, 0)"


def test_first_and_repeat_visits(site, chromium):
    """A first visit asks for the page, the stylesheet and (with a post box) the script;
    after that, pages come alone: the files are kept for a year under their hash."""
    base, log, ids = site
    driver = chromium
    resize(driver, 1280)
    driver.get(base + "/login")
    first = [path for path in log.paths if not path.startswith("/favicon")]
    assert len(first) == 2 and first[0] == "/login" and first[1].endswith(".css"), first
    sign_in(driver, base)
    del log.paths[:]
    driver.get(base + "/archive")
    driver.get(base + f"/echo/{ids['conversation']}")
    driver.get(base + "/")
    pages = [path for path in log.paths if not path.startswith("/favicon")]
    assert pages == ["/archive", f"/echo/{ids['conversation']}", "/"], pages


def test_screenshots_of_a_profile_and_a_conversation(site, chromium):
    """A profile on a PC and a conversation on a phone look as designed (pictures, if asked)."""
    base, _, ids = site
    driver = chromium
    resize(driver, 1280)  # a session is bound to its terminal: sign in on each
    sign_in(driver, base)
    driver.get(base + "/u/hanako")
    assert driver.find_element(By.CSS_SELECTOR, ".profile h1").text == "はなこ🌸"
    assert driver.find_element(By.CSS_SELECTOR, "link[rel=alternate]").get_attribute("type") == (
        "application/atom+xml"
    )
    screenshot(driver, "design-profile-1280.png")
    resize(driver, 360)
    sign_in(driver, base)
    driver.get(base + f"/echo/{ids['conversation']}")
    assert len(driver.find_elements(By.CSS_SELECTOR, "main article")) == 3
    # Replies do not quote the echo they sit under.
    assert not driver.find_elements(By.CSS_SELECTOR, "main .quote")
    screenshot(driver, "design-conversation-360.png", full=True)
