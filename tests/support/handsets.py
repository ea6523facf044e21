"""Handsets as their carrier's gateway presents them, and helpers of the gateway tests.

:class:`Handset` is a phone as its carrier's gateway presents it: its User-Agent, its
subscriber id header (DoCoMo's only on URLs with ``guid=ON``, as the i-mode gateway did),
its cookies, pages read with the terminal's page codec and forms posted in its encoding.
It talks to the app through Flask's test client (with a chosen ``REMOTE_ADDR``) or, as
:class:`SocketHandset`, over a real TCP connection from a chosen loopback address.
"""

from __future__ import annotations

import html.parser
import http.client
from http.cookies import SimpleCookie
from urllib.parse import quote_from_bytes, urlsplit

import carrier_emoji
from mobile_gateway.accounts import users
from mobile_gateway.gateways import carrier_ranges
from mobile_gateway.storage import db

FIREFOX_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0"
#: User-Agent, page codec and subscriber id header of each test terminal.
TERMINALS = {
    "docomo": ("DoCoMo/2.0 P07A3(c500;TB;W24H15)", "x-sjis-docomo", "X-DCMGUID"),
    "au": ("KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0", "x-sjis-kddi", "X-UP-SUBNO"),
    "softbank": (
        "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3 Profile/MIDP-2.0 "
        "Configuration/CLDC-1.1",
        "x-utf8-softbank",
        "X-JPHONE-UID",
    ),
    "docomo_crawler": (
        "DoCoMo/2.0 N905i(c100;TB;W24H16) "
        "(compatible; Googlebot-Mobile/2.1; +http://www.google.com/bot.html)",
        "x-sjis-docomo",
        "X-DCMGUID",
    ),
    "pc": (FIREFOX_UA, "x-utf8-unicode", None),
}
#: A subscriber id of each carrier's shape (CARRIERS.md fixtures).
SUBSCRIBER_IDS = {
    "docomo": "000000a",
    "au": "00000000000000_mj.ezweb.ne.jp",
    "softbank": "aaaaaaaaaaaaaaaa",
}


def add_user(app, name: str, *, operator: bool = False, password: str = "correct horse"):
    """Sign up *name* (an operator if asked) and return the user."""
    with app.app_context():
        session = db.get_session()
        user = users.signup(session, name, password)
        if operator:
            users.grant_operator(session, user)
        session.expunge(user)
        return user


def add_range(app, carrier: str, cidr: str) -> None:
    """Store a gateway range and make this process see it at once."""
    with app.app_context():
        carrier_ranges.add_range(db.get_session(), carrier, cidr)
        carrier_ranges.invalidate()


# Handsets. ------------------------------------------------------------------------------------
class _PageParser(html.parser.HTMLParser):
    """Collect forms (action and named inputs) and links (href and text) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self._form = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "fields": {}, "submit": ""}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            if attrs.get("type") == "submit":
                self._form["submit"] = attrs.get("value", "")
            elif attrs.get("name"):
                self._form["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "a" and "href" in attrs:
            self._link = [attrs["href"], ""]
            self.links.append(self._link)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data


class Page:
    """One response as the handset got it."""

    def __init__(self, status: int, headers: dict, data: bytes, codec: str) -> None:
        self.status = status
        #: Header names in lower case.
        self.headers = headers
        self.data = data
        self.codec = codec

    @property
    def text(self) -> str:
        """The body decoded with the terminal's page codec."""
        return self.data.decode(self.codec)

    def _parsed(self) -> _PageParser:
        parser = _PageParser()
        parser.feed(self.text)
        parser.close()
        return parser

    @property
    def forms(self) -> list[dict]:
        """Forms of the page: ``{"action", "fields", "submit"}``."""
        return self._parsed().forms

    @property
    def links(self) -> list[tuple[str, str]]:
        """(href, text) of every link."""
        return [tuple(link) for link in self._parsed().links]

    def form(self, submit: str) -> dict:
        """Return the form whose button says *submit*."""
        matching = [form for form in self.forms if form["submit"] == submit]
        assert matching, f"no form {submit!r}; forms: {[f['submit'] for f in self.forms]}"
        return matching[0]

    def link(self, text: str) -> str:
        """Return the href of the link whose text contains *text*."""
        matching = [href for href, label in self.links if text in label]
        assert matching, f"no link {text!r}; links: {self.links}"
        return matching[0]


