"""Terminal detection (mobile_gateway.phone.terminals): UA families, page facts, bad input."""

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import EnvironHeaders, Headers

from mobile_gateway.phone import terminals
from mobile_gateway.phone.terminals import (
    AU,
    CARRIERS,
    DOCOMO,
    PC,
    SMARTPHONE,
    SOFTBANK,
    WILLCOM,
    Terminal,
    detect,
    detect_uncached,
)

KB = 1024
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "ua-sample.tsv"
JAPANESE_CARRIERS = {DOCOMO, AU, SOFTBANK, WILLCOM}

#: Sample rows we get wrong, by User-Agent, with the reason. The sample test asserts that the
#: misses are exactly these keys, so an entry must go when it is fixed and a new miss must be
#: explained here. (None at the moment.)
KNOWN_MISSES: dict[str, str] = {}

# Where the sources' idea of "model" has its own shape (all matched, compared ignoring case):
# au rows give the device id (CA3H, TS21), not the marketing name; DDI POCKET rows give the
# model field as the UA writes it, two names and a comma ("AH-J3001V,AH-J3002V"); the Motorola
# row gives X-JPHONE-MSNAME ("V702MO"), not the "V980" of the UA; WS007SH comes from a Windows CE
# UA. uamobile's crawler verdicts for the same UA differ by REMOTE_ADDR (is_crawler=False when
# the address is not Google's); we trust the UA, so those rows only check the carrier.


def sample_rows() -> list[dict[str, str]]:
    """Return the rows of ua-sample.tsv (tab-separated, CSV quoting, header row)."""
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def row_headers(row: dict[str, str]) -> dict[str, str]:
    """Return the request headers of a sample row (REMOTE_ADDR is an address, not a header)."""
    headers = json.loads(row["extra_headers"]) if row["extra_headers"] else {}
    headers.pop("REMOTE_ADDR", None)
    headers["User-Agent"] = row["user_agent"]
    return headers


def carrier_is_right(row: dict[str, str], terminal: Terminal) -> bool:
    """Whether *terminal* agrees with the row's verdict, read as README-data.md says."""
    if row["peer_label"].startswith("nonmobile:") or row["carrier"] == "other":
        return terminal.carrier not in JAPANESE_CARRIERS
    if row["carrier"] == "crawler":
        return terminal.is_crawler
    return terminal.carrier == row["carrier"]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    """The ua-sample.tsv rows, or a skip when the shared data is not beside the repository."""
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} not found: the shared test data lives in ../shared beside the repo")
    return sample_rows()


def ua(user_agent: str, **headers: str) -> Terminal:
    """Detect a request with *user_agent* and *headers* (underscores for dashes), uncached."""
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return detect_uncached({"User-Agent": user_agent, **named})


class TestSample:
    """Accuracy on the shared sample of collected User-Agents."""

    def test_carrier_accuracy(self, rows):
        """The carrier verdict is right in at least 99% of the rows."""
        right = sum(carrier_is_right(row, detect(row_headers(row))) for row in rows)
        assert right / len(rows) >= 0.99, f"{right}/{len(rows)}"

    def test_model_accuracy(self, rows):
        """The model is right in at least 99% of the rows that give one."""
        with_model = [row for row in rows if row["model"]]
        right = sum(
            (detect(row_headers(row)).model or "").lower() == row["model"].lower()
            for row in with_model
        )
        assert with_model and right / len(with_model) >= 0.99, f"{right}/{len(with_model)}"

    def test_misses_are_the_known_misses(self, rows):
        """Every carrier or model miss is listed in KNOWN_MISSES, and every entry still misses."""
        misses = set()
        for row in rows:
            terminal = detect(row_headers(row))
            model_wrong = row["model"] and (terminal.model or "").lower() != row["model"].lower()
            if not carrier_is_right(row, terminal) or model_wrong:
                misses.add(row["user_agent"])
        assert misses == set(KNOWN_MISSES)

    def test_crawlers_posing_as_handsets(self, rows):
        """Rows a peer marks as a crawler in a handset's UA are flagged and keep the carrier."""
        flagged = [row for row in rows if "is_crawler=True" in row["peer_label"]]
        assert flagged
        for row in flagged:
            terminal = detect(row_headers(row))
            assert terminal.is_crawler and terminal.carrier == row["carrier"], row["user_agent"]


