"""Terminals on the request and response path: page types, form charsets, templates, keypad."""

from __future__ import annotations

import re

import pytest
from jinja2 import ChoiceLoader, DictLoader
from support.phones import FEATURE_PHONES, PHONES

from mobile_gateway.phone import outbound, terminals

pytestmark = pytest.mark.sqlite_only

#: Content-Type each phone must get.
CONTENT_TYPES = {
    "docomo_mova": "text/html; charset=Shift_JIS",
    "docomo_mova_5k": "text/html; charset=Shift_JIS",
    "docomo_foma": "application/xhtml+xml; charset=Shift_JIS",
    "docomo_foma_b1": "application/xhtml+xml; charset=Shift_JIS",
    "au": "text/html; charset=Shift_JIS",
    "softbank": "text/html; charset=UTF-8",
    "jphone": "text/html; charset=Shift_JIS",
    "willcom": "text/html; charset=Shift_JIS",
    "iphone": "text/html; charset=UTF-8",
    "pc": "text/html; charset=UTF-8",
}
#: Python codec that reads each declared charset (carrier emoji are user-defined area).
CHARSET_CODECS = {"Shift_JIS": "cp932", "UTF-8": "utf-8"}
#: The sun as each phone sends it in a form, percent-encoded.
SUN_AS_SENT = {
    "docomo_mova": b"%F8%9F",
    "docomo_foma": b"%F8%9F",
    "au": b"%F6%60",
    "softbank": b"%EE%81%8A",
    "jphone": b"%1B%24Gj%0F",
    "willcom": b"%F8%9F",
    "iphone": b"%E2%98%80%EF%B8%8F",
    "pc": b"%E2%98%80%EF%B8%8F",
}
#: Phones with each post-box input-mode attribute.
ISTYLE_PHONES = ("docomo_mova", "docomo_mova_5k", "docomo_foma", "docomo_foma_b1", "au", "willcom")
MODE_PHONES = ("softbank", "jphone")
#: Keycap emoji 1 to 5 in each page notation.
KEYCAP_BYTES = {
    "docomo_mova": [b"\xf9\x87", b"\xf9\x88", b"\xf9\x89", b"\xf9\x8a", b"\xf9\x8b"],
    "au": [b"\xf6\xfb", b"\xf6\xfc", b"\xf7\x40", b"\xf7\x41", b"\xf7\x42"],
    "softbank": [
        "\ue21c".encode(),
        "\ue21d".encode(),
        "\ue21e".encode(),
        "\ue21f".encode(),
        "\ue220".encode(),
    ],
}


def _declared_charset(content_type: str) -> str:
    """Return the charset parameter of a Content-Type value."""
    return content_type.split("charset=", 1)[1]


class TestDetection:
    """Each test phone is the terminal it claims to be."""

    @pytest.mark.parametrize("name", PHONES)
    def test_phone_detected_as_its_carrier(self, phone, name):
        """The gateway sees each phone's carrier, cookie support and page notation."""
        handset = phone(name)
        terminal = handset.terminal
        assert terminal.carrier == handset.spec.carrier
        assert terminal.cookies is handset.spec.cookies
        assert terminal.is_feature_phone is (name in FEATURE_PHONES)
        # A handset writes forms in the notation of the pages it reads.
        assert terminal.page_codec == handset.send_codec

    def test_subscriber_ids_are_read(self, phone):
        """The carrier headers of the phones reach the terminal as subscriber ids."""
        assert phone("docomo_foma").terminal.subscriber_id == "000000a"
        assert phone("au").terminal.subscriber_id == "00000000000000_mj.ezweb.ne.jp"
        assert phone("softbank").terminal.subscriber_id == "aaaaaaaaaaaaaaaa"
        assert phone("docomo_mova").terminal.subscriber_id is None

    def test_budgets_of_the_small_phones(self, phone):
        """The mova phones have the budgets their UAs say (c10, none = 5 KB)."""
        assert phone("docomo_mova").terminal.page_budget == 10 * 1024
        assert phone("docomo_mova_5k").terminal.page_budget == 5 * 1024
        assert phone("jphone").terminal.page_budget == 6 * 1024


