"""Over real sockets: waitress on 127.0.0.1, phones connecting from 127.0.0.2 and 127.0.0.3.

DoCoMo's gateway range in these tests is 127.0.0.2/32: a phone whose connection comes from
127.0.0.2 is inside it, one from 127.0.0.3 outside (Linux routes all of 127.0.0.0/8 to
the loopback interface, so both can reach a server listening on 127.0.0.1).
"""

import pytest
from support.handsets import SocketHandset, add_range, add_user

from mobile_gateway.gateways import subscriber_ids

INSIDE = "127.0.0.2"
OUTSIDE = "127.0.0.3"


@pytest.fixture
def bound(app):
    """An app where taro's DoCoMo phone ``000000a`` is bound and 127.0.0.2 is DoCoMo's."""
    add_range(app, "docomo", f"{INSIDE}/32")
    add_user(app, "taro")
    return app


def bind_over_socket(port: int) -> None:
    """Sign taro in from inside the range and bind the phone."""
    handset = SocketHandset(port, "docomo", address=INSIDE)
    handset.sign_in("taro")
    handset.get("/settings/easy-login?guid=ON")
    page = handset.submit("この端末を登録", {"password": "correct horse"})
    assert "（この端末）" in page.data.decode("x-sjis-docomo")


def easy_login(port: int, address: str, headers: dict | None = None):
    """Press かんたんログイン on the sign-in page from *address*; return the last page."""
    handset = SocketHandset(port, "docomo", address=address, headers=headers)
    handset.get("/login")
    return handset.submit("かんたんログイン")


def test_inside_signs_in_outside_refused(bound, serve):
    """The same phone and header sign in from 127.0.0.2 and are refused from 127.0.0.3."""
    port = serve(bound)
    bind_over_socket(port)
    inside = easy_login(port, INSIDE)
    assert inside.status == 200
    assert "ログアウト" in inside.data.decode("x-sjis-docomo")
    outside = easy_login(port, OUTSIDE)
    assert outside.status == 400
    text = outside.data.decode("x-sjis-docomo")
    assert "iモードIDが取得できません" in text and "ログアウト" not in text
    with bound.app_context():
        stats = {row.carrier: row for row in subscriber_ids.untrusted_stats()}
    assert stats["docomo"].total >= 1 and stats["docomo"].last_address == OUTSIDE


def test_forged_forwarded_for_from_untrusted_peer(bound, serve):
    """X-Forwarded-For naming the gateway is ignored when the peer is no trusted proxy."""
    port = serve(bound)
    bind_over_socket(port)
    page = easy_login(port, OUTSIDE, {"X-Forwarded-For": INSIDE})
    assert page.status == 400
    assert "取得できません" in page.data.decode("x-sjis-docomo")


def test_forwarded_for_from_peer_that_is_not_the_trusted_proxy(make_app, db_url, serve):
    """With a trusted proxy configured, another peer's X-Forwarded-For is still ignored."""
    app = make_app(db_url, TRUSTED_PROXIES=["127.0.0.9/32"])
    add_range(app, "docomo", f"{INSIDE}/32")
    add_user(app, "taro")
    port = serve(app)
    bind_over_socket(port)
    page = easy_login(port, OUTSIDE, {"X-Forwarded-For": INSIDE})
    assert page.status == 400


def test_trusted_proxy_passes_the_client_address(make_app, db_url, serve):
    """Behind a trusted proxy at 127.0.0.3, X-Forwarded-For: 127.0.0.2 is the client."""
    app = make_app(db_url, TRUSTED_PROXIES=[f"{OUTSIDE}/32"])
    add_range(app, "docomo", f"{INSIDE}/32")
    add_user(app, "taro")
    port = serve(app)
    bind_over_socket(port)
    page = easy_login(port, OUTSIDE, {"X-Forwarded-For": INSIDE})
    assert page.status == 200
    assert "ログアウト" in page.data.decode("x-sjis-docomo")
    # The client put the gateway address left of its own: the proxy's right-most hop wins.
    spoofed = easy_login(port, OUTSIDE, {"X-Forwarded-For": f"{INSIDE}, 198.51.100.7"})
    assert spoofed.status == 400


def test_serve_passes_forwarded_for_with_trusted_proxies(make_app, sqlite_url, monkeypatch):
    """``serve`` tells waitress to keep X-Forwarded-For when TRUSTED_PROXIES is set."""
    import waitress

    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(kw))
    app = make_app(sqlite_url, TRUSTED_PROXIES=["10.0.0.0/8"])
    result = app.test_cli_runner().invoke(args=["serve", "--port", "8099"])
    assert result.exit_code == 0, result.output
    assert served["clear_untrusted_proxy_headers"] is False
