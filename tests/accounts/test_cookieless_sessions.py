"""Sessions without cookies: the sid in URLs, its hygiene, binding and expiry; CSRF."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from support.handsets import add_range
from support.phones import PHONES
from support.settings import PASSWORD

from mobile_gateway.accounts.web_session import COOKIE_NAME

COOKIELESS = ("docomo_mova", "docomo_foma_b1", "jphone")
WITH_COOKIES = ("docomo_foma", "au", "softbank", "willcom", "iphone", "pc")
_SID_RE = re.compile(r"[A-Za-z0-9_-]+")


def _sid_of(url: str) -> str | None:
    """Return the sid parameter of *url*, if any."""
    values = parse_qs(urlsplit(url).query).get("sid")
    return values[0] if values else None


def _signed_in(handset) -> bool:
    """Return whether the last page was shown to a signed-in user."""
    return "ログアウト" in handset.text


class TestSidInUrls:
    """Cookieless handsets carry the sid in internal URLs and forms, and nowhere else."""

    @pytest.mark.parametrize("name", COOKIELESS)
    def test_every_internal_url_carries_the_sid(self, signed_in, store, name):
        """Every internal link and form action of the home page carries the session's sid."""
        handset = signed_in(name, "alice")
        store.echo("alice", "見て http://example.com/page?a=1&b=2 です")
        handset.get(handset.home_url())
        sid = handset.sid
        assert sid
        internal = [link.href for link in handset.links() if not link.href.startswith("/exit")]
        internal += [form.action for form in handset.forms()]
        assert internal
        for url in internal:
            assert not urlsplit(url).netloc, url
            assert _sid_of(url) == sid, url

    @pytest.mark.parametrize("name", COOKIELESS)
    def test_sid_never_goes_to_another_site(self, signed_in, store, name):
        """An outside link goes through /exit, whose URL and outward link hold no sid."""
        handset = signed_in(name, "alice")
        store.echo("alice", "見て http://example.com/page?a=1&b=2 です")
        handset.get(handset.home_url())
        sid = handset.sid
        link = handset.link("http://example.com/page?a=1&b=2")
        assert link.href.startswith("/exit?")
        assert "sid" not in parse_qs(urlsplit(link.href).query)
        handset.click("http://example.com/page?a=1&b=2")
        assert handset.status == 200
        assert sid not in handset.url  # the Referer the other site would see
        outward = handset.link("http://example.com/page?a=1&b=2")
        assert outward.href == "http://example.com/page?a=1&b=2"
        assert sid.encode() not in handset.raw

    @pytest.mark.parametrize("name", WITH_COOKIES)
    def test_cookie_phones_have_no_sid_in_urls(self, signed_in, name):
        """Handsets that keep cookies get clean URLs and a cookie."""
        handset = signed_in(name, "alice")
        assert handset.sid is None
        assert b"sid=" not in handset.raw
        assert handset.cookie

    @pytest.mark.parametrize("name", COOKIELESS)
    def test_no_cookie_for_cookieless_phones(self, signed_in, name):
        """Handsets without cookies are never sent one."""
        handset = signed_in(name, "alice")
        assert "Set-Cookie" not in handset.response.headers
        handset.get(handset.home_url())
        assert "Set-Cookie" not in handset.response.headers

    def test_au_over_https_carries_the_sid(self, phone, store):
        """au drops cookies over HTTPS, so there the sid travels in URLs instead."""
        store.user("alice")
        handset = phone("au", {"wsgi.url_scheme": "https"})
        handset.get("https://localhost/")
        assert "Set-Cookie" not in handset.response.headers
        assert handset.sid is None  # signed out: no session at all
        handset.click("ログイン")
        handset.submit({"name": "alice", "password": PASSWORD}, "/login")
        assert "ログアウト" in handset.text
        assert "Set-Cookie" not in handset.response.headers
        assert handset.sid

    def test_crawlers_get_no_session(self, phone):
        """A crawler posing as a DoCoMo phone gets the DoCoMo page but no session."""
        bot = (
            "DoCoMo/2.0 N905i(c100;TB;W24H16) "
            "(compatible; Googlebot-Mobile/2.1; +http://www.google.com/bot.html)"
        )
        handset = phone("docomo_mova", **{"User-Agent": bot})
        handset.get("/")
        assert handset.content_type == "application/xhtml+xml; charset=Shift_JIS"
        assert handset.sid is None
        assert "Set-Cookie" not in handset.response.headers
        handset.click("ログイン")
        assert handset.form("/login").control("_csrf") is None

    def test_sids_are_random_and_long(self, phone, store):
        """Session ids are unguessable: distinct, URL-safe, at least 128 bits."""
        sids = set()
        for number in range(20):
            store.user(f"alice{number}")
            handset = phone("docomo_mova")
            handset.sign_in(f"alice{number}")
            sids.add(handset.sid)
        assert len(sids) == 20 and None not in sids
        for sid in sids:
            assert _SID_RE.fullmatch(sid)
            assert len(sid) * 6 >= 128