class TestContentType:
    """Pages go out with the Content-Type and charset each terminal needs, declared once."""

    @pytest.mark.parametrize("name", PHONES)
    def test_home_content_type(self, phone, name):
        """GET / carries the terminal's media type and charset."""
        handset = phone(name)
        handset.get("/")
        assert handset.status == 200
        assert handset.response.headers.getlist("Content-Type") == [CONTENT_TYPES[name]]
        # The same URL gives other bytes to another User-Agent: caches must know.
        assert "User-Agent" in handset.response.headers.get("Vary", "")

    @pytest.mark.parametrize("name", PHONES)
    def test_charset_declared_consistently(self, phone, name):
        """The XML declaration and the meta element agree with the header, and nothing else."""
        handset = phone(name)
        handset.get("/")
        header = handset.content_type
        charset = _declared_charset(header)
        raw = handset.raw
        metas = re.findall(rb'<meta http-equiv="Content-Type" content="([^"]*)"', raw, re.I)
        assert metas == [header.encode()]
        assert re.findall(rb"charset=([\w-]+)", raw) == [charset.encode()]
        if header.startswith("application/xhtml+xml"):
            assert raw.startswith(f'<?xml version="1.0" encoding="{charset}"?>'.encode())
        else:
            assert b"<?xml" not in raw
        raw.decode(CHARSET_CODECS[charset])  # the page really is in the declared charset

    @pytest.mark.parametrize("name", PHONES)
    def test_error_page_content_type(self, phone, name):
        """A 404 page has the same Content-Type as every other page of the terminal."""
        handset = phone(name)
        handset.get("/no/such/page")
        assert handset.status == 404
        assert handset.content_type == CONTENT_TYPES[name]
        assert "ページが見つかりません" in handset.text


class TestFormCharset:
    """Form posts are read with the codec the hidden probe field points to."""

    def test_foma_posting_utf8_from_sjis_page(self, signed_in, store):
        """A FOMA that posts UTF-8 (sun = U+E63E) from a Shift_JIS page is read right."""
        handset = signed_in("docomo_foma", "alice")
        handset.get("/")
        assert handset.urlencode({"body": "☀️"}, "x-utf8-docomo") == b"body=%EE%98%BE"
        handset.submit({"body": "晴れ☀️です"}, "/echo", codec="x-utf8-docomo")
        assert handset.status == 200
        assert store.bodies("alice") == ["晴れ☀️です"]
        assert b"\xf8\x9f" in handset.raw  # and shown back in Shift_JIS

    def test_au_posting_sjis(self, signed_in, store):
        """An au handset posts Shift_JIS with KDDI emoji bytes (sun = F660)."""
        handset = signed_in("au", "alice")
        handset.get("/")
        assert handset.urlencode({"body": "☀️"}) == b"body=%F6%60"
        handset.submit({"body": "晴れ☀️"}, "/echo")
        assert store.bodies("alice") == ["晴れ☀️"]

    def test_au_posting_utf8_web_range(self, signed_in, store):
        """An au handset posting UTF-8 in the undocumented web range (U+EF60) is read right."""
        handset = signed_in("au", "alice")
        handset.get("/")
        body = "晴れ".encode() + chr(0xF660 - 0x0700).encode("utf-8")
        handset.submit({"body": body, "_cs": "あ".encode()}, "/echo")
        assert handset.status == 200
        assert store.bodies("alice") == ["晴れ☀️"]

    @pytest.mark.parametrize("name", FEATURE_PHONES + ("pc",))
    def test_field_without_probe_uses_terminal_codec(self, signed_in, store, name):
        """A post without the probe field is read with the terminal's own form codec."""
        handset = signed_in(name, "alice")
        handset.get(handset.home_url())
        handset.submit({"body": "晴れ☀️雨☔"}, "/echo", drop=("_cs",))
        assert handset.status == 200, handset.text
        assert store.bodies("alice") == ["晴れ☀️雨☔"]

    @pytest.mark.parametrize("name", PHONES)
    def test_every_phone_posts_its_own_notation(self, signed_in, store, name):
        """Each phone posts emoji in its notation and the store gets internal text."""
        handset = signed_in(name, "alice")
        handset.post_echo("雪⛄と🍺と❤️")
        assert handset.status == 200, handset.text
        assert store.bodies("alice") == ["雪⛄と🍺と❤️"]

    def test_docomo_numeric_references(self, signed_in, store):
        """DoCoMo's references are read: decimal as Shift_JIS codes, hex as Unicode."""
        handset = signed_in("docomo_mova", "alice")
        handset.get(handset.home_url())
        handset.submit({"body": "晴れ&#63647;曇り&#xE63F;"}, "/echo")
        assert store.bodies() == ["晴れ☀️曇り☁️"]

    def test_references_are_text_from_a_pc(self, signed_in, store):
        """From a PC the same references are just text."""
        handset = signed_in("pc", "alice")
        handset.post_echo("&#63647;&#xE63E;")
        assert store.bodies() == ["&#63647;&#xE63E;"]

    @pytest.mark.parametrize("name, sent", sorted(SUN_AS_SENT.items()))
    def test_phone_sends_its_carrier_bytes(self, signed_in, store, name, sent):
        """Each phone's form bytes for the sun are its carrier's, and they are read back."""
        handset = signed_in(name, "alice")
        handset.get(handset.home_url())
        assert handset.urlencode({"body": "☀️"}) == b"body=" + sent
        handset.submit({"body": "☀️"}, "/echo")
        assert store.bodies() == ["☀️"]

    def test_raw_unescaped_bytes(self, signed_in, store):
        """A body with raw (not percent-encoded) Shift_JIS bytes is read too."""
        handset = signed_in("docomo_mova", "alice")
        handset.get(handset.home_url())
        fields = dict(handset.form("/echo").values())
        raw = handset.urlencode({k: v for k, v in fields.items() if k != "body"})
        handset.submit(
            raw_body=raw + b"&body=" + "晴れ".encode("cp932") + b"\xf8\x9f", form="/echo"
        )
        assert handset.status == 200
        assert store.bodies() == ["晴れ☀️"]


