"""Who is asking: the terminal behind a request, detected once from its headers.

``detect(headers, remote_addr=None, secure=False)`` reads the User-Agent and the few carrier
headers that matter and returns a frozen :class:`Terminal`: carrier key, crawler flag, model,
browser, screen, page budget, cookie support, the subscriber id the carrier sent, and how to
write the page (charset, Content-Type, carrier_emoji codec names). No Flask here: ``headers`` is
any mapping (a ``dict`` with any capitalisation, werkzeug's ``EnvironHeaders``); values may be
``str`` (werkzeug hands out latin-1 decoded text) or ``bytes`` (decoded as latin-1). Bad input
never raises: an empty, missing, oversized or garbled User-Agent is a ``pc``.

Detection is by UA *family* (CARRIERS.md "UA shapes"), not by model list:

* the first three characters of the UA pick a carrier family (``DoCoMo/``, ``KDDI-`` and
  ``UP.Browser/``, ``SoftBank/``/``Vodafone/``/``J-PHONE/``/``MOT-``, ``Mozilla/3.0(WILLCOM;``
  and ``(DDIPOCKET;``), whose anchored regex parses the handset's own part. A crawler posing as
  a handset keeps the carrier (it gets that carrier's page) and is flagged by the comment it
  appends (``(compatible; Googlebot-Mobile/2.1; ...)``);
* every other UA is scanned once, lower-cased, with one regex (a trie of tokens) for crawlers
  and transcoders, smartphones, carrier full browsers and WILLCOM's W-ZERO3; a UA with a URL
  in it (``+http://...``) counts as a bot.

Choices worth knowing:

* **Full browsers** (DoCoMo ``Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)``, au's PC-site browser
  ``Mozilla/4.0 (compatible; MSIE 6.0; KDDI-CA3B) Opera 8.60 [ja]``, SoftBank's
  ``Mozilla/... (<model>;SoftBank;...)``) keep the carrier key of their network, as woothee
  reports them (ua-sample.tsv has no such row), with ``full_browser=True``. They render like a
  PC: UTF-8, ``text/html``, Unicode emoji, cookies, no subscriber id (they do not pass the
  carrier gateway that adds it). ``is_feature_phone`` is False for them, so choose templates
  by ``is_feature_phone``, not by ``carrier``.
* WILLCOM's W-ZERO3 (``Windows CE; SHARP/WS007SH``) is ``willcom``, as HTTP::MobileAgent and
  uamobile say; EMOBILE, jig browser, Windows CE PDAs, game consoles and TVs are ``pc`` unless
  they carry a smartphone token (IEMobile, Android, ...).
* ``MOT-`` UAs are SoftBank (the Motorola models Vodafone sold), as all peers treat them; a
  ``Nokia...`` UA is not (HTTP::MobileAgent calls Googlebot-Mobile's Nokia UA Vodafone: here
  it is a ``pc`` crawler).
* ``browser`` is parsed for carrier handsets only (it changes what we send them); smartphones
  and PCs get None.
* The crawler flag trusts the UA; nothing checks the crawler's IP address.
* ``remote_addr`` is accepted for the gateway-address check of a later step and is not used
  (so it is not part of the cache key). ``subscriber_id`` is only *reported*: it is read from
  the header of the terminal's own carrier and only when it has that carrier's shape.

Results are cached (``functools.lru_cache``) by the tuple of the header values detection reads;
``detect_uncached`` skips the cache.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

__all__ = [
    "AU",
    "CARRIERS",
    "DOCOMO",
    "FEATURE_PHONE_CARRIERS",
    "PC",
    "SMARTPHONE",
    "SOFTBANK",
    "WILLCOM",
    "PageFormat",
    "Terminal",
    "cache_clear",
    "cache_info",
    "detect",
    "detect_uncached",
]

DOCOMO = "docomo"
AU = "au"
SOFTBANK = "softbank"
WILLCOM = "willcom"
SMARTPHONE = "smartphone"
PC = "pc"
#: Every carrier key, feature-phone carriers first.
CARRIERS = (DOCOMO, AU, SOFTBANK, WILLCOM, SMARTPHONE, PC)
#: Keys of the Japanese feature-phone networks.
FEATURE_PHONE_CARRIERS = frozenset({DOCOMO, AU, SOFTBANK, WILLCOM})

KB = 1024

#: Longest User-Agent kept (and looked at); real ones stay under 300 characters.
MAX_USER_AGENT = 512
#: Longest value of any other header read; longer ones are cut before parsing.
MAX_HEADER_VALUE = 256
#: Distinct header combinations remembered by :func:`detect`.
CACHE_SIZE = 4096

# Page budgets. ------------------------------------------------------------------------------
#: DoCoMo without ``c<N>`` in the UA (first mova handsets): 5 KB. CARRIERS.md, DoCoMo "Page
#: size": "UA default cache 5 KB when absent (HMA)"; hard limit < 5 KB (tohoho-web.com).
DOCOMO_DEFAULT_CACHE_KB = 5
#: FOMA before i-mode browser 2.0 (``c100``): the cache holds 100 KB with images, but markup text
#: is limited to 30 KB. CARRIERS.md, DoCoMo "Page size" (nttdocomo XHTML useragent page).
DOCOMO_FOMA_MARKUP_KB = 30
#: i-mode browser 2.0 (``c500``, ``DoCoMo/3.0``): the browser takes 500 KB per page
#: (CARRIERS.md, DoCoMo "Browser versions"); we allow ourselves 100 KB (project brief).
DOCOMO_BROWSER2_PAGE_KB = 100
#: au WAP 2.0 (``KDDI-``) without ``X-UP-DEVCAP-MAX-PDU``: 9 KB. Not in CARRIERS.md (which lists
#: the X-UP-DEVCAP-* headers only); value from the project brief.
AU_WAP2_PAGE_BYTES = 9 * KB
#: au WAP 1.0 (``UP.Browser/3``) without ``X-UP-DEVCAP-MAX-PDU``: 7.5 KB. As above: brief.
AU_WAP1_PAGE_BYTES = 7680
#: A believable ``X-UP-DEVCAP-MAX-PDU`` (bytes); outside this the default above is used.
AU_MAX_PDU_RANGE = (1 * KB, 10 * 1024 * KB)
#: SoftBank 3G (``SoftBank/``, ``Vodafone/``, ``MOT-``): 300 KB. Not in CARRIERS.md; brief.
SOFTBANK_3G_PAGE_KB = 300
#: J-PHONE/5.0 and later (type W): 12 KB. Not in CARRIERS.md; brief.
JPHONE_W_PAGE_KB = 12
#: Older J-PHONE (types C and P): 6 KB. Not in CARRIERS.md; brief.
JPHONE_PAGE_KB = 6
#: WILLCOM without ``C<N>`` in the UA: 100 KB. CARRIERS.md gives the ``C<cache>`` UA field only;
#: the default is the brief's.
WILLCOM_DEFAULT_CACHE_KB = 100
#: Smartphones, PCs and full browsers that state no cache: 1 MB.
FULL_PAGE_BYTES = 1024 * KB

#: i-mode browser 2.0 "LE" models (CARRIERS.md, DoCoMo "Browser versions": JPM).
DOCOMO_BROWSER2_LE_MODELS = frozenset({"P03B", "P05B", "L01B"})
#: DoCoMo cache size (KB) from which the handset has i-mode browser 2.0 (CARRIERS.md: ``c500``).
DOCOMO_BROWSER2_CACHE_KB = 500
#: Model names some handsets misreport, to what HMA and uamobile correct them.
DOCOMO_MODEL_FIXES = {"SH505i2": "SH505i"}


@dataclass(frozen=True, slots=True)
class PageFormat:
    """How to write a page for a group of terminals: charset, media type and emoji codecs."""

    #: ``charset`` declared in Content-Type.
    charset: str
    #: Media type of an HTML page.
    content_type: str
    #: carrier_emoji codec that encodes the page.
    page_codec: str
    #: carrier_emoji codec that decodes a form posted from that page.
    form_codec: str


#: DoCoMo mova (DoCoMo/1.0): i-mode HTML in Shift_JIS.
IMODE_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-docomo", "x-sjis-docomo")
#: DoCoMo FOMA (DoCoMo/2.0, 3.0): XHTML must be application/xhtml+xml for CSS (CARRIERS.md).
IMODE_XHTML = PageFormat("Shift_JIS", "application/xhtml+xml", "x-sjis-docomo", "x-sjis-docomo")
#: au EZweb: Shift_JIS only officially (CARRIERS.md).
EZWEB_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-kddi", "x-sjis-kddi")
#: SoftBank 3G: UTF-8 with SoftBank PUA emoji (CARRIERS.md, "everyone serves UTF-8 to 3G").
SOFTBANK_3G_HTML = PageFormat("UTF-8", "text/html", "x-utf8-softbank", "x-utf8-softbank")
#: J-PHONE (2G): Shift_JIS; webcode escapes in pages, both forms decode from forms.
JPHONE_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-softbank-webcode", "x-sjis-softbank")
#: WILLCOM: Shift_JIS with DoCoMo-compatible emoji (CARRIERS.md).
WILLCOM_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-willcom", "x-sjis-willcom")
#: Smartphones, PCs and full browsers: UTF-8 with standard Unicode emoji.
UNICODE_HTML = PageFormat("UTF-8", "text/html", "x-utf8-unicode", "x-utf8-unicode")


@dataclass(frozen=True)
class Terminal:
    """What the gateway knows about the terminal behind one request."""

    #: One of :data:`CARRIERS`.
    carrier: str
    #: The User-Agent as received (cut to :data:`MAX_USER_AGENT`, surrounding blanks stripped).
    user_agent: str
    #: Handset model or au device id ("SH902i", "CA32", "910T", "WX310K", "iPhone"), else None.
    model: str | None = None
    #: DoCoMo: i-mode browser "1.0", "2.0" or "2.0LE"; others: "name/version" when given.
    browser: str | None = None
    #: A crawler or transcoding gateway (also when it poses as a handset).
    is_crawler: bool = False
    #: A carrier handset's PC-site ("full") browser: carrier key of the network, PC rendering.
    full_browser: bool = False
    #: (width, height) in pixels when the UA or headers say it.
    screen: tuple[int, int] | None = None
    #: DoCoMo ``W<cols>H<rows>``: (columns, rows) in characters.
    screen_chars: tuple[int, int] | None = None
    #: Largest page in bytes the terminal takes.
    page_budget: int = FULL_PAGE_BYTES
    #: Whether a Set-Cookie will come back.
    cookies: bool = True
    #: Carrier subscriber id of a plausible shape, from that carrier's own header; not trusted yet.
    subscriber_id: str | None = None
    #: Device serial from the UA (DoCoMo ``ser...``, SoftBank ``/SN...``), when sent.
    serial: str | None = None
    #: Charset, media type and codecs for pages to this terminal.
    page_format: PageFormat = UNICODE_HTML

    @property
    def is_feature_phone(self) -> bool:
        """Whether this is a carrier handset browsing with its own (i-mode, EZweb, ...) browser."""
        return self.carrier in FEATURE_PHONE_CARRIERS and not self.full_browser

    @property
    def charset(self) -> str:
        """Charset of pages to this terminal."""
        return self.page_format.charset

    @property
    def content_type(self) -> str:
        """Media type of HTML pages to this terminal."""
        return self.page_format.content_type

    @property
    def content_type_header(self) -> str:
        """Content-Type header value, e.g. ``application/xhtml+xml; charset=Shift_JIS``."""
        return f"{self.page_format.content_type}; charset={self.page_format.charset}"

    @property
    def page_codec(self) -> str:
        """carrier_emoji codec name for encoding pages."""
        return self.page_format.page_codec

    @property
    def form_codec(self) -> str:
        """carrier_emoji codec name for decoding posted forms."""
        return self.page_format.form_codec


# Building terminals. ------------------------------------------------------------------------
#: Field values of a bare ``pc`` terminal (the dataclass defaults); full browsers start from these.
_DEFAULTS = {field.name: field.default for field in fields(Terminal)}
_DEFAULTS.update(carrier=PC, user_agent="")
_new_object = object.__new__
_set_attribute = object.__setattr__


def _terminal(values: dict) -> Terminal:
    """Return a Terminal holding *values*, a complete field dict, without the generated __init__.

    A frozen dataclass sets each field through ``object.__setattr__``; for 13 fields that costs
    1.4 us, more than the rest of a detection. Here the instance dict is set in one step.
    The tests check that the result equals ``Terminal(**values)``.
    """
    terminal = _new_object(Terminal)
    _set_attribute(terminal, "__dict__", values)
    return terminal


# Reading headers. ---------------------------------------------------------------------------
#: Headers detection reads, by lower-case name, to their index in the cache key (a tuple of
#: :data:`_KEY_LENGTH`: these header values or None, and *secure* at index 1).
_HEADER_INDEX = {
    "user-agent": 0,
    "x-dcmguid": 2,
    "x-up-subno": 3,
    "x-jphone-uid": 4,
    "x-up-devcap-screenpixels": 5,
    "x-up-devcap-max-pdu": 6,
    "x-jphone-display": 7,
    "x-jphone-msname": 8,
}
_UA, _SECURE, _DCMGUID, _SUBNO, _JPHONE_UID, _PIXELS, _MAX_PDU, _JPHONE_DISPLAY, _MSNAME = range(9)
_KEY_LENGTH = 9
#: The same under the usual spellings (lower case, werkzeug's title case, CARRIERS.md's upper
#: case), so that most names are found without lower-casing them.
_INDEX = {
    spelling: index
    for name, index in _HEADER_INDEX.items()
    for spelling in (name, name.title(), name.upper())
}
#: (name, WSGI environ key) of each header, to read werkzeug's EnvironHeaders.
_ENVIRON_KEYS = tuple((name, "HTTP_" + name.upper().replace("-", "_")) for name in _HEADER_INDEX)


def _text(value: object, index: int) -> str:
    """Return a header value as str (bytes as latin-1), cut to the limit of key *index*."""
    limit = MAX_USER_AGENT if index == _UA else MAX_HEADER_VALUE
    if isinstance(value, (bytes, bytearray)):
        return bytes(value[:limit]).decode("latin-1")
    if not isinstance(value, str):
        value = str(value)
    return value[:limit]


@lru_cache(maxsize=256)
def _index_of(name: object) -> int | None:
    """Return the key index of header *name* in any spelling, None if detection ignores it."""
    if isinstance(name, (bytes, bytearray)):
        name = bytes(name).decode("latin-1")
    elif not isinstance(name, str):
        return None
    return _HEADER_INDEX.get(name.lower().replace("_", "-"))


def _key(headers: Mapping | None, secure: bool) -> tuple:
    """Return the cache key: the headers detection reads (None when absent or empty), *secure*."""
    environ = None if type(headers) is dict else getattr(headers, "environ", None)
    if type(environ) is dict:  # werkzeug EnvironHeaders: look the headers up in the environ
        items = [(name, environ.get(environ_key)) for name, environ_key in _ENVIRON_KEYS]
    else:
        items = () if headers is None else headers.items()
    user_agent = None
    others = None  # all values, made only when a header other than the User-Agent is present
    for name, value in items:
        index = _INDEX.get(name)
        if index is None:
            index = _index_of(name)
            if index is None:
                continue
        if not value:
            continue
        if type(value) is not str or len(value) > MAX_HEADER_VALUE:
            value = _text(value, index)
        if index == _UA:
            user_agent = value
        else:
            if others is None:
                others = [None] * _KEY_LENGTH
            others[index] = value
    secure = True if secure else False
    if others is None:
        return (user_agent, secure, None, None, None, None, None, None, None)
    others[_UA] = user_agent
    others[_SECURE] = secure
    return tuple(others)


# Carrier handsets: one anchored regex per UA family. -----------------------------------------
_DOCOMO_RE = re.compile(
    r"""DoCoMo/(\d+)\.\d+
    (?: /([^/ (]+)                                     # mova: /P503i
        (?:/c(\d{1,4}))?(?:/T[A-Z])?                   #   /c20/TB
        (?:/W(\d{1,3})H(\d{1,3}))?                     #   /W20H10
        (?:/ser([0-9A-Za-z]{11}))?                     #   /serNMABH200331
        [^ (]*
      | \ (?:MST_v_)?([^ (;/]+)                        # FOMA: ' SH902i'
        (?: \( (?:c(\d{1,4}))?(?:;?T[A-Z])?            #   (c100;TB
               (?:;W(\d{1,3})H(\d{1,3}))?              #   ;W24H12
               (?:;?ser([0-9A-Za-z]{15}))?             #   ;ser0123456789abcde
               (?:;icc[0-9A-Za-z]{20})? \)             #   ;icc01234567890123456789)
          | \(([^()]*)\)                               #   fields in another order
        )?
    )?""",
    re.VERBOSE | re.ASCII,
)
_AU_RE = re.compile(
    r"""(?: KDDI-([0-9A-Za-z]+)                          # WAP 2.0: KDDI-CA32
          (?:\ (UP\.Browser/[^ (]+)(?:\ \(GUI\))?)?     #   UP.Browser/6.2.0.7.3.129 (GUI)
      | (UP\.Browser/\d[\d.]*)(?:-([0-9A-Za-z]+))?     # WAP 1.0: UP.Browser/3.04-TST4
    )""",
    re.VERBOSE | re.ASCII,
)
_SOFTBANK_RE = re.compile(
    r"""(?: (SoftBank|Vodafone|J-PHONE|J-Phone|J-EMULATOR|[SV]emulator)/(\d+)\.\d+
            (?:/([^/ (]+)                              # /910T
               (?:/(?!SN)[^/ (]*)?                     #   /TJ001 (maker, version)
               (?:/SN([0-9A-Za-z]{1,20}))?[^ (]*       #   /SN000000000000000
               (?:\ Browser/([^ (]+))?                 #   Browser/NetFront/3.3
            )?
      | MOT-([0-9A-Za-z]+)                             # MOT-V980/80.2B.04I
    )""",
    re.VERBOSE | re.ASCII,
)
_WILLCOM_RE = re.compile(
    r"""Mozilla/3\.0\((?:WILLCOM|DDIPOCKET);([^()]*)\)     # (KYOCERA/WX310K/2;1.2.../0.1/C100)
    \s*(?:([A-Za-z][\w.-]*?)[/\ ]?(\d[\d.]*))?             # Opera 7.0, NetFront/3.3, CNF/2.0
    """,
    re.VERBOSE | re.ASCII,
)
#: UA names of SoftBank 3G handsets (None: ``MOT-``); the rest (J-PHONE) are 2G.
_SOFTBANK_3G_NAMES = frozenset({"SoftBank", "Vodafone", "Semulator", "Vemulator", None})
_DOCOMO_FIELD_RE = re.compile(
    r"c(\d{1,4})|W(\d{1,3})H(\d{1,3})|ser([0-9A-Za-z]{15}|[0-9A-Za-z]{11})", re.ASCII
)
_WILLCOM_CACHE_RE = re.compile(r"/[Cc](\d{1,5})$", re.ASCII)


def _docomo(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a ``DoCoMo/`` UA, None if the rest is not i-mode's shape."""
    match = _DOCOMO_RE.match(ua)
    if match is None:
        return None
    version, model, cache, width, height, serial = match.group(1, 2, 3, 4, 5, 6)
    if model is None:
        model, cache, width, height, serial, fields = match.group(7, 8, 9, 10, 11, 12)
        if fields is not None:
            cache, width, height, serial = _docomo_fields(fields)
    major = int(version)
    model = DOCOMO_MODEL_FIXES.get(model, model)
    cache = int(cache) if cache else None
    chars = (int(width), int(height)) if width else None
    if major >= 3 or (major == 2 and (cache or 0) >= DOCOMO_BROWSER2_CACHE_KB):
        browser = "2.0LE" if model in DOCOMO_BROWSER2_LE_MODELS else "2.0"
        budget = DOCOMO_BROWSER2_PAGE_KB * KB
    else:
        browser = "1.0"
        cache_kb = cache or DOCOMO_DEFAULT_CACHE_KB
        budget = (min(cache_kb, DOCOMO_FOMA_MARKUP_KB) if major >= 2 else cache_kb) * KB
    is_crawler = match.end() < len(ua) and _comment_is_crawler(ua, match.end())
    return _terminal(
        {
            "carrier": DOCOMO,
            "user_agent": ua,
            "model": model,
            "browser": browser,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": None,
            "screen_chars": chars,
            "page_budget": budget,
            "cookies": browser != "1.0" and not is_crawler,
            "subscriber_id": key[_DCMGUID] and _subscriber_id(DOCOMO, key[_DCMGUID]),
            "serial": serial,
            "page_format": IMODE_XHTML if major >= 2 else IMODE_HTML,
        }
    )


def _docomo_fields(fields: str) -> tuple:
    """Return (cache, width, height, serial) from FOMA ``(...)`` fields in any order."""
    cache = width = height = serial = None
    for field in fields.split(";"):
        found = _DOCOMO_FIELD_RE.fullmatch(field)
        if found is None:
            continue
        if found[1]:
            cache = cache or found[1]
        elif found[2]:
            width, height = found[2], found[3]
        else:
            serial = found[4]
    return cache, width, height, serial


def _au(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a ``KDDI-`` or ``UP.Browser/`` UA, with its X-UP-* headers."""
    match = _AU_RE.match(ua)
    if match is None:
        return None
    wap2_device, wap2_browser, wap1_browser, wap1_device = match.groups()
    budget = AU_WAP1_PAGE_BYTES if wap2_device is None else AU_WAP2_PAGE_BYTES
    if key[_MAX_PDU] is not None and (pdu := _NUMBER_RE.match(key[_MAX_PDU])):
        if AU_MAX_PDU_RANGE[0] <= int(pdu[1]) <= AU_MAX_PDU_RANGE[1]:
            budget = int(pdu[1])
    is_crawler = match.end() < len(ua) and _comment_is_crawler(ua, match.end())
    return _terminal(
        {
            "carrier": AU,
            "user_agent": ua,
            "model": wap1_device if wap2_device is None else wap2_device,
            "browser": wap1_browser if wap2_device is None else wap2_browser,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": _pixels(key[_PIXELS]),
            "screen_chars": None,
            "page_budget": budget,
            "cookies": not key[_SECURE] and not is_crawler,
            "subscriber_id": key[_SUBNO] and _subscriber_id(AU, key[_SUBNO]),
            "serial": None,
            "page_format": EZWEB_HTML,
        }
    )


def _softbank(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a SoftBank, Vodafone, J-PHONE or Motorola (``MOT-``) UA."""
    match = _SOFTBANK_RE.match(ua)
    if match is None:
        return None
    name, version, model, serial, browser, motorola = match.groups()
    if motorola is not None:  # MOT-V980: the model is in X-JPHONE-MSNAME, else "V980"
        msname = key[_MSNAME] and key[_MSNAME].strip()
        model = msname if msname and _MSNAME_RE.fullmatch(msname) else motorola
    if name in _SOFTBANK_3G_NAMES:
        budget, cookies, page_format = SOFTBANK_3G_PAGE_KB * KB, True, SOFTBANK_3G_HTML
    elif int(version) >= 5:
        budget, cookies, page_format = JPHONE_W_PAGE_KB * KB, True, JPHONE_HTML
    else:
        budget, cookies, page_format = JPHONE_PAGE_KB * KB, False, JPHONE_HTML
    is_crawler = match.end() < len(ua) and _comment_is_crawler(ua, match.end())
    return _terminal(
        {
            "carrier": SOFTBANK,
            "user_agent": ua,
            "model": model,
            "browser": browser,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": _pixels(key[_JPHONE_DISPLAY]),
            "screen_chars": None,
            "page_budget": budget,
            "cookies": cookies and not is_crawler,
            "subscriber_id": key[_JPHONE_UID] and _subscriber_id(SOFTBANK, key[_JPHONE_UID]),
            "serial": serial,
            "page_format": page_format,
        }
    )


def _willcom(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a ``Mozilla/3.0(WILLCOM;`` or ``(DDIPOCKET;`` UA, else None."""
    if not ua.startswith("Mozilla/3.0("):
        return None
    match = _WILLCOM_RE.match(ua)
    if match is None:
        return None
    handset, browser_name, browser_version = match.groups()
    parts = handset.split("/")  # maker, model, model version, browser version, cache
    cache = _WILLCOM_CACHE_RE.search(handset)
    cache_kb = int(cache[1]) if cache else 0
    is_crawler = match.end() < len(ua) and _comment_is_crawler(ua, match.end())
    return _terminal(
        {
            "carrier": WILLCOM,
            "user_agent": ua,
            "model": (parts[1] or None) if len(parts) > 1 else None,
            "browser": f"{browser_name}/{browser_version}" if browser_version else None,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": None,
            "screen_chars": None,
            "page_budget": (cache_kb or WILLCOM_DEFAULT_CACHE_KB) * KB,
            "cookies": not is_crawler,
            "subscriber_id": None,
            "serial": None,
            "page_format": WILLCOM_HTML,
        }
    )


#: Carrier UA families by the first three characters of the UA.
_FAMILIES = {
    "DoC": _docomo,
    "KDD": _au,
    "UP.": _au,
    "Sof": _softbank,
    "Vod": _softbank,
    "J-P": _softbank,
    "J-E": _softbank,
    "Sem": _softbank,
    "Vem": _softbank,
    "MOT": _softbank,
    "Moz": _willcom,
}

# Everything else: one scan of the lower-cased UA. ---------------------------------------------
_CRAWLER, _SMARTPHONE, _FOMA, _KDDI, _SOFTBANK, _WINDOWS_CE = range(6)
#: Lower-case UA tokens and what they mean. Crawler and transcoder tokens come from CARRIERS.md
#: (Googlebot-Mobile, Y!J-SRD/MBS, ichiro/mobile goo, moba-crawler, LD_mobile_bot,
#: BaiduMobaider, froute/symphonybot, Google CHTML/WAP Proxy, *-Mobile-Gateway) and the usual
#: PC bots; a UA carrying a URL (``http://``) is a bot too. ``None`` marks look-alikes to skip.
_TOKENS = {
    # Crawlers and transcoding gateways.
    "bot": _CRAWLER,  # Googlebot, bingbot, msnbot, YandexBot, LD_mobile_bot, symphonybot, AhrefsBot
    "crawl": _CRAWLER,  # moba-crawler, MSIECrawler, Y!J-BRJ/YATS crawler
    "spider": _CRAWLER,  # Baiduspider, Sogou web spider
    "slurp": _CRAWLER,  # Yahoo! Slurp
    "http://": _CRAWLER,
    "https://": _CRAWLER,
    "mobaider": _CRAWLER,  # BaiduMobaider
    "ichiro": _CRAWLER,  # ichiro/mobile goo
    "mobile goo": _CRAWLER,
    "froute": _CRAWLER,
    "y!j-": _CRAWLER,  # Y!J-SRD, Y!J-MBS, Y!J-BRJ
    "yahooseeker": _CRAWLER,
    "yahoo pipes": _CRAWLER,
    "-google": _CRAWLER,  # Mediapartners-Google, AppEngine-Google, Feedfetcher-Google
    "google web preview": _CRAWLER,
    "chtml proxy": _CRAWLER,  # Google CHTML Proxy
    "wap proxy": _CRAWLER,  # Google WAP Proxy
    "mobile-gateway": _CRAWLER,  # Hatena-Mobile-Gateway, livedoor-Mobile-Gateway
    "bingpreview": _CRAWLER,
    "fetcher": _CRAWLER,  # livedoor FeedFetcher, Fastladder FeedFetcher
    "facebookexternalhit": _CRAWLER,
    "hatena": _CRAWLER,  # Hatena Antenna, Hatena Diary RSS
    "mixi-": _CRAWLER,  # mixi-check, mixi-crawler
    "yeti/": _CRAWLER,  # Naver
    "nutch": _CRAWLER,
    "heritrix": _CRAWLER,
    "archiver": _CRAWLER,  # ia_archiver
    "ask jeeves": _CRAWLER,
    "indy library": _CRAWLER,
    "rainmeter": _CRAWLER,
    "apple-pubsub": _CRAWLER,
    "feedburner": _CRAWLER,
    "gooblogsearch": _CRAWLER,
    "summify": _CRAWLER,
    "postrank": _CRAWLER,
    "unwindfetchor": _CRAWLER,
    "rome client": _CRAWLER,
    "feedparser": _CRAWLER,
    "feed parser": _CRAWLER,
    "watchdog": _CRAWLER,
    "watch dog": _CRAWLER,
    "cubot": None,  # an Android phone brand, not a bot
    # Smartphones and tablets.
    "iphone": _SMARTPHONE,
    "ipod": _SMARTPHONE,
    "ipad": _SMARTPHONE,
    "android": _SMARTPHONE,
    "windows phone": _SMARTPHONE,
    "iemobile": _SMARTPHONE,
    "blackberry": _SMARTPHONE,
    "bb10": _SMARTPHONE,
    "playbook": _SMARTPHONE,
    "webos": _SMARTPHONE,
    "hpwos": _SMARTPHONE,
    "symbian": _SMARTPHONE,
    "series60": _SMARTPHONE,
    "opera mini": _SMARTPHONE,
    "opera mobi": _SMARTPHONE,
    "mobile safari": _SMARTPHONE,
    "fennec": _SMARTPHONE,
    "(mobile;": _SMARTPHONE,  # Firefox OS
    "(tablet;": _SMARTPHONE,
    "kindle": _SMARTPHONE,
    "silk/": _SMARTPHONE,
    "tizen": _SMARTPHONE,
    # Carrier full browsers and WILLCOM's Windows CE handsets (confirmed by a regex).
    "foma": _FOMA,
    "kddi-": _KDDI,
    "softbank": _SOFTBANK,
    "windows ce": _WINDOWS_CE,
}


def _alternation(words) -> str:
    """Return a regex matching any of *words*, factored as a trie so each position is cheap."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        """Return the regex for the words below *node*."""
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the rest is optional
            return group + "?"
        return branches[0] if len(branches) == 1 else group

    return emit(trie)


_SCAN_RE = re.compile(_alternation(_TOKENS))
#: Kinds that need no second look; any other kind found is confirmed by :func:`_full_browser`.
_SCAN_COMMON_KINDS = frozenset({_CRAWLER, _SMARTPHONE, None})
#: DoCoMo full browser: ``Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)``.
_FOMA_FULL_RE = re.compile(
    r"\((?P<model>[0-9A-Za-z_]+); ?FOMA; ?(?:c(?P<cache>\d{1,4}))?", re.ASCII
)
#: au PC-site browser: ``Mozilla/4.0 (compatible; MSIE 6.0; KDDI-CA3B) Opera 8.60 [ja]``.
_KDDI_FULL_RE = re.compile(
    r"KDDI-(?P<model>[0-9A-Za-z]+)\)(?: Opera (?P<version>[\d.]+))?", re.ASCII
)
#: SoftBank PC-site browser: ``Mozilla/... (<model>;SoftBank;...)``.
_SOFTBANK_FULL_RE = re.compile(r"\((?P<model>[0-9A-Za-z_-]+); ?SoftBank", re.ASCII)
#: WILLCOM W-ZERO3:
#: ``Mozilla/4.0 (compatible; MSIE 4.01; Windows CE; SHARP/WS007SH; PPC; 480x640)``.
_W_ZERO3_RE = re.compile(
    r"""MSIE\ (?P<version>[\d.]+);\ Windows\ CE;\ [A-Za-z]+/(?P<model>WS\d{3}[A-Z]{1,3})
    (?:;[^)]*?(?P<width>\d{3,4})x(?P<height>\d{3,4}))?""",
    re.VERBOSE | re.ASCII,
)
_ANDROID_MODEL_RE = re.compile(
    r"""Android[ -]?\d[\d.]*;(?:\ U;)?(?:\ [A-Za-z]{2}[-_][A-Za-z]{2};)?\ ?  # Android 2.3.4; ja-jp;
    (?P<model>[^;)]+?)(?:\ Build/[^;)]*)?[;)]                                # SBM009SH Build/S0008)
    """,
    re.VERBOSE | re.ASCII,
)
#: Android "models" that are not models: Firefox's ``Mobile``/``Tablet``, Chrome's reduced ``K``.
_NOT_ANDROID_MODELS = frozenset({"mobile", "tablet", "k", "wv", "linux"})

# Subscriber ids and other carrier headers. ----------------------------------------------------
#: Shape of each carrier's subscriber id (CARRIERS.md fixtures: DoCoMo '000000a', 'FFFFFFF';
#: au '00000000000000_mj.ezweb.ne.jp'; SoftBank 'aaaaaaaaaaaaaaaa', optionally a leading letter).
_SUBSCRIBER_ID_RE = {
    DOCOMO: re.compile(r"[0-9A-Za-z]{7}", re.ASCII),
    AU: re.compile(r"[0-9]{14}_[A-Za-z]{2}\.ezweb\.ne\.jp", re.ASCII),
    SOFTBANK: re.compile(r"[A-Za-z]?[0-9A-Za-z]{16}", re.ASCII),
}
_PIXELS_RE = re.compile(r"\s*(\d{1,5})\s*[,*]\s*(\d{1,5})", re.ASCII)
_NUMBER_RE = re.compile(r"\s*(\d{1,9})\s*$", re.ASCII)
_MSNAME_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,31}", re.ASCII)


def _subscriber_id(carrier: str, value: str) -> str | None:
    """Return *value* stripped if it has *carrier*'s subscriber-id shape, else None."""
    value = value.strip()
    return value if _SUBSCRIBER_ID_RE[carrier].fullmatch(value) else None


def _pixels(value: str | None) -> tuple[int, int] | None:
    """Return (width, height) from ``90,70`` or ``120*117``, else None."""
    if value is None:
        return None
    match = _PIXELS_RE.match(value)
    if not match:
        return None
    width, height = int(match[1]), int(match[2])
    return (width, height) if width and height else None


def _comment_is_crawler(ua: str, end: int) -> bool:
    """Whether a handset UA names a crawler in the comment after its own part (ending at *end*).

    Crawlers posing as handsets append ``(compatible; Googlebot-Mobile/2.1; ...)``,
    ``(symphonybot1.froute.jp; ...)`` or ``(Google CHTML Proxy/1.0)``: look from the first
    parenthesis on.
    """
    start = ua.find("(", end)
    if start < 0:
        return False
    return any(_TOKENS[token] == _CRAWLER for token in _SCAN_RE.findall(ua.lower(), start))


def _other(ua: str) -> Terminal:
    """Return the terminal of a UA without a carrier prefix: smartphone, full browser or PC."""
    found = _SCAN_RE.findall(ua.lower())
    kinds = {_TOKENS[token] for token in found} if found else frozenset()
    is_crawler = _CRAWLER in kinds
    if kinds - _SCAN_COMMON_KINDS:
        terminal = _full_browser(ua, kinds, is_crawler)
        if terminal is not None:
            return terminal
    smartphone = _SMARTPHONE in kinds
    return _terminal(
        {
            "carrier": SMARTPHONE if smartphone else PC,
            "user_agent": ua,
            "model": _smartphone_model(ua) if smartphone else None,
            "browser": None,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": None,
            "screen_chars": None,
            "page_budget": FULL_PAGE_BYTES,
            "cookies": not is_crawler,
            "subscriber_id": None,
            "serial": None,
            "page_format": UNICODE_HTML,
        }
    )


def _full_browser(ua: str, kinds: set, is_crawler: bool) -> Terminal | None:
    """Return the terminal of a carrier full browser or a W-ZERO3 UA, else None."""
    values = {**_DEFAULTS, "user_agent": ua, "is_crawler": is_crawler, "cookies": not is_crawler}
    if _FOMA in kinds and (match := _FOMA_FULL_RE.search(ua)):
        values.update(carrier=DOCOMO, model=match["model"], full_browser=True)
        if match["cache"] and int(match["cache"]):
            values["page_budget"] = int(match["cache"]) * KB
    elif _KDDI in kinds and (match := _KDDI_FULL_RE.search(ua)):
        values.update(carrier=AU, model=match["model"], full_browser=True)
        if match["version"]:
            values["browser"] = f"Opera/{match['version']}"
    elif _SOFTBANK in kinds and (match := _SOFTBANK_FULL_RE.search(ua)):
        values.update(carrier=SOFTBANK, model=match["model"], full_browser=True)
    elif _WINDOWS_CE in kinds and (match := _W_ZERO3_RE.search(ua)):
        values.update(
            carrier=WILLCOM,
            model=match["model"],
            browser=f"MSIE/{match['version']}",
            page_budget=WILLCOM_DEFAULT_CACHE_KB * KB,
            page_format=WILLCOM_HTML,
        )
        if match["width"]:
            values["screen"] = (int(match["width"]), int(match["height"]))
    else:
        return None
    return _terminal(values)


def _smartphone_model(ua: str) -> str | None:
    """Return "iPad", "iPod", "iPhone" or the Android device name, when the UA says it."""
    for name in ("iPad", "iPod", "iPhone"):
        if name in ua:
            return name
    match = _ANDROID_MODEL_RE.search(ua)
    if match:
        model = match["model"].strip()
        if model and model.lower() not in _NOT_ANDROID_MODELS:
            return model
    return None


def _detect_key(key: tuple) -> Terminal:
    """Return the terminal for a cache key made by :func:`_key`."""
    ua = key[_UA]
    ua = "" if ua is None else ua.strip()
    family = _FAMILIES.get(ua[:3])
    if family is not None:
        terminal = family(ua, key)
        if terminal is not None:
            return terminal
    return _other(ua)


_cached = lru_cache(maxsize=CACHE_SIZE)(_detect_key)


def detect(
    headers: Mapping | None, remote_addr: str | None = None, secure: bool = False
) -> Terminal:
    """Return the (cached) terminal for *headers*; *secure*: over HTTPS; *remote_addr*: unused."""
    return _cached(_key(headers, secure))


def detect_uncached(
    headers: Mapping | None, remote_addr: str | None = None, secure: bool = False
) -> Terminal:
    """Return the terminal for *headers* like :func:`detect`, without the cache."""
    return _detect_key(_key(headers, secure))


def cache_info():
    """Return the ``functools`` cache statistics of :func:`detect`."""
    return _cached.cache_info()


def cache_clear() -> None:
    """Forget every cached detection."""
    _cached.cache_clear()
