"""Bad input on the request path: broken bytes, odd headers, forged code points, huge bodies."""

from __future__ import annotations

import pytest
from support.phones import PHONES
from support.settings import PASSWORD

from mobile_gateway.storage.models import AuthSession, Echo, User

pytestmark = pytest.mark.sqlite_only

DOCOMO_UA = PHONES["docomo_foma"].user_agent


def _assert_error_page(handset, status: int, *needles: str) -> None:
    """The last response is an error page with *status*, in the terminal's own encoding."""
    assert handset.status == status, handset.raw[:500]
    assert handset.content_type == handset.terminal.content_type_header
    text = handset.text  # decodes strictly with the terminal's page codec
    for needle in needles:
        assert needle in text, f"{needle!r} not in the {status} page"


class TestBrokenEncoding:
    """Bytes that are not text in the terminal's encoding are refused with a 400 page."""

    @pytest.mark.parametrize(
        "name, broken",
        [
            ("docomo_mova", b"\x82"),  # a Shift_JIS lead byte with no trail byte
            ("docomo_foma", b"abc\x81\x20"),  # a lead byte followed by a space
            ("au", b"\xa0\xfd"),  # bytes Shift_JIS does not assign
            ("willcom", b"\xff"),
            ("jphone", b"\x1b$G\xff\x0f"),  # a webcode escape with a bad code byte
            ("softbank", b"\xe3\x81"),  # UTF-8 cut in the middle of a character
            ("iphone", b"\xc0\xaf"),  # overlong UTF-8
            ("pc", b"\xed\xa0\x80"),  # an encoded surrogate
        ],
    )
    def test_broken_form_is_400_and_stores_nothing(self, signed_in, store, name, broken):
        """A post with broken bytes gets a 400 page naming the field; nothing is stored."""
        handset = signed_in(name, "alice")
        handset.get(handset.home_url())
        handset.submit({"body": broken}, "/echo")
        _assert_error_page(handset, 400, "「body」に読めない文字があります")
        assert store.bodies() == []

    @pytest.mark.parametrize("name", ["docomo_mova", "jphone", "docomo_foma"])
    @pytest.mark.parametrize("body", [b"\x82", "あ".encode("cp932") * 9000], ids=["broken", "huge"])
    def test_error_page_keeps_the_session(self, signed_in, name, body):
        """A 400 or 413 page keeps a cookieless phone signed in: its links carry the sid."""
        handset = signed_in(name, "alice")
        sid = handset.sid
        handset.get(handset.home_url())
        handset.submit({"body": body}, "/echo")
        assert handset.status in (400, 413)
        assert "ログアウト" in handset.text
        assert handset.sid == sid
        handset.click("ホーム")
        assert "ログアウト" in handset.text

    def test_broken_query_string_is_400(self, phone):
        """A URL whose query is not Shift_JIS gets a 400 page on a DoCoMo phone."""
        handset = phone("docomo_mova")
        handset.get("/?q=%82")
        _assert_error_page(handset, 400, "URLの「q」に読めない文字があります")

    def test_broken_signup_creates_no_user(self, phone, store):
        """Broken bytes in a sign-up name create no account."""
        handset = phone("docomo_mova")
        handset.get("/signup")
        handset.submit({"name": b"al\x82", "password": PASSWORD}, "/signup")
        _assert_error_page(handset, 400, "「name」")
        assert store.count(User) == 0

    def test_not_a_urlencoded_form(self, signed_in, store):
        """A multipart post is refused with a 400 page."""
        handset = signed_in("pc", "alice")
        handset.get("/")
        body = handset.urlencode(dict(handset.form("/echo").values()) | {"body": "x"})
        handset.request("POST", "/echo", body, content_type="multipart/form-data; boundary=x")
        _assert_error_page(handset, 400, "フォームの形式が正しくありません")
        assert store.bodies() == []

    def test_too_many_fields(self, signed_in, store):
        """A post with hundreds of fields is refused with a 400 page."""
        handset = signed_in("au", "alice")
        handset.get("/")
        extra = {f"f{n}": "x" for n in range(200)}
        handset.submit({"body": "こんにちは", **extra}, "/echo")
        _assert_error_page(handset, 400, "項目が多すぎます")
        assert store.bodies() == []

    @pytest.mark.parametrize("name", ["docomo_mova", "softbank", "pc"])
    def test_oversize_body_is_413(self, signed_in, store, app, name):
        """A body over MAX_CONTENT_LENGTH gets a 413 page in the terminal's encoding."""
        handset = signed_in(name, "alice")
        handset.get(handset.home_url())
        huge = {"body": "あ" * (app.config["MAX_CONTENT_LENGTH"] // 2)}
        handset.submit(huge, "/echo")
        _assert_error_page(handset, 413, "送信された内容が大きすぎます")
        assert store.bodies() == []


class TestErrorPages:
    """Every error comes as a page the terminal reads."""

    @pytest.mark.parametrize("name", ["docomo_mova", "jphone", "pc"])
    def test_method_not_allowed(self, phone, name):
        """GET on a POST-only URL is a 405 page in the terminal's encoding."""
        handset = phone(name)
        handset.get("/logout")
        _assert_error_page(handset, 405, "この操作はできません")

    @pytest.mark.parametrize("name", ["docomo_mova", "au", "pc"])
    def test_unexpected_error(self, signed_in, monkeypatch, name):
        """An unexpected exception is a 500 page in the terminal's encoding."""
        from mobile_gateway.echo import views

        handset = signed_in(name, "alice")

        def broken(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(views.echoes, "home", broken)
        handset.get(handset.home_url())
        _assert_error_page(handset, 500, "エラーが発生しました")
        assert b"boom" not in handset.raw


class TestOddHeaders:
    """Missing, empty, huge or garbled headers are handled, never a 500."""

    def _story(self, handset, store, user: str) -> None:
        """Sign up, post an echo and read it back on *handset*."""
        handset.sign_up(user)
        assert handset.status == 200, handset.text
        handset.post_echo("こんにちは☀️")
        assert handset.status == 200, handset.text
        assert "こんにちは" in handset.text
        assert store.bodies(user) == ["こんにちは☀️"]

    def test_no_user_agent(self, phone, store):
        """A request without User-Agent is served as a PC, and everything works."""
        handset = phone("pc", **{"User-Agent": None})
        assert "User-Agent" not in handset.headers
        handset.get("/")
        assert handset.status == 200
        assert handset.content_type == "text/html; charset=UTF-8"
        self._story(handset, store, "nobody")

    def test_empty_user_agent(self, phone, store):
        """An empty User-Agent is served as a PC."""
        handset = phone("pc", **{"User-Agent": ""})
        handset.get("/")
        assert handset.status == 200
        assert handset.content_type == "text/html; charset=UTF-8"
        self._story(handset, store, "empty")

    @pytest.mark.parametrize(
        "user_agent, content_type",
        [
            ("x" * 10240, "text/html; charset=UTF-8"),
            ("DoCoMo/1.0/P503i/c10" + "/TB" * 3400, "text/html; charset=Shift_JIS"),
            ("DoCoMo/2.0 P07A3(c500;TB;W24H15" + ";x" * 5100, None),
        ],
    )
    def test_huge_user_agent(self, phone, user_agent, content_type):
        """A 10 kB User-Agent is served a page it can read, never a 500."""
        handset = phone("pc", **{"User-Agent": user_agent})
        handset.get("/")
        assert handset.status == 200
        assert handset.text
        if content_type:
            assert handset.content_type == content_type

    def test_docomo_ua_posting_utf8_with_probe(self, signed_in, store):
        """A DoCoMo UA that posts UTF-8 with the probe is read as UTF-8, emoji included."""
        handset = signed_in("docomo_mova", "alice")
        handset.get(handset.home_url())
        handset.submit({"body": "晴れ☀️"}, "/echo", codec="x-utf8-docomo")
        assert handset.status == 200
        assert store.bodies() == ["晴れ☀️"]

    def test_docomo_ua_posting_utf8_without_probe(self, signed_in, store):
        """Without the probe, UTF-8 from a DoCoMo UA is read as Shift_JIS: mojibake or 400."""
        handset = signed_in("docomo_mova", "alice")
        handset.get(handset.home_url())
        handset.submit({"body": "晴れ☀️"}, "/echo", codec="x-utf8-docomo", drop=("_cs",))
        assert handset.status in (200, 400)
        assert handset.text  # the answer is readable by the phone
        if handset.status == 400:
            assert store.bodies() == []

    @pytest.mark.parametrize(
        "name, headers, environ",
        [
            ("docomo_foma", {"User-Agent": DOCOMO_UA + "\xff\xfe\x80"}, None),
            ("pc", {"User-Agent": "\xe3\x81\x82\xff" * 10}, None),
            ("docomo_foma", {"X-DCMGUID": "\xff\xfe\x01abc\x7f"}, None),
            ("au", {"X-UP-SUBNO": "\x80" * 300}, None),
            ("softbank", {"X-JPHONE-UID": "\xff" * 16}, None),
            ("docomo_mova", {}, {"HTTP_USER_AGENT": b"DoCoMo/1.0/P503i/c10\xff"}),
            ("docomo_foma", {}, {"HTTP_X_DCMGUID": b"\xff\xfe\xfd"}),
            ("au", {}, {"HTTP_X_UP_SUBNO": b"\x80\x81", "HTTP_X_UP_DEVCAP_MAX_PDU": b"\xff"}),
        ],
        ids=[
            "ua",
            "ua-utf8",
            "dcmguid",
            "subno",
            "jphone-uid",
            "ua-bytes",
            "dcmguid-bytes",
            "subno-bytes",
        ],
    )
    def test_header_values_with_invalid_bytes(self, phone, store, name, headers, environ):
        """Header values with bytes that are no text (str or bytes in the environ) are handled."""
        handset = phone(name, environ, **headers)
        handset.get("/")
        assert handset.status == 200
        self._story(handset, store, "garbled")

    def test_garbled_subscriber_id_is_not_one(self, phone):
        """A garbled subscriber id header is not taken as a subscriber id."""
        handset = phone("docomo_foma", **{"X-DCMGUID": "\xff\xfe\xfd\xfc\xfb\xfa\xf9"})
        assert handset.terminal.subscriber_id is None
        handset.get("/")
        assert handset.status == 200


class TestForgedCodePoints:
    """Nobody can store carrier private-use code points or forge a carrier-only emoji."""

    @pytest.mark.parametrize("name", ["iphone", "pc"])
    @pytest.mark.parametrize(
        "forged",
        ["\U001016a6", "晴れ\U00102a9d", "\U00103211", "\ue63e", "\ue488"],
        ids=["docomo-only", "au-only", "softbank-only", "docomo-pua", "au-pua"],
    )
    def test_forged_internal_code_points_refused(self, signed_in, store, name, forged):
        """A smartphone posting U+1016A6 (or carrier PUA) gets a 400 page; nothing is stored."""
        handset = signed_in(name, "alice")
        handset.get("/")
        handset.submit({"body": forged.encode("utf-8")}, "/echo")
        _assert_error_page(handset, 400, "「body」")
        assert store.bodies() == []

    def test_softbank_pua_from_iphone_is_read_as_emoji(self, signed_in, store):
        """A Japanese iPhone of 2009 sends SoftBank PUA (U+E04A): it is stored as the sun."""
        handset = signed_in("iphone", "alice")
        handset.get("/")
        handset.submit({"body": "\ue04a".encode("utf-8")}, "/echo")
        assert handset.status == 200
        assert store.bodies() == ["☀️"]

    def test_real_docomo_only_emoji_accepted(self, signed_in, store):
        """The same carrier-only emoji posted by a DoCoMo phone (F94A) is stored."""
        handset = signed_in("docomo_mova", "alice")
        handset.get(handset.home_url())
        handset.submit({"body": b"\xf9\x4a"}, "/echo")
        assert handset.status == 200
        assert store.bodies() == ["\U001016a6"]
        assert b"\xf9\x4a" in handset.raw

    def test_forged_sid_and_csrf_do_not_create_sessions(self, phone, store):
        """Junk session ids and tokens neither sign in nor pile up sessions."""
        handset = phone("docomo_mova")
        handset.get("/?sid=" + "A" * 32)
        assert handset.status == 200
        before = store.count(AuthSession)
        handset.post("/echo?sid=" + "B" * 40, {"_csrf": "x", "body": "やあ"})
        # A sid that opens nothing is a session that ended: the sign-in page, nothing posted.
        assert handset.status == 200 and handset.form("/login")
        assert store.count(AuthSession) == before == 0
        assert store.count(Echo) == 0
        handset.post("/echo", {"_csrf": "x", "body": "やあ"})
        assert handset.status == 403  # no session presented at all: a forgery
        assert store.count(Echo) == 0