class TestDocomo:
    """i-mode: model, browser version, cache budget, display, cookies, page format."""

    @pytest.mark.parametrize(
        "user_agent, model, browser, budget, chars",
        [
            ("DoCoMo/1.0/D501i", "D501i", "1.0", 5 * KB, None),
            ("DoCoMo/1.0/P503i/c10/serNMABH200331", "P503i", "1.0", 10 * KB, None),
            ("DoCoMo/1.0/SO506iC/c20/TB/W20H10", "SO506iC", "1.0", 20 * KB, (20, 10)),
            (
                "DoCoMo/2.0 N2001(c10;ser0123456789abcde;icc01234567890123456789)",
                "N2001",
                "1.0",
                10 * KB,
                None,
            ),
            ("DoCoMo/2.0 SH902i(c100;TB;W24H12)", "SH902i", "1.0", 30 * KB, (24, 12)),
            ("DoCoMo/2.0 P07A3(c500;TB;W24H15)", "P07A3", "2.0", 100 * KB, (24, 15)),
            ("DoCoMo/3.0 N01A(c500;TB;W24H16)", "N01A", "2.0", 100 * KB, (24, 16)),
            ("DoCoMo/2.0 P03B(c500;TB;W24H16)", "P03B", "2.0LE", 100 * KB, (24, 16)),
            ("DoCoMo/2.0 MST_v_SH2101V(c100;TB)", "SH2101V", "1.0", 30 * KB, None),
            (
                "DoCoMo/2.0 N702iD(icc8981100000327921096F;c100;TB;W24H12;ser356623000314657)",
                "N702iD",
                "1.0",
                30 * KB,
                (24, 12),
            ),
        ],
    )
    def test_handset(self, user_agent, model, browser, budget, chars):
        """Model, i-mode browser, page budget and W/H characters come from the UA."""
        terminal = ua(user_agent)
        assert terminal.carrier == DOCOMO and terminal.is_feature_phone
        assert (terminal.model, terminal.browser) == (model, browser)
        assert terminal.page_budget == budget
        assert terminal.screen_chars == chars
        assert terminal.screen is None  # characters, not pixels
        assert terminal.cookies is (browser != "1.0")
        assert not terminal.is_crawler

    @pytest.mark.parametrize(
        "user_agent, serial",
        [
            ("DoCoMo/1.0/P503i/c10/serNMABH200331", "NMABH200331"),
            ("DoCoMo/2.0 N2001(c10;ser0123456789abcde;icc01234567890123456789)", "0123456789abcde"),
            ("DoCoMo/2.0 SH902i(c100;TB;W24H12)", None),
        ],
    )
    def test_serial(self, user_agent, serial):
        """The ``ser`` field of a utn request is the serial."""
        assert ua(user_agent).serial == serial

    def test_mova_page_format(self):
        """mova gets i-mode HTML in Shift_JIS with the DoCoMo codec."""
        terminal = ua("DoCoMo/1.0/P503i/c10")
        assert terminal.content_type_header == "text/html; charset=Shift_JIS"
        assert (terminal.page_codec, terminal.form_codec) == ("x-sjis-docomo", "x-sjis-docomo")

    def test_foma_page_format(self):
        """FOMA gets XHTML as application/xhtml+xml, so that its CSS applies."""
        terminal = ua("DoCoMo/2.0 SH902i(c100;TB;W24H12)")
        assert terminal.content_type == "application/xhtml+xml"
        assert terminal.content_type_header == "application/xhtml+xml; charset=Shift_JIS"
        assert terminal.charset == "Shift_JIS" and terminal.page_codec == "x-sjis-docomo"

    @pytest.mark.parametrize("guid, expected", [("000000a", "000000a"), (" FFFFFFF ", "FFFFFFF")])
    def test_guid(self, guid, expected):
        """X-DCMGUID of the i-mode shape is the subscriber id, stripped."""
        assert ua("DoCoMo/2.0 P07A3(c500;TB;W24H15)", X_DCMGUID=guid).subscriber_id == expected

    @pytest.mark.parametrize(
        "guid", ["000000", "000000a0", "00 000a", "００００００a", "000000\x00", "<script>", "NULL"]
    )
    def test_malformed_guid(self, guid):
        """An X-DCMGUID of another shape is not a subscriber id."""
        assert ua("DoCoMo/2.0 P07A3(c500;TB;W24H15)", X_DCMGUID=guid).subscriber_id is None

    def test_other_carriers_ids_ignored(self):
        """An au or SoftBank id header on an i-mode request is not its subscriber id."""
        terminal = ua(
            "DoCoMo/2.0 P07A3(c500;TB;W24H15)",
            X_UP_SUBNO="00000000000000_mj.ezweb.ne.jp",
            X_JPHONE_UID="aaaaaaaaaaaaaaaa",
        )
        assert terminal.subscriber_id is None

    def test_googlebot_mobile(self):
        """Googlebot-Mobile posing as an N905i gets the DoCoMo page, flagged, without cookies."""
        terminal = ua(
            "DoCoMo/2.0 N905i(c100;TB;W24H16) (compatible; Googlebot-Mobile/2.1; "
            "+http://www.google.com/bot.html)"
        )
        assert (terminal.carrier, terminal.model, terminal.is_crawler) == (DOCOMO, "N905i", True)
        assert not terminal.cookies

    def test_crawler_loses_cookies_on_browser_2(self):
        """A crawler posing as an i-mode browser 2.0 handset gets no cookies."""
        terminal = ua("DoCoMo/2.0 P07A(c500;TB;W24H15) (compatible; moba-crawler; http://x.jp/)")
        assert terminal.browser == "2.0" and terminal.is_crawler and not terminal.cookies

    def test_transcoder(self):
        """Google's CHTML proxy is a crawler on a DoCoMo page."""
        terminal = ua("DoCoMo/1.0/P209is (Google CHTML Proxy/1.0)")
        assert (terminal.carrier, terminal.model, terminal.is_crawler) == (DOCOMO, "P209is", True)

    def test_full_browser(self):
        """The full browser keeps the DoCoMo key but renders like a PC, without an i-mode id."""
        terminal = ua("Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)", X_DCMGUID="000000a")
        assert terminal.carrier == DOCOMO and terminal.full_browser
        assert not terminal.is_feature_phone
        assert terminal.model == "N905imyu_W"
        assert terminal.content_type_header == "text/html; charset=UTF-8"
        assert terminal.page_codec == "x-utf8-unicode" and terminal.cookies
        assert terminal.page_budget == 500 * KB
        assert terminal.subscriber_id is None


