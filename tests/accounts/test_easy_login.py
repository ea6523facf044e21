"""Easy login: binding a phone's subscriber id, signing in with it, removing it."""

import logging

import pytest
import sqlalchemy as sa
from flask import g
from support.handsets import SUBSCRIBER_IDS, Handset, add_range, add_user
from support.settings import SECRET_KEY

from mobile_gateway.accounts import easy_login
from mobile_gateway.gateways import subscriber_ids
from mobile_gateway.storage import db
from mobile_gateway.storage.models import SubscriberBinding

#: Gateway address of each carrier in these tests (TEST-NET-3, one /24 per carrier).
GATEWAYS = {
    "docomo": ("203.0.113.0/26", "203.0.113.10"),
    "au": ("203.0.113.64/26", "203.0.113.70"),
    "softbank": ("203.0.113.128/26", "203.0.113.130"),
}
OUTSIDE = "198.51.100.7"


@pytest.fixture
def gateways(app):
    """Store one gateway range per carrier."""
    for carrier, (cidr, _address) in GATEWAYS.items():
        add_range(app, carrier, cidr)
    return app


def phone(app, carrier: str, **kwargs) -> Handset:
    """Return a handset of *carrier* coming through its gateway."""
    kwargs.setdefault("address", GATEWAYS[carrier][1])
    return Handset(app, carrier, **kwargs)


def bind_phone(handset: Handset, name: str) -> None:
    """Sign *name* in on *handset* and bind the phone on the settings page."""
    handset.sign_in(name)
    handset.get("/settings/easy-login?guid=ON")
    page = handset.submit("この端末を登録", {"password": "correct horse"})
    assert page.status == 200, page.text
    assert "（この端末）" in page.text


@pytest.mark.parametrize("carrier", ["docomo", "au", "softbank"])
def test_bind_then_easy_login(gateways, carrier):
    """A bound phone signs in with one button; the page comes in the carrier's encoding."""
    add_user(gateways, "taro")
    bind_phone(phone(gateways, carrier), "taro")
    handset = phone(gateways, carrier)
    login_page = handset.get("/login")
    form = login_page.form("かんたんログイン")
    assert ("guid=ON" in form["action"]) == (carrier == "docomo")
    home = handset.submit("かんたんログイン")
    assert home.status == 200
    assert "ログアウト" in home.text
    assert handset.page.data.decode(handset.codec) == home.text


def test_docomo_login_keeps_guid_on_after_sign_in(gateways):
    """After easy login a DoCoMo phone's links keep guid=ON, so its bound session survives."""
    add_user(gateways, "taro")
    bind_phone(phone(gateways, "docomo"), "taro")
    handset = phone(gateways, "docomo")
    handset.get("/login")
    redirect = handset.submit("かんたんログイン", follow=False)
    assert redirect.status == 302
    assert "guid=ON" in redirect.headers["location"]
    home = handset.get(redirect.headers["location"])
    assert "ログアウト" in home.text
    archive = handset.get(home.link("過去ログ"))
    assert archive.status == 200 and "ログアウト" in archive.text


def test_stored_only_as_keyed_hash(gateways):
    """The table holds an HMAC of carrier and id keyed with SECRET_KEY, and a masked form."""
    add_user(gateways, "taro")
    bind_phone(phone(gateways, "docomo"), "taro")
    with gateways.app_context():
        row = db.get_session().scalar(sa.select(SubscriberBinding))
        values = [str(getattr(row, column.key)) for column in SubscriberBinding.__table__.c]
    assert not any("000000a" in value for value in values)
    assert row.subscriber_hash == subscriber_ids.subscriber_hash(SECRET_KEY, "docomo", "000000a")
    assert row.subscriber_hash != subscriber_ids.subscriber_hash("other key", "docomo", "000000a")
    assert row.subscriber_hash != subscriber_ids.subscriber_hash(SECRET_KEY, "au", "000000a")
    assert row.masked == "*****0a"


