"""The console speaks Japanese or English: every page, chosen by Accept-Language or the switch.

A page in Japanese must hold no English of the console: no text or button that is a message
of the catalog in English, and no run of English words that no message marks (a string left
out of the catalog). A page in English holds no Japanese of the catalog.
"""

from __future__ import annotations

import html
import html.parser
import re
from pathlib import Path

import pytest
from babel.messages import pofile
from support.console import Browser, add_user, hidden_fields

from mobile_gateway.gateways import carrier_ranges
from mobile_gateway.phone import i18n
from mobile_gateway.storage import db

SUN = "\u2600\ufe0f"
PO = Path(i18n.TRANSLATIONS) / "ja" / "LC_MESSAGES" / "messages.po"
#: English phrases that are data or notations, the same in both languages.
DATA_PHRASES = {"au localsrc"}


def catalog_pairs() -> list[tuple[str, str]]:
    """(English, Japanese) of every message of the catalog (each plural form)."""
    with PO.open("rb") as stream:
        catalog = pofile.read_po(stream, locale="ja")
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(english, strings[0]) for english in ids]
    return pairs


def fragments(message: str) -> list[str]:
    """The literal words of a message: split at placeholders and markup, 4 characters or more."""
    parts = re.split(r"%\([a-z_]+\)[a-z]|<[^>]+>|&[a-z]+;", message)
    return [part.strip(" .,:;()") for part in parts if len(part.strip(" .,:;()")) >= 4]


class _Texts(html.parser.HTMLParser):
    """The words a person sees: text outside <code>/<style>/<textarea>, and button labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("code", "style", "textarea", "script"):
            self._skip += 1
        if tag in ("input", "button") and values.get("type") in ("submit", "button", None):
            if values.get("type") != "hidden" and values.get("value"):
                self.texts.append(values["value"])
        for name in ("placeholder", "title"):
            if values.get(name):
                self.texts.append(values[name])

    def handle_endtag(self, tag):
        if tag in ("code", "style", "textarea", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(page: str) -> list[str]:
    """Return the texts of *page* a person reads (not code, not data in <code>)."""
    parser = _Texts()
    parser.feed(page)
    return parser.texts


def english_left(page: str) -> list[str]:
    """Return what is still English in a page that should be Japanese."""
    texts = visible_texts(page)
    joined = "\n".join(texts)
    left = []
    for english, japanese in catalog_pairs():
        if english == japanese:
            continue
        for fragment in fragments(english):
            if fragment in japanese:  # a notation the translation keeps (localsrc, Shift_JIS)
                continue
            if re.search(r"[A-Za-z]{3}", fragment) and re.search(
                r"(?<![\w-])" + re.escape(fragment) + r"(?![\w-])", joined
            ):
                left.append(f"catalog message {english!r}: {fragment!r}")
    for text in texts:
        for phrase in re.findall(r"\b[A-Za-z][a-z]+(?: [a-z]{2,})+\b", text):
            if phrase not in DATA_PHRASES:
                left.append(f"English words not in the catalog: {phrase!r} in {text!r}")
    return sorted(set(left))


def japanese_left(page: str) -> list[str]:
    """Return the Japanese messages of the catalog found in a page that should be English."""
    joined = "\n".join(visible_texts(page))
    found = set()
    for _english, japanese in catalog_pairs():
        for part in re.split(r"%\([a-z_]+\)[a-z]|<[^>]+>", japanese):
            part = part.strip(" 。、:：（）()")
            if len(part) >= 4 and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", part):
                if part in joined:
                    found.add(part)
    return sorted(found)


@pytest.fixture(params=["accept-language", "switch"])
def japanese(request, sqlite_app) -> Browser:
    """An operator whose console is Japanese: by the browser's language, or by the switch."""
    add_user(sqlite_app, "op", operator=True)
    browser = Browser(sqlite_app).login("op")
    if request.param == "accept-language":
        browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja-JP,ja;q=0.9,en;q=0.5"
    else:
        browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
        switched = browser.get("/admin/language/ja?next=/admin/")
        assert switched.status_code == 302 and switched.location == "/admin/"
    browser.get("/admin/")
    return browser


