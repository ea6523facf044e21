"""A stolen session id is worth little: bound to the terminal, never from a PC's URL.

A session works only on the terminal it began on (carrier, model, full browser or not,
and the subscriber id the carrier's gateway vouched for at sign-in); a terminal that keeps
cookies takes its session from the cookie only; binding or removing a phone for easy login
asks for the password; signing out ends the sign-in's sessions, and removing a phone ends
the sessions it opened.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support.handsets import Handset, add_range, add_user
from support.phones import FIREFOX_UA

from mobile_gateway.storage import db
from mobile_gateway.storage.models import AuthSession, SubscriberBinding

#: DoCoMo's gateway in these tests, and an address outside every range.
DOCOMO_RANGE, AT_GATEWAY, OUTSIDE = "203.0.113.0/26", "203.0.113.10", "198.51.100.7"
PASSWORD = "correct horse"
FOMA_UA = "DoCoMo/2.0 P07A3(c500;TB;W24H15)"


@pytest.fixture
def gateway(app):
    """An app with DoCoMo's gateway range and the user taro."""
    add_range(app, "docomo", DOCOMO_RANGE)
    add_user(app, "taro")
    return app


def signed_in(handset: Handset) -> bool:
    """Return whether the handset's last page was for a signed-in user (in any encoding)."""
    data = handset.page.data
    return "ログアウト".encode("cp932") in data or "ログアウト".encode() in data


def session_cookie(handset: Handset) -> str:
    """Return the session cookie the handset holds."""
    return handset.cookies["mgsid"]


def thief(app, cookie: str, **kwargs) -> Handset:
    """Return a DoCoMo FOMA handset presenting a stolen session cookie."""
    kwargs.setdefault("address", AT_GATEWAY)
    handset = Handset(app, "docomo", **kwargs)
    handset.cookies["mgsid"] = cookie
    return handset


def victim(app) -> Handset:
    """Return taro's FOMA, signed in at the gateway with its iモードID sent (guid=ON)."""
    handset = Handset(app, "docomo", address=AT_GATEWAY)
    handset.get("/login?guid=ON")
    handset.submit("ログイン", {"name": "taro", "password": PASSWORD})
    assert signed_in(handset)
    return handset


def test_forged_id_from_outside_the_gateway_refused(gateway):
    """The victim's id sent from outside the ranges does not open their bound session."""
    cookie = session_cookie(victim(gateway))
    outside = thief(gateway, cookie, address=OUTSIDE)
    outside.get("/?guid=ON")  # the forged X-DCMGUID is the victim's own id
    assert outside.headers_for("/?guid=ON")["X-DCMGUID"] == "000000a"
    assert not signed_in(outside)
    inside = thief(gateway, cookie)
    inside.get("/?guid=ON")
    assert signed_in(inside)  # the control: the same id through the gateway


def test_another_model_or_browser_refused(gateway):
    """The session of a DoCoMo P07A3 does not open for another DoCoMo model or a PC browser."""
    cookie = session_cookie(victim(gateway))
    for user_agent in (
        "DoCoMo/2.0 SH902i(c100;TB;W24H12)",
        "Mozilla/4.08 (P07A3;FOMA;c500;TB)",  # the same phone's full browser
        FIREFOX_UA + " DoCoMo/2.0",
    ):
        other = thief(gateway, cookie, headers={"User-Agent": user_agent})
        other.get("/?guid=ON")
        assert not signed_in(other), user_agent


def test_session_without_vouched_id_needs_none(gateway):
    """Signed in without guid=ON (no id sent), the session needs no id afterwards."""
    handset = Handset(gateway, "docomo", address=AT_GATEWAY)
    handset.sign_in("taro")
    assert signed_in(handset)
    handset.get("/archive")
    assert signed_in(handset)


def test_pc_ignores_sid_in_url(app):
    """A PC signs in from its cookie only: ``/?sid=`` of a live session opens nothing."""
    add_user(app, "taro")
    owner = Handset(app, "pc")
    owner.sign_in("taro")
    sid = session_cookie(owner)
    stranger = Handset(app, "pc")
    stranger.get(f"/?sid={sid}")
    assert not signed_in(stranger)
    assert "Set-Cookie".lower() not in stranger.page.headers
    owner.get("/")
    assert signed_in(owner)  # the control: the cookie still works


def test_binding_asks_for_the_password(gateway):
    """A stolen session binds no phone of the thief's without the password."""
    owner = Handset(gateway, "docomo", address=AT_GATEWAY)
    owner.sign_in("taro")  # no guid=ON: the session rests on no id
    attacker = thief(gateway, session_cookie(owner), subscriber_id="000000b")
    page = attacker.get("/settings/easy-login?guid=ON")
    assert signed_in(attacker)
    fields = page.form("この端末を登録")["fields"]
    for password in ("", "guess-guess-1"):
        refused = attacker.post(
            "/settings/easy-login/bind?guid=ON", {**fields, "password": password}
        )
        assert refused.status in (400, 200) and "パスワードが違います" in refused.text
    with gateway.app_context():
        assert db.get_session().scalar(sa.select(sa.func.count(SubscriberBinding.id))) == 0


def test_removing_a_phone_asks_for_the_password_and_ends_its_sessions(gateway):
    """Removing a binding needs the password and signs out the sessions it opened."""
    owner = victim(gateway)
    owner.get("/settings/easy-login?guid=ON")
    owner.submit("この端末を登録", {"password": PASSWORD})
    easy = Handset(gateway, "docomo", address=AT_GATEWAY)
    easy.get("/easy-login?guid=ON")
    easy.submit("かんたんログイン")
    assert signed_in(easy)
    pc = Handset(gateway, "pc")
    pc.sign_in("taro")
    page = pc.get("/settings/easy-login")
    refused = pc.submit("登録を解除", {"password": "not-the-password"})
    assert "パスワードが違います" in refused.text
    easy.get("/?guid=ON")
    assert signed_in(easy)
    pc.get("/settings/easy-login")
    removed = pc.submit("登録を解除", {"password": PASSWORD})
    assert "登録済みの端末はありません" in removed.text and page.status == 200
    easy.get("/?guid=ON")
    assert not signed_in(easy)  # the session the binding opened ended with it
    owner.get("/?guid=ON")
    assert signed_in(owner)  # a password sign-in stays


def test_sign_out_ends_the_stolen_copy(gateway):
    """After the victim signs out, the copy of their session id opens nothing."""
    owner = victim(gateway)
    cookie = session_cookie(owner)
    copy = thief(gateway, cookie)
    copy.get("/?guid=ON")
    assert signed_in(copy)
    owner.get("/?guid=ON")
    owner.submit("ログアウト")
    copy.get("/?guid=ON")
    assert not signed_in(copy)
    with gateway.app_context():
        assert db.get_session().scalar(sa.select(sa.func.count(AuthSession.id))) == 0