class TestSidLifecycle:
    """The sid is rotated at sign-in and sign-out, and it expires."""

    def test_rotated_at_sign_in(self, phone, store):
        """A signed-out phone has no sid; each sign-in gives a new one, the old one dies."""
        store.user("alice")
        handset = phone("docomo_mova")
        handset.get("/")
        assert handset.sid is None
        handset.sign_in("alice")
        before = handset.sid
        assert before and _signed_in(handset)
        handset.visit("/login")
        handset.submit({"name": "alice", "password": PASSWORD}, "/login")
        after = handset.sid
        assert _signed_in(handset)
        assert after and after != before
        attacker = phone("docomo_mova")
        attacker.get(f"/?sid={before}")
        assert not _signed_in(attacker)
        attacker.get(f"/?sid={after}")
        assert _signed_in(attacker)  # the control: the new sid is the session

    @pytest.mark.parametrize("name", ["docomo_foma", "pc"])
    def test_cookie_rotated_at_sign_in(self, phone, store, name):
        """A handset with cookies gets a new session cookie at sign-in; the old one dies."""
        store.user("alice")
        handset = phone(name)
        handset.get("/login")
        before = handset.cookie
        handset.submit({"name": "alice", "password": PASSWORD}, "/login")
        assert _signed_in(handset)
        assert handset.cookie and handset.cookie != before
        attacker = phone(name)
        attacker.get(f"/?sid={before}")
        assert not _signed_in(attacker)

    def test_dead_after_sign_out(self, signed_in, phone):
        """After sign-out, the signed-in sid opens nothing."""
        handset = signed_in("docomo_mova", "alice")
        sid = handset.sid
        handset.sign_out()
        assert handset.sid != sid
        other = phone("docomo_mova")
        other.get(f"/?sid={sid}")
        assert not _signed_in(other)

    def test_expires_when_idle(self, signed_in, phone, session_clock):
        """A sid unused for longer than the idle timeout is signed out."""
        handset = signed_in("docomo_mova", "alice")
        sid = handset.sid
        session_clock(minutes=29)
        handset.get(f"/?sid={sid}")
        assert _signed_in(handset)
        session_clock(minutes=29 + 31)
        handset.get(f"/?sid={sid}")
        assert not _signed_in(handset)

    def test_expires_after_lifetime(self, app, signed_in, session_clock):
        """A sid dies after its lifetime, however busy."""
        app.config["AUTH_SESSION_IDLE_TIMEOUT"] = 100 * 24 * 3600
        handset = signed_in("docomo_mova", "alice")
        sid = handset.sid
        session_clock(hours=23)
        handset.get(f"/?sid={sid}")
        assert _signed_in(handset)
        session_clock(hours=25)
        handset.get(f"/?sid={sid}")
        assert not _signed_in(handset)

    def test_idle_timeout_from_config(self, app, signed_in, session_clock):
        """AUTH_SESSION_IDLE_TIMEOUT sets the idle timeout."""
        app.config["AUTH_SESSION_IDLE_TIMEOUT"] = 120
        handset = signed_in("docomo_mova", "alice")
        sid = handset.sid
        session_clock(minutes=3)
        handset.get(f"/?sid={sid}")
        assert not _signed_in(handset)

    def test_forged_sid_not_signed_in(self, signed_in, phone):
        """A sid nobody was given opens nothing, even while real sessions exist."""
        signed_in("docomo_mova", "alice")
        handset = phone("docomo_mova")
        handset.get(f"/?sid={secrets.token_urlsafe(24)}")
        assert handset.status == 200
        assert not _signed_in(handset)


