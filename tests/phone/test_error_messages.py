"""Every error page speaks Japanese in the terminal's encoding; pager labels agree."""

from __future__ import annotations

import pytest
from flask import abort
from support.phones import Phone
from werkzeug.exceptions import default_exceptions

from mobile_gateway.phone import pages

pytestmark = pytest.mark.sqlite_only

#: Statuses a view may abort with (3xx and the codes Flask never makes pages of aside).
CODES = sorted(default_exceptions)


@pytest.fixture
def aborting_app(make_app, sqlite_url):
    """An app with a page that aborts with the status in its URL, without a description."""
    app = make_app(sqlite_url)

    @app.route("/abort/<int:code>")
    def abort_with(code: int):
        abort(code)

    @app.route("/abort-described")
    def abort_described():
        abort(403, description="このページは運営者だけが表示できます")

    return app


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("name", ["docomo_mova", "au", "softbank", "pc"])
def test_every_status_in_japanese(aborting_app, code, name):
    """``abort(code)`` gives a Japanese page, never Werkzeug's English description."""
    handset = Phone(aborting_app, name)
    handset.get(f"/abort/{code}")
    assert handset.status == code
    assert pages.MESSAGES[code] in handset.text
    assert default_exceptions[code].description not in handset.text
    assert handset.content_type == handset.terminal.content_type_header


def test_japanese_description_kept(aborting_app):
    """A description given on purpose (in Japanese) is what the page says."""
    handset = Phone(aborting_app, "docomo_mova")
    handset.get("/abort-described")
    assert handset.status == 403
    assert "このページは運営者だけが表示できます" in handset.text


def test_english_description_never_shown():
    """An English description (Werkzeug's own errors) gives way to the Japanese message."""
    from werkzeug.exceptions import BadRequest, SecurityError

    assert pages.message_for(SecurityError("Host not in allowlist")) == pages.MESSAGES[400]
    assert pages.message_for(BadRequest()) == pages.MESSAGES[400]


def test_pager_labels_agree(signed_in, store):
    """Newer and older links are labelled alike: the key in brackets, then the word."""
    store.user("alice")
    for n in range(60):
        store.echo("alice", f"{n}", minutes_ago=n)
    handset = signed_in("docomo_mova", "alice", create=False)
    handset.click_menu("過去ログ")
    handset.click("古い")
    older, newer = handset.link("古い"), handset.link("新しい")
    assert older.text == "[#]古い" and older.attrs["accesskey"] == "#"
    assert newer.text == "[*]新しい" and newer.attrs["accesskey"] == "*"