class TestAu:
    """EZweb: device id, UP.Browser, X-UP-* headers, cookies and HTTPS."""

    @pytest.mark.parametrize(
        "user_agent, model, browser, budget",
        [
            (
                "KDDI-TS21 UP.Browser/6.0.2.276 (GUI) MMP/1.1",
                "TS21",
                "UP.Browser/6.0.2.276",
                9 * KB,
            ),
            (
                "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
                "CA32",
                "UP.Browser/6.2.0.7.3.129",
                9 * KB,
            ),
            (
                "KDDI-CA3H UP.Browser/6.2_7.2.7.1.K.5.207 (GUI) MMP/2.0",
                "CA3H",
                "UP.Browser/6.2_7.2.7.1.K.5.207",
                9 * KB,
            ),
            ("UP.Browser/3.04-TST4 UP.Link/3.4.5.6", "TST4", "UP.Browser/3.04", 7680),
            ("UP.Browser/3.01-HI01 UP.Link/3.4.5.2", "HI01", "UP.Browser/3.01", 7680),
        ],
    )
    def test_handset(self, user_agent, model, browser, budget):
        """Device id, browser and the WAP 2.0 / WAP 1.0 default budget."""
        terminal = ua(user_agent)
        assert (terminal.carrier, terminal.model, terminal.browser) == (AU, model, browser)
        assert terminal.page_budget == budget
        assert terminal.cookies and terminal.is_feature_phone and not terminal.is_crawler
        assert terminal.content_type_header == "text/html; charset=Shift_JIS"
        assert (terminal.page_codec, terminal.form_codec) == ("x-sjis-kddi", "x-sjis-kddi")

    def test_max_pdu(self):
        """X-UP-DEVCAP-MAX-PDU, when believable, is the page budget."""
        wap2 = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
        assert ua(wap2, X_UP_DEVCAP_MAX_PDU="131072").page_budget == 131072
        for bad in ("lots", "0", "99999999999", "-5", "12 34"):
            assert ua(wap2, X_UP_DEVCAP_MAX_PDU=bad).page_budget == 9 * KB, bad

    def test_screen(self):
        """X-UP-DEVCAP-SCREENPIXELS gives the screen in pixels; nonsense gives None."""
        wap2 = "KDDI-TS21 UP.Browser/6.0.2.276 (GUI) MMP/1.1"
        assert ua(wap2, X_UP_DEVCAP_SCREENPIXELS="90,70").screen == (90, 70)
        assert ua(wap2, X_UP_DEVCAP_SCREENPIXELS="wide").screen is None
        assert ua(wap2, X_UP_DEVCAP_SCREENPIXELS="0,70").screen is None

    def test_no_cookies_over_https(self):
        """au handsets drop cookies over HTTPS."""
        headers = {"User-Agent": "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"}
        assert detect_uncached(headers).cookies
        assert not detect_uncached(headers, secure=True).cookies

    def test_subno(self):
        """X-UP-SUBNO of the EZweb shape is the subscriber id; an X-DCMGUID is ignored."""
        terminal = ua(
            "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
            X_UP_SUBNO="00000000000000_mj.ezweb.ne.jp",
            X_DCMGUID="000000a",
        )
        assert terminal.subscriber_id == "00000000000000_mj.ezweb.ne.jp"
        spoof = ua("KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0", X_DCMGUID="000000a")
        assert spoof.subscriber_id is None

    @pytest.mark.parametrize(
        "subno",
        [
            "00000000000000_mj.ezweb.ne.jp.evil.example",
            "0000000000000_mj.ezweb.ne.jp",
            "00000000000000_mj.example.jp",
            "00000000000000",
            "0" * 300,
        ],
    )
    def test_malformed_subno(self, subno):
        """An X-UP-SUBNO of another shape is not a subscriber id."""
        terminal = ua("KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0", X_UP_SUBNO=subno)
        assert terminal.subscriber_id is None

    def test_crawler(self):
        """goo's mobile crawler posing as an au handset is flagged and keeps the au page."""
        terminal = ua(
            "KDDI-CA31 UP.Browser/6.2.0 (GUI) (compatible; ichiro/mobile goo; "
            "+http://help.goo.ne.jp/door/crawler.html)"
        )
        assert (terminal.carrier, terminal.model, terminal.is_crawler) == (AU, "CA31", True)
        assert not terminal.cookies

    def test_pc_site_browser(self):
        """au's PC-site browser keeps the au key and renders like a PC."""
        terminal = ua("Mozilla/4.0 (compatible; MSIE 6.0; KDDI-CA3B) Opera 8.60 [ja]")
        assert (terminal.carrier, terminal.model, terminal.browser) == (AU, "CA3B", "Opera/8.60")
        assert terminal.full_browser and not terminal.is_feature_phone
        assert terminal.charset == "UTF-8" and terminal.page_codec == "x-utf8-unicode"