@pytest.fixture
def english(sqlite_app) -> Browser:
    """An operator whose browser asks for English first (Japanese after)."""
    add_user(sqlite_app, "op", operator=True)
    browser = Browser(sqlite_app).login("op")
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9,ja;q=0.5"
    browser.get("/admin/")
    return browser


def save(browser: Browser, form: dict, reason: str = "test") -> None:
    """Preview and save one change through the console."""
    preview = browser.post("/admin/emoji/preview", form)
    assert preview.status_code == 200, preview.text[:500]
    saved = browser.post(
        "/admin/emoji/save", {**hidden_fields(preview.text, "/admin/emoji/save"), "reason": reason}
    )
    assert saved.status_code == 302, saved.text[:500]


def pages(browser: Browser, app) -> dict[str, object]:
    """Request every console page (and the answer of every form), with data on each."""
    with app.app_context():
        carrier_ranges.add_range(db.get_session(), "docomo", "210.153.84.0/24", source="test")
        carrier_ranges.add_range(db.get_session(), "au", "210.153.84.128/25", source="test")
    save(browser, {"op": "set", "key": SUN, "localsrc": "44", "name_ja": "晴れ"})
    save(browser, {"op": "carrier_only", "carrier": "au", "code": "F370", "means": ":sun:"})
    save(browser, {"op": "set", "key": SUN, "name_ja": "お日さま"})
    entries = sorted(
        map(int, re.findall(r"/admin/audit/(\d+)/revert", browser.get("/admin/audit").text))
    )
    csv = "key,docomo,au,softbank,docomo_fit,au_fit,softbank_fit,google,name_ja,fit,localsrc\n"
    return {
        "index": browser.get("/admin/"),
        "lookup": browser.get("/admin/emoji?q=" + SUN),
        "lookup by localsrc": browser.get("/admin/emoji?q=44&carrier=au"),
        "lookup not in the table": browser.get("/admin/emoji?q=:partying_face:"),
        "edit": browser.get("/admin/emoji/edit?key=" + SUN),
        "preview": browser.post("/admin/emoji/preview", {"op": "set", "key": SUN, "au": ""}),
        "preview refused": browser.post(
            "/admin/emoji/preview", {"op": "set", "key": SUN, "docomo": "F94A", "au_fit": "F89F"}
        ),
        "preview mapped twice": browser.post(
            "/admin/emoji/preview", {"op": "set", "key": SUN, "docomo": "F94A"}
        ),
        "preview removal": browser.post("/admin/emoji/preview", {"op": "remove", "key": SUN}),
        "save without a reason": browser.post(
            "/admin/emoji/save", {"op": "set", "key": SUN, "localsrc": "", "reason": " "}
        ),
        "audit": browser.get("/admin/audit"),
        "revert preview": browser.get(f"/admin/audit/{entries[-1]}/revert"),
        "revert refused": browser.get(f"/admin/audit/{entries[0]}/revert"),
        "revert without a reason": browser.post(
            f"/admin/audit/{entries[-1]}/revert", {"reason": ""}
        ),
        "import": browser.get("/admin/import"),
        "import dry run": browser.post(
            "/admin/import", {"csv": csv + "U+102A9D,,F370,,,,,,,🌧️,\n", "run": "no"}
        ),
        "import refused": browser.post(
            "/admin/import", {"csv": csv + "☀️,F000\n☀️,F89F\nU+E000,,,,,,,,,,\n", "run": "no"}
        ),
        "import without a reason": browser.post(
            "/admin/import", {"csv": csv + "U+102A9D,,F370,,,,,,,🌧️,\n", "run": "yes"}
        ),
        "check": browser.get("/admin/check"),
        "bad key": browser.get("/admin/emoji/edit?key=:no_such_emoji_name:"),
        "service period": browser.get("/admin/service-period"),
        "service period refused": browser.post(
            "/admin/service-period",
            {"start": "2009-07-31T00:00", "end": "2009-07-01T00:00", "reading_after_end": "x"},
        ),
        "service period bad date": browser.post(
            "/admin/service-period", {"start": "last July", "end": "", "reading_after_end": "open"}
        ),
        "ranges": browser.get("/admin/ranges"),
        "ranges refused": browser.post("/admin/ranges/add", {"carrier": "au", "cidr": "1.2.3/99"}),
    }


