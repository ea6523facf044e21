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

One module per carrier family, as HTTP::MobileAgent has one class per carrier: :mod:`.docomo`,
:mod:`.au`, :mod:`.softbank`, :mod:`.willcom` each parse their UA shape and declare their page
format and budgets; :mod:`.browsers` takes every other UA (smartphones, PCs, carrier full
browsers), :mod:`.tokens` names crawlers, :mod:`.headers` reads the headers into the cache key,
:mod:`.terminal` says what a :class:`Terminal` is. **To add a carrier family**: a module here
with a parser ``(ua, key) -> Terminal | None`` built with :func:`.terminal.build`, its
:class:`PageFormat`, and its UA prefix in :data:`.detection.FAMILIES`.
"""

from .detection import cache_clear, cache_info, detect, detect_uncached
from .headers import MAX_HEADER_VALUE, MAX_USER_AGENT
from .terminal import (
    AU,
    CARRIERS,
    DOCOMO,
    FEATURE_PHONE_CARRIERS,
    PC,
    SMARTPHONE,
    SOFTBANK,
    WILLCOM,
    PageFormat,
    Terminal,
)

__all__ = [
    "AU",
    "CARRIERS",
    "DOCOMO",
    "FEATURE_PHONE_CARRIERS",
    "MAX_HEADER_VALUE",
    "MAX_USER_AGENT",
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
