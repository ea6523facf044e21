"""A PC browser for the operators' console, and the constants of the console tests."""

from __future__ import annotations

import html
import re

from support.settings import PASSWORD

import carrier_emoji
from mobile_gateway.accounts import users
from mobile_gateway.storage import db

#: A PC browser, a DoCoMo FOMA handset, an au handset.
PC_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
DOCOMO_UA = "DoCoMo/2.0 SH902i(c100;TB;W24H12)"
AU_UA = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
#: au F370: a carrier-only emoji with no standard meaning in the shipped table.
AU_ONLY_CODE = 0xF370
AU_ONLY = carrier_emoji.notations.carrier_only_char("au", AU_ONLY_CODE)


def add_user(app, name: str, operator: bool = False):
    """Sign up *name* (password :data:`PASSWORD`) and make it an operator if asked."""
    with app.app_context():
        session = db.get_session()
        user = users.signup(session, name, PASSWORD)
        if operator:
            users.grant_operator(session, name)
        return user.id


def csrf(body: str) -> str:
    """Return the CSRF token of the first form in an HTML page."""
    return re.search(r'name="_csrf" value="([^"]+)"', body).group(1)


def hidden_fields(body: str, action: str) -> dict[str, str]:
    """Return the hidden fields of the form posting to *action* (the last value wins)."""
    form = body.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"/>', form
        )
    }


class Browser:
    """A test client that sends one User-Agent and fills in the charset probe and CSRF token."""

    def __init__(self, app, user_agent: str = PC_UA):
        self.client = app.test_client()
        self.user_agent = user_agent
        self.token: str | None = None

    def get(self, url: str, **kwargs):
        """GET *url*; remember the page's CSRF token."""
        response = self.client.get(url, headers={"User-Agent": self.user_agent}, **kwargs)
        text = response.get_data().decode("latin-1")  # the token is ASCII on every page
        if 'name="_csrf"' in text:
            self.token = csrf(text)
        return response

    def post(self, url: str, data: dict | None = None, **kwargs):
        """POST a form to *url* with the charset probe and the last CSRF token seen."""
        form = {"_cs": "あ", "_csrf": self.token or "", **(data or {})}
        return self.client.post(url, data=form, headers={"User-Agent": self.user_agent}, **kwargs)

    def login(self, name: str) -> "Browser":
        """Sign in as *name*."""
        self.get("/login")
        response = self.post("/login", {"name": name, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self