class TestTemplates:
    """Templates are chosen per terminal: carrier, then mobile, then generic."""

    def test_template_names_of_a_feature_phone(self, phone):
        """A DoCoMo handset tries the DoCoMo template, then the mobile one, then the generic."""
        terminal = phone("docomo_mova").terminal
        assert outbound.template_names("home.html", terminal) == [
            "home.docomo.html",
            "home.mobile.html",
            "home.html",
        ]

    def test_template_names_of_a_pc(self, phone):
        """A PC skips the mobile template."""
        terminal = phone("pc").terminal
        assert outbound.template_names("home.html", terminal) == ["home.pc.html", "home.html"]

    def test_full_browser_does_not_get_handset_templates(self):
        """A DoCoMo full browser renders like a PC, so it never gets i-mode templates."""
        terminal = terminals.detect({"User-Agent": "Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)"})
        assert terminal.full_browser
        names = outbound.template_names("home.html", terminal)
        assert "home.docomo.html" not in names and "home.mobile.html" not in names
        assert names[-1] == "home.html"

    @pytest.fixture
    def extra_templates(self, app, monkeypatch):
        """Put test-only templates in front of the app's own, and forget them afterwards."""

        def add(templates: dict) -> None:
            loader = ChoiceLoader([DictLoader(templates), app.jinja_loader])
            monkeypatch.setattr(app, "jinja_loader", loader)
            app.jinja_env.cache.clear()

        yield add
        app.jinja_env.cache.clear()

    def test_most_specific_template_wins(self, extra_templates, phone):
        """A ``*.docomo.html`` beats ``*.mobile.html``, which beats the generic template."""
        extra_templates(
            {
                "echo/welcome.docomo.html": "{% extends 'base.html' %}"
                "{% block body %}<p>DOCOMO PAGE</p>{% endblock %}",
                "echo/welcome.mobile.html": "{% extends 'base.html' %}"
                "{% block body %}<p>MOBILE PAGE</p>{% endblock %}",
            }
        )
        seen = {}
        for name in ("docomo_mova", "au", "pc"):
            handset = phone(name)
            handset.get("/")
            seen[name] = handset.text
        assert "DOCOMO PAGE" in seen["docomo_mova"]
        assert "MOBILE PAGE" in seen["au"] and "DOCOMO PAGE" not in seen["au"]
        assert "いまの気持ち" in seen["pc"] and "PAGE" not in seen["pc"]