class TestSidBinding:
    """A sid works only with the carrier and subscriber id it was made for."""

    def test_bound_to_carrier(self, signed_in, phone):
        """The sid of a DoCoMo phone presented by an au phone is not signed in."""
        handset = signed_in("docomo_mova", "alice")
        sid = handset.sid
        for name in ("au", "pc", "jphone"):
            other = phone(name)
            other.get(f"/?sid={sid}")
            assert not _signed_in(other), name
        same_carrier = phone("docomo_mova")
        same_carrier.get(f"/?sid={sid}")
        assert _signed_in(same_carrier)  # the control

    @pytest.mark.parametrize(
        "name, header, other_id",
        [
            ("docomo_foma", "X-DCMGUID", "000000b"),
            ("au", "X-UP-SUBNO", "11111111111111_mj.ezweb.ne.jp"),
            ("softbank", "X-JPHONE-UID", "bbbbbbbbbbbbbbbb"),
        ],
    )
    def test_bound_to_subscriber_id(self, app, signed_in, phone, name, header, other_id):
        """Signed in through the carrier's gateway, the session needs the same vouched id."""
        carrier = PHONES[name].carrier
        add_range(app, carrier, "127.0.0.1/32")  # the test client's address is the gateway
        handset = signed_in(name, "alice")
        token = handset.cookie
        assert token

        def holding_the_cookie(**headers):
            other = phone(name, **headers)
            other.client.set_cookie(COOKIE_NAME, token)
            other.get("/")
            return _signed_in(other)

        assert not holding_the_cookie(**{header: other_id})
        assert not holding_the_cookie(**{header: None})
        assert holding_the_cookie()  # the control: the owner's headers open it


class TestCsrf:
    """Every POST needs the session's CSRF token; without it nothing changes."""

    @pytest.mark.parametrize("name", ["docomo_mova", "au", "softbank", "jphone", "pc"])
    @pytest.mark.parametrize("token", [None, "wrong", "A" * 32], ids=["missing", "short", "forged"])
    def test_post_without_right_token(self, signed_in, store, name, token):
        """An echo posted without the right token gets a 403 page; nothing is stored."""
        handset = signed_in(name, "alice")
        handset.get(handset.home_url())
        fields = {"body": "こんにちは"}
        if token is not None:
            fields["_csrf"] = token
        handset.submit(fields, "/echo", drop=() if token else ("_csrf",))
        assert handset.status == 403
        assert handset.content_type == handset.terminal.content_type_header
        assert "セッションが切れたか" in handset.text
        assert store.bodies() == []

    def test_token_of_another_session(self, signed_in, store):
        """Bob's CSRF token does not work in alice's session."""
        alice = signed_in("pc", "alice")
        bob = signed_in("pc", "bob")
        bob.get("/")
        bobs_token = bob.form("/echo").control("_csrf")[1]
        alice.get("/")
        alice.submit({"body": "bobが書いた", "_csrf": bobs_token}, "/echo")
        assert alice.status == 403
        assert store.bodies() == []

    def test_sign_out_needs_token(self, signed_in):
        """A sign-out without the token is refused and the user stays signed in."""
        handset = signed_in("docomo_mova", "alice")
        sid = handset.sid
        handset.submit({}, "/logout", drop=("_csrf",))
        assert handset.status == 403
        handset.get(f"/?sid={sid}")
        assert _signed_in(handset)

    def test_settings_need_token(self, signed_in, store):
        """Turning Echo off without the token changes nothing."""
        handset = signed_in("au", "alice")
        handset.get("/")
        handset.submit({}, "/settings/echo", drop=("_csrf",))
        assert handset.status == 403
        assert store.echo_enabled("alice")
