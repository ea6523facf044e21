"""Test phones: Flask test clients that behave like the handsets of 2009.

A :class:`Phone` sends its real User-Agent and carrier headers, keeps the last page,
reads it the way the handset would (bytes decoded with the terminal's page codec into
internal text), follows ``<a href>`` links as they are written (on cookieless handsets
the session id travels in those URLs), and submits forms the way the handset does: the
hidden fields as received, every value encoded in the handset's own notation (Shift_JIS
with carrier emoji bytes, UTF-8 private-use code points, SoftBank webcode escapes, plain
UTF-8), percent-encoded, posted as ``application/x-www-form-urlencoded``.

Nothing here knows the gateway's insides except :func:`mobile_gateway.phone.terminals.detect`,
used to check that the gateway sees each phone as the phone it is.
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote_from_bytes, urljoin, urlsplit

from support.settings import PASSWORD

import carrier_emoji
from mobile_gateway.accounts.web_session import COOKIE_NAME
from mobile_gateway.phone import terminals

__all__ = ["FEATURE_PHONES", "PHONES", "Form", "Link", "Phone", "PhoneSpec"]

#: An internal link to one echo (its reply link): ``/echo/<id>``, maybe with a query.
_ECHO_LINK_RE = re.compile(r"^/echo/(\d+)(?:\?|$)")


@dataclass(frozen=True)
class PhoneSpec:
    """One handset: its headers, cookie support and how it writes forms."""

    #: The User-Agent the handset sends.
    user_agent: str
    #: Expected carrier key of the detected terminal.
    carrier: str
    #: Codec the handset encodes form values with (the notation of its pages).
    send_codec: str
    #: Whether the handset keeps cookies.
    cookies: bool
    #: Other headers the carrier gateway adds (subscriber ids).
    headers: dict = field(default_factory=dict)

    @property
    def all_headers(self) -> dict:
        """User-Agent and carrier headers together."""
        return {"User-Agent": self.user_agent, **self.headers}


IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
FIREFOX_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0"

#: Every test phone by name.
PHONES = {
    # i-mode 1.0 mova: i-mode HTML, Shift_JIS, no cookies, 10 KB cache (c10).
    "docomo_mova": PhoneSpec("DoCoMo/1.0/P503i/c10", "docomo", "x-sjis-docomo", False),
    # The first mova handsets: no cache field, the 5 KB default.
    "docomo_mova_5k": PhoneSpec("DoCoMo/1.0/D501i", "docomo", "x-sjis-docomo", False),
    # FOMA with i-mode browser 2.0: XHTML, cookies, subscriber id.
    "docomo_foma": PhoneSpec(
        "DoCoMo/2.0 P07A3(c500;TB;W24H15)",
        "docomo",
        "x-sjis-docomo",
        True,
        {"X-DCMGUID": "000000a"},
    ),
    # FOMA with i-mode browser 1.0 (c100): XHTML, no cookies.
    "docomo_foma_b1": PhoneSpec(
        "DoCoMo/2.0 SH902i(c100;TB;W24H12)", "docomo", "x-sjis-docomo", False
    ),
    "au": PhoneSpec(
        "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
        "au",
        "x-sjis-kddi",
        True,
        {"X-UP-SUBNO": "00000000000000_mj.ezweb.ne.jp"},
    ),
    "softbank": PhoneSpec(
        "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3 Profile/MIDP-2.0 "
        "Configuration/CLDC-1.1",
        "softbank",
        "x-utf8-softbank",
        True,
        {"X-JPHONE-UID": "aaaaaaaaaaaaaaaa"},
    ),
    "jphone": PhoneSpec(
        "J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 Configuration/CLDC-1.0 "
        "Ext-Profile/JSCL-1.1.0",
        "softbank",
        "x-sjis-softbank-webcode",
        False,
    ),
    "willcom": PhoneSpec(
        "Mozilla/3.0(WILLCOM;KYOCERA/WX310K/2;1.2.2.16.000000/0.1/C100) Opera 7.0",
        "willcom",
        "x-sjis-willcom",
        True,
    ),
    "iphone": PhoneSpec(IPHONE_UA, "smartphone", "x-utf8-unicode", True),
    "pc": PhoneSpec(FIREFOX_UA, "pc", "x-utf8-unicode", True),
}
#: Names of the carrier handsets.
FEATURE_PHONES = tuple(
    name for name, spec in PHONES.items() if spec.carrier in terminals.FEATURE_PHONE_CARRIERS
)


@dataclass
class Form:
    """A form of a page: where it posts and its fields as the handset received them."""

    action: str
    method: str
    #: (name, value, type) of each named control, in page order.
    controls: list = field(default_factory=list)

    def values(self) -> list[tuple[str, str]]:
        """Return the pairs the handset sends before the user types anything."""
        return [
            (name, value)
            for name, value, kind in self.controls
            if kind not in ("submit", "reset", "button", "image", "checkbox", "radio")
        ]

    def names(self) -> list[str]:
        """Return the names of the form's controls."""
        return [name for name, _, _ in self.controls]

    def control(self, name: str) -> tuple | None:
        """Return (name, value, type) of the control called *name*, or None."""
        return next((c for c in self.controls if c[0] == name), None)