class TestKeypad:
    """Input modes and accesskeys for phone keypads."""

    def _postbox(self, handset) -> dict:
        handset.get(handset.home_url())
        return next(attrs for attrs in handset.inputs() if attrs.get("name") == "body")

    @pytest.mark.parametrize("name", ISTYLE_PHONES)
    def test_istyle_on_post_box(self, signed_in, name):
        """DoCoMo, au and WILLCOM open the post box in hiragana (istyle="1")."""
        box = self._postbox(signed_in(name, "alice"))
        assert box.get("istyle") == "1"
        assert "mode" not in box

    @pytest.mark.parametrize("name", MODE_PHONES)
    def test_mode_on_post_box(self, signed_in, name):
        """SoftBank handsets open the post box with mode="hiragana"."""
        box = self._postbox(signed_in(name, "alice"))
        assert box.get("mode") == "hiragana"
        assert "istyle" not in box

    @pytest.mark.parametrize("name", ["docomo_foma", "docomo_foma_b1"])
    def test_wap_input_format_on_xhtml(self, signed_in, name):
        """XHTML pages add the -wap-input-format style for hiragana."""
        box = self._postbox(signed_in(name, "alice"))
        assert box.get("style") == '-wap-input-format:"*<ja:h>"'

    def test_no_wap_style_on_imode_html(self, signed_in):
        """i-mode HTML (mova) has istyle only, no CSS."""
        box = self._postbox(signed_in("docomo_mova", "alice"))
        assert "style" not in box

    @pytest.mark.parametrize("name", ["iphone", "pc"])
    def test_no_input_mode_on_smartphones(self, signed_in, name):
        """Smartphones and PCs get no carrier input-mode attributes."""
        box = self._postbox(signed_in(name, "alice"))
        assert not {"istyle", "mode", "style"} & set(box)

    @pytest.mark.parametrize("name", FEATURE_PHONES)
    def test_main_links_have_accesskeys_and_keycaps(self, signed_in, name):
        """Home, archive, replies, friends and own page sit on keys 1-5 with keycap emoji."""
        handset = signed_in(name, "alice")
        handset.get(handset.home_url())
        keyed = {
            link.attrs["accesskey"]: link.text
            for link in handset.links()
            if "accesskey" in link.attrs
        }
        for number, label in enumerate(["ホーム", "過去ログ", "返信", "マイミク", "自分"], 1):
            assert keyed[str(number)] == f"{number}\ufe0f\u20e3{label}"

    @pytest.mark.parametrize("name", sorted(KEYCAP_BYTES))
    def test_keycaps_in_carrier_bytes(self, signed_in, name):
        """The keycap emoji are written in the carrier's own codes (DoCoMo F987...)."""
        handset = signed_in(name, "alice")
        handset.get(handset.home_url())
        for number, code in enumerate(KEYCAP_BYTES[name], 1):
            assert f'accesskey="{number}">'.encode() + code in handset.raw

    @pytest.mark.parametrize("name", ["iphone", "pc"])
    def test_no_keypad_labels_without_a_keypad(self, signed_in, phone, name):
        """Smartphones and PCs get the same menu with no accesskey and no keycap emoji."""
        handset = signed_in(name, "alice")
        for path in ("/", "/archive", "/friends", "/u/alice", "/settings/profile"):
            handset.get(path)
            assert b"accesskey" not in handset.raw, path
            assert "\u20e3" not in handset.text, path
            menu = [link.text for link in handset.links()][1:7]  # after the service name
            assert menu == ["ホーム", "過去ログ", "返信", "マイミク", "自分", "設定"], path
        visitor = phone(name)
        visitor.get("/")
        assert b"accesskey" not in visitor.raw and "\u20e3" not in visitor.text
        assert visitor.has_link("ログイン") and visitor.has_link("新規登録")

    def test_signed_out_links_have_accesskeys(self, phone):
        """Signed out, sign-in and sign-up are on keys 1 and 2."""
        handset = phone("docomo_mova")
        handset.get("/")
        assert handset.link("ログイン").attrs["accesskey"] == "1"
        assert handset.link("新規登録").attrs["accesskey"] == "2"