class TestSoftbank:
    """SoftBank 3G, Vodafone, J-PHONE and Motorola: generations, budgets, cookies, codecs."""

    @pytest.mark.parametrize(
        "user_agent, model, browser",
        [
            (
                "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3 "
                "Profile/MIDP-2.0 Configuration/CLDC-1.1",
                "910T",
                "NetFront/3.3",
            ),
            (
                "SoftBank/2.0/944SH/SHJ001/SN000000000000000 Browser/NetFront/3.5 "
                "Profile/MIDP-2.0 Configuration/CLDC-1.1",
                "944SH",
                "NetFront/3.5",
            ),
            (
                "Vodafone/1.0/V903SH/SHJ001/SN000000000000000 Browser/UP.Browser/7.0.2.1 "
                "Profile/MIDP-2.0 Configuration/CLDC-1.1 Ext-J-Profile/JSCL-1.2.2 "
                "Ext-V-Profile/VSCL-2.0.0",
                "V903SH",
                "UP.Browser/7.0.2.1",
            ),
            (
                "MOT-V980/80.2B.04I MIB/2.2.1 Profile/MIDP-2.0 Configuration/CLDC-1.1",
                "V980",
                None,
            ),
        ],
    )
    def test_3g(self, user_agent, model, browser):
        """3G handsets: UTF-8 with SoftBank emoji, 300 KB, cookies."""
        terminal = ua(user_agent)
        assert (terminal.carrier, terminal.model, terminal.browser) == (SOFTBANK, model, browser)
        assert terminal.page_budget == 300 * KB and terminal.cookies
        assert terminal.content_type_header == "text/html; charset=UTF-8"
        assert (terminal.page_codec, terminal.form_codec) == ("x-utf8-softbank", "x-utf8-softbank")

    @pytest.mark.parametrize(
        "user_agent, model, budget, cookies",
        [
            ("J-PHONE/2.0/J-DN02", "J-DN02", 6 * KB, False),
            (
                "J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 "
                "Configuration/CLDC-1.0 Ext-Profile/JSCL-1.1.0",
                "J-SH51",
                6 * KB,
                False,
            ),
            ("J-PHONE/5.0/V801SA", "V801SA", 12 * KB, True),
        ],
    )
    def test_jphone(self, user_agent, model, budget, cookies):
        """J-PHONE: Shift_JIS, webcode emoji in pages; cookies and 12 KB from J-PHONE/5.0."""
        terminal = ua(user_agent)
        assert (terminal.carrier, terminal.model) == (SOFTBANK, model)
        assert (terminal.page_budget, terminal.cookies) == (budget, cookies)
        assert terminal.content_type_header == "text/html; charset=Shift_JIS"
        assert terminal.page_codec == "x-sjis-softbank-webcode"
        assert terminal.form_codec == "x-sjis-softbank"

    def test_serial(self):
        """``/SN...`` in the UA is the serial."""
        assert ua("J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa").serial == "JSHA3029293"
        assert ua("SoftBank/1.0/910T/TJ001/SN123456789012345 Browser/NetFront/3.3").serial == (
            "123456789012345"
        )

    def test_motorola_msname(self):
        """A Motorola UA takes its model from X-JPHONE-MSNAME when that looks like a model."""
        mot = "MOT-V980/80.2B.04I MIB/2.2.1 Profile/MIDP-2.0 Configuration/CLDC-1.1"
        assert ua(mot, X_JPHONE_MSNAME="V702MO").model == "V702MO"
        assert ua(mot, X_JPHONE_MSNAME="<b>V702MO</b>").model == "V980"

    def test_display(self):
        """X-JPHONE-DISPLAY gives the screen in pixels."""
        assert ua("J-PHONE/4.0/J-SH51", X_JPHONE_DISPLAY="120*117").screen == (120, 117)
        assert ua("J-PHONE/4.0/J-SH51", X_JPHONE_DISPLAY="120x").screen is None

    @pytest.mark.parametrize(
        "uid, expected",
        [
            ("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa"),
            ("abcdef0123456789", "abcdef0123456789"),
            ("a0123456789ABCDEF", "a0123456789ABCDEF"),
            ("NULLGWDOCOMO", None),
            ("aaaaaaaaaaaaaaa", None),
            ("aaaaaaaa aaaaaaa", None),
            ("0aaaaaaaaaaaaaaaa", None),
        ],
    )
    def test_uid(self, uid, expected):
        """X-JPHONE-UID: 16 alphanumerics, or a letter and 16; anything else is no id."""
        terminal = ua("SoftBank/1.0/910T/TJ001 Browser/NetFront/3.3", X_JPHONE_UID=uid)
        assert terminal.subscriber_id == expected

    def test_crawler(self):
        """Yahoo's mobile crawler posing as a Vodafone handset is flagged."""
        terminal = ua(
            "Vodafone/1.0/V705SH (compatible; Y!J-SRD/1.0; "
            "http://help.yahoo.co.jp/help/jp/search/indexing/indexing-27.html)"
        )
        assert (terminal.carrier, terminal.model, terminal.is_crawler) == (SOFTBANK, "V705SH", True)
        assert not terminal.cookies


