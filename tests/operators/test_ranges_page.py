"""The operators' page of gateway ranges: who may see it, adding and removing ranges."""

import pytest
from support.handsets import Handset, add_range, add_user

from mobile_gateway.gateways import carrier_ranges


@pytest.fixture
def site(app):
    """An app with an operator, an ordinary user and one DoCoMo range."""
    add_user(app, "op", operator=True)
    add_user(app, "taro")
    add_range(app, "docomo", "210.153.84.0/24")
    return app


def test_signed_out_goes_to_sign_in(site):
    """A signed-out visitor is sent to the sign-in page."""
    page = Handset(site, "pc").get("/admin/ranges", follow=False)
    assert page.status == 302 and page.headers["location"].startswith("/login")


def test_ordinary_user_forbidden(site):
    """A signed-in user without the operator role gets 403, for reading and for changing."""
    handset = Handset(site, "pc")
    handset.sign_in("taro")
    page = handset.get("/admin/ranges")
    assert page.status == 403 and "運営者だけ" in page.text
    fields = handset.get("/").forms[-1]["fields"]  # a CSRF token of this session
    page = handset.post("/admin/ranges/add", {**fields, "carrier": "au", "cidr": "10.0.0.0/8"})
    assert page.status == 403
    assert ("au", "10.0.0.0/8") not in {(r.carrier, r.cidr) for r in ranges(site)}


def test_phone_forbidden_even_for_operator(site):
    """It is a PC page: an operator on a phone gets 403, in the phone's encoding."""
    handset = Handset(site, "docomo")
    handset.sign_in("op")
    page = handset.get("/admin/ranges")
    assert page.status == 403
    assert "このページはPCからご利用ください" in page.data.decode("x-sjis-docomo")


def test_operator_sees_ranges_and_counts(site):
    """An operator sees the ranges, the refused-id counts and the overlaps."""
    add_range(site, "au", "210.153.84.128/25")
    Handset(site, "au", address="198.51.100.7").get("/")
    handset = Handset(site, "pc")
    handset.sign_in("op")
    page = handset.get("/admin/ranges")
    assert page.status == 200
    text = page.data.decode("utf-8")
    assert "210.153.84.0/24" in text
    assert "<td>au</td><td>1</td><td>1</td>" in text
    assert "docomo 210.153.84.0/24 ⇔ au 210.153.84.128/25" in text


def test_operator_adds_and_removes(site):
    """Adding and removing through the page (in Japanese) changes the ranges in use at once."""
    handset = Handset(site, "pc", headers={"Accept-Language": "ja-JP,ja;q=0.9"})
    handset.sign_in("op")
    handset.get("/admin/ranges")
    page = handset.submit("追加", {"carrier": "softbank", "cidr": "123.108.237.0/27"})
    assert page.status == 200 and "123.108.237.0/27" in page.text
    with site.app_context():
        assert carrier_ranges.get_index().contains("softbank", "123.108.237.1")
    bad = handset.submit("追加", {"carrier": "softbank", "cidr": "123.108.237.0/99"})
    assert bad.status == 400 and "IPネットワークではありません: &#39;123.108.237.0/99" in bad.text
    removed = [form for form in handset.get("/admin/ranges").forms if form["submit"] == "削除"]
    target = next(form for form in removed if form["fields"]["cidr"] == "123.108.237.0/27")
    handset.post(target["action"], target["fields"])
    assert "123.108.237.0/27" not in handset.page.text
    with site.app_context():
        assert not carrier_ranges.get_index().contains("softbank", "123.108.237.1")


def ranges(app):
    """Return the stored ranges."""
    from mobile_gateway.storage import db

    with app.app_context():
        return carrier_ranges.list_ranges(db.get_session())