@dataclass
class Link:
    """An ``<a href>`` of a page, with its text and attributes."""

    href: str
    text: str
    attrs: dict


class _PageParser(html.parser.HTMLParser):
    """Collect the forms and links of a page (attribute values come back unescaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[Link] = []
        self.inputs: list[dict] = []
        self._form: Form | None = None
        self._link: Link | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = Form(attrs.get("action", ""), attrs.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "input":
            self.inputs.append(attrs)
            if self._form is not None and attrs.get("name"):
                self._form.controls.append(
                    (attrs["name"], attrs.get("value", ""), attrs.get("type", "text").lower())
                )
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], "", attrs]
        elif tag == "a" and "href" in attrs:
            self._link = Link(attrs["href"], "", attrs)
            self.links.append(self._link)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "form":
            self._form = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "a":
            self._link = None
        elif tag == "textarea" and self._textarea is not None:
            name, value, attrs = self._textarea
            self.inputs.append({**attrs, "value": value})
            if self._form is not None:
                self._form.controls.append((name, value, "textarea"))
            self._textarea = None

    def handle_data(self, data):
        if self._link is not None:
            self._link.text += data
        if self._textarea is not None:
            self._textarea[1] += data


class Phone:
    """A handset browsing the app through Flask's test client."""

    #: Most redirects followed in a row.
    MAX_REDIRECTS = 5

    def __init__(self, app, name: str, environ: dict | None = None, **header_overrides):
        """Make phone *name* on *app*.

        :param environ: WSGI environ entries sent with every request (header values that
            are bytes, say); detection on the phone's side still reads ``headers``.
        :param header_overrides: headers to add, change, or leave out (``None``).
        """
        self.app = app
        self.name = name
        self.environ = dict(environ or {})
        self.spec = PHONES[name]
        self.headers = {**self.spec.all_headers, **header_overrides}
        self.headers = {k: v for k, v in self.headers.items() if v is not None}
        self.client = app.test_client(use_cookies=self.spec.cookies)
        self.terminal = terminals.detect(self.headers)
        self.response = None
        self.url = None
        self.history: list = []

    def __repr__(self) -> str:
        return f"<Phone {self.name} at {self.url!r}>"

    # --- Codecs -------------------------------------------------------------------------

    @property
    def page_codec(self) -> str:
        """Codec the handset reads pages with."""
        return self.terminal.page_codec

    @property
    def send_codec(self) -> str:
        """Codec the handset writes forms with."""
        return self.spec.send_codec

    def encode(self, text: str, codec: str | None = None) -> bytes:
        """Encode *text* as the handset types it (strictly: it cannot type what it lacks)."""
        return carrier_emoji.encode(text, codec or self.send_codec, "strict", "strict")

    # --- The last page ------------------------------------------------------------------

    @property
    def status(self) -> int:
        """HTTP status of the last response."""
        return self.response.status_code

    @property
    def raw(self) -> bytes:
        """Bytes of the last response body, as they went over the air."""
        return self.response.get_data()

    @property
    def text(self) -> str:
        """The last page as internal text, read with the handset's page codec."""
        return self.raw.decode(self.page_codec)

    @property
    def content_type(self) -> str:
        """Content-Type header of the last response."""
        return self.response.headers.get("Content-Type", "")

    def _parse(self) -> _PageParser:
        parser = _PageParser()
        parser.feed(self.text)
        parser.close()
        return parser

    def forms(self) -> list[Form]:
        """Return the forms of the last page."""
        return self._parse().forms

    def links(self) -> list[Link]:
        """Return the links of the last page."""
        return self._parse().links

    def inputs(self) -> list[dict]:
        """Return the attributes of every ``<input>`` and ``<textarea>`` of the last page.

        A textarea's ``value`` is its text (the post box of smartphone and PC pages).
        """
        return self._parse().inputs

    def link(self, text: str, index: int = 0) -> Link:
        """Return the first (or *index*-th) link whose text is *text*, else containing it."""
        links = self.links()
        matches = [link for link in links if link.text.strip() == text]
        matches = matches or [link for link in links if text in link.text]
        if len(matches) <= index:
            found = [link.text.strip() for link in links]
            raise AssertionError(f"no link {text!r} on {self.url}; links: {found}")
        return matches[index]

    def echo_ids(self) -> list[int]:
        """Return the ids of the echoes on the last page, in page order (their reply links)."""
        ids = []
        for link in self.links():
            match = _ECHO_LINK_RE.match(link.href)
            if match and link.text == "返信":
                ids.append(int(match[1]))
        return ids

    def has_link(self, text: str) -> bool:
        """Return whether the last page has a link containing *text*."""
        return any(text in link.text for link in self.links())

    def form(self, which: int | str = 0) -> Form:
        """Return a form of the last page by index, or by its action's path (else a part of it)."""
        forms = self.forms()
        if isinstance(which, int):
            return forms[which]
        matching = [form for form in forms if urlsplit(form.action).path == which]
        matching = matching or [form for form in forms if which in form.action]
        if not matching:
            raise AssertionError(f"no form posting to {which!r} on {self.url}")
        return matching[0]

    @property
    def sid(self) -> str | None:
        """Return the session id the last page puts in its internal URLs, if any."""
        for link in self.links() + [Link(form.action, "", {}) for form in self.forms()]:
            if not urlsplit(link.href).scheme:
                values = parse_qs(urlsplit(link.href).query).get("sid")
                if values:
                    return values[0]
        return None

    @property
    def cookie(self) -> str | None:
        """Return the session cookie the phone holds, if it keeps cookies."""
        if not self.spec.cookies:
            return None
        cookie = self.client.get_cookie(COOKIE_NAME)
        return cookie.value if cookie else None

    # --- Requests -----------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        *,
        headers: dict | None = None,
        environ: dict | None = None,
        content_type: str | None = "application/x-www-form-urlencoded",
        follow: bool = True,
    ):
        """Send one request as the handset does, following redirects with GETs."""
        extra_headers = headers or {}
        for _ in range(self.MAX_REDIRECTS + 1):
            url = urljoin(self.url or "http://localhost/", url)
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise AssertionError(f"{self.name} would leave the site for {url}")
            sent_headers = {**self.headers, **extra_headers}
            kwargs = {
                "headers": sent_headers,
                "environ_overrides": {**self.environ, **(environ or {})},
            }
            if method == "POST":
                kwargs["data"] = body or b""
                if content_type is not None:
                    kwargs["content_type"] = content_type
            path = parts.path + ("?" + parts.query if parts.query else "")
            self.response = self.client.open(path, method=method, **kwargs)
            self.url = url
            self.history.append((method, url, self.response.status_code))
            if not follow or self.response.status_code not in (301, 302, 303, 307, 308):
                return self.response
            method, url, body = "GET", self.response.headers["Location"], None
        raise AssertionError(f"{self.name}: too many redirects from {url}")

    def get(self, url: str, **kwargs):
        """Open *url* (relative to the last page)."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, fields=(), *, codec: str | None = None, **kwargs):
        """Post *fields* (pairs or a dict) to *url*, encoded as the handset does."""
        return self.request("POST", url, self.urlencode(fields, codec), **kwargs)

    def urlencode(self, fields, codec: str | None = None) -> bytes:
        """Encode *fields* with the handset's codec (or *codec*) and percent-encode the bytes.

        A value given as bytes is percent-encoded as it is (raw or broken input).
        """
        pairs = fields.items() if isinstance(fields, dict) else fields
        return b"&".join(
            self._quote(name, codec) + b"=" + self._quote(value, codec) for name, value in pairs
        )

    def _quote(self, value: str | bytes, codec: str | None) -> bytes:
        """Percent-encode one name or value (bytes are sent as they are: broken input)."""
        data = value if isinstance(value, bytes) else self.encode(value, codec)
        return quote_from_bytes(data, safe="").encode("ascii")

    def click(self, text: str, index: int = 0, **kwargs):
        """Follow the first (or *index*-th) link whose text is *text*, as the handset does."""
        return self.get(self.link(text, index).href, **kwargs)

    def click_menu(self, label: str, **kwargs):
        """Follow the main menu's link *label* ("過去ログ").

        Feature-phone pages write a keycap before it ("2️⃣過去ログ", on its key); smartphone
        and PC pages have no keypad labels, and their menu comes first on the page.
        """
        keyed = [
            link
            for link in self.links()
            if re.fullmatch(r"[0-9]\ufe0f\u20e3" + re.escape(label), link.text.strip())
        ]
        return self.get(keyed[0].href if keyed else self.link(label).href, **kwargs)

    def submit(
        self,
        fields: dict | None = None,
        form: int | str = 0,
        *,
        codec: str | None = None,
        raw_body: bytes | None = None,
        drop: tuple = (),
        **kwargs,
    ):
        """Fill in and send a form of the last page (POST, or GET with the fields as the query).

        :param fields: values typed by the user (they replace the page's values).
        :param form: index of the form, or a substring of its action.
        :param codec: how the handset encodes this post, if not its usual way (a FOMA
            posting UTF-8 from a Shift_JIS page).
        :param raw_body: bytes to send instead of the encoded form (broken input).
        :param drop: names of fields to leave out (a post without the CSRF token).
        """
        target = self.form(form)
        fields = dict(fields or {})
        pairs = []
        for name, value in target.values():
            if name in drop:
                continue
            pairs.append((name, fields.pop(name, value)))
        pairs.extend(fields.items())
        body = raw_body if raw_body is not None else self.urlencode(pairs, codec)
        if target.method == "get":
            # A browser replaces the action's query string by the form's fields.
            path = urlsplit(urljoin(self.url or "http://localhost/", target.action)).path
            return self.request("GET", f"{path}?{body.decode('ascii')}", **kwargs)
        if target.method != "post":
            raise AssertionError(f"form {target.action} is neither a GET nor a POST form")
        return self.request("POST", target.action or self.url, body, **kwargs)

    # --- Stories ------------------------------------------------------------------------

    def sign_up(self, name: str, password: str = PASSWORD):
        """Sign up from the home page, as a user would."""
        self.get("/")
        self.click("新規登録")
        return self.submit({"name": name, "password": password}, "/signup")

    def sign_in(self, name: str, password: str = PASSWORD):
        """Sign in from the home page, as a user would."""
        self.get("/")
        self.click("ログイン")
        return self.submit({"name": name, "password": password}, "/login")

    def sign_out(self):
        """Press the sign-out button of the current page."""
        return self.submit({}, "/logout")

    def post_echo(self, body: str, **kwargs):
        """Post an echo from the home page."""
        self.get(self.home_url())
        return self.submit({"body": body}, "/echo", **kwargs)

    def home_url(self) -> str:
        """Return the home URL with the session id the handset carries (if cookieless)."""
        sid = self.sid if self.response is not None else None
        return f"/?sid={sid}" if sid and not self.spec.cookies else "/"

    def visit(self, path: str, sid: str | None = None, **kwargs):
        """Open an internal *path*, adding the session id a cookieless handset carries.

        :param sid: the session id to carry; by default the one of the last page.
        """
        if sid is None and self.response is not None:
            sid = self.sid
        if sid and not self.spec.cookies:
            path += ("&" if "?" in path else "?") + f"sid={sid}"
        return self.get(path, **kwargs)


#: Bytes that must never reach a page: the start of a script element, other than the one
#: smartphone and PC pages load from this site (``/assets/echo.<hash>.js``, the post box's
#: counter); feature-phone pages have no script at all.
SCRIPT_RE = re.compile(
    rb'<script(?! src="/assets/echo\.[0-9a-f]{12}\.js" defer></script>)', re.IGNORECASE
)