#: What each page must show in Japanese (a message of its own, translated).
JAPANESE_MARKS = {
    "index": "キャリア独自絵文字に意味を設定",
    "lookup": "運営者の行",
    "lookup by localsrc": "に一致: 1 件",
    "lookup not in the table": "テーブルに追加",
    "edit": "運営者の行を削除",
    "preview": "影響: ",
    "preview refused": "au の絵文字コードではありません",
    "preview mapped twice": "二重に割り当てられます",
    "preview removal": "名前（代替テキスト）",
    "save without a reason": "理由が必要です",
    "audit": "変更内容",
    "revert preview": "下で確定するまで何も変わりません",
    "revert refused": "先にそちらを元に戻してください",
    "revert without a reason": "理由が必要です",
    "import": "運営者の行の取り込み",
    "import dry run": "1 行を読みました",
    "import refused": "2 行目",
    "import without a reason": "理由が必要です",
    "check": "矛盾はありません",
    "bad key": "という名前の絵文字はありません",
    "service period": "終了後の閲覧",
    "service period refused": "終了日時は開始日時より後にしてください",
    "service period bad date": "のような日時ではありません",
    "ranges": "キャリアをまたぐ重なり",
    "ranges refused": "IPネットワークではありません",
}


def test_every_page_is_checked(sqlite_app):
    """The pages below cover every console route (the list is kept with the routes)."""
    endpoints = {
        rule.endpoint
        for rule in sqlite_app.url_map.iter_rules()
        if rule.endpoint.startswith(("admin.", "admin_period.", "admin_ranges."))
    }
    covered = {
        "admin.index", "admin.lookup", "admin.edit", "admin.preview", "admin.save",
        "admin.audit", "admin.revert", "admin.import_csv", "admin.check",
        "admin_period.form", "admin_ranges.index", "admin_ranges.add",
    }  # fmt: skip
    # Not pages: the CSV download, the language switch, removing a range (a redirect).
    assert endpoints - covered == {"admin.export_csv", "admin.language", "admin_ranges.delete"}


def test_every_page_in_japanese(japanese, sqlite_app):
    """Every console page is Japanese, with no English message of the console left on it."""
    for name, response in pages(japanese, sqlite_app).items():
        page = response.text
        assert response.content_type == "text/html; charset=UTF-8", name
        assert '<html lang="ja">' in page, name
        assert JAPANESE_MARKS[name] in html.unescape(page), (name, page[:3000])
        assert english_left(page) == [], name


def test_every_page_in_english(english, sqlite_app):
    """With English first in Accept-Language, every page is English, no Japanese message on it."""
    for name, response in pages(english, sqlite_app).items():
        page = response.text
        assert '<html lang="en">' in page, name
        assert japanese_left(page) == [], name
    assert "Echo operators" in page and "Carrier gateway ranges" in page


def test_the_checks_would_see_english_left():
    """The check finds an English message and an unmarked English phrase on a Japanese page."""
    page = (
        '<p>変更履歴</p><input type="submit" value="Look up"/>'
        "<p>It stays here</p><code>x-sjis-docomo not translated</code>"
    )
    left = english_left(page)
    assert any("'Look up'" in item for item in left)
    assert any("stays here" in item for item in left)
    assert not any("not translated" in item for item in left)


def test_the_checks_would_see_japanese_left():
    """The check finds a Japanese message on an English page."""
    assert "変更履歴のすべて" in japanese_left("<p>変更履歴のすべて</p>")
    assert japanese_left("<p>Audit log</p><code>変更履歴</code>") == []