def test_same_phone_on_second_account_refused(gateways):
    """Binding a subscriber id already bound to another account is refused with a message."""
    add_user(gateways, "taro")
    add_user(gateways, "hanako")
    bind_phone(phone(gateways, "docomo"), "taro")
    handset = phone(gateways, "docomo")
    handset.sign_in("hanako")
    page = handset.get("/settings/easy-login?guid=ON")
    assert "この端末は別のアカウントに登録されています" in page.text
    refused = handset.post("/settings/easy-login/bind?guid=ON", page.forms[-1]["fields"])
    assert refused.status == 400
    assert "別のアカウントに登録されています" in refused.data.decode("x-sjis-docomo")
    with gateways.app_context():
        rows = db.get_session().scalars(sa.select(SubscriberBinding)).all()
    assert len(rows) == 1


def test_domain_refuses_second_account_and_rebinding(app):
    """The domain functions refuse a second account, a second binding and a fourth phone."""
    taro, hanako = add_user(app, "taro"), add_user(app, "hanako")
    with app.app_context():
        session = db.get_session()
        easy_login.bind(session, taro, SECRET_KEY, "au", SUBSCRIBER_IDS["au"])
        with pytest.raises(easy_login.BoundElsewhere):
            easy_login.bind(session, hanako, SECRET_KEY, "au", SUBSCRIBER_IDS["au"])
        with pytest.raises(easy_login.AlreadyBound):
            easy_login.bind(session, taro, SECRET_KEY, "au", SUBSCRIBER_IDS["au"])
        for n in range(easy_login.MAX_BINDINGS - 1):
            easy_login.bind(session, taro, SECRET_KEY, "softbank", f"{n:016d}")
        with pytest.raises(easy_login.TooManyBindings):
            easy_login.bind(session, taro, SECRET_KEY, "softbank", "b" * 16)
        user = easy_login.find_user(session, SECRET_KEY, "au", SUBSCRIBER_IDS["au"])
        assert user.name == "taro"


def test_remove_binding(gateways):
    """A removed binding no longer signs the phone in."""
    add_user(gateways, "taro")
    handset = phone(gateways, "au")
    bind_phone(handset, "taro")
    page = handset.submit("登録を解除", {"password": "correct horse"})
    assert "登録済みの端末はありません" in page.text
    stranger = phone(gateways, "au")
    stranger.get("/login")
    refused = stranger.submit("かんたんログイン")
    assert refused.status == 400
    assert "まだ登録されていません" in refused.text


def test_cannot_remove_someone_elses_binding(gateways):
    """The remove button works only on one's own bindings."""
    add_user(gateways, "taro")
    add_user(gateways, "hanako")
    bind_phone(phone(gateways, "au"), "taro")
    with gateways.app_context():
        binding_id = db.get_session().scalar(sa.select(SubscriberBinding.id))
    handset = Handset(gateways, "pc")
    handset.sign_in("hanako")
    page = handset.get("/settings/easy-login")
    gone = handset.post(f"/settings/easy-login/{binding_id}/remove", page.forms[-1]["fields"])
    assert gone.status == 404
    with gateways.app_context():
        assert db.get_session().get(SubscriberBinding, binding_id) is not None


def test_docomo_link_without_guid_on(gateways):
    """Without guid=ON DoCoMo sends no id: the page says so and links to a URL with guid=ON."""
    add_user(gateways, "taro")
    handset = phone(gateways, "docomo")
    handset.sign_in("taro")
    page = handset.get("/settings/easy-login")
    assert "この端末のiモードIDが取得できません" in page.data.decode("x-sjis-docomo")
    assert "guid=ON" in page.link("iモードIDを送信してやり直す")
    assert not [form for form in page.forms if form["submit"] == "この端末を登録"]
    refused = handset.post("/settings/easy-login/bind", page.forms[-1]["fields"])
    assert refused.status == 400 and "取得できません" in refused.text
    retried = handset.get(page.link("iモードIDを送信してやり直す"))
    assert "guid=ON" in retried.form("この端末を登録")["action"]


def test_easy_login_page_without_id(gateways):
    """The easy-login page of a DoCoMo phone without guid=ON offers only the retry link."""
    page = phone(gateways, "docomo").get("/easy-login")
    assert "取得できません" in page.text
    assert not [form for form in page.forms if form["submit"] == "かんたんログイン"]


def test_pc_login_page_has_no_easy_login(gateways):
    """PCs and smartphones get no easy-login button, and posting to it explains why."""
    handset = Handset(gateways, "pc")
    page = handset.get("/login")
    assert not [form for form in page.forms if form["submit"] == "かんたんログイン"]
    refused = handset.post("/easy-login", page.forms[0]["fields"])
    assert refused.status == 400 and "携帯電話" in refused.text