class TestWillcom:
    """WILLCOM and DDI POCKET: model, browser, cache budget."""

    @pytest.mark.parametrize(
        "user_agent, model, browser, budget",
        [
            (
                "Mozilla/3.0(WILLCOM;KYOCERA/WX310K/2;1.2.2.16.000000/0.1/C100) Opera 7.0",
                "WX310K",
                "Opera/7.0",
                100 * KB,
            ),
            (
                "Mozilla/3.0(WILLCOM;SANYO/WX310SA/2;1/1/C128) NetFront/3.3",
                "WX310SA",
                "NetFront/3.3",
                128 * KB,
            ),
            (
                "Mozilla/3.0(WILLCOM;TOSHIBA/WX320T/2;1/1/C128) NetFront/3.4",
                "WX320T",
                "NetFront/3.4",
                128 * KB,
            ),
            (
                "Mozilla/3.0(DDIPOCKET;JRC/AH-J3001V,AH-J3002V/1.0/0100/c50)CNF/2.0",
                "AH-J3001V,AH-J3002V",
                "CNF/2.0",
                50 * KB,
            ),
            (
                "Mozilla/3.0(DDIPOCKET;KYOCERA/AH-K3001V/1.8.2.71.000000/0.1/C100) Opera 7.0",
                "AH-K3001V",
                "Opera/7.0",
                100 * KB,
            ),
            ("Mozilla/3.0(WILLCOM;KYOCERA/WX999K)", "WX999K", None, 100 * KB),
        ],
    )
    def test_handset(self, user_agent, model, browser, budget):
        """Shift_JIS with DoCoMo-compatible emoji, cookies, ``C<N>`` KB (100 KB without)."""
        terminal = ua(user_agent, X_DCMGUID="000000a")
        assert (terminal.carrier, terminal.model, terminal.browser) == (WILLCOM, model, browser)
        assert terminal.page_budget == budget and terminal.cookies
        assert terminal.content_type_header == "text/html; charset=Shift_JIS"
        assert (terminal.page_codec, terminal.form_codec) == ("x-sjis-willcom", "x-sjis-willcom")
        assert terminal.subscriber_id is None

    def test_w_zero3(self):
        """W-ZERO3's Windows CE browser is a WILLCOM handset with its screen in the UA."""
        terminal = ua(
            "Mozilla/4.0 (compatible; MSIE 4.01; Windows CE; SHARP/WS007SH; PPC; 480x640)"
        )
        assert (terminal.carrier, terminal.model, terminal.screen) == (
            WILLCOM,
            "WS007SH",
            (480, 640),
        )


