"""Security headers: smartphone and PC pages cannot be framed or sniffed; operator pages
are PC-only and never cached.

Feature-phone browsers ignore these headers; their pages go without them (bytes are dear
on a 9,600 bps line). The policy lets a later stylesheet and script from this site load.
"""

from __future__ import annotations

import pytest
from support.console import PC_UA, Browser, add_user
from support.phones import FEATURE_PHONES

#: Headers every smartphone or PC response carries.
EXPECTED = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
FULL_BROWSER = "Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)"


def policy(response) -> dict[str, list[str]]:
    """Return the Content-Security-Policy as directive -> sources."""
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("name", ["pc", "iphone"])
@pytest.mark.parametrize("path", ["/", "/login", "/u/nobody", "/archive"])
def test_smartphone_and_pc_pages(phone, name, path):
    """Pages, errors and redirects alike carry the headers."""
    handset = phone(name)
    handset.get(path, follow=False)
    for header, value in EXPECTED.items():
        assert handset.response.headers.get(header) == value, header
    directives = policy(handset.response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]


def test_full_browser_of_a_handset(phone):
    """A handset's PC-site browser renders like a PC, and gets the headers too."""
    handset = phone("pc", **{"User-Agent": FULL_BROWSER})
    handset.get("/")
    assert handset.response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("name", FEATURE_PHONES)
def test_feature_phones_go_without(phone, name):
    """Feature-phone pages carry none of them (their browsers ignore them)."""
    handset = phone(name)
    handset.get("/login")
    for header in (*EXPECTED, "Content-Security-Policy"):
        assert header not in handset.response.headers


OPERATOR_PAGES = ["/admin/", "/admin/ranges", "/admin/service-period", "/admin/audit"]


@pytest.fixture
def operator_app(sqlite_app):
    """An app with the operator op."""
    add_user(sqlite_app, "op", operator=True)
    return sqlite_app


@pytest.mark.parametrize("path", OPERATOR_PAGES)
def test_operator_pages_never_cached(operator_app, path):
    """Every operator page says no-store, the ranges page included, and cannot be framed."""
    browser = Browser(operator_app).login("op")
    response = browser.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", OPERATOR_PAGES)
@pytest.mark.parametrize("user_agent", [IPHONE, "DoCoMo/2.0 SH902i(c100;TB;W24H12)"])
def test_operator_pages_pc_only(operator_app, path, user_agent):
    """An operator signed in on an iPhone or a phone gets 403 on every operator page."""
    mobile = Browser(operator_app, user_agent).login("op")
    response = mobile.get(path)
    assert response.status_code == 403
    assert response.headers["Cache-Control"] == "no-store"


def test_ranges_cannot_be_changed_from_an_iphone(operator_app):
    """The review's case: an operator's iPhone adding a range is refused, nothing changes."""
    iphone = Browser(operator_app, IPHONE).login("op")
    iphone.get("/")  # a page with the session's token (its sign-out form)
    response = iphone.post("/admin/ranges/add", {"carrier": "au", "cidr": "10.0.0.0/8"})
    assert response.status_code == 403
    pc = Browser(operator_app, PC_UA).login("op")
    assert "10.0.0.0/8" not in pc.get("/admin/ranges").get_data(as_text=True)