def test_header_from_outside_the_ranges_is_ignored_logged_and_counted(gateways, caplog):
    """An id from outside its carrier's ranges never binds, is logged hashed, and is counted."""
    add_user(gateways, "taro")
    handset = phone(gateways, "au", address=OUTSIDE)
    handset.sign_in("taro")
    with caplog.at_level(logging.WARNING, logger="mobile_gateway.gateways.subscriber_ids"):
        page = handset.get("/settings/easy-login")
    assert "EZ番号が取得できません" in page.text
    assert not [form for form in page.forms if form["submit"] == "この端末を登録"]
    short = subscriber_ids.subscriber_hash(SECRET_KEY, "au", SUBSCRIBER_IDS["au"])[:12]
    messages = [record.getMessage() for record in caplog.records]
    assert any(short in message and OUTSIDE in message for message in messages)
    assert not any(SUBSCRIBER_IDS["au"] in message for message in messages)
    with gateways.app_context():
        stats = {row.carrier: row for row in subscriber_ids.untrusted_stats()}
    # sign-in page, its post, the redirected home page and the settings page.
    assert stats["au"].total == stats["au"].today == 4
    assert stats["au"].last_address == OUTSIDE
    assert stats["docomo"].total == 0


def test_other_carriers_range_does_not_count(gateways):
    """An au id from DoCoMo's gateway is not believed: each carrier has its own ranges."""
    add_user(gateways, "taro")
    bind_phone(phone(gateways, "au"), "taro")
    handset = phone(gateways, "au", address=GATEWAYS["docomo"][1])
    handset.get("/login")
    refused = handset.submit("かんたんログイン")
    assert refused.status == 400 and "取得できません" in refused.text


def test_crawler_posing_as_phone_gets_no_session(gateways):
    """A crawler with a DoCoMo UA and id, from DoCoMo's gateway, gets no session and no login."""
    add_user(gateways, "taro")
    bind_phone(phone(gateways, "docomo"), "taro")
    crawler = Handset(gateways, "docomo_crawler", address=GATEWAYS["docomo"][1])
    for path in ("/login?guid=ON", "/u/taro?guid=ON", "/"):
        page = crawler.get(path)
        assert "set-cookie" not in page.headers
        assert "_csrf" not in page.text and "sid=" not in page.text
        assert not [form for form in page.forms if form["submit"] == "かんたんログイン"]
    assert crawler.cookies == {}
    assert crawler.get("/easy-login?guid=ON").status == 403
    assert crawler.post("/easy-login?guid=ON", {"_cs": "あ"}).status == 403
    with gateways.test_request_context(
        "/?guid=ON",
        headers=crawler.headers_for("/?guid=ON"),
        environ_base={"REMOTE_ADDR": GATEWAYS["docomo"][1]},
    ):
        gateways.preprocess_request()
        assert g.terminal.is_crawler and g.terminal.subscriber_id == "000000a"
        assert g.trusted_subscriber_id is None and g.auth is None


def test_trusted_subscriber_id_on_g(gateways):
    """g.trusted_subscriber_id is the id from inside the carrier's ranges, else None."""
    handset = phone(gateways, "softbank")
    for address, expected in ((GATEWAYS["softbank"][1], "aaaaaaaaaaaaaaaa"), (OUTSIDE, None)):
        with gateways.test_request_context(
            "/", headers=handset.headers_for("/"), environ_base={"REMOTE_ADDR": address}
        ):
            gateways.preprocess_request()
            assert g.client_address == address
            assert g.terminal.subscriber_id == "aaaaaaaaaaaaaaaa"
            assert g.trusted_subscriber_id == expected


def test_removing_a_binding_with_an_out_of_range_id(app):
    """A binding id too large for the database is "not found", not a server error."""
    add_user(app, "taro")
    handset = Handset(app, "pc")
    assert "ログアウト" in handset.sign_in("taro").text
    fields = handset.page.form("ログアウト")["fields"]
    page = handset.post("/settings/easy-login/99999999999999999999999/remove", fields)
    assert page.status == 404