class TestSmartphonesAndPcs:
    """Everything that is not a Japanese carrier's own browser."""

    @pytest.mark.parametrize(
        "user_agent, model",
        [
            (
                "Mozilla/5.0 (iPhone; U; CPU iPhone OS 3_0 like Mac OS X; ja-jp) AppleWebKit/528.18"
                " (KHTML, like Gecko) Version/4.0 Mobile/7A341 Safari/528.16",
                "iPhone",
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 5_1 like Mac OS X) AppleWebKit/534.46 "
                "(KHTML, like Gecko) Version/5.1 Mobile/9B176 Safari/7534.48.3",
                "iPad",
            ),
            (
                "Mozilla/5.0 (Linux; U; Android 2.3.4; ja-jp; SBM009SH Build/S0008) "
                "AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1",
                "SBM009SH",
            ),
            (
                "Mozilla/5.0 (Linux; Android 9; SM-N960F) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/72.0.3626.105 Mobile Safari/537.36",
                "SM-N960F",
            ),
            ("Mozilla/5.0 (Android 11; Mobile; rv:93.0) Gecko/93.0 Firefox/93.0", None),
            (
                "Mozilla/5.0 (compatible; MSIE 9.0; Windows Phone OS 7.5; Trident/5.0; "
                "IEMobile/9.0; FujitsuToshibaMobileCommun; IS12T; KDDI)",
                None,
            ),
            ("BlackBerry9700/5.0.0.351 Profile/MIDP-2.1 Configuration/CLDC-1.1", None),
            ("Mozilla/4.0 (compatible; MSIE 6.0; Windows CE; IEMobile 7.7) S12HT", None),
            (
                "Mozilla/5.0 (Linux; Android 6.0; CUBOT NOTE S Build/MRA58K) Chrome/50",
                "CUBOT NOTE S",
            ),
        ],
    )
    def test_smartphone(self, user_agent, model):
        """Smartphones: UTF-8 with Unicode emoji, 1 MB, cookies, model where the UA names it."""
        terminal = ua(user_agent)
        assert (terminal.carrier, terminal.model) == (SMARTPHONE, model)
        assert not terminal.is_feature_phone and not terminal.is_crawler
        assert terminal.content_type_header == "text/html; charset=UTF-8"
        assert terminal.page_codec == terminal.form_codec == "x-utf8-unicode"
        assert terminal.page_budget == 1024 * KB and terminal.cookies

    @pytest.mark.parametrize(
        "user_agent",
        [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
            "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)",
            "emobile/1.0.0 (H11T; like Gecko; Wireless) NetFront/3.4",
            "Mozilla/5.0 (H11T; like Gecko; OpenBrowser) NetFront/3.4",
            "Mozilla/4.0 (jig browser9)",
            "Mozilla/2.0 (compatible; MSIE 3.02; Windows CE; 240x320)",
            "Opera/9.30 (Nintendo Wii; U; ; 3642; ja)",
            "DoCoMo/",
            "KDDI",
        ],
    )
    def test_pc(self, user_agent):
        """PCs and other non-carrier browsers (EMOBILE, jig, PDAs, consoles) are ``pc``."""
        terminal = ua(user_agent)
        assert (terminal.carrier, terminal.is_crawler, terminal.cookies) == (PC, False, True)
        assert terminal.charset == "UTF-8" and terminal.page_budget == 1024 * KB

    def test_spoofed_carrier_ids_ignored(self):
        """Carrier subscriber-id headers on a PC request are ignored."""
        terminal = ua(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
            X_DCMGUID="000000a",
            X_UP_SUBNO="00000000000000_mj.ezweb.ne.jp",
            X_JPHONE_UID="aaaaaaaaaaaaaaaa",
        )
        assert terminal.carrier == PC and terminal.subscriber_id is None


class TestCrawlers:
    """The crawler flag for PC bots, mobile crawlers and transcoding gateways."""

    @pytest.mark.parametrize(
        "user_agent",
        [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Googlebot-Image/1.0",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
            "Y!J-MBS/1.0 (compatible; Yahoo! Japan)",
            "moba-crawler",
            "ichiro/3.0 (http://help.goo.ne.jp/door/crawler.html)",
            "Mediapartners-Google",
            "Hatena-Mobile-Gateway/1.0",
            "livedoor-Mobile-Gateway/1.0",
            "Nokia6820/2.0 (4.83) Profile/MIDP-1.0 Configuration/CLDC-1.0 (compatible; "
            "Googlebot-Mobile/2.1; +http://www.google.com/bot.html)",
        ],
    )
    def test_pc_bot(self, user_agent):
        """A bot without a carrier prefix is a ``pc`` crawler without cookies."""
        terminal = ua(user_agent)
        assert (terminal.carrier, terminal.is_crawler, terminal.cookies) == (PC, True, False)

    @pytest.mark.parametrize(
        "user_agent, carrier",
        [
            (
                "DoCoMo/1.0/N505i/c20/TB/W20H10 (compatible; BaiduMobaider/1.0; +http://baidu.jp/)",
                DOCOMO,
            ),
            ("DoCoMo/2.0 SO902i(c100;TB;W20H10) (symphonybot1.froute.jp; +http://x.jp/)", DOCOMO),
            ("UP.Browser/3.04-MA13 UP.Link/3.4.4 (Google WAP Proxy/1.0)", AU),
            (
                "J-PHONE/3.0/J-SH10 (compatible; LD_mobile_bot; +http://helpguide.livedoor.com/)",
                SOFTBANK,
            ),
            (
                "SoftBank/1.0/913SH/SHJ001/SN000123456789000 Browser/NetFront/3.4 Profile/MIDP-2.0 "
                "(symphonybot1.froute.jp; +http://search.froute.jp/howto/crawler.html)",
                SOFTBANK,
            ),
        ],
    )
    def test_mobile_crawler(self, user_agent, carrier):
        """A mobile crawler posing as a handset keeps the carrier and is flagged."""
        terminal = ua(user_agent)
        assert (terminal.carrier, terminal.is_crawler, terminal.cookies) == (carrier, True, False)

    def test_smartphone_bot(self):
        """Google's smartphone bot is a smartphone crawler."""
        terminal = ua(
            "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/41.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
            "+http://www.google.com/bot.html)"
        )
        assert (terminal.carrier, terminal.is_crawler) == (SMARTPHONE, True)


