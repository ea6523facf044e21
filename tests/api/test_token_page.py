"""The token settings page on every terminal: make a token, see it masked, revoke it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from support.api import assert_problem
from support.phones import PHONES

from mobile_gateway.api import tokens
from mobile_gateway.storage.models import ApiToken

_TOKEN_RE = re.compile(r'name="token" value="(mgp_[A-Za-z0-9_-]{43})"')


def _open_page(handset):
    """Reach the token page from the nav, as a user would (smartphones and PCs: settings)."""
    handset.visit("/")
    handset.click("連携" if handset.terminal.is_feature_phone else "設定")
    handset.click("APIトークン")
    assert handset.status == 200, handset.text
    assert "APIトークン" in handset.text


@pytest.mark.parametrize("name", PHONES)
def test_make_use_and_revoke_a_token_from_any_terminal(signed_in, api, name):
    """From each terminal a token is made, shown once, works, is listed masked and revoked."""
    handset = signed_in(name, "taro")
    _open_page(handset)
    handset.submit({"name": "ケータイ☀️", "write": "on"}, "/settings/api")
    assert handset.status == 201, handset.text
    secret = _TOKEN_RE.search(handset.text)[1]
    assert api.post("/api/v1/echoes", secret, json={"text": "from a token"}).status_code == 201
    handset.visit("/settings/api")
    assert secret not in handset.text and tokens.PREFIX + "…" + secret[-4:] in handset.text
    assert "ケータイ☀️" in handset.text  # the name keeps its emoji, in the phone's codes
    assert "使用" in handset.text
    [choice] = [i["value"] for i in handset.inputs() if i.get("name") == "id"]
    handset.submit({"id": choice}, "/revoke")
    assert handset.status == 200 and "トークンはありません" in handset.text
    assert_problem(api.get("/api/v1/me", secret), 401, "unauthorized")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", ["docomo_mova_5k", "docomo_mova", "jphone", "au"])
def test_a_full_page_fits_the_smallest_budget(signed_in, store, name):
    """Ten long-named tokens and a new one shown still fit the terminal's page budget."""
    handset = signed_in(name, "taro")
    with store.session() as session:
        from mobile_gateway.accounts import users

        taro = users.get_user(session, "taro")
        for n in range(tokens.MAX_TOKENS_PER_USER - 1):
            tokens.create(session, taro, "長い名前のトークン" * 4 + str(n)[:4], ["read", "write"])
    _open_page(handset)
    handset.submit({"name": "あ" * 40, "write": "on"}, "/settings/api")
    assert handset.status == 201
    assert len(handset.raw) <= handset.terminal.page_budget, len(handset.raw)
    assert "作成" not in handset.text  # ten tokens: no form for an eleventh


def test_bad_names_and_markup(signed_in, store):
    """An empty name is refused in Japanese; markup in a name is shown as text."""
    handset = signed_in("docomo_mova", "taro")
    _open_page(handset)
    handset.submit({"name": "  ", "read": "on"}, "/settings/api")
    assert handset.status == 400 and "名前を入力してください" in handset.text
    handset.submit({"name": "<b>x</b>&", "read": "on"}, "/settings/api")
    assert handset.status == 201
    assert "<b>x</b>" not in handset.text and "&lt;b&gt;x&lt;/b&gt;&amp;" in handset.raw.decode(
        "cp932", "replace"
    )
    handset.submit({"name": "no scope"}, "/settings/api")
    assert handset.status == 400 and "権限" in handset.text
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1


def test_someone_elses_token_cannot_be_revoked(signed_in, store, api):
    """Revoking another user's token id is a 404 page and the token keeps working."""
    secret = api.token("hanako")
    with store.session() as session:
        row = session.scalar(sa.select(ApiToken))
    handset = signed_in("pc", "taro")
    _open_page(handset)
    handset.submit({"name": "mine", "read": "on"}, "/settings/api")
    handset.submit({"id": str(row.id)}, "/revoke")
    assert handset.status == 404 and "見つかりません" in handset.text
    assert api.get("/api/v1/me", secret).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(phone):
    """The page needs an account."""
    handset = phone("pc")
    handset.get("/settings/api")
    assert "/login" in handset.url
