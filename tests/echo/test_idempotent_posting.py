"""A retried post lands once: each post form carries a one-time token.

When the response to a post is lost (a dropped connection, a killed server), the phone
sends the same form again. The token with what was posted is stored with the echo under
a unique constraint, so the retry stores nothing, also when both copies arrive at once.
The same form sent with other text (a page the phone kept) is a new echo.
"""

from __future__ import annotations

import threading

import pytest
from support.phones import PHONES

from mobile_gateway.accounts.web_session import COOKIE_NAME


@pytest.mark.parametrize("name", sorted(PHONES))
def test_retry_lands_once(signed_in, store, name):
    """The same form body sent twice stores one echo; both answers lead home."""
    handset = signed_in(name, "alice")
    handset.get(handset.home_url())
    form = handset.form("/echo")
    assert form.control("t")[1]
    body = handset.urlencode(
        [*[(k, v) for k, v in form.values() if k != "body"], ("body", "晴れ☀️")]
    )
    for _ in range(2):
        handset.request("POST", form.action, body)
        assert handset.status == 200 and "ログアウト" in handset.text
    assert store.bodies() == ["晴れ☀️"]


def test_each_form_gets_a_new_token(signed_in, store):
    """Posting twice from the page, as a user does, stores both echoes."""
    handset = signed_in("docomo_mova", "alice")
    tokens = set()
    for text in ("ひとつめ", "ひとつめ"):
        handset.get(handset.home_url())
        tokens.add(handset.form("/echo").control("t")[1])
        handset.submit({"body": text}, "/echo")
    assert len(tokens) == 2
    assert store.bodies() == ["ひとつめ", "ひとつめ"]


def test_kept_form_with_other_text_posts_anew(signed_in, store):
    """A form the phone kept (the back key) sent again with other text is a new echo."""
    handset = signed_in("au", "alice")
    handset.get(handset.home_url())
    form = handset.form("/echo")
    fields = dict(form.values())
    handset.post(form.action, {**fields, "body": "最初"})
    handset.post(form.action, {**fields, "body": "次"})
    handset.post(form.action, {**fields, "body": "次"})  # and that one retried
    assert sorted(store.bodies()) == ["最初", "次"]


def test_reply_retry_lands_once(signed_in, store):
    """A retried reply lands once too."""
    store.user("bob")
    echo_id = store.echo("bob", "元気？")
    handset = signed_in("pc", "alice")
    handset.get(f"/echo/{echo_id}")
    form = handset.form("/echo")
    fields = {**dict(form.values()), "body": "元気！"}
    handset.post(form.action, fields)
    handset.post(form.action, fields)
    assert store.bodies() == ["元気？", "元気！"]


def test_simultaneous_copies_land_once(app, signed_in, store):
    """Eight copies of one post sent at the same moment store one echo (a constraint decides)."""
    handset = signed_in("pc", "alice")
    handset.get("/")
    form = handset.form("/echo")
    body = handset.urlencode([*[(k, v) for k, v in form.values() if k != "body"], ("body", "同時")])
    cookie, headers = handset.cookie, handset.headers
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def send() -> None:
        client = app.test_client()
        client.set_cookie(COOKIE_NAME, cookie)
        barrier.wait()
        response = client.post(
            form.action,
            data=body,
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302] * 8
    assert store.bodies() == ["同時"]
