"""The cross-posting settings page on phones and PCs: add a feed, see its status, remove it."""

from __future__ import annotations

import pytest
from support.feeds import atom, run, soon
from support.phones import PHONES


@pytest.mark.parametrize("name", PHONES)
def test_add_a_feed_and_see_how_it_is_doing(crossposting, signed_in, feeds, name):
    """From the nav, add a feed; after the worker runs, the page says fetched or the error."""
    feeds.feed("/atom", atom([("e1", "こんにちは☀️", soon(), None)]))
    handset = signed_in(name, "taro")
    handset.visit("/")
    if handset.terminal.is_feature_phone:
        handset.click("連携")
    else:  # the settings page, then its tab
        handset.click("設定")
        handset.click("フィード")
    assert "フィードの取り込み" in handset.text
    handset.submit({"url": feeds.url("/atom")}, "/settings/feeds")
    assert handset.status == 200 and "まだ取得していません" in handset.text
    handset.submit({"url": feeds.url("/missing")}, "/settings/feeds")
    run(crossposting)
    handset.visit("/settings/feeds")
    assert "取得しました" in handset.text and "1件投稿" in handset.text
    assert "エラー: フィードを取得できません（HTTP 404）" in handset.text
    assert len(handset.raw) <= handset.terminal.page_budget
    handset.submit({}, "/remove")
    assert handset.status == 200 and handset.text.count("/atom") == 0


@pytest.mark.parametrize(
    "url,message",
    [
        ("http://169.254.169.254/latest/meta-data/", "内部のアドレス"),
        ("gopher://example.com/", "http://"),
        ("<script>alert(1)</script>", "http://"),
    ],
)
def test_refused_addresses_are_explained(crossposting, signed_in, url, message):
    """A refused address is explained in Japanese, shown escaped, and nothing is stored."""
    crossposting.config["CROSSPOST_ALLOW_LOOPBACK"] = False
    handset = signed_in("docomo_mova", "taro")
    handset.visit("/settings/feeds")
    handset.submit({"url": url}, "/settings/feeds")
    assert handset.status == 400 and message in handset.text
    assert "<script>" not in handset.raw.decode("cp932", "replace")
    assert "登録したフィードはありません" in handset.text


def test_loopback_is_refused_without_the_test_setting(app, signed_in, feeds):
    """In production (the setting off) even our own test server's address is refused."""
    handset = signed_in("pc", "taro")
    handset.visit("/settings/feeds")
    handset.submit({"url": feeds.url("/atom")}, "/settings/feeds")
    assert handset.status == 400 and "内部のアドレス" in handset.text


def test_the_same_feed_twice_and_too_many(crossposting, signed_in, feeds):
    """A feed already added is refused; so is a sixth one."""
    handset = signed_in("pc", "taro")
    handset.visit("/settings/feeds")
    handset.submit({"url": feeds.url("/f0")}, "/settings/feeds")
    handset.submit({"url": feeds.url("/f0")}, "/settings/feeds")
    assert handset.status == 400 and "もう登録されています" in handset.text
    for n in range(1, 5):
        handset.submit({"url": feeds.url(f"/f{n}")}, "/settings/feeds")
        assert handset.status == 200
    assert "登録" not in [i.get("value") for i in handset.inputs()]  # the form is gone
    handset.post("/settings/feeds", handset.forms()[0].values() + [("url", feeds.url("/f0"))])
    assert handset.status == 400 and "5件まで" in handset.text