class Handset:
    """A terminal browsing the app through Flask's test client from *address*."""

    MAX_REDIRECTS = 5

    def __init__(
        self,
        app,
        kind: str,
        *,
        address: str = "127.0.0.1",
        subscriber_id: str | None = None,
        headers: dict | None = None,
    ) -> None:
        self.app = app
        self.kind = kind
        self.user_agent, self.codec, self.id_header = TERMINALS[kind]
        carrier = kind.split("_")[0]
        self.subscriber_id = subscriber_id or SUBSCRIBER_IDS.get(carrier)
        self.address = address
        self.extra_headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.page: Page | None = None

    def headers_for(self, path: str) -> dict:
        """Return the headers the carrier gateway sends for *path*."""
        headers = {"User-Agent": self.user_agent, **self.extra_headers}
        if self.id_header and self.subscriber_id:
            # The i-mode gateway adds X-DCMGUID only to URLs that carry guid=ON.
            if self.id_header != "X-DCMGUID" or "guid=ON" in urlsplit(path).query:
                headers[self.id_header] = self.subscriber_id
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _send(self, method: str, path: str, headers: dict, body: bytes | None):
        """Send one request; return (status, lower-case headers, set-cookie values, body)."""
        kwargs = {"headers": headers, "environ_overrides": {"REMOTE_ADDR": self.address}}
        if body is not None:
            kwargs.update(data=body, content_type="application/x-www-form-urlencoded")
        client = self.app.test_client(use_cookies=False)
        response = client.open(path, method=method, **kwargs)
        lowered = {name.lower(): value for name, value in response.headers.items()}
        return (
            response.status_code,
            lowered,
            response.headers.getlist("Set-Cookie"),
            response.get_data(),
        )

    def request(self, method: str, path: str, fields: dict | None = None, follow: bool = True):
        """Send a request (a form post when *fields* is given) and return the page."""
        body = None if fields is None else self.urlencode(fields)
        for _ in range(self.MAX_REDIRECTS + 1):
            status, headers, cookies, data = self._send(method, path, self.headers_for(path), body)
            for value in cookies:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            self.page = Page(status, headers, data, self.codec)
            if not follow or status not in (301, 302, 303):
                return self.page
            parts = urlsplit(headers["location"])
            method, body = "GET", None
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        raise AssertionError("too many redirects")

    def get(self, path: str, **kwargs) -> Page:
        """Open *path*."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, fields: dict, **kwargs) -> Page:
        """Post *fields* to *path*."""
        return self.request("POST", path, fields, **kwargs)

    def submit(self, submit: str, fields: dict | None = None, **kwargs) -> Page:
        """Press the button *submit* of the last page, with *fields* filled in."""
        form = self.page.form(submit)
        return self.post(form["action"], {**form["fields"], **(fields or {})}, **kwargs)

    def urlencode(self, fields: dict) -> bytes:
        """Encode *fields* as the handset does: its own encoding, percent-encoded."""
        return b"&".join(
            quote_from_bytes(carrier_emoji.encode(str(name), self.codec), safe="").encode()
            + b"="
            + quote_from_bytes(carrier_emoji.encode(str(value), self.codec), safe="").encode()
            for name, value in fields.items()
        )

    def sign_in(self, name: str, password: str = "correct horse") -> Page:
        """Sign in with a password through the sign-in page."""
        self.get("/login")
        return self.submit("ログイン", {"name": name, "password": password})


class SocketHandset(Handset):
    """A handset whose requests leave from *address* over TCP to the server at *port*."""

    def __init__(self, port: int, kind: str, *, address: str, **kwargs) -> None:
        super().__init__(None, kind, address=address, **kwargs)
        self.port = port

    def _send(self, method, path, headers, body):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(self.address, 0)
        )
        try:
            headers = dict(headers)
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            lowered = {name.lower(): value for name, value in response.getheaders()}
            cookies = response.headers.get_all("Set-Cookie") or []
            return response.status, lowered, cookies, data
        finally:
            connection.close()