class TestBadInput:
    """Missing, empty, oversized and garbled headers: a sensible terminal, never an exception."""

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            None,
            {"User-Agent": ""},
            {"User-Agent": "-"},
            {"User-Agent": "   "},
            {"User-Agent": None},
            {"User-Agent": 12345},
            {"User-Agent": "\x00\x01\x1b[31m\r\n"},
            {"User-Agent": "Mozilla/5.0 (\udcff\ufffd"},
            {"Accept": "*/*"},
        ],
    )
    def test_no_useful_user_agent(self, headers):
        """No User-Agent, an empty one or garbage is a ``pc``."""
        terminal = detect_uncached(headers)
        assert terminal.carrier == PC and not terminal.is_crawler
        assert isinstance(terminal.user_agent, str)

    def test_huge_user_agent(self):
        """A 10 kB UA is cut to MAX_USER_AGENT and still detected by its prefix."""
        terminal = ua("DoCoMo/2.0 SH902i(c100;TB;W24H12)" + "x" * 10_000)
        assert terminal.carrier == DOCOMO and terminal.model == "SH902i"
        assert len(terminal.user_agent) == terminals.MAX_USER_AGENT
        assert ua("A" * 10_000).carrier == PC

    def test_huge_other_header(self):
        """A 10 kB subscriber-id header is cut before it is looked at, and is no id."""
        terminal = ua("DoCoMo/2.0 P07A3(c500;TB;W24H15)", X_DCMGUID="0" * 10_000)
        assert terminal.subscriber_id is None

    def test_bytes_values(self):
        """bytes values are read as latin-1, also when they are not valid UTF-8."""
        terminal = detect_uncached(
            {
                b"User-Agent": b"KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
                "X-UP-SUBNO": b"\xff\xfe",
            }
        )
        assert (terminal.carrier, terminal.model, terminal.subscriber_id) == (AU, "CA32", None)
        assert detect_uncached({"User-Agent": b"\x83\x68\x83\x52\x83\x82\xff"}).carrier == PC

    def test_latin1_decoded_shift_jis(self):
        """A Shift_JIS UA that werkzeug decoded as latin-1 is a harmless ``pc``."""
        garbled = "ドコモ/2.0".encode("cp932").decode("latin-1")
        assert ua(garbled).carrier == PC

    @pytest.mark.parametrize(
        "name", ["user-agent", "USER-AGENT", "User-agent", "uSeR-aGeNt", "user_agent"]
    )
    def test_header_name_case(self, name):
        """Header names match in any capitalisation."""
        terminal = detect_uncached({name: "J-PHONE/2.0/J-DN02", "x-jphone-display": "120*117"})
        assert (terminal.carrier, terminal.screen) == (SOFTBANK, (120, 117))

    def test_werkzeug_headers(self):
        """werkzeug's EnvironHeaders and Headers are read like a dict."""
        environ = {
            "REQUEST_METHOD": "GET",
            "HTTP_USER_AGENT": "DoCoMo/2.0 P07A3(c500;TB;W24H15)",
            "HTTP_X_DCMGUID": "000000a",
            "HTTP_COOKIE": "session=1",
        }
        for headers in (
            EnvironHeaders(environ),
            Headers([("User-Agent", environ["HTTP_USER_AGENT"]), ("X-DCMGUID", "000000a")]),
        ):
            terminal = detect_uncached(headers)
            assert (terminal.carrier, terminal.subscriber_id) == (DOCOMO, "000000a")

    @settings(database=None, max_examples=300)
    @given(st.text(max_size=600))
    def test_any_text_user_agent(self, user_agent):
        """Any text as User-Agent gives a valid terminal."""
        check_valid(detect_uncached({"User-Agent": user_agent}))

    @settings(database=None, max_examples=200)
    @given(
        st.sampled_from(
            [
                "DoCoMo/",
                "DoCoMo/1.0/",
                "DoCoMo/2.0 ",
                "KDDI-",
                "UP.Browser/",
                "SoftBank/1.0/",
                "J-PHONE/",
                "MOT-",
                "Mozilla/3.0(WILLCOM;",
                "Mozilla/4.0 (compatible; MSIE 6.0; ",
            ]
        ),
        st.text(max_size=200),
    )
    def test_any_text_after_a_carrier_prefix(self, prefix, rest):
        """A carrier prefix followed by anything gives a valid terminal."""
        check_valid(detect_uncached({"User-Agent": prefix + rest}))

    @settings(database=None, max_examples=200)
    @given(
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "User-Agent",
                        "X-DCMGUID",
                        "x-up-subno",
                        "X-JPHONE-UID",
                        "X-JPHONE-MSNAME",
                        "X-UP-DEVCAP-SCREENPIXELS",
                        "X-UP-DEVCAP-MAX-PDU",
                        "X-JPHONE-DISPLAY",
                    ]
                ),
                st.text(max_size=30),
                st.binary(max_size=30),
            ),
            st.one_of(st.text(max_size=300), st.binary(max_size=300), st.none()),
            max_size=8,
        ),
        st.booleans(),
    )
    def test_any_headers(self, headers, secure):
        """Any header dict gives a valid terminal, cached or not, and the same one both ways."""
        terminal = detect(headers, "127.0.0.1", secure=secure)
        check_valid(terminal)
        assert detect_uncached(headers, secure=secure) == terminal