class TestChoice:
    """How the language is chosen: the switch's cookie, else Accept-Language, else English."""

    @pytest.mark.parametrize(
        "accept, lang",
        [
            ("ja", "ja"),
            ("ja-JP,ja;q=0.9,en-US;q=0.8", "ja"),
            ("en-US,en;q=0.9,ja;q=0.8", "en"),
            ("fr-FR,fr;q=0.9", "en"),
            ("", "en"),
            ("*", "en"),
            ("ja;q=0, en;q=0.1", "en"),
            ("x" * 5000, "en"),
        ],
    )
    def test_accept_language(self, operator, accept, lang):
        """Japanese for a browser that prefers it; English for anything else."""
        operator.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
        assert f'<html lang="{lang}">' in operator.get("/admin/").text

    def test_switch_is_on_every_page_and_kept(self, operator):
        """The switch links the other language, keeps it in a cookie, and comes back here."""
        page = operator.get("/admin/audit").text
        assert 'id="language-ja"' in page and 'id="language-en"' not in page
        link = html.unescape(re.search(r'href="([^"]+)"[^>]*id="language-ja"', page).group(1))
        assert link == "/admin/language/ja?next=/admin/audit"
        response = operator.get(link)
        assert response.status_code == 302 and response.location == "/admin/audit"
        cookie = response.headers["Set-Cookie"]
        assert "console_lang=ja" in cookie and "Path=/admin" in cookie and "HttpOnly" in cookie
        operator.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        page = operator.get("/admin/audit").text
        assert '<html lang="ja">' in page and 'id="language-en"' in page
        operator.get("/admin/language/en?next=/admin/audit")
        operator.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
        assert '<html lang="en">' in operator.get("/admin/audit").text

    def test_switch_keeps_the_query(self, operator):
        """Switching on a look-up page comes back to the same look-up."""
        page = operator.get("/admin/emoji?q=F89F&carrier=docomo").text
        link = html.unescape(re.search(r'href="([^"]+)"[^>]*id="language-ja"', page).group(1))
        back = operator.get(link).location
        assert back == "/admin/emoji?q=F89F&carrier=docomo"
        assert "DoCoMo" in operator.get(back).text

    def test_switch_on_a_form_answer_goes_back_to_the_form(self, operator):
        """A POST cannot be repeated: the switch on a preview goes back to the page it came from."""
        response = operator.client.post(
            "/admin/emoji/preview",
            data={"_cs": "あ", "_csrf": operator.token, "op": "set", "key": SUN},
            headers={
                "User-Agent": operator.user_agent,
                "Referer": "http://localhost/admin/emoji/edit?key=%E2%98%80%EF%B8%8F",
            },
        )
        link = html.unescape(
            re.search(r'href="([^"]+)"[^>]*id="language-ja"', response.text).group(1)
        )
        assert operator.get(link).location == "/admin/emoji/edit?key=%E2%98%80%EF%B8%8F"

    @pytest.mark.parametrize(
        "target",
        [
            "https://evil.example/admin/",
            "//evil.example/admin/",
            "/\\evil.example/admin/",
            "/login",
            "javascript:alert(1)",
            "/admin.evil",
        ],
    )
    def test_switch_goes_nowhere_else(self, operator, target):
        """The switch only comes back to a console page of this site."""
        response = operator.get("/admin/language/ja", query_string={"next": target})
        assert response.status_code == 302 and response.location == "/admin/"

    @pytest.mark.parametrize("cookie", ["fr", "", "ja<script>", "x" * 3000])
    def test_unknown_cookie_is_ignored(self, operator, cookie):
        """A language cookie naming no language of the console is ignored (Accept-Language)."""
        operator.client.set_cookie("console_lang", cookie, path="/admin")
        operator.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
        page = operator.get("/admin/")
        assert page.status_code == 200 and '<html lang="ja">' in page.text

    def test_unknown_language_is_not_found(self, operator):
        """Switching to a language the console does not speak is a 404."""
        assert operator.get("/admin/language/fr?next=/admin/").status_code == 404

    def test_phone_pages_stay_japanese(self, sqlite_app):
        """Accept-Language changes only the console: handset pages are Japanese as before."""
        add_user(sqlite_app, "taro")
        browser = Browser(sqlite_app)
        browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert "ログイン" in browser.get("/login").text

    def test_language_does_not_leak_to_the_next_request(self, operator):
        """After a Japanese page, code outside a request speaks English again."""
        operator.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
        assert '<html lang="ja">' in operator.get("/admin/").text
        assert i18n.current() == "en"
        assert i18n.gettext("Audit log") == "Audit log"


def test_japanese_dates_and_carrier_only_names(japanese, sqlite_app):
    """Dates are Japan time written the Japanese way; a carrier-only emoji is named in Japanese."""
    save(japanese, {"op": "carrier_only", "carrier": "au", "code": "F370", "means": ":sun:"})
    page = html.unescape(japanese.get("/admin/audit").text)
    assert re.search(r'<td class="when">\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2}</td>', page)
    assert "U+102A9D（au 独自 F370）" in page