def check_valid(terminal: Terminal) -> None:
    """Assert the invariants every detected terminal keeps."""
    assert terminal.carrier in CARRIERS
    assert isinstance(terminal.user_agent, str)
    assert len(terminal.user_agent) <= terminals.MAX_USER_AGENT
    assert terminal.page_budget > 0
    assert terminal.charset in ("Shift_JIS", "UTF-8")
    assert terminal.subscriber_id is None or terminal.subscriber_id.isascii()
    assert not (terminal.is_crawler and terminal.cookies)
    assert terminal.is_feature_phone == (
        terminal.carrier in terminals.FEATURE_PHONE_CARRIERS and not terminal.full_browser
    )


class TestCache:
    """detect() caches by the header values it reads."""

    def test_same_headers_same_object(self):
        """The same header values give the identical, cached terminal."""
        headers = {"User-Agent": "DoCoMo/2.0 P07A3(c500;TB;W24H15)", "X-DCMGUID": "000000a"}
        first = detect(headers)
        before = terminals.cache_info().hits
        assert detect(dict(headers)) is first
        assert terminals.cache_info().hits == before + 1

    def test_irrelevant_headers_and_spelling_share_the_entry(self):
        """Headers detection does not read, and the spelling of names, do not split the cache."""
        first = detect({"User-Agent": "J-PHONE/2.0/J-DN02"})
        assert detect({"user-agent": "J-PHONE/2.0/J-DN02", "Cookie": "a=b", "Host": "x"}) is first

    def test_relevant_header_changes_the_answer(self):
        """A different subscriber id, display or HTTPS flag gives a different terminal."""
        user_agent = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
        plain = detect({"User-Agent": user_agent})
        with_id = detect({"User-Agent": user_agent, "X-UP-SUBNO": "00000000000000_mj.ezweb.ne.jp"})
        with_screen = detect({"User-Agent": user_agent, "X-UP-DEVCAP-SCREENPIXELS": "90,70"})
        over_https = detect({"User-Agent": user_agent}, secure=True)
        assert with_id.subscriber_id and not plain.subscriber_id
        assert with_screen.screen == (90, 70) and plain.screen is None
        assert plain.cookies and not over_https.cookies

    def test_uncached_is_equal_not_identical(self):
        """detect_uncached builds a new terminal equal to the cached one."""
        headers = {"User-Agent": "SoftBank/1.0/910T/TJ001 Browser/NetFront/3.3"}
        cached = detect(headers)
        fresh = detect_uncached(headers)
        assert fresh == cached and fresh is not cached

    def test_cache_clear(self):
        """cache_clear() empties the cache."""
        detect({"User-Agent": "DoCoMo/1.0/D501i"})
        terminals.cache_clear()
        assert terminals.cache_info().currsize == 0


class TestTerminal:
    """The Terminal value object."""

    @pytest.mark.parametrize(
        "user_agent",
        [
            "DoCoMo/2.0 SH902i(c100;TB;W24H12)",
            "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
            "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3",
            "Mozilla/3.0(WILLCOM;KYOCERA/WX310K/2;1.2.2.16.000000/0.1/C100) Opera 7.0",
            "Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)",
            "Mozilla/4.0 (compatible; MSIE 4.01; Windows CE; SHARP/WS007SH; PPC; 480x640)",
            "Mozilla/5.0 (Linux; Android 9; SM-N960F) AppleWebKit/537.36",
            "",
        ],
    )
    def test_fast_construction_matches_the_dataclass(self, user_agent):
        """Detected terminals have every field and equal the same values built by __init__."""
        terminal = ua(user_agent, X_DCMGUID="000000a")
        values = vars(terminal)
        assert set(values) == {field.name for field in dataclasses.fields(Terminal)}
        assert Terminal(**values) == terminal
        assert hash(Terminal(**values)) == hash(terminal)

    def test_frozen(self):
        """A terminal cannot be changed (cached ones are shared between requests)."""
        terminal = detect({"User-Agent": "DoCoMo/1.0/D501i"})
        with pytest.raises(dataclasses.FrozenInstanceError):
            terminal.carrier = PC  # type: ignore[misc]
